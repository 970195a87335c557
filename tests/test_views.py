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


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(themes=("propaganda", "violence")),
        Filters(region="AF"),
        Filters(region="PK", wider=True, kinds=("key-observation",)),
        Filters(themes=("recruitment",), region="AFPAK"),
    ],
    ids=["none", "themes", "region", "region-wider-kind", "theme-and-region"],
)
def test_a_matrix_cell_counts_the_view_and_is_what_selecting_it_shows(corpus, index, filters):
    from dataclasses import replace

    view = View.of(corpus, index, filters)
    in_view = set(apply(corpus.findings, filters, corpus.gazetteer)["id"])
    matrix = tables.matrix(view)
    assert matrix.frame.size, filters
    if filters.themes:
        assert set(matrix.themes) <= set(filters.themes)
    for row, theme in enumerate(matrix.themes):
        for column, code in zip(matrix.frame.columns, matrix.regions):
            assert matrix.cell(row, column) == (theme, code)
            chosen = replace(filters, themes=(theme,), region=code)
            shown = apply(corpus.findings, chosen, corpus.gazetteer)
            assert matrix.frame.loc[matrix.frame.index[row], column] == len(shown)
            assert set(shown["id"]) <= in_view, (theme, code)
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


def test_an_analysts_own_columns_show_on_cards_in_the_table_and_in_every_export(corpus, tmp_path):
    """A column that is no field of ours is kept with the finding: on its card, in the table, in
    the CSV (a column of its own) and the JSON; a title taken from the excerpt says so."""
    import csv
    import io
    import json

    from dashboard.core.corpus import merge
    from dashboard.exports import files
    from dashboard.io import importer
    from dashboard.io.store import Store
    from dashboard.views.cards import finding_card

    sheet = (
        "Finding ID,Quote,Province,Theme(s),Confidence,Handling note\n"
        "mine-1,deploying mobile radio broadcasting and social media,,Propaganda,High,"
        "Check the <b>date</b>\n"
    )
    store = Store(tmp_path / "store.sqlite3")
    plan = importer.plan_findings(
        sheet.encode(),
        "mine.csv",
        corpus,
        store,
        defaults={"kind": "analysis", "report_id": "hjs-2017-iskp"},
        remember=False,
    )
    assert plan.rows_valid == 1, plan.problems
    merged = merge(corpus, plan.result.findings, {})
    index = FindingsIndex.build(merged.findings, merged.gazetteer, words="never")
    view = View.of(merged, index, Filters(text="mobile radio"))
    finding = view.findings[view.findings["id"] == "mine-1"].iloc[0].to_dict()
    assert dict(finding["extra"]) == {
        "Confidence": "High",
        "Handling note": "Check the <b>date</b>",
    }

    card = finding_card(finding, merged.reports["hjs-2017-iskp"], merged.taxonomy, merged.gazetteer)
    assert "<dt>Confidence</dt><dd>High</dd>" in card
    assert "Check the &lt;b&gt;date&lt;/b&gt;" in card
    assert "title from the excerpt" in card

    table = tables.findings_table(view)
    row = table[table["id"] == "mine-1"].iloc[0]
    assert row["other columns"] == "Confidence: High; Handling note: Check the <b>date</b>"

    rows = list(
        csv.DictReader(io.StringIO(files.to_csv(view.findings, merged).decode("utf-8-sig")))
    )
    mine = next(r for r in rows if r["id"] == "mine-1")
    assert mine["Confidence"] == "High" and mine["Handling note"] == "Check the <b>date</b>"
    assert "title" in mine["derived"]
    exported = json.loads(files.to_json(view.findings, merged))
    records = exported["findings"] if isinstance(exported, dict) else exported
    mine_json = next(r for r in records if r["id"] == "mine-1")
    assert mine_json["extra"] == {"Confidence": "High", "Handling note": "Check the <b>date</b>"}
