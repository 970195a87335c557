"""App tests: every page runs headless, each filter changes what is shown, links restore views."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from apptest_support import shown, texts
from streamlit.testing.v1 import AppTest

from dashboard.ui.pages import PAGES as ALL_PAGES

ROOT = Path(__file__).resolve().parents[1]
#: The pages that state the view in words (the import and audit pages keep lists of their own).
PAGES = [page.file for page in ALL_PAGES if page.key not in ("imports", "audit")]


def run(params: dict | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        for key, value in (params or {}).items():
            at.query_params[key] = value
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> str:
    return "\n".join(el.proto.body for el in at.get("html"))


def card_ids(at: AppTest) -> set[str]:
    import re

    return set(re.findall(r'id="card-([^"]+)"', html(at)))


def all_card_ids(at: AppTest) -> set[str]:
    """Card ids over every page of the list."""
    seen = card_ids(at)
    pickers = [n for n in at.number_input if n.label.startswith("Page")]
    if pickers:
        pages = int(pickers[0].label.split("of ")[1].split(",")[0])
        for number in range(2, pages + 1):
            at.number_input(key="w_page").set_value(number).run()
            seen |= card_ids(at)
    return seen


def qp(at: AppTest, key: str) -> list[str]:
    """A query parameter's values as a list (AppTest gives a single value as a string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def summary(at: AppTest) -> str:
    return " ".join(shown(m.value) for m in at.markdown)


def ids_where(corpus, predicate) -> set[str]:
    return {f.id for f in corpus.findings.itertuples() if predicate(f)}


@pytest.mark.parametrize("page", [page.file for page in ALL_PAGES])
def test_every_page_runs(page):
    at = run(page=page)
    assert at.sidebar.multiselect(key="w_themes") is not None
    if page in PAGES:
        assert "23 findings" in summary(at)


def test_explorer_shows_every_finding_over_its_pages(corpus):
    at = run()
    assert all_card_ids(at) == set(corpus.findings["id"])


@pytest.mark.parametrize(
    ("widget", "value", "expected"),
    [
        ("w_themes", ["refugees"], lambda f: "refugees" in f.themes),
        (
            "w_themes",
            ["propaganda", "refugees"],
            lambda f: {"propaganda", "refugees"} & set(f.themes),
        ),
        ("w_region", "PK", lambda f: "PK" in f.regions),
        ("w_region", "CYBERSPACE", lambda f: "CYBERSPACE" in f.regions),
        ("w_actors", ["TTP"], lambda f: "TTP" in f.actors),
        ("w_kinds", ["quotation"], lambda f: f.kind == "quotation"),
        ("w_text", "RADIO", lambda f: "radio" in (f.title + f.summary + f.excerpt).lower()),
    ],
)
def test_each_filter_changes_the_list(corpus, widget, value, expected):
    at = run()
    element = (
        at.sidebar.text_input(key=widget)
        if widget == "w_text"
        else (
            at.sidebar.selectbox(key=widget)
            if widget == "w_region"
            else at.sidebar.multiselect(key=widget)
        )
    )
    element.set_value(value).run()
    wanted = ids_where(corpus, expected)
    assert 0 < len(wanted) < len(corpus.findings)
    assert all_card_ids(at) == wanted
    assert f"{len(wanted)} finding" in summary(at)


def test_region_picker_filters_list_and_table(corpus):
    at = run(page="pages/table.py")
    at.sidebar.selectbox(key="w_region").set_value("PK").run()
    table = at.dataframe[0].value
    assert set(table["id"]) == ids_where(corpus, lambda f: "PK" in f.regions)
    assert qp(at, "region") == ["PK"]


def test_wider_regions_add_containing_regions(corpus):
    at = run({"region": "PK", "wider": "1"})
    wider = {"PK", "AFPAK", "SOUTH-ASIA", "GLOBAL"}
    assert all_card_ids(at) == ids_where(corpus, lambda f: wider & set(f.regions))
    assert "wider regions" in summary(at)


def test_link_restores_view(corpus):
    at = run({"theme": "refugees", "region": "PK"})
    assert at.sidebar.multiselect(key="w_themes").value == ["refugees"]
    assert at.sidebar.selectbox(key="w_region").value == "PK"
    assert "1 finding · theme = Refugees · region = Pakistan" in summary(at)
    assert card_ids(at) == {"hjs2017-ko-08"}


@pytest.mark.parametrize("page", PAGES)
def test_link_restores_view_on_every_page(page):
    at = run({"theme": "propaganda"}, page=page)
    assert at.sidebar.multiselect(key="w_themes").value == ["propaganda"]
    assert "theme = Propaganda" in summary(at)


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"theme": "nonsense"}, "Ignored unknown theme 'nonsense'"),
        ({"colour": "red"}, "Ignored unknown link parameter 'colour'"),
        ({"region": "Atlantis"}, "Ignored unknown region 'Atlantis'"),
        ({"region": "PK", "wider": "maybe"}, "Ignored 'wider=maybe'"),
        ({"finding": "<script>"}, "Ignored unknown finding '<script>'"),
    ],
)
def test_bad_link_parameter_is_dropped_with_notice(params, notice):
    at = run(params)
    assert any(notice in w for w in texts(at.warning)), texts(at.warning)
    # The bad parameter leaves the link; a good one beside it (region=PK) stays.
    kept = {"region": ["PK"]} if params.get("region") == "PK" else {}
    assert {key: qp(at, key) for key in at.query_params} == kept


def test_region_names_in_links_resolve():
    at = run({"region": "Baluchistan"})
    assert at.sidebar.selectbox(key="w_region").value == "PK-BA"
    assert qp(at, "region") == ["PK-BA"]


def test_filter_state_is_written_to_the_link():
    at = run()
    at.sidebar.multiselect(key="w_themes").set_value(["recruitment"]).run()
    at.sidebar.text_input(key="w_text").set_value("Taliban").run()
    assert qp(at, "theme") == ["recruitment"]
    assert qp(at, "q") == ["Taliban"]


def test_clear_filters():
    at = run({"theme": "refugees", "region": "PK"})
    at.sidebar.button[0].click().run()
    assert at.sidebar.multiselect(key="w_themes").value == []
    assert "23 findings · no filters" in summary(at)


def test_side_panel_buttons_choose_regions(corpus):
    at = run()
    at.button(key="pick_CYBERSPACE").click().run()
    assert at.sidebar.selectbox(key="w_region").value == "CYBERSPACE"
    at.button(key="clear_region").click().run()
    assert at.sidebar.selectbox(key="w_region").value is None


def _figure(at: AppTest) -> dict:
    chart = at.get("plotly_chart")[0]  # the map (a timeline, when drawn, is below it)
    return json.loads(chart.proto.spec)


def test_findings_all_of_2017_get_words_not_a_one_bar_timeline():
    at = run()
    assert len(at.get("plotly_chart")) == 1  # the map alone
    assert any("Every dated finding falls in 2017" in c.value for c in at.caption)


def test_map_follows_filters():
    at = run({"theme": "refugees"})
    figure = _figure(at)
    countries = next(t for t in figure["data"] if t.get("name") == "countries")
    z = dict(zip(countries["locations"], countries["z"]))
    assert z["AF"] == 1 and z["PK"] == 1
    assert "http" not in json.dumps(figure)
    # The page hands plotly.js the inline base-map topology: it fetches nothing.
    chart = at.get("plotly_chart")[0]  # the map (a timeline, when drawn, is below it)
    assert json.loads(chart.proto.config)["topojsonURL"].startswith("data:application/json")


def test_table_page_has_matrix_and_downloads(corpus):
    at = run(page="pages/table.py")
    assert len(at.dataframe) == 2
    matrix = at.dataframe[1].value
    assert "Pakistan" in matrix.columns and "Refugees" in matrix.index
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["CSV (spreadsheets)", "JSON", "GeoJSON (GIS)"]


def test_reader_highlights_every_finding_and_focuses_one(corpus):
    at = run({"finding": "hjs2017-ko-08"}, page="pages/reader.py")
    body = html(at)
    for finding_id in corpus.findings["id"]:
        assert len(re.findall(f'<span[^>]* id="f-{re.escape(finding_id)}"', body)) == 1
    assert "rd-focus" in body
    assert at.selectbox(key="w_focus").value == "hjs2017-ko-08"
    assert "publisher's summary page" in " ".join(texts(at.info))


def test_reader_marks_filtered_findings_strong_and_others_faint(corpus):
    at = run({"theme": "refugees"}, page="pages/reader.py")
    body = html(at)
    assert body.count("rd-faint") >= len(corpus.findings) - 1
    assert "1 of the 23 findings of this report are in the current view" in summary(at)


def test_hostile_title_is_escaped():
    from dashboard.core.corpus import load_corpus
    from dashboard.views.cards import finding_card

    corpus = load_corpus()
    finding = corpus.findings.iloc[0].to_dict()
    finding["title"] = "<img src=x onerror=alert(1)>"
    finding["summary"] = "<script>alert(1)</script>"
    card = finding_card(finding, corpus.report_of(finding), corpus.taxonomy, corpus.gazetteer)
    assert "<img" not in card and "<script" not in card
    assert "&lt;img src=x onerror=alert(1)&gt;" in card


def test_briefing_offers_png_and_pdf_for_the_current_filters():
    at = run({"theme": "propaganda"}, page="pages/briefing.py")
    assert any("show here once" in c.value for c in at.caption)  # no files, no preview yet
    assert at.text_input(key="b_title").value == "ISKP findings: propaganda"
    at.selectbox(key="b_marking").set_value("OFFICIAL").run()
    [prepare] = [b for b in at.button if b.label == "Prepare the briefing files"]
    prepare.click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    downloads = {d.proto.label: d.proto for d in at.get("download_button")}
    assert set(downloads) == {
        "PNG (slide, 3200 x 1800)",
        "PDF (A4 landscape)",
        "PowerPoint deck (.pptx)",
        "Word briefing note (.docx)",
    }
    assert [(s.label, s.state) for s in at.status] == [("Briefing files ready", "complete")]
    # The files are previewed from themselves: the map slide (its picture) and the note.
    previews = [h for h in html(at).split("\n") if "office-preview" in h]
    assert not any("show here once" in c.value for c in at.caption)
    assert len(at.get("tab")) == 2 and at.number_input(key="b_slide").value == 2
    assert 'alt="Map of the findings by area' in html(at)
    assert "ISKP findings: propaganda" in html(at) and previews
    # A rerun that changes nothing of the briefing offers the same files without making them.
    at.text_area(key="b_note").set_value("").run()
    assert {d.proto.label for d in at.get("download_button")} == set(downloads)
    assert not at.status
    # Clicking again for the same briefing reuses the files instead of making them anew.
    [prepare] = [b for b in at.button if b.label == "Prepare the briefing files"]
    prepare.click().run()
    assert {d.proto.label for d in at.get("download_button")} == set(downloads)
    assert not at.status
    # A change of filters makes the prepared files stale: they are no longer offered.
    at.sidebar.multiselect(key="w_themes").set_value(["refugees"]).run()
    assert at.text_input(key="b_title").value == "ISKP findings: refugees"
    assert not at.get("download_button")


def test_briefing_pdf_failure_keeps_the_png_and_says_why(monkeypatch):
    from dashboard.exports.briefing import ExportError
    from dashboard.ui import briefing as briefing_ui

    def fail(item, png):
        raise ExportError("Chromium could not print the PDF: install Debian's chromium.")

    monkeypatch.setattr(briefing_ui, "to_pdf", fail)
    at = run(page="pages/briefing.py")
    [prepare] = [b for b in at.button if b.label == "Prepare the briefing files"]
    prepare.click().run()
    assert [d.proto.label for d in at.get("download_button")] == ["PNG (slide, 3200 x 1800)"]
    assert texts(at.error) == ["Chromium could not print the PDF: install Debian's chromium."]
    assert [(s.label, s.state) for s in at.status] == [("The export stopped", "error")]


def test_briefing_title_kept_once_edited():
    at = run(page="pages/briefing.py")
    at.text_input(key="b_title").set_value("Minister's pack").run()
    at.sidebar.multiselect(key="w_themes").set_value(["refugees"]).run()
    assert at.text_input(key="b_title").value == "Minister's pack"


def test_matrix_cells_count_what_selecting_them_shows(corpus):
    from dashboard.query.filters import Filters, apply

    at = run(page="pages/table.py")
    matrix = at.dataframe[1].value
    names = {corpus.gazetteer.name(c): c for c in corpus.gazetteer.codes}
    labels = {t.label: t.key for t in corpus.taxonomy.themes}
    assert "Worldwide" in matrix.columns
    for label, row in matrix.iterrows():
        for column, count in row.items():
            shown = apply(
                corpus.findings,
                Filters(themes=(labels[label],), region=names[column]),
                corpus.gazetteer,
            )
            assert count == len(shown), (label, column)


def test_side_panel_buttons_count_what_they_show(corpus):
    from dashboard.query.filters import Filters, apply

    at = run()
    for code in ("AFPAK", "SOUTH-ASIA", "GLOBAL", "CYBERSPACE"):
        label = at.button(key=f"pick_{code}").label
        shown = apply(corpus.findings, Filters(region=code), corpus.gazetteer)
        assert label.endswith(f"· {len(shown)}"), label


@pytest.mark.parametrize(
    "filters", [{}, {"themes": ("refugees",)}, {"region": "PK"}, {"text": "no such words here"}]
)
def test_view_builds_only_the_rows_asked_for_and_labels_them(corpus, filters):
    from dashboard.query.filters import Filters, apply
    from dashboard.query.index import FindingsIndex
    from dashboard.views.tables import findings_table
    from dashboard.views.view import View

    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")
    chosen = Filters(**filters)
    view = View.of(corpus, index, chosen)
    expected = apply(corpus.findings, chosen, corpus.gazetteer)
    assert view.count == len(expected)
    assert list(view.rows(2, 7)["id"]) == list(expected["id"][2:7])
    assert view.findings.equals(expected)
    table = findings_table(view)
    tax, gaz = corpus.taxonomy, corpus.gazetteer
    assert list(table["id"]) == list(expected["id"])
    assert list(table["themes"]) == [
        ", ".join(tax.theme(t).label for t in ts) for ts in expected["themes"]
    ]
    assert list(table["regions"]) == [
        ", ".join(gaz.name(r) for r in rs) for rs in expected["regions"]
    ]
    assert list(table["actors"]) == [", ".join(a) for a in expected["actors"]]
    assert list(table["kind"]) == [tax.kind(k).label for k in expected["kind"]]


def test_cards_turn_page_by_page(corpus):
    """The cards are a fragment with their own pager: each page shows its own findings, and
    together the pages show every finding in view once."""
    at = run()
    [pager] = [n for n in at.number_input if n.label.startswith("Page (of 3")]
    seen = []
    for number in (1, 2, 3):
        pager.set_value(number).run()
        assert not at.exception
        ids = re.findall(r'id="card-([^"]+)"', html(at))
        assert len(ids) == (10 if number < 3 else 3)
        seen += ids
    assert sorted(seen) == sorted(corpus.findings["id"])


def summary_of(at: AppTest) -> str:
    """The page's summary line: the view in words."""
    return shown(at.markdown[0].value).strip("*")


def test_the_date_range_filters_every_page_and_lives_in_the_link():
    at = run({"from": "2016", "to": "2016"})
    summary = summary_of(at)
    assert summary.startswith("0 findings") and "2016" in summary
    assert at.sidebar.text_input(key="w_from").value == "2016"
    at.sidebar.text_input(key="w_to").set_value("2017-06").run()
    assert summary_of(at).startswith("23 findings · Jan 2016–Jun 2017")
    assert at.query_params["from"] == "2016" and at.query_params["to"] == "2017-06"
    at.sidebar.checkbox(key="w_by_report").check().run()
    assert at.query_params["dates"] == "report"
    assert "(by report date)" in summary_of(at)
    at.switch_page("pages/table.py").run()
    assert summary_of(at).startswith("23 findings · Jan 2016–Jun 2017 (by report date)")


def test_a_date_typed_wrong_is_said_and_not_used():
    at = run()
    at.sidebar.text_input(key="w_from").set_value("2017-02-30").run()
    assert summary_of(at).startswith("23 findings · no filters")
    assert any("“2017-02-30” is not used" in shown(c.value) for c in at.sidebar.caption)
    at.sidebar.text_input(key="w_from").set_value("2018").run()
    at.sidebar.text_input(key="w_to").set_value("2016").run()
    assert any("From comes after To" in shown(c.value) for c in at.sidebar.caption)
    assert "from" not in at.query_params


def test_a_link_with_a_range_ending_before_it_starts_says_so():
    at = run({"from": "2018", "to": "2016"})
    assert any("from=2018" in shown(w.value) for w in at.warning), texts(at.warning)
    assert summary_of(at).startswith("23 findings · no filters")


def test_the_map_can_shade_the_change_against_the_period_before():
    at = run({"from": "2017", "to": "2017"})
    shade = at.get("button_group")
    assert shade, "the shade choice shows once the range has both ends"
    at.session_state["w_shade"] = "change"
    at.run()
    figure = _figure(at)
    countries = next(t for t in figure["data"] if t.get("name") == "countries")
    z = dict(zip(countries["locations"], countries["z"]))
    # Every bundled finding is of 2017, none of 2016: the change is the count itself.
    counts = run({"from": "2017", "to": "2017"})
    plain = next(t for t in _figure(counts)["data"] if t.get("name") == "countries")
    assert z == dict(zip(plain["locations"], plain["z"]))
    assert figure["layout"]["coloraxis"]["cmin"] == -figure["layout"]["coloraxis"]["cmax"]
    assert "Change from 2016 to 2017" in json.dumps(figure["layout"]["coloraxis"])
    assert any("from 2016 to 2017" in shown(c.value) for c in at.caption)
    assert "change: +" in json.dumps(countries["customdata"])


def test_the_shade_choice_needs_a_closed_range():
    at = run({"from": "2017"})
    assert not at.get("button_group")


def test_the_table_says_when_each_finding_holds():
    at = run(page="pages/table.py")
    table = at.dataframe[0].value
    assert set(table["when"]) == {"2017 (the report's date)"}


def test_briefing_of_the_findings_the_analyst_ticks_in_their_order(corpus):
    import json

    from dashboard.ui import state

    at = run(page="pages/briefing.py")
    at.radio(key=state.BRIEFING_SCOPE).set_value("chosen").run()
    assert not at.exception
    # Nothing ticked yet: the page says what to do, rather than offering an empty briefing.
    assert any("No finding is ticked" in i.value for i in at.info)
    assert next(b for b in at.button if b.label == "Prepare the briefing files").disabled
    first, second, third = list(corpus.findings["id"][:3])
    # Ticks and numbers are kept by finding id (the editor writes them there).
    at.session_state[state.BRIEFING_CHOSEN] = {
        first: (True, 2),
        second: (False, 1),
        third: (True, 1),
    }
    del at.session_state[state.BRIEFING_PICK]  # as when the view changes: the table is rebuilt
    at.run()
    assert not at.exception
    titles = dict(zip(corpus.findings["id"], corpus.findings["title"]))
    # The key points follow the briefing's own findings, in the analyst's order.
    points = at.text_area(key=state.BRIEFING_POINTS).value.splitlines()
    assert points == [titles[third], titles[first]]
    # The slide says how its findings were chosen and lists the two, in that order.
    [preview] = [c for c in at.get("plotly_chart") if "briefing_preview" in c.proto.id]
    slide = json.dumps(json.loads(preview.proto.spec))
    assert "chosen by the analyst" in slide
    assert "Findings (2)" in slide
    # (titles are shortened on the slide: their first words)
    assert slide.index(_escaped(titles[third][:30])) < slide.index(_escaped(titles[first][:30]))
    assert _escaped(titles[second][:30]) not in slide


def _escaped(text: str) -> str:
    """*text* as the slide's JSON holds it (HTML-escaped, then JSON-quoted)."""
    import html
    import json

    return json.dumps(html.escape(text, quote=False))[1:-1]
