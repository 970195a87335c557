"""Anchoring excerpts: only verbatim text is accepted; everything else says how to fix it."""

from __future__ import annotations

import pytest

from dashboard.core.reports import Anchor, AnchorError, anchor_excerpt, load_report
from tests.conftest import SMALL_TEXT

T = SMALL_TEXT


@pytest.mark.parametrize(
    ("excerpt", "start", "end", "expected_start"),
    [
        ("ISKP’s propaganda", None, None, 0),
        ("“urban youth”", None, None, T.index("“urban youth”")),
        ("Refugees returned from Pakistan.", None, None, T.index("Refugees returned from")),
        ("Refugees returned", 90, 107, None),  # given offsets that point at the second occurrence
    ],
)
def test_verbatim_excerpts_anchor(excerpt, start, end, expected_start):
    if expected_start is None:
        start = T.index("Refugees returned again")
        end = start + len(excerpt)
        expected_start = start
    result = anchor_excerpt(T, excerpt, start, end)
    assert isinstance(result, Anchor)
    assert result.start == expected_start
    assert T[result.start : result.end] == excerpt == result.exact
    assert T[: result.start].endswith(result.prefix)
    assert T[result.end :].startswith(result.suffix)


@pytest.mark.parametrize(
    ("excerpt", "start", "end", "column", "message", "hint"),
    [
        ("", None, None, "excerpt", "excerpt is empty", "copy"),
        ("   ", None, None, "excerpt", "excerpt is empty", "copy"),
        (
            "Refugees returned",
            None,
            None,
            "excerpt",
            "excerpt occurs 2 times in the report",
            "give start and end to say which",
        ),
        (
            "ISKP's propaganda",
            None,
            None,
            "excerpt",
            "excerpt differs from the report text in spaces, quotes or dashes",
            "«ISKP’s propaganda»",
        ),
        (
            '"urban   youth"',
            None,
            None,
            "excerpt",
            "excerpt differs from the report text in spaces, quotes or dashes",
            "«“urban youth”»",
        ),
        (
            "ISKP’s propoganda reaches",
            None,
            None,
            "excerpt",
            "excerpt does not occur in the report text",
            "«ISKP’s propaganda reaches»",
        ),
        (
            "ISKP’s propaganda",
            1,
            18,
            "start",
            "text at offsets 1-18 is not the excerpt",
            "start=0, end=17",
        ),
        ("ISKP’s propaganda", 0, None, "end", "give both start and end, or neither", "start=0"),
        (
            "ISKP’s propaganda",
            0,
            10_000,
            "start",
            "offsets 0-10000 are outside the report text",
            "start=0, end=17",
        ),
        ("ISKP’s propaganda", -3, 14, "start", "offsets -3-14 are outside the report text", ""),
    ],
)
def test_bad_excerpts_are_refused_with_a_fix(excerpt, start, end, column, message, hint):
    result = anchor_excerpt(T, excerpt, start, end)
    assert isinstance(result, AnchorError)
    assert result.column == column
    assert result.message.startswith(message)
    assert hint in result.suggestion


def test_fuzzy_match_is_never_accepted():
    # One character off: it is a suggestion, never an anchor.
    assert isinstance(anchor_excerpt(T, "ISKPs propaganda", None, None), AnchorError)


def test_load_report_reads_bundled_report(corpus):
    report = corpus.reports["hjs-2017-iskp"]
    assert (
        report.title == "ISIS Khorasan: Presence and Potential in the Afghanistan-Pakistan Region"
    )
    assert report.author == "Sarah Ashraf"
    assert report.publisher == "Henry Jackson Society"
    assert report.year == 2017
    assert report.text_kind == "publisher's summary page"
    assert len(report.sha256) == 64


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"report.txt": b"text"}, "file is missing"),
        ({"report.txt": b"\xff\xfe\x00bad", "report.toml": b'id="r"'}, "not UTF-8"),
        ({"report.txt": b"text", "report.toml": b"id = "}, "not valid TOML"),
        (
            {"report.txt": b"text", "report.toml": b'id = "r"\ntitle = "T"\nauthor = "A"'},
            "'text_kind' is missing",
        ),
        (
            {
                "report.txt": b"text",
                "report.toml": b'id = "other"\ntitle = "T"\nauthor = "A"\ntext_kind = "full text"',
            },
            "differs from its folder name",
        ),
        (
            {
                "report.txt": b"  \n",
                "report.toml": b'id = "r"\ntitle = "T"\nauthor = "A"\ntext_kind = "x"',
            },
            "the report text is empty",
        ),
    ],
)
def test_load_report_problems(tmp_path, files, message):
    folder = tmp_path / "r"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    report, problems = load_report(folder)
    assert report is None
    assert any(message in p.message for p in problems), problems


def test_citation_names_the_summary_page(corpus):
    citation = corpus.reports["hjs-2017-iskp"].citation()
    assert citation == (
        'Sarah Ashraf, "ISIS Khorasan: Presence and Potential in the '
        'Afghanistan-Pakistan Region", Henry Jackson Society, 2017. '
        "Quoted from the publisher's summary page."
    )
