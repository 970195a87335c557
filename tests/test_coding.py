"""Coding findings in the reader: passages from selections, the checks a coded finding passes,
the store's versions of it (edit, delete, bring back, history), page boundaries of imported
reports, and the parts a long report is read in."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core import coding
from dashboard.core.corpus import merge
from dashboard.core.findings import Context, load_findings_bytes
from dashboard.core.reports import Report
from dashboard.io.report_files import read_report_pages
from dashboard.io.store import Store
from dashboard.io.store_authored import AUTHORED_FILE, authored_source
from dashboard.io.store_records import IdConflict, NotFound, ReportInUse, StoreError
from dashboard.views import report_text
from tests.pdf_support import pdf_with_pages

REPORT_ID = "hjs-2017-iskp"
AT = "2026-12-07T09:00:00+00:00"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    if request.param == "sqlite":
        return Store(tmp_path / "store.sqlite3")
    return Store(request.getfixturevalue("pg_url"))


@pytest.fixture(scope="module")
def report(corpus) -> Report:
    return corpus.reports[REPORT_ID]


def coded(corpus, report, words: str, finding_id: str, **fields) -> dict:
    """A finding coded on the first occurrence of *words*, checked as the reader checks it."""
    start = report.text.index(words)
    found = coding.passage(report, start, start + len(words), corpus.findings.to_dict("records"))
    values = {
        "kind": "analysis",
        "title": "A coded finding",
        "themes": ["refugees"],
        "regions": ["PK"],
        "actors": [],
        "who": "una",
        "at": AT,
        **fields,
    }
    row = coding.draft(found, finding_id=finding_id, **values)
    result = coding.check(row, corpus, set(corpus.findings["id"]))
    assert result.ok and len(result.findings) == 1, result.problems
    return result.findings.iloc[0].to_dict()


# --- passages -----------------------------------------------------------------------------------


def test_a_selection_is_the_reports_own_text_at_its_offsets_without_its_edge_spaces(report):
    start = report.text.index("They report serves")
    found = coding.passage(report, start - 2, start + len("They report serves") + 1)
    assert found.excerpt == "They report serves"  # the report's typo, as it stands
    assert report.text[found.start : found.end] == found.excerpt
    assert (found.start, found.end) == (start, start + len("They report serves"))


def test_reversed_ends_are_one_passage(report):
    assert coding.passage(report, 40, 10) == coding.passage(report, 10, 40)


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (0, 0, "holds no words"),
        (-1, 5, "outside the report"),
        (0, 10**7, "outside the report"),
        ("x", 3, "no place in the text"),
    ],
)
def test_selections_that_cannot_be_findings_say_why(report, start, end, words):
    with pytest.raises(coding.SelectionError, match=words):
        coding.passage(report, start, end)


def test_a_whitespace_only_selection_is_refused():
    text = Report("r", "T", "A", "one  \n\n  two", "full text")
    with pytest.raises(coding.SelectionError, match="holds no words"):
        coding.passage(text, 3, 9)


def test_a_selection_of_100k_characters_is_refused_with_the_limit():
    big = Report("r", "T", "A", "word " * 30_000, "full text")
    with pytest.raises(coding.SelectionError, match="at most 20,000"):
        coding.passage(big, 0, 100_000)


def test_a_selection_across_findings_names_them_and_is_a_finding_of_its_own(corpus, report):
    ours = corpus.findings[corpus.findings["report_id"] == REPORT_ID].sort_values("start")
    first, second = ours.iloc[0], ours.iloc[1]
    found = coding.passage(
        report, int(first["end"]) - 5, int(second["start"]) + 5, ours.to_dict("records")
    )
    assert {first["id"], second["id"]} <= set(found.overlaps)
    assert any("overlaps" in note for note in found.notes())


def test_a_selection_across_a_page_boundary_is_cited_where_it_begins():
    paged = Report(
        "r", "T", "A", "page one text\n\npage two text", "full text", page_starts=(0, 15)
    )
    found = coding.passage(paged, 5, 20)
    assert found.pages == (1, 2) and found.page == 1
    assert "runs from p. 1 onto p. 2" in found.notes()[0]


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60), st.integers(0, 70), st.integers(0, 70))
def test_any_accepted_selection_is_verbatim(text, a, b):
    report = Report("r", "T", "A", text, "full text")
    try:
        found = coding.passage(report, a, b)
    except coding.SelectionError:
        return
    assert text[found.start : found.end] == found.excerpt and found.excerpt.strip()
    assert found.excerpt == found.excerpt.strip()


def test_find_passages_takes_the_reports_own_characters(report):
    # Typed with a straight apostrophe; the report writes ’ (once, here).
    assert report.text.count("group’s rise") == 1
    ((start, end),) = coding.find_passages(report.text, "group's rise")
    assert report.text[start:end] == "group’s rise"


def test_find_passages_reads_words_pasted_in_decomposed_form():
    import unicodedata

    text = "Attacks in Nangarhār rose; Nangarhār again."
    typed = unicodedata.normalize("NFD", "Nangarhār")
    found = coding.find_passages(text, typed)
    assert [text[a:b] for a, b in found] == ["Nangarhār", "Nangarhār"]


# --- the checks of a coded finding ----------------------------------------------------------


def test_a_coded_finding_passes_the_importers_checks_with_who_and_when(corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1", actors=["ISKP"])
    assert finding["excerpt"] == "They report serves"
    assert dict(finding["extra"]) == {"coded_by": "una", "coded_at": AT}
    assert finding["prefix"] and finding["period"] == "2017"


def test_a_draft_with_an_unknown_theme_or_no_title_is_refused_by_field(corpus, report):
    start = report.text.index("They report serves")
    found = coding.passage(report, start, start + 18)
    row = coding.draft(
        found, finding_id="c-2", kind="analysis", title="", themes=["nonsense"], who="u", at=AT
    )
    result = coding.check(row, corpus)
    assert result.findings.empty
    assert {p.column for p in result.problems} >= {"title", "themes"}


def test_a_draft_with_a_taken_id_is_refused(corpus, report):
    start = report.text.index("They report serves")
    found = coding.passage(report, start, start + 18)
    taken = corpus.findings["id"].iloc[0]
    row = coding.draft(
        found, finding_id=taken, kind="analysis", title="t", themes=["refugees"], who="u", at=AT
    )
    assert coding.check(row, corpus, set(corpus.findings["id"])).findings.empty


def test_new_ids_are_fresh_and_fit_a_link():
    taken = {coding.new_id("r", set()) for _ in range(50)}
    assert len(taken) == 50
    assert coding.new_id("r", taken) not in taken


# --- the store: versions of a coded finding ------------------------------------------------------


def test_coded_findings_are_stored_as_findings_and_marked_as_coded(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    version = store.add_authored(finding, by="una")
    assert (version.version, version.action, version.who) == (1, "created", "una")
    stored = store.findings()
    assert list(stored["id"]) == ["c-1"]
    assert stored.iloc[0]["source"] == authored_source("una")
    record = store.authored_imports()[0]
    assert record.authored and record.file_name == AUTHORED_FILE and record.rows_imported == 1
    merged = merge(corpus, stored, store.reports())
    assert "c-1" in set(merged.findings["id"])
    assert [line.action for line in store.audit_log()] == ["code"]


def test_an_edit_keeps_the_version_before(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    store.add_authored(finding, by="una")
    store.edit_authored({**finding, "title": "Better title"}, by="sam")
    assert store.findings().iloc[0]["title"] == "Better title"
    history = store.finding_history("c-1")
    assert [(v.version, v.action, v.who) for v in history] == [
        (1, "created", "una"),
        (2, "edited", "sam"),
    ]
    assert history[0].finding["title"] == "A coded finding"
    assert history[1].finding["source"] == authored_source("una")  # who made it stays


def test_a_delete_can_be_undone_and_nothing_is_lost(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    store.add_authored(finding, by="una")
    deleted = store.delete_authored("c-1", by="una")
    assert deleted.deleted and store.findings().empty
    assert store.authored_imports()[0].rows_imported == 0
    assert [v.finding_id for v in store.authored() if v.deleted] == ["c-1"]
    with pytest.raises(StoreError, match="bring it back before editing"):
        store.edit_authored(finding, by="una")
    store.restore_authored("c-1", by="una")
    back = store.findings().iloc[0].to_dict()
    assert back["excerpt"] == finding["excerpt"] and back["title"] == finding["title"]
    assert [v.action for v in store.finding_history("c-1")] == ["created", "deleted", "restored"]
    assert [x.action for x in store.audit_log()][::-1] == ["code", "delete", "undelete"]


def test_an_id_once_used_cannot_be_used_again(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    store.add_authored(finding, by="una")
    with pytest.raises(IdConflict):
        store.add_authored(finding, by="una")
    store.delete_authored("c-1")
    with pytest.raises(StoreError, match="has a history"):
        store.add_authored(finding, by="una")


def test_imported_findings_are_not_changed_as_coded_ones(store, corpus, report):
    with pytest.raises(NotFound, match="not coded in the reader"):
        store.delete_authored("hjs2017-in-01")


def test_the_coded_import_is_not_removed_whole(store, corpus, report):
    store.add_authored(coded(corpus, report, "They report serves", "c-1"), by="una")
    record = store.authored_imports()[0]
    with pytest.raises(StoreError, match="one at a time"):
        store.remove_import(record.id)
    assert len(store.findings()) == 1


def test_a_report_with_coded_findings_cannot_be_removed(store, corpus):
    mine = Report("mine", "Mine", "Me", "Refugees crossed into Pakistan in 2016.", "full text")
    record = store.import_report(mine, file_name="mine.txt")
    merged = merge(corpus, store.findings(), store.reports())
    found = coding.passage(mine, 0, 15)
    row = coding.draft(
        found, finding_id="c-9", kind="analysis", title="t", themes=["refugees"], who="u", at=AT
    )
    finding = coding.check(row, merged).findings.iloc[0].to_dict()
    store.add_authored(finding, by="una")
    with pytest.raises(ReportInUse):
        store.remove_import(record.id)
    assert set(store.reports()) == {"mine"} and len(store.findings()) == 1


def test_coded_findings_carry_their_marking(store, corpus, report):
    store.add_authored(
        coded(corpus, report, "They report serves", "c-1"), by="sam", marking="SECRET"
    )
    store.add_authored(coded(corpus, report, "it divergent", "c-2"), by="una")
    contents = store.contents()
    rules = dict(zip(contents.findings["id"], contents.finding_rules))
    assert rules["c-1"][0][0] == "SECRET" and rules["c-2"][0][0] == ""
    store.edit_authored(
        coded(corpus, report, "They report serves", "c-1"), by="sam", marking="OFFICIAL"
    )
    rules = dict(zip(store.contents().findings["id"], store.contents().finding_rules))
    assert rules["c-1"][0][0] == "OFFICIAL"


def test_coded_findings_export_as_a_sheet_the_importer_reads_back_unchanged(
    store, corpus, report, tmp_path
):
    first = coded(corpus, report, "They report serves", "c-1", actors=["ISKP"], summary="a, b")
    second = coded(corpus, report, "it divergent", "c-2", regions=["AF", "PK"])
    store.add_authored(first, by="una")
    store.add_authored(second, by="una")
    record = store.authored_imports()[0]
    sheet = store.export_import(record.id)
    context = Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)
    reloaded = load_findings_bytes(sheet, "coded.csv", context, source=authored_source("una"))
    assert reloaded.ok, reloaded.problems
    pd.testing.assert_frame_equal(
        reloaded.findings.reset_index(drop=True), store.findings().reset_index(drop=True)
    )
    # And into a colleague's store, as a file like any other.
    other = Store(tmp_path / "colleague.sqlite3")
    again = other.import_findings(
        reloaded.findings, file_name="coded.csv", sha256="0" * 64, rows_total=2, rows_rejected=0
    )
    assert list(other.findings()["id"]) == ["c-1", "c-2"] and not again.authored


# --- pages and parts ------------------------------------------------------------------------


def test_a_txt_with_form_feeds_keeps_its_pages():
    text, starts, _ = read_report_pages(b"one\ftwo\fthree", "r.txt")
    assert text == "one\ftwo\fthree" and starts == (0, 4, 8)
    report = Report("r", "T", "A", text, "full text", page_starts=starts)
    assert [report.page_at(i) for i in (0, 4, 9)] == [1, 2, 3]


def test_a_pdfs_pages_are_kept_and_stored(tmp_path, corpus):
    pdf = pdf_with_pages(["First page text.", "Second page text.", "Third page."])
    text, starts, problems = read_report_pages(pdf, "r.pdf")
    assert text is not None, problems
    assert [text[s : s + 5] for s in starts] == ["First", "Secon", "Third"]
    report = Report("paged", "T", "A", text, "full text", page_starts=starts)
    store = Store(tmp_path / "s.sqlite3")
    store.import_report(report, file_name="r.pdf")
    assert store.reports()["paged"].page_starts == starts


def test_a_long_paged_report_is_read_in_parts_cut_between_pages():
    pages = [f"Page {n} " + "word " * 400 for n in range(1, 301)]
    text = "\n\n".join(pages)
    starts, at = [], 0
    for page in pages:
        starts.append(at)
        at += len(page) + 2
    report = Report("big", "T", "A", text, "full text", page_starts=tuple(starts))
    windows = report_text.text_windows(report)
    assert windows[0][0] == 0 and windows[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(end - start <= report_text.WINDOW_CHARS for start, end in windows)
    assert all(start in starts for start, _ in windows)
    label = report_text.window_label(report, windows[1], len(windows), 2)
    assert label.startswith("pp. ") and f"of {len(windows)}" in label


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="ab \n", min_size=0, max_size=400), st.integers(5, 60))
def test_parts_of_an_unpaged_text_cover_it_in_order(text, size):
    report = Report("r", "T", "A", text, "full text")
    windows = report_text.text_windows(report, size=size)
    assert windows[0][0] == 0 and windows[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(windows))
    assert all(0 < end - start <= size for start, end in windows) or len(text) == 0


def test_the_coding_view_gives_every_run_its_offset_and_keeps_the_text(corpus, report):
    """Each run's data-o is where its text stands in the report: the picker's offsets rest on it."""
    import re
    from html import unescape

    findings = corpus.findings[corpus.findings["report_id"] == REPORT_ID]
    window = (100, 1500)
    html = report_text.highlight_html(report, findings, corpus.taxonomy, window=window, runs=True)
    runs = re.findall(r'data-o="(\d+)"[^>]*>([^<]*)</span>', html)
    assert runs
    rebuilt = ""
    for offset, chunk in runs:
        assert int(offset) == window[0] + len(rebuilt)
        rebuilt += unescape(chunk)
    assert rebuilt == report.text[window[0] : window[1]]


def test_the_coding_view_keeps_carriage_returns_and_nuls_as_one_character_each():
    """An HTML parser drops a literal CR before LF and a NUL; as references each stays one
    character, so the runs' offsets hold (the picker then moves the parsed nodes, not their
    serialisation: picker.js)."""
    from html.parser import HTMLParser

    text = "one\r\ntwo\x00\n\nthree"
    report = Report("r", "T", "A", text, "full text", page_starts=(0, 10))
    html = report_text.highlight_html(report, [], None, runs=True)  # type: ignore[arg-type]
    assert "\r" not in html and "\x00" not in html
    assert "&#13;" in html and "&#0;" in html
    assert '<span class="rd-page" data-page="2"></span>' in html

    chunks: list[str] = []

    class Runs(HTMLParser):
        def handle_data(self, data: str) -> None:
            chunks.append(data)

    Runs(convert_charrefs=True).feed(html)
    assert len("".join(chunks)) == len(text)


def test_an_edit_from_an_old_version_is_refused(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    store.add_authored(finding, by="una")
    store.edit_authored({**finding, "title": "Sam's"}, by="sam", expected=1)
    with pytest.raises(StoreError, match="changed by sam since you opened it"):
        store.edit_authored({**finding, "title": "Una's"}, by="una", expected=1)
    assert store.findings().iloc[0]["title"] == "Sam's"


def test_an_import_cannot_take_the_id_of_a_deleted_coded_finding(store, corpus, report):
    finding = coded(corpus, report, "They report serves", "c-1")
    store.add_authored(finding, by="una")
    store.delete_authored("c-1", by="una")
    frame = pd.DataFrame([finding])
    with pytest.raises(StoreError, match="coded in the reader"):
        store.import_findings(
            frame, file_name="again.csv", sha256="1" * 64, rows_total=1, rows_rejected=0
        )
    assert store.findings().empty


def test_the_history_of_coded_findings_cannot_be_changed(tmp_path, corpus, report):
    import sqlite3

    store = Store(tmp_path / "s.sqlite3")
    store.add_authored(coded(corpus, report, "They report serves", "c-1"), by="una")
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError, match="append"):
        con.execute("UPDATE finding_history SET who = 'someone else'")
    with sqlite3.connect(store.path) as con, pytest.raises(sqlite3.DatabaseError, match="append"):
        con.execute("DELETE FROM finding_history")
    assert [v.who for v in store.finding_history("c-1")] == ["una"]


def test_the_audit_page_names_the_coding_actions():
    from dashboard.io.store_audit import ACTIONS

    assert {"code", "edit", "delete", "undelete"} <= set(ACTIONS)
