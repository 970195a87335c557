"""The reader's coding form, headless (AppTest): a selected passage becomes a finding that every
page shows; it is edited, deleted, brought back, and its history shown. The selection is given
as the passage picker gives it (AppTest draws no components), or found by its words."""

from __future__ import annotations

import pytest
from apptest_support import shown, texts
from test_app import html, run

from dashboard.io.store import Store
from dashboard.ui import state

REPORT = "data/reports/hjs-2017-iskp/report.txt"
WORDS = "They report serves"


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("DASHBOARD_STORE", str(path))
    return path


@pytest.fixture(scope="module")
def text() -> str:
    from pathlib import Path

    return (Path(__file__).resolve().parents[1] / REPORT).read_text(encoding="utf-8")


def coding_reader(params: dict | None = None):
    at = run(params, page="pages/reader.py")
    at.toggle(key=state.CODING_ON).set_value(True).run()
    assert not at.exception
    return at


def select(at, start: int, end: int):
    at.session_state[state.SELECTION] = {"start": start, "end": end}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return f"new_hjs-2017-iskp_{start}_{end}"


def save_new(at, key: str, title: str, themes: list[str]):
    at.text_input(key=f"{key}_title").input(title)
    at.multiselect(key=f"{key}_themes").set_value(themes)
    at.button(key=f"{key}_save").click().run()
    assert not at.exception, [e.value for e in at.exception]


def test_a_selected_passage_becomes_a_finding_shown_on_every_page(store_path, text):
    at = coding_reader()
    start = text.index(WORDS)
    key = select(at, start, start + len(WORDS) + 20)
    assert "New finding" in [s.value for s in at.subheader]
    assert WORDS in html(at)  # the excerpt, as the report has it
    save_new(at, key, "Purpose of the report", ["international-policy"])
    assert not at.error, texts(at.error)
    finding_id = at.query_params["finding"]
    stored = Store(store_path).findings()
    assert list(stored["id"]) == [finding_id]
    row = stored.iloc[0]
    assert text[row["start"] : row["end"]] == row["excerpt"]
    assert row["excerpt"].startswith(WORDS) and row["source"].startswith("coded in the reader by")
    assert dict(row["extra"])["coded_by"]
    # On the map page and in the table, like any finding.
    explorer = run({"q": "Purpose of the report"})
    assert finding_id in html(explorer)
    table = run({"theme": "international-policy"}, page="pages/table.py")
    assert finding_id in str([df.value for df in table.dataframe])


def test_the_suggestions_come_from_the_passage(store_path, text):
    at = coding_reader()
    words = "Afghanistan and Pakistan"
    start = text.index(words)
    key = select(at, start, start + len(words))
    # The regions the passage names are chosen already; the form says what its paragraph names.
    assert at.multiselect(key=f"{key}_regions").value
    assert any("paragraph also names" in c or "suggest" in c for c in texts(at.caption))


def test_a_draft_with_problems_is_not_saved_and_says_what_to_fix(store_path, text):
    at = coding_reader()
    start = text.index(WORDS)
    key = select(at, start, start + len(WORDS))
    at.button(key=f"{key}_save").click().run()
    errors = " ".join(texts(at.error))
    assert "title" in errors and "themes" in errors
    assert Store(store_path).findings().empty
    assert at.session_state[state.SELECTION]  # the passage is still there to fix and save


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(5, 5, "holds no words"), (0, 10**8, "outside the report")],
)
def test_a_selection_that_cannot_be_a_finding_says_why(store_path, start, end, message):
    at = coding_reader()
    select(at, start, end)
    assert any(message in w for w in texts(at.warning)), texts(at.warning)
    assert "New finding" not in [s.value for s in at.subheader]


def test_a_passage_found_by_its_words_with_other_quotes_is_the_reports_own(store_path, text):
    at = coding_reader()
    at.text_input(key=state.FIND).input("group's rise").run()  # the report writes ’
    assert not at.exception
    at.button(key=f"{state.FIND}_use").click().run()
    selection = at.session_state[state.SELECTION]
    assert text[selection["start"] : selection["end"]] == "group’s rise"


def test_words_not_in_the_report_are_said_to_be_missing(store_path):
    at = coding_reader()
    at.text_input(key=state.FIND).input("words the report never wrote").run()
    assert any("do not occur" in w for w in texts(at.warning))


def test_edit_delete_undo_and_history_of_a_coded_finding(store_path, text):
    at = coding_reader()
    start = text.index(WORDS)
    key = select(at, start, start + len(WORDS))
    save_new(at, key, "First title", ["ideology"])
    finding_id = at.query_params["finding"]
    at = coding_reader({"finding": finding_id})
    edit = f"edit_{finding_id}_1"
    at.text_input(key=f"{edit}_title").input("Second title")
    at.button(key=f"{edit}_save").click().run()
    assert not at.exception and not at.error, texts(at.error)
    store = Store(store_path)
    assert [v.action for v in store.finding_history(finding_id)] == ["created", "edited"]
    assert store.findings().iloc[0]["title"] == "Second title"
    # Delete, then undo.
    at.button(key=f"delete_{finding_id}").click().run()
    assert store.findings().empty
    assert any("can be brought back" in shown(s.value) for s in at.success)
    at.button(key="coding_undo_button").click().run()
    assert list(store.findings()["id"]) == [finding_id]
    assert [v.action for v in store.finding_history(finding_id)] == [
        "created",
        "edited",
        "deleted",
        "restored",
    ]
    history = at.dataframe[-1].value
    assert list(history["what"]) == ["created", "edited", "deleted", "restored"]
    assert list(history["title"])[:2] == ["First title", "Second title"]


def test_imported_findings_have_no_edit_tools(store_path):
    at = coding_reader({"finding": "hjs2017-ko-05"})
    assert not [b for b in at.button if b.key and b.key.startswith("delete_")]


def test_overlapping_findings_each_open_from_the_other(store_path, text, corpus):
    outer = corpus.findings.set_index("id").loc["hjs2017-ko-05"]
    at = coding_reader()
    start = int(outer["start"]) + 5
    key = select(at, start, start + 30)
    assert any("overlaps finding hjs2017-ko-05" in c for c in texts(at.caption))
    save_new(at, key, "Nested in ko-05", ["ideology"])
    nested = at.query_params["finding"]
    at = coding_reader({"finding": nested})
    assert any("overlaps 1 other finding" in m for m in texts(at.markdown))
    at.button(key="overlap_hjs2017-ko-05").click().run()
    assert at.query_params["finding"] == "hjs2017-ko-05"
    assert any("overlaps 1 other finding" in m for m in texts(at.markdown))
    at.button(key=f"overlap_{nested}").click().run()
    assert at.query_params["finding"] == nested
    # Both are drawn in the reading view: the nested one inside the other's highlight.
    at.toggle(key=state.CODING_ON).set_value(False).run()
    page = html(at)
    assert 'id="f-hjs2017-ko-05"' in page and f'id="f-{nested}"' in page
