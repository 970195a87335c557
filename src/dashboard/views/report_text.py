"""HTML for the report reader: the whole report text with each finding's passage highlighted.

Pure functions, no Streamlit: the page passes :data:`READER_CSS` and the output of
:func:`highlight_html` to ``st.html``. Every piece of report or user text is escaped with
:func:`html.escape` before it reaches the page, so stripping the tags from the output and
unescaping it gives back the report text exactly.

A finding is drawn only where ``report.text[start:end]`` is its excerpt; a finding whose offsets do
not hold its excerpt is left out rather than drawn at the wrong place.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy
from dashboard.views.view import View

#: Colour used when a finding has no theme the taxonomy knows (findings are validated, so rare).
FALLBACK_COLOUR = "#888888"
#: Strength of the highlight fill: the theme colour at this opacity over the page.
FILL_ALPHA = 0.28
#: Fill strength where two or more findings overlap, so the overlap reads as a darker band.
OVERLAP_ALPHA = 0.42

READER_CSS = """
<style>
.rd-text {font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; font-size: 1rem; line-height: 1.7; max-width: 46rem; white-space: pre-wrap;
  overflow-wrap: break-word; color: #1a1a1a; background: #ffffff; padding: .75rem 1rem;
  border: 1px solid #e3e5e8; border-radius: .3rem;}
.rd-hl {border-bottom: 3px solid #888888; padding: 0 0 1px 0; border-radius: 1px;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; scroll-margin-top: 5rem;}
.rd-hl.rd-overlap {border-bottom-style: double; border-bottom-width: 5px;}
.rd-hl.rd-faint {background-color: transparent !important; border-bottom-style: dotted;
  border-bottom-width: 2px;}
.rd-hl.rd-focus {outline: 3px solid #111111; outline-offset: 1px;}
.rd-anchor {scroll-margin-top: 5rem;}
.rd-legend {font-size: .85rem; line-height: 1.5; margin: .25rem 0 .5rem 0;}
.rd-legend .rd-key {display: inline-block; margin: 0 .8rem .25rem 0; white-space: nowrap;}
.rd-legend .rd-swatch {display: inline-block; width: 1.6rem; height: .9rem; vertical-align: -.1rem;
  margin-right: .3rem; border-bottom: 3px solid #888888;}
.rd-legend .rd-note {opacity: .78; font-size: .8rem; margin-top: .2rem;}
.rd-legend .rd-sample {padding: 0 .15rem;}
</style>
"""


def segments(
    text_length: int, spans: list[tuple[int, int, str]]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """Cut ``[0, text_length)`` at every span boundary.

    Each segment is ``(start, end, ids)``, where *ids* are the ids of the spans covering the whole
    segment, in the order the spans were given (an id given twice is listed once). Segments are
    contiguous, non-empty and cover the whole text. Spans that are empty, reversed or reach outside
    the text are ignored.

    >>> segments(10, [(2, 6, "a"), (4, 8, "b")])
    [(0, 2, ()), (2, 4, ('a',)), (4, 6, ('a', 'b')), (6, 8, ('b',)), (8, 10, ())]
    """
    if text_length <= 0:
        return []
    valid = [
        (order, start, end, span_id)
        for order, (start, end, span_id) in enumerate(spans)
        if 0 <= start < end <= text_length
    ]
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for order, start, end, _ in valid:
        starts.setdefault(start, []).append(order)
        ends.setdefault(end, []).append(order)
    cuts = sorted({0, text_length, *starts, *ends})
    ids_of = {order: span_id for order, _, _, span_id in valid}
    active: set[int] = set()
    result = []
    for left, right in itertools.pairwise(cuts):
        active.difference_update(ends.get(left, ()))
        active.update(starts.get(left, ()))
        ids = tuple(dict.fromkeys(ids_of[order] for order in sorted(active)))
        result.append((left, right, ids))
    return result


def rgba(colour: str, alpha: float) -> str:
    """A ``#RRGGBB`` colour as a CSS ``rgba()`` at *alpha*.

    >>> rgba("#CC6677", 0.25)
    'rgba(204,102,119,0.25)'
    """
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha:g})"


def _records(findings: pd.DataFrame | Iterable[Mapping]) -> list[Mapping]:
    if isinstance(findings, pd.DataFrame):
        return list(findings.to_dict("records"))
    return list(findings)


def drawable_findings(report: Report, findings: pd.DataFrame | Iterable[Mapping]) -> list[Mapping]:
    """The findings of *report* that can be drawn: ``report.text[start:end]`` is their excerpt.

    Findings of other reports, findings whose offsets do not hold their excerpt, and a second
    finding with an id already seen are left out. Order is kept.
    """
    drawn, seen = [], set()
    text = report.text
    for finding in _records(findings):
        if finding.get("report_id") != report.id:
            continue
        finding_id = finding.get("id")
        if not isinstance(finding_id, str) or not finding_id or finding_id in seen:
            continue
        try:
            start, end = int(finding["start"]), int(finding["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if not 0 <= start < end <= len(text) or text[start:end] != finding.get("excerpt"):
            continue
        seen.add(finding_id)
        drawn.append(finding)
    return drawn


def _theme(taxonomy: Taxonomy, key: str) -> tuple[str, str]:
    """Label and colour of theme *key*, falling back to the key and grey if it is unknown."""
    try:
        term = taxonomy.theme(key)
    except KeyError:
        return str(key), FALLBACK_COLOUR
    return term.label, term.colour or FALLBACK_COLOUR


def _first_theme(finding: Mapping) -> str | None:
    themes: Sequence[str] = finding.get("themes") or ()
    return themes[0] if len(themes) else None


def _colour(finding: Mapping, taxonomy: Taxonomy) -> str:
    key = _first_theme(finding)
    return FALLBACK_COLOUR if key is None else _theme(taxonomy, key)[1]


def _tooltip(finding: Mapping, taxonomy: Taxonomy) -> str:
    labels = [_theme(taxonomy, key)[0] for key in (finding.get("themes") or ())]
    title = str(finding.get("title") or finding["id"])
    return f"{title} — {', '.join(labels)}" if labels else title


def highlight_html(
    report: Report,
    findings: pd.DataFrame | Iterable[Mapping],
    taxonomy: Taxonomy,
    *,
    emphasised: set[str] | None = None,
    focus: str | None = None,
    window: tuple[int, int] | None = None,
    runs: bool = False,
) -> str:
    """The whole text of *report* as HTML, with the passage of each of its findings highlighted.

    Each stretch of text covered by findings is a ``<span class="rd-hl ...">`` whose ``data-ids``
    lists the findings covering it and whose ``title`` gives their titles and theme labels. The
    fill and underline are in the colour of the finding's first theme; where findings overlap,
    the colour is that of the innermost (latest-starting, then shortest) emphasised one.

    The first stretch of each finding carries ``id="f-<id>"``, so ``#f-<id>`` links to it; when
    several findings start at the same place, the others get an empty ``<span class="rd-anchor">``
    with their id just before it. *emphasised* is the set of finding ids drawn in full (``None``:
    all); the others are drawn faint. *focus* names the finding outlined as selected; it is drawn
    in full even if it is not emphasised. Pass :data:`READER_CSS` to the page once, separately.

    *window* ``(start, end)`` draws only that stretch of the text (see :func:`text_windows`),
    the findings cut to it. *runs* (for the coding view) puts every run of text, highlighted or
    not, in a span whose ``data-o`` is its offset in the report text, keeps carriage returns as
    ``&#13;`` (an HTML parser would drop them) and marks where each page begins with an empty
    ``<span class="rd-page" data-page="N">``; the ``div`` then carries ``data-start`` and
    ``data-end``.
    """
    text = report.text
    first, last = window if window is not None else (0, len(text))
    first, last = max(0, first), min(len(text), last)
    drawn = drawable_findings(report, findings)
    by_id = {f["id"]: f for f in drawn}
    order = {f["id"]: n for n, f in enumerate(drawn)}
    spans = [
        (max(int(f["start"]), first) - first, min(int(f["end"]), last) - first, f["id"])
        for f in drawn
        if int(f["start"]) < last and int(f["end"]) > first
    ]
    strong = set(by_id) if emphasised is None else set(emphasised) & set(by_id)
    if focus is not None and focus in by_id:
        strong.add(focus)
    starts_at: dict[int, list[str]] = {}
    for finding_id, finding in by_id.items():
        if first <= int(finding["start"]) < last:
            starts_at.setdefault(int(finding["start"]) - first, []).append(finding_id)
    for values in starts_at.values():
        values.sort(key=lambda i: order[i])
    page_at = {p - first: n for n, p in enumerate(report.page_starts, 1) if first <= p < last}
    cuts = segments(last - first, spans)
    if runs and page_at:
        cuts = _cut_at(cuts, sorted(page_at))

    def chunk_of(left: int, right: int) -> str:
        chunk = escape(text[first + left : first + right])
        # A parser drops a literal CR and NUL; as references they stay one character each.
        return chunk.replace("\r", "&#13;").replace("\x00", "&#0;") if runs else chunk

    if runs:
        parts = [f'<div class="rd-text" lang="en" data-start="{first}" data-end="{last}">']
    else:
        parts = ['<div class="rd-text" lang="en">']
    for left, right, ids in cuts:
        if runs and left in page_at:
            parts.append(f'<span class="rd-page" data-page="{page_at[left]}"></span>')
        run = f' data-o="{first + left}"' if runs else ""
        if not ids:
            parts.append(
                f"<span{run}>{chunk_of(left, right)}</span>" if runs else chunk_of(left, right)
            )
            continue
        beginning = starts_at.get(left, [])
        for extra in beginning[1:]:
            parts.append(f'<span class="rd-anchor" id="f-{escape(extra)}"></span>')
        lead = [i for i in ids if i in strong] or list(ids)
        lead_id = max(
            lead, key=lambda i: (int(by_id[i]["start"]), -int(by_id[i]["end"]), -order[i])
        )
        colour = _colour(by_id[lead_id], taxonomy)
        classes = ["rd-hl"]
        if len(ids) > 1:
            classes.append("rd-overlap")
        if not any(i in strong for i in ids):
            classes.append("rd-faint")
        if focus is not None and focus in ids:
            classes.append("rd-focus")
        alpha = OVERLAP_ALPHA if len(ids) > 1 else FILL_ALPHA
        tooltip = "\n".join(_tooltip(by_id[i], taxonomy) for i in ids)
        id_attr = f' id="f-{escape(beginning[0])}"' if beginning else ""
        parts.append(
            f'<span class="{" ".join(classes)}"{id_attr}{run} data-ids="{escape(" ".join(ids))}" '
            f'title="{escape(tooltip)}" '
            f'style="background-color:{rgba(colour, alpha)};border-bottom-color:{colour}">'
            f"{chunk_of(left, right)}</span>"
        )
    parts.append("</div>")
    return "".join(parts)


def _cut_at(
    cuts: list[tuple[int, int, tuple[str, ...]]], points: list[int]
) -> list[tuple[int, int, tuple[str, ...]]]:
    """*cuts* (from :func:`segments`) cut again at each of *points*."""
    result = []
    wanted = iter(points)
    point = next(wanted, None)
    for left, right, ids in cuts:
        while point is not None and point <= left:
            point = next(wanted, None)
        while point is not None and left < point < right:
            result.append((left, point, ids))
            left = point
            point = next(wanted, None)
        result.append((left, right, ids))
    return result


#: Characters of report text the reader draws at once; a longer report is read in parts.
WINDOW_CHARS = 40_000


def text_windows(report: Report, size: int | None = None) -> list[tuple[int, int]]:
    """The parts a long report is read in: ``(start, end)`` offsets that cover the text, each
    at most *size* characters where the text allows. A report with page boundaries is cut
    between pages (a page longer than *size* is a part of its own); another text between
    paragraphs, else after a space.

    *size* defaults to :data:`WINDOW_CHARS`.

    >>> text_windows(Report("r", "T", "A", "x" * 10, "full text"))
    [(0, 10)]
    >>> text_windows(Report("r", "T", "A", "aaaa bbbb cccc", "full text"), size=6)
    [(0, 5), (5, 10), (10, 14)]
    """
    size = WINDOW_CHARS if size is None else size
    text, length = report.text, len(report.text)
    if length <= size:
        return [(0, length)]
    if report.page_starts:
        windows, start, previous = [], 0, 0
        for page_end in [*report.page_starts[1:], length]:
            if page_end - start > size and previous > start:
                windows.append((start, previous))
                start = previous
            previous = page_end
        windows.append((start, length))
        return windows
    windows, start = [], 0
    while length - start > size:
        limit = start + size
        cut = text.rfind("\n\n", start + size // 2, limit)
        cut = cut + 2 if cut >= 0 else text.rfind(" ", start + size // 2, limit) + 1
        if cut <= start:
            cut = limit
        windows.append((start, cut))
        start = cut
    windows.append((start, length))
    return windows


def window_label(report: Report, window: tuple[int, int], count: int, number: int) -> str:
    """How a part is named in the picker: its pages, or where it stands in the text.

    >>> r = Report("r", "T", "A", "x" * 100, "full text", page_starts=(0, 40, 80))
    >>> window_label(r, (0, 80), 2, 1)
    'pp. 1-2 (part 1 of 2)'
    >>> window_label(Report("r", "T", "A", "x" * 100, "full text"), (50, 100), 2, 2)
    'characters 51-100 (part 2 of 2)'
    """
    pages = report.pages_of(*window)
    if pages is not None:
        where = f"p. {pages[0]}" if pages[0] == pages[1] else f"pp. {pages[0]}-{pages[1]}"
    else:
        where = f"characters {window[0] + 1:,}-{window[1]:,}"
    return f"{where} (part {number} of {count})"


def window_of(windows: list[tuple[int, int]], offset: int) -> int:
    """The index of the part holding *offset* (the first part when none does)."""
    for index, (start, end) in enumerate(windows):
        if start <= offset < end:
            return index
    return 0


def legend_html(findings: pd.DataFrame | Iterable[Mapping], taxonomy: Taxonomy) -> str:
    """A key to the reader: each theme that colours a finding (its first theme), with its colour
    and label, in taxonomy order, and what faint, doubled and outlined marks mean."""
    used = {key for key in (_first_theme(f) for f in _records(findings)) if key is not None}
    known = [t.key for t in taxonomy.themes if t.key in used]
    unknown = sorted(used.difference(known), key=str)
    keys = []
    for key in known + unknown:
        label, colour = _theme(taxonomy, key)
        keys.append(
            f'<span class="rd-key"><span class="rd-swatch" '
            f'style="background-color:{rgba(colour, FILL_ALPHA)};border-bottom-color:{colour}">'
            f"</span>{escape(label)}</span>"
        )
    if not keys:
        keys.append('<span class="rd-key">No findings are marked in this report.</span>')
    sample = FALLBACK_COLOUR
    note = (
        "Colour is a finding's first theme; hover a passage for its findings. "
        f'<span class="rd-hl rd-faint rd-sample" style="border-bottom-color:{sample}">'
        "Faint, dotted</span> marks are findings outside the current filters; "
        f'<span class="rd-hl rd-overlap rd-sample" style="background-color:'
        f'{rgba(sample, OVERLAP_ALPHA)};border-bottom-color:{sample}">a double line</span> '
        "marks overlapping findings; "
        f'<span class="rd-hl rd-focus rd-sample" style="background-color:'
        f'{rgba(sample, FILL_ALPHA)};border-bottom-color:{sample}">an outline</span> '
        "marks the selected finding."
    )
    return (
        f'<div class="rd-legend"><div>{"".join(keys)}</div><div class="rd-note">{note}</div></div>'
    )


@dataclass(frozen=True)
class ReportInView:
    """One report as the reader shows it: its findings, and those of them in the view."""

    report: Report
    #: Every finding quoting the report.
    findings: pd.DataFrame
    #: The ones that pass the filters.
    shown: pd.DataFrame


def report_first_shown(view: View) -> str:
    """The report the reader opens: the focused finding's, else the first."""
    findings = view.corpus.findings
    focused = findings[findings["id"] == view.filters.finding]
    return (
        str(focused["report_id"].iloc[0]) if not focused.empty else next(iter(view.corpus.reports))
    )


def report_in_view(view: View, report_id: str) -> ReportInView:
    of_report = (view.index.findings["report_id"] == report_id).to_numpy()
    if view.index.visible is not None:  # the findings of it this reader may read
        of_report = of_report & view.index.visible
    return ReportInView(
        view.corpus.reports[report_id], view.index.findings[of_report], view.where(of_report)
    )


def excerpt_html(excerpt: str) -> str:
    """An excerpt of the report shown alone (the passage being coded), drawn as the reader draws
    the text: escaped, its line breaks kept.

    >>> excerpt_html("a <b>\\nc")
    '<div class="rd-text rd-quote" lang="en">a &lt;b&gt;\\nc</div>'
    """
    return f'<div class="rd-text rd-quote" lang="en">{escape(excerpt)}</div>'


def overlapping(findings: pd.DataFrame, finding: Mapping) -> pd.DataFrame:
    """The other findings of *finding*'s report whose passages overlap its own (nested ones,
    and those it is nested in, included), in the order of the text."""
    same = findings[
        (findings["report_id"] == finding["report_id"]) & (findings["id"] != finding["id"])
    ]
    start, end = int(finding["start"]), int(finding["end"])
    hits = same[(same["start"] < end) & (same["end"] > start)]
    return hits.sort_values(["start", "end"], kind="stable")
