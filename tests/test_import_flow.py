"""The import flow in AppTest: upload, see the problems, import the valid rows, find them on the
map page, remove the import; and saved views."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest_support import texts
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
HEADER = "id,report_id,kind,title,excerpt,themes,regions\n"
ROWS = (
    "an-01,hjs-2017-iskp,analysis,Radio and social media,deploying mobile radio broadcasting "
    "and social media,propaganda,Afghanistan\n"
    "an-02,hjs-2017-iskp,analysis,Bad theme,middle-class youth,propoganda,Pakistan\n"
    "an-03,hjs-2017-iskp,analysis,Misspelt place,Pakistan can play a key role,state response,"
    "Pakistann\n"
)


@pytest.fixture
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "store.sqlite3"))
    return tmp_path / "store.sqlite3"


def open_page(name: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{name}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_import_flow(own_store):
    at = open_page("imports")
    at.file_uploader[0].upload("mine.csv", (HEADER + ROWS).encode(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(texts(at.markdown))
    assert "3 row(s) read: 1 can be imported, 2 cannot." in text
    problems = at.dataframe[0].value
    assert list(problems["message"]) == ["unknown theme 'propoganda'", "unknown region 'Pakistann'"]
    assert list(problems["row"]) == [3, 4]
    assert list(problems["suggestion"]) == [
        "did you mean 'propaganda'?",
        "did you mean 'Pakistan' (PK)?",
    ]
    # Each refused row is also said in full, in words that wrap at any page width.
    said = " ".join(texts(at.markdown))
    assert "row 3, themes: “propoganda” unknown theme 'propoganda'. Fix: did you mean" in said
    assert "row 4, regions: “Pakistann” unknown region 'Pakistann'. Fix: did you mean" in said
    buttons = {b.label: b for b in at.button}
    assert buttons["Import all rows"].disabled
    buttons["Import only the 1 valid row(s)"].click().run()
    assert any("Imported 1 finding(s) from mine.csv" in s for s in texts(at.success))

    explorer = open_page("explorer", {"q": "radio broadcasting"})
    html = "\n".join(el.proto.body for el in explorer.get("html"))
    assert 'id="card-an-01"' in html and "import #1: mine.csv" in html

    at = open_page("imports")
    assert "#1 · mine.csv" in " ".join(texts(at.markdown))
    at.button(key="rm_1").click().run()
    assert any("Removed import #1" in s for s in texts(at.success))
    explorer = open_page("explorer", {"q": "radio broadcasting"})
    html = "\n".join(el.proto.body for el in explorer.get("html"))
    assert 'id="card-an-01"' not in html


def test_reimport_of_the_same_file_is_refused(own_store):
    at = open_page("imports")
    good = HEADER + ROWS.splitlines(keepends=True)[0]
    at.file_uploader[0].upload("one.csv", good.encode(), "text/csv").run()
    next(b for b in at.button if b.label == "Import all rows").click().run()
    at.file_uploader[0].upload("one-again.csv", good.encode(), "text/csv").run()
    problems = at.dataframe[0].value
    assert problems.iloc[0]["message"].startswith("this file was already imported (import #1")
    assert all(
        b.disabled
        for b in at.button
        if b.label.startswith("Import ") and b.label != "Import nothing"
    )


def test_saved_views(own_store):
    at = open_page("explorer", {"theme": "refugees", "region": "PK"})
    at.sidebar.text_input(key="sv_name").set_value("Refugees in Pakistan").run()
    at.sidebar.button(key="sv_save").click().run()
    assert any("Saved the view" in s.value for s in at.sidebar.success)
    at.sidebar.text_input(key="sv_name").set_value("Refugees in Pakistan").run()
    at.sidebar.button(key="sv_save").click().run()
    assert any("exists already" in w.value for w in at.sidebar.warning)
    at.sidebar.button[0].click().run()  # clear all filters
    assert at.sidebar.multiselect(key="w_themes").value == []
    at.sidebar.button(key="sv_open").click().run()
    assert at.sidebar.multiselect(key="w_themes").value == ["refugees"]
    assert at.sidebar.selectbox(key="w_region").value == "PK"
    assert at.query_params["region"] in ("PK", ["PK"])
    at.sidebar.text_input(key="sv_rename").set_value("Pakistan refugees").run()
    at.sidebar.button(key="sv_rename_button").click().run()
    assert at.sidebar.selectbox(key="sv_pick").options == ["Pakistan refugees"]
    at.sidebar.button(key="sv_delete").click().run()
    assert "0 saved view(s)." in " ".join(c.value for c in at.sidebar.caption)


def test_unrecognised_column_mapped_by_hand(own_store):
    from dashboard.ui import imports as import_ui

    at = open_page("imports")
    data = (
        "id,report_id,kind,title,Zitat,themes\n"
        "m-1,hjs-2017-iskp,analysis,T,Pakistan can play a key role,state-response\n"
    )
    at.file_uploader[0].upload("m.csv", data.encode(), "text/csv").run()
    assert at.dataframe[0].value.iloc[0]["message"] == "required column 'excerpt' is missing"
    at.selectbox(key=import_ui.mapping_key("Zitat")).set_value("excerpt").run()
    assert "1 row(s) read: 1 can be imported, 0 cannot." in " ".join(texts(at.markdown))
    assert not next(b for b in at.button if b.label == "Import all rows").disabled


def test_mapping_step_with_a_workbook_and_defaults(own_store):
    """An .xlsx with a README sheet and title rows, headers in the analyst's words, no kind or
    title column: the sheet and mapping are suggested, a kind is chosen for the file, and the
    rows import; a second, edited version is shown as a difference and replaces the first."""
    from test_sheets import ROWS, xlsx_sheet

    from dashboard.ui import imports as import_ui

    at = open_page("imports")
    at.file_uploader[0].upload("log.xlsx", xlsx_sheet(), "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Read as: Excel workbook, sheet 'Findings 2017', header on row 3, 3 rows" in [
        t.value for t in at.text
    ]
    assert at.selectbox(key="imp_sheet").value == "Findings 2017"
    assert at.selectbox(key=import_ui.mapping_key("Province")).value == "regions"
    assert at.selectbox(key=import_ui.mapping_key("Confidence")).value == "extra"
    problems = at.dataframe[0].value
    assert "required column 'kind' is missing" in list(problems["message"])
    at.selectbox(key="imp_kind").set_value("analysis").run()
    assert "3 row(s) read: 3 can be imported, 0 cannot." in " ".join(texts(at.markdown))
    at.selectbox(key=import_ui.mapping_key("Date")).set_value("ignore").run()
    next(b for b in at.button if b.label == "Import all rows").click().run()
    assert any("Imported 3 finding(s) from log.xlsx" in s for s in texts(at.success))

    rows = [list(r) for r in ROWS]
    rows[1][5] = "low"
    edited = xlsx_sheet(rows=rows)
    at.file_uploader[0].upload("log-v2.xlsx", edited, "application/octet-stream").run()
    assert not at.exception, [e.value for e in at.exception]
    # The mapping and the kind confirmed for these headers are offered again.
    assert at.selectbox(key=import_ui.mapping_key("Date")).value == "ignore"
    assert any("A new version of import #1" in i for i in texts(at.info))
    diff = at.dataframe[1].value
    assert list(diff["id"]) == ["k-2"] and list(diff["change"]) == ["changed"]
    next(b for b in at.button if b.label == "Import all rows").click().run()
    assert any("replacing import #1" in s for s in texts(at.success))
    at = open_page("imports")
    at.button(key="restore_1").click().run()
    assert any("is the current version again" in s for s in texts(at.success))


#: An excerpt of the bundled report, word for word.
QUOTE = (
    '"ISKP emerged by attracting disaffected members of the Pakistani Taliban, known as the TTP."'
)


def test_a_files_ambiguous_dates_ask_once_for_their_order_and_it_is_remembered(own_store):
    header = "id,kind,title,excerpt,themes,Date\n"
    rows = (
        f"d-1,analysis,T1,{QUOTE},recruitment,03/04/2017\n"
        f"d-2,analysis,T2,{QUOTE},recruitment,25/12/2016\n"
    )
    at = open_page("imports")
    at.file_uploader[0].upload("dated.csv", (header + rows).encode(), "text/csv").run()
    assert "2 row(s) read: 1 can be imported, 1 cannot." in " ".join(texts(at.markdown))
    choice = at.radio(key="imp_dates")
    assert choice.value is None
    assert any("such as 03/04/2017" in c for c in texts(at.caption))
    choice.set_value("day-first").run()
    assert "2 row(s) read: 2 can be imported" in " ".join(texts(at.markdown))
    next(b for b in at.button if b.label == "Import all rows").click().run()
    assert any("Imported 2 finding(s) from dated.csv" in s for s in texts(at.success))
    explorer = open_page("explorer", {"from": "2017-04", "to": "2017-04", "q": "attracting"})
    html = "\n".join(el.proto.body for el in explorer.get("html"))
    assert 'id="card-d-1"' in html and 'id="card-d-2"' not in html and "3 April 2017" in html
    # The next file with the same headers reads its dates the same way, unasked.
    again = open_page("imports")
    later = f"d-3,analysis,T3,{QUOTE},recruitment,04/03/2017\n"
    again.file_uploader[0].upload("dated-2.csv", (header + later).encode(), "text/csv").run()
    assert "1 row(s) read: 1 can be imported" in " ".join(texts(again.markdown))
    assert again.radio(key="imp_dates").value == "day-first"
