"""The views layer, without Streamlit: picker labels, the matrix's cells, the report in view."""

from __future__ import annotations

import pytest

from dashboard.query.filters import Filters, apply
from dashboard.query.index import FindingsIndex
from dashboard.views import facets, report_text, tables
from dashboard.views.view import View


@pytest.fixture(scope="module")
def index(corpus):
    return FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Hilmand", "AF-HEL"),
        ("AF-HEL", "AF-HEL"),
        ("FATA", "PK-TA"),
        ("NWFP", "PK-KP"),
        ("Baluchistan", "PK-BA"),
        ("PAK", "PK"),
        ("Sind", "PK-SD"),
    ],
)
def test_the_region_picker_finds_a_region_by_any_spelling(corpus, typed, code):
    """Streamlit's picker matches what is typed against the option labels."""
    labels = {c: facets.region_label(corpus, c) for c in facets.region_options(corpus) if c}
    matching = [c for c, label in labels.items() if typed.casefold() in label.casefold()]
    assert code in matching


def test_every_region_is_in_the_picker_once(corpus):
    options = facets.region_options(corpus)
    assert options[0] is None
    assert sorted(options[1:]) == sorted(corpus.gazetteer.codes)


def test_a_matrix_cell_is_the_theme_and_region_it_counts(corpus, index):
    view = View.of(corpus, index, Filters())
    matrix = tables.matrix(view)
    for row, theme in enumerate(matrix.themes):
        for column, code in zip(matrix.frame.columns, matrix.regions):
            assert matrix.cell(row, column) == (theme, code)
            shown = apply(corpus.findings, Filters(themes=(theme,), region=code), corpus.gazetteer)
            assert matrix.frame.loc[matrix.frame.index[row], column] == len(shown)
    assert matrix.cell(len(matrix.themes), matrix.frame.columns[0]) is None
    assert matrix.cell(0, "Atlantis") is None


def test_the_reader_opens_the_focused_findings_report(corpus, index):
    first = next(iter(corpus.reports))
    assert report_text.report_first_shown(View.of(corpus, index, Filters())) == first
    focused = View.of(corpus, index, Filters(finding="hjs2017-ko-08"))
    assert report_text.report_first_shown(focused) == "hjs-2017-iskp"
    opened = report_text.report_in_view(
        View.of(corpus, index, Filters(themes=("refugees",))), "hjs-2017-iskp"
    )
    assert len(opened.findings) == len(corpus.findings)
    assert set(opened.shown["themes"].map(lambda ts: "refugees" in ts)) == {True}
