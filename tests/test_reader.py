"""The report reader: segmenting overlapping spans, and highlighting findings in the report text."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.core.findings import COLUMNS
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy, Term
from dashboard.views.report_text import (
    READER_CSS,
    drawable_findings,
    highlight_html,
    legend_html,
    rgba,
    segments,
)

REPORT = "hjs-2017-iskp"
TAG = re.compile(r"<[^>]*>")


# --- helpers ----------------------------------------------------------------------------------


class Parsed(HTMLParser):
    """The reader output taken apart: its highlighted segments, element ids and all tags seen."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.segments: list[dict] = []  # each: classes, ids, id, title, style, text
        self.element_ids: list[str] = []
        self.tags: list[str] = []
        self._open: list[dict | None] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.element_ids.append(attrs["id"])
        classes = (attrs.get("class") or "").split()
        if tag == "span" and "rd-hl" in classes:
            segment = {
                "classes": set(classes),
                "ids": (attrs.get("data-ids") or "").split(),
                "id": attrs.get("id"),
                "title": attrs.get("title"),
                "style": attrs.get("style"),
                "text": "",
            }
            self.segments.append(segment)
            self._open.append(segment)
        else:
            self._open.append(None)

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        for segment in reversed(self._open):
            if segment is not None:
                segment["text"] += data
                break

    def text_of(self, finding_id: str) -> str:
        return "".join(s["text"] for s in self.segments if finding_id in s["ids"])

    def segments_of(self, finding_id: str) -> list[dict]:
        return [s for s in self.segments if finding_id in s["ids"]]


def plain(html: str) -> str:
    return unescape(TAG.sub("", html))


def finding(
    report: Report,
    finding_id: str,
    start: int,
    end: int,
    *,
    title: str = "A finding",
    themes: tuple[str, ...] = ("propaganda",),
    excerpt: str | None = None,
    report_id: str | None = None,
) -> dict:
    row = {c: None for c in COLUMNS}
    row.update(
        id=finding_id,
        report_id=report_id or report.id,
        kind="analysis",
        title=title,
        summary="",
        excerpt=report.text[start:end] if excerpt is None else excerpt,
        start=start,
        end=end,
        prefix="",
        suffix="",
        themes=themes,
        regions=(),
        actors=(),
        page=None,
        source="test",
    )
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(COLUMNS))


def brute_segments(length, spans):
    """Character-by-character reference for :func:`segments`."""
    valid = [(s, e, i) for s, e, i in spans if 0 <= s < e <= length]
    cover = [tuple(dict.fromkeys(i for s, e, i in valid if s <= k < e)) for k in range(length)]
    cuts = {0, length} | {s for s, _, _ in valid} | {e for _, e, _ in valid}
    cuts = sorted(cuts)
    return [(a, b, cover[a]) for a, b in itertools.pairwise(cuts)]


# --- segments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "spans", "expected"),
    [
        pytest.param(10, [], [(0, 10, ())], id="no-spans"),
        pytest.param(0, [(0, 1, "a")], [], id="empty-text"),
        pytest.param(
            10,
            [(1, 3, "a"), (5, 8, "b")],
            [(0, 1, ()), (1, 3, ("a",)), (3, 5, ()), (5, 8, ("b",)), (8, 10, ())],
            id="non-overlapping",
        ),
        pytest.param(
            10,
            [(2, 6, "a"), (4, 8, "b")],
            [(0, 2, ()), (2, 4, ("a",)), (4, 6, ("a", "b")), (6, 8, ("b",)), (8, 10, ())],
            id="overlapping",
        ),
        pytest.param(
            10,
            [(4, 8, "b"), (2, 6, "a")],
            [(0, 2, ()), (2, 4, ("a",)), (4, 6, ("b", "a")), (6, 8, ("b",)), (8, 10, ())],
            id="overlapping-input-order-kept",
        ),
        pytest.param(
            10,
            [(1, 9, "outer"), (3, 5, "inner")],
            [
                (0, 1, ()),
                (1, 3, ("outer",)),
                (3, 5, ("outer", "inner")),
                (5, 9, ("outer",)),
                (9, 10, ()),
            ],
            id="nested",
        ),
        pytest.param(
            10,
            [(0, 10, "outer"), (0, 4, "head"), (6, 10, "tail")],
            [(0, 4, ("outer", "head")), (4, 6, ("outer",)), (6, 10, ("outer", "tail"))],
            id="nested-sharing-edges",
        ),
        pytest.param(
            10,
            [(2, 5, "a"), (5, 7, "b")],
            [(0, 2, ()), (2, 5, ("a",)), (5, 7, ("b",)), (7, 10, ())],
            id="adjacent",
        ),
        pytest.param(
            10,
            [(2, 5, "a"), (2, 5, "b")],
            [(0, 2, ()), (2, 5, ("a", "b")), (5, 10, ())],
            id="identical",
        ),
        pytest.param(
            10,
            [(2, 5, "a"), (2, 5, "a")],
            [(0, 2, ()), (2, 5, ("a",)), (5, 10, ())],
            id="same-id-twice-listed-once",
        ),
        pytest.param(10, [(0, 10, "all")], [(0, 10, ("all",))], id="whole-text"),
        pytest.param(
            10,
            [(4, 4, "empty"), (2, 6, "a")],
            [(0, 2, ()), (2, 6, ("a",)), (6, 10, ())],
            id="zero-length-ignored",
        ),
        pytest.param(10, [(6, 3, "reversed")], [(0, 10, ())], id="reversed-ignored"),
        pytest.param(
            10,
            [(-1, 3, "neg"), (8, 11, "past"), (12, 15, "beyond"), (3, 5, "ok")],
            [(0, 3, ()), (3, 5, ("ok",)), (5, 10, ())],
            id="out-of-range-ignored",
        ),
    ],
)
def test_segments(length, spans, expected):
    assert segments(length, spans) == expected


_SPANS = st.lists(
    st.tuples(st.integers(-3, 25), st.integers(-3, 25), st.sampled_from("abcdef")), max_size=8
)


@given(length=st.integers(0, 20), spans=_SPANS)
def test_segments_cover_the_text_and_match_a_brute_force_reference(length, spans):
    result = segments(length, spans)
    assert result == brute_segments(length, spans)
    if length:
        assert result[0][0] == 0 and result[-1][1] == length
    assert all(a < b for a, b, _ in result)
    assert all(result[n][1] == result[n + 1][0] for n in range(len(result) - 1))


# --- the real report --------------------------------------------------------------------------


VARIANTS = [
    pytest.param({}, id="plain"),
    pytest.param({"emphasised": set()}, id="nothing-emphasised"),
    pytest.param({"emphasised": {"hjs2017-ko-01", "hjs2017-qu-03"}}, id="some-emphasised"),
    pytest.param({"focus": "hjs2017-ko-05"}, id="focused"),
    pytest.param({"focus": "no-such-finding"}, id="unknown-focus"),
]


@pytest.mark.parametrize("options", VARIANTS)
def test_real_report_text_comes_back_exactly(corpus, options):
    report = corpus.reports[REPORT]
    html = highlight_html(report, corpus.findings, corpus.taxonomy, **options)
    assert plain(html) == report.text


def test_real_report_keeps_line_breaks_and_indentation(corpus):
    report = corpus.reports[REPORT]
    html = highlight_html(report, corpus.findings, corpus.taxonomy)
    assert "\n\n  • " in report.text  # the bullet list the reader must show as laid out
    assert "\n\n  • " in plain(html)
    assert "<br" not in html and "<p" not in html


@pytest.mark.parametrize("options", VARIANTS)
def test_every_real_finding_has_one_anchor_and_its_excerpt(corpus, options):
    report = corpus.reports[REPORT]
    findings = corpus.findings[corpus.findings["report_id"] == REPORT]
    assert len(findings) > 0
    parsed = Parsed(highlight_html(report, corpus.findings, corpus.taxonomy, **options))
    counts = Counter(parsed.element_ids)
    for row in findings.itertuples():
        assert counts[f"f-{row.id}"] == 1, row.id
        assert parsed.text_of(row.id) == row.excerpt, row.id
        first = parsed.segments_of(row.id)[0]
        assert first["id"] == f"f-{row.id}", row.id
    assert all(n == 1 for n in counts.values())


def test_real_findings_are_coloured_by_their_first_theme(corpus):
    report = corpus.reports[REPORT]
    parsed = Parsed(highlight_html(report, corpus.findings, corpus.taxonomy))
    for row in corpus.findings.itertuples():
        colour = corpus.taxonomy.theme(row.themes[0]).colour
        for segment in parsed.segments_of(row.id):
            assert f"border-bottom-color:{colour}" in segment["style"], row.id
            assert rgba(colour, 0.28) in segment["style"], row.id


def test_real_titles_and_theme_labels_are_in_the_tooltip(corpus):
    report = corpus.reports[REPORT]
    parsed = Parsed(highlight_html(report, corpus.findings, corpus.taxonomy))
    for row in corpus.findings.itertuples():
        for segment in parsed.segments_of(row.id):
            assert row.title in segment["title"]
            for key in row.themes:
                assert corpus.taxonomy.theme(key).label in segment["title"]


@pytest.mark.parametrize(
    ("emphasised", "focus"),
    [
        pytest.param(None, None, id="all"),
        pytest.param(set(), None, id="none"),
        pytest.param({"hjs2017-ko-01"}, None, id="one"),
        pytest.param({"hjs2017-in-01", "hjs2017-an-02", "hjs2017-qu-03"}, None, id="three"),
        pytest.param({"hjs2017-in-01"}, "hjs2017-in-02", id="focus-outside-filter-drawn-full"),
    ],
)
def test_findings_outside_the_emphasised_set_are_faint(corpus, emphasised, focus):
    report = corpus.reports[REPORT]
    parsed = Parsed(
        highlight_html(report, corpus.findings, corpus.taxonomy, emphasised=emphasised, focus=focus)
    )
    strong = set(corpus.findings["id"]) if emphasised is None else set(emphasised)
    if focus:
        strong.add(focus)
    for row in corpus.findings.itertuples():
        faint = {"rd-faint" in s["classes"] for s in parsed.segments_of(row.id)}
        assert faint == {row.id not in strong}, row.id


@pytest.mark.parametrize("focus", ["hjs2017-in-01", "hjs2017-ko-05", "hjs2017-qu-03"])
def test_focus_marks_only_the_focused_finding(corpus, focus):
    report = corpus.reports[REPORT]
    parsed = Parsed(highlight_html(report, corpus.findings, corpus.taxonomy, focus=focus))
    focused = [s for s in parsed.segments if "rd-focus" in s["classes"]]
    assert focused
    assert all(focus in s["ids"] for s in focused)
    assert (
        "".join(s["text"] for s in focused) == corpus.findings.set_index("id").loc[focus, "excerpt"]
    )


def test_no_focus_marks_nothing_focused(corpus):
    report = corpus.reports[REPORT]
    html = highlight_html(report, corpus.findings, corpus.taxonomy)
    assert "rd-focus" not in html


# --- overlapping findings on a small report --------------------------------------------------


def test_overlapping_and_nested_findings_each_keep_their_excerpt(small_report, taxonomy):
    text = small_report.text
    a = text.index("propaganda reaches")
    b = text.index("reaches “urban youth”")
    rows = [
        finding(small_report, "outer", 0, text.index("\n"), themes=("recruitment",)),
        finding(small_report, "a", a, a + len("propaganda reaches"), themes=("propaganda",)),
        finding(small_report, "b", b, b + len("reaches “urban youth”"), themes=("refugees",)),
        finding(small_report, "same", b, b + len("reaches “urban youth”"), themes=("ideology",)),
    ]
    html = highlight_html(small_report, frame(*rows), taxonomy)
    parsed = Parsed(html)
    assert plain(html) == text
    counts = Counter(parsed.element_ids)
    for row in rows:
        assert counts[f"f-{row['id']}"] == 1
        assert parsed.text_of(row["id"]) == row["excerpt"]
    overlap = [s for s in parsed.segments if len(s["ids"]) > 1]
    assert overlap and all("rd-overlap" in s["classes"] for s in overlap)
    assert all("rd-overlap" not in s["classes"] for s in parsed.segments if len(s["ids"]) == 1)
    # the inner, later-starting finding gives the colour where it is nested in "outer"
    only_a = next(s for s in parsed.segments if s["ids"] == ["outer", "a"])
    assert taxonomy.theme("propaganda").colour in only_a["style"]
    # two findings starting at one place: one on the segment, the other on an empty anchor
    assert '<span class="rd-anchor" id="f-same"></span>' in html


def test_faint_finding_does_not_colour_an_overlap_with_an_emphasised_one(small_report, taxonomy):
    text = small_report.text
    rows = [
        finding(small_report, "wide", 0, 30, themes=("propaganda",)),
        finding(small_report, "narrow", 5, 15, themes=("refugees",)),
    ]
    parsed = Parsed(highlight_html(small_report, frame(*rows), taxonomy, emphasised={"wide"}))
    middle = next(s for s in parsed.segments if s["ids"] == ["wide", "narrow"])
    assert "rd-faint" not in middle["classes"]
    assert taxonomy.theme("propaganda").colour in middle["style"]
    assert plain(highlight_html(small_report, frame(*rows), taxonomy)) == text


# --- what is skipped --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"start": 1, "end": 18}, id="shifted-offsets"),
        pytest.param({"end": 999}, id="end-past-text"),
        pytest.param({"start": -1}, id="negative-start"),
        pytest.param({"start": 17, "end": 0}, id="reversed"),
        pytest.param({"excerpt": "ISKP's propaganda"}, id="excerpt-differs"),
        pytest.param({"report_id": "another-report"}, id="other-report"),
    ],
)
def test_finding_with_wrong_offsets_or_report_is_skipped(small_report, taxonomy, change):
    good = finding(
        small_report,
        "good",
        small_report.text.index("Refugees"),
        small_report.text.index("Refugees") + len("Refugees"),
    )
    bad = finding(small_report, "bad", 0, len("ISKP’s propaganda"))
    bad.update(change)
    html = highlight_html(small_report, frame(good, bad), taxonomy)
    parsed = Parsed(html)
    assert "f-bad" not in parsed.element_ids and not parsed.segments_of("bad")
    assert parsed.text_of("good") == "Refugees"
    assert plain(html) == small_report.text
    assert [f["id"] for f in drawable_findings(small_report, frame(good, bad))] == ["good"]


def test_duplicate_id_is_drawn_once(small_report, taxonomy):
    rows = [finding(small_report, "dup", 0, 4), finding(small_report, "dup", 10, 20)]
    parsed = Parsed(highlight_html(small_report, frame(*rows), taxonomy))
    assert parsed.element_ids.count("f-dup") == 1
    assert parsed.text_of("dup") == small_report.text[0:4]


# --- hostile input ----------------------------------------------------------------------------


HOSTILE_TEXT = (
    "Intro <script>alert(1)</script> & more.\n"
    "<img src=x onerror=alert(1)> \"quoted\" 'single' &amp; end\n"
)


def _hostile_report() -> Report:
    return Report(id="hostile", title="H", author="A", text=HOSTILE_TEXT, text_kind="full text")


def _hostile_taxonomy(taxonomy: Taxonomy) -> Taxonomy:
    themes = tuple(
        Term(
            t.key,
            '<img src=x onerror=alert(1)>"' if t.key == "propaganda" else t.label,
            t.definition,
            t.colour,
        )
        for t in taxonomy.themes
    )
    return Taxonomy(themes=themes, kinds=taxonomy.kinds)


@pytest.mark.parametrize(
    ("finding_id", "title", "span"),
    [
        pytest.param(
            "f1",
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            id="hostile-title-over-script",
        ),
        pytest.param(
            "f1",
            '"><script>alert(1)</script>',
            "<img src=x onerror=alert(1)>",
            id="attribute-breaking-title",
        ),
        pytest.param('x"><img/src=x/onerror=alert(1)>', "Plain", "&amp;", id="hostile-id"),
        pytest.param("f1", "Plain", None, id="no-finding"),
    ],
)
def test_hostile_text_and_fields_stay_text(taxonomy, finding_id, title, span):
    report = _hostile_report()
    rows = []
    if span is not None:
        start = HOSTILE_TEXT.index(span)
        rows.append(finding(report, finding_id, start, start + len(span), title=title))
    tax = _hostile_taxonomy(taxonomy)
    html = highlight_html(report, frame(*rows), tax, focus=finding_id)
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered
    assert "onerror=alert(1)>" not in lowered.replace("&gt;", "")  # never an unescaped tag end
    parsed = Parsed(html)
    assert set(parsed.tags) <= {"div", "span"}
    assert plain(html) == HOSTILE_TEXT
    if span is not None:
        assert parsed.element_ids == [f"f-{finding_id}"]
        assert parsed.text_of(finding_id) == span
        assert title in parsed.segments_of(finding_id)[0]["title"]
    legend = legend_html(frame(*rows), tax)
    assert "<img" not in legend.lower() and "<script" not in legend.lower()


# --- legend and style -------------------------------------------------------------------------


def test_legend_lists_first_themes_with_colour_and_label(corpus):
    legend = legend_html(corpus.findings, corpus.taxonomy)
    firsts = {t[0] for t in corpus.findings["themes"]}
    for term in corpus.taxonomy.themes:
        shown = f"{term.colour}" in legend and f">{term.label.replace('&', '&amp;')}<" in legend
        assert shown == (term.key in firsts), term.key
    assert "outside the current filters" in legend
    assert "faint" in legend.lower()


def test_legend_of_no_findings_says_so(taxonomy):
    assert "No findings" in legend_html(frame(), taxonomy)


@pytest.mark.parametrize(
    "needle",
    [
        "<style>",
        "white-space: pre-wrap",
        ".rd-hl",
        ".rd-faint",
        ".rd-focus",
        ".rd-overlap",
        "outline",
        "dotted",
        "double",
    ],
)
def test_reader_css_has_its_parts(needle):
    assert needle in READER_CSS


def test_reader_css_only_styles_its_own_classes():
    selectors = re.findall(r"\.([A-Za-z][\w-]*)", re.sub(r"\{[^}]*\}", "", READER_CSS))
    assert selectors and all(s.startswith("rd-") for s in selectors)


@pytest.mark.parametrize(
    ("colour", "alpha", "expected"),
    [
        ("#CC6677", 0.28, "rgba(204,102,119,0.28)"),
        ("#000000", 1, "rgba(0,0,0,1)"),
        ("#ffFFff", 0.5, "rgba(255,255,255,0.5)"),
    ],
)
def test_rgba(colour, alpha, expected):
    assert rgba(colour, alpha) == expected
