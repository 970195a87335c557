"""The analysts' store, on SQLite and on PostgreSQL: imports, removal, export, saved views,
markings and the audit log, schema upgrades, and what happens when a process dies in a write or
two processes write at once."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import pickle
import queue
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dashboard import DATA_DIR
from dashboard.core.findings import COLUMNS, Context, empty_findings, load_findings_bytes
from dashboard.core.reports import Report
from dashboard.io.store import EXPORT_COLUMNS, Store
from dashboard.io.store_file import ENV_VAR, default_store, default_store_path
from dashboard.io.store_records import (
    DuplicateImport,
    IdConflict,
    ImportRecord,
    NotFound,
    ReportInUse,
    SavedView,
    StoreError,
)
from dashboard.io.store_schema import SCHEMA_VERSION
from dashboard.query.filters import Filters

BUNDLED = "hjs-2017-iskp"
SRC_DIR = Path(__file__).resolve().parents[1] / "src"

#: Passages that occur exactly once in the bundled report text.
EXCERPTS = (
    "ISKP emerged by attracting disaffected members of the Pakistani Taliban, known as the TTP.",
    "deploying mobile radio broadcasting and social media to spread its message",
    "the forced repatriation of Afghan refugees",
    "urban, middle-class youth",
    "the insidious threat posed by ISKP has been underestimated",
    "NATO’s Resolute Support mission in Afghanistan",
    "capable of radicalising individuals across the world",
)

#: A report the analysts import themselves, with what real texts have: CRLF, tabs, trailing
#: spaces, curly quotes, non-Latin script.
ANALYST_TEXT = (
    "Field note on Nangarhar\r\n\r\nISKP’s radio station\tbroadcasts at night.  \r\n"
    "Local elders call it “the voice of the mountain”. خراسان\n"
)
ANALYST_REPORT = Report(
    id="field-note-2024",
    title="Field note on Nangarhar",
    author="J. Analyst",
    text=ANALYST_TEXT,
    text_kind="full text",
    publisher="Team notes",
    year=2024,
    text_note="Typed from a notebook.",
    sha256=hashlib.sha256(ANALYST_TEXT.encode()).hexdigest(),
)


# --- helpers -------------------------------------------------------------------------------------


def row(finding_id: str, excerpt: str = EXCERPTS[0], **changes: object) -> dict[str, object]:
    values = {
        "id": finding_id,
        "report_id": BUNDLED,
        "kind": "analysis",
        "title": f"Finding {finding_id}",
        "summary": "",
        "excerpt": excerpt,
        "start": "",
        "end": "",
        "themes": "recruitment",
        "regions": "",
        "actors": "",
        "page": "",
    }
    values.update(changes)
    return values


def csv_bytes(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@dataclasses.dataclass(frozen=True)
class File:
    """A findings file as the page gets it: its name, its bytes and the loader's frame."""

    name: str
    data: bytes
    frame: pd.DataFrame

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self.frame["id"])


def findings_file(findings_ctx: Context, name: str, rows: list[dict[str, object]]) -> File:
    data = csv_bytes(rows)
    result = load_findings_bytes(data, name, findings_ctx)
    assert result.ok, [str(p) for p in result.problems]
    return File(name, data, result.findings)


def import_file(store: Store, file: File) -> ImportRecord:
    return store.import_findings(
        file.frame,
        file_name=file.name,
        sha256=file.sha256,
        rows_total=len(file.frame),
        rows_rejected=0,
    )


def state(store: Store) -> dict[str, object]:
    """Everything a reader can see of the store."""
    return {
        "imports": store.imports(),
        "findings": store.findings(),
        "reports": store.reports(),
        "views": store.views(),
        "ids": store.ids(),
        "fingerprint": store.fingerprint(),
    }


def assert_same_state(actual: dict[str, object], expected: dict[str, object]) -> None:
    pd.testing.assert_frame_equal(actual["findings"], expected["findings"])
    assert {k: v for k, v in actual.items() if k != "findings"} == {
        k: v for k, v in expected.items() if k != "findings"
    }


def expected_frame(*pairs: tuple[File, ImportRecord]) -> pd.DataFrame:
    frames = [file.frame.assign(source=record.source) for file, record in pairs]
    return pd.concat(frames, ignore_index=True)


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def findings_ctx(corpus) -> Context:
    return Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)


@pytest.fixture(scope="module")
def analyst_context(corpus) -> Context:
    return Context(
        {**corpus.reports, ANALYST_REPORT.id: ANALYST_REPORT}, corpus.gazetteer, corpus.taxonomy
    )


@pytest.fixture(scope="module")
def file_a(findings_ctx) -> File:
    return findings_file(
        findings_ctx,
        "kp-recruitment.csv",
        [
            row(
                "a-01",
                EXCERPTS[0],
                themes="recruitment;rival-groups",
                regions="Pakistan; Afghanistan",
                actors="ISKP;TTP",
                page="3",
                summary='Says "disaffected", not "defectors".',
            ),
            row(
                "a-02",
                EXCERPTS[1],
                kind="key-observation",
                themes="propaganda",
                actors="ISKP; Afghan Taliban",
            ),
            row("a-03", EXCERPTS[2], themes="refugees", regions="PK", page="12"),
        ],
    )


@pytest.fixture(scope="module")
def file_b(findings_ctx) -> File:
    return findings_file(
        findings_ctx,
        "youth.csv",
        [
            row("b-01", EXCERPTS[3], themes="recruitment;online-radicalisation", regions="AF"),
            row("b-02", EXCERPTS[4], kind="assessment", themes="violence"),
        ],
    )


@pytest.fixture(scope="module")
def file_c(findings_ctx) -> File:
    return findings_file(
        findings_ctx,
        "nato.csv",
        [
            row("c-01", EXCERPTS[5], themes="international-policy", actors="NATO", page="1"),
        ],
    )


@pytest.fixture(scope="module")
def file_quoting_analyst(analyst_context) -> File:
    return findings_file(
        analyst_context,
        "field-findings.csv",
        [
            row(
                "fn-01",
                "ISKP’s radio station",
                report_id=ANALYST_REPORT.id,
                themes="propaganda",
                regions="Nangarhar",
            ),
            row(
                "fn-02",
                "“the voice of the mountain”",
                report_id=ANALYST_REPORT.id,
                themes="propaganda",
                kind="quotation",
            ),
        ],
    )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target(request, tmp_path) -> str:
    """Where a store of each engine may be made, not made yet: a SQLite file's path (its folder
    missing too), and a PostgreSQL URL whose schema is empty."""
    if request.param == "sqlite":
        return str(tmp_path / "fresh" / "store.sqlite3")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(target) -> Store:
    """An empty store of each engine."""
    return Store(target)


# --- opening -------------------------------------------------------------------------------------


def test_new_store_is_empty_in_wal_mode_with_its_schema_version(tmp_path):
    path = tmp_path / "new" / "nested" / "store.sqlite3"
    store = Store(path)
    assert path.is_file()
    assert store.journal_mode == "wal"
    pd.testing.assert_frame_equal(store.findings(), empty_findings())
    assert (store.reports(), store.imports(), store.views(), store.ids()) == (
        {},
        [],
        [],
        frozenset(),
    )
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"imports", "reports", "findings", "views", "meta"} <= tables


def test_reopening_keeps_the_data_and_the_fingerprint(target, file_a):
    first = Store(target)
    import_file(first, file_a)
    before = state(first)
    assert_same_state(state(Store(target)), before)


def test_store_of_a_newer_version_is_refused_and_left_alone(tmp_path, file_a):
    path = tmp_path / "s.sqlite3"
    import_file(Store(path), file_a)
    with sqlite3.connect(path) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    data = path.read_bytes()
    with pytest.raises(StoreError, match="newer version of the dashboard") as caught:
        Store(path)
    message = str(caught.value)
    assert f"format {SCHEMA_VERSION + 1}" in message and "Update the dashboard" in message
    assert ENV_VAR in message
    assert path.read_bytes() == data


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            b"id,title\nnot a database\n" * 200, "not a readable dashboard store", id="not-sqlite"
        ),
        pytest.param(None, "SQLite database of another program", id="other-program"),
    ],
)
def test_a_file_that_is_not_a_store_is_refused(tmp_path, content, expected):
    path = tmp_path / "s.sqlite3"
    if content is None:
        with sqlite3.connect(path) as con:
            con.execute("CREATE TABLE customers (id INTEGER)")
        con.close()
    else:
        path.write_bytes(content)
    data = path.read_bytes()
    with pytest.raises(StoreError, match=expected):
        Store(path)
    assert path.read_bytes() == data


def test_a_write_blocked_longer_than_the_timeout_fails_clearly_and_changes_nothing(tmp_path):
    store = Store(tmp_path / "s.sqlite3", timeout=0.2)
    store.save_view("kept", Filters(themes=("refugees",)))
    before = state(store)
    blocker = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="busy: another dashboard window") as caught:
            store.save_view("new", Filters())
        assert "Nothing was changed" in str(caught.value)
    finally:
        blocker.rollback()
        blocker.close()
    assert_same_state(state(store), before)


# --- where the store lives -----------------------------------------------------------------------


def test_dashboard_store_variable_names_the_file(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "mine.sqlite3"
    monkeypatch.setenv(ENV_VAR, str(target))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_store_path() == target
    store = Store(default_store_path())
    store.save_view("v", Filters())
    assert target.is_file()
    assert not (tmp_path / "xdg").exists()


@pytest.mark.parametrize(
    ("store_var", "xdg", "expected"),
    [
        pytest.param(None, "{tmp}/xdg", "xdg/iskp-dashboard/store.sqlite3", id="xdg-data-home"),
        pytest.param(
            "", "{tmp}/xdg", "xdg/iskp-dashboard/store.sqlite3", id="empty-variable-ignored"
        ),
        pytest.param(None, None, "home/.local/share/iskp-dashboard/store.sqlite3", id="home"),
        pytest.param(
            None,
            "relative/dir",
            "home/.local/share/iskp-dashboard/store.sqlite3",
            id="relative-xdg-ignored",
        ),
        pytest.param("~/notes/s.db", "{tmp}/xdg", "home/notes/s.db", id="tilde-expanded"),
    ],
)
def test_default_store_path(tmp_path, monkeypatch, store_var, xdg, expected):
    """``{tmp}`` in a value stands for the test's temporary folder; ``None`` means unset."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in ((ENV_VAR, store_var), ("XDG_DATA_HOME", xdg)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value.format(tmp=tmp_path))
    assert default_store_path() == tmp_path / expected


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://app:secret@db.desk.example:5432/dashboard",
        "postgres://db/x",
        "sqlite:///tmp/x.db",
    ],
)
def test_a_url_for_the_store_gets_one_clear_line_and_makes_no_folder(tmp_path, monkeypatch, url):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, url)
    with pytest.raises(StoreError) as err:
        default_store_path()
    message = str(err.value)
    assert "\n" not in message and "://" in message and "file path" in message
    assert "secret" not in message  # a password in the URL is never echoed
    assert list(tmp_path.iterdir()) == []  # no folder named after the scheme


@pytest.mark.parametrize(
    "url", ["postgresql://app:secret@db.desk.example:5432/dashboard", " postgres://db/x "]
)
def test_a_postgresql_url_names_a_postgresql_store(monkeypatch, url):
    monkeypatch.setenv(ENV_VAR, url)
    assert default_store() == url.strip()


def test_another_url_is_refused_as_a_store_with_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, "mysql://app:secret@db/x")
    with pytest.raises(StoreError) as err:
        default_store()
    assert "secret" not in str(err.value) and "PostgreSQL" in str(err.value)
    with pytest.raises(StoreError, match="cannot be used") as err:
        Store("sqlite://app:secret@/x.db")
    assert "secret" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "inside",
    [
        pytest.param(DATA_DIR / "store.sqlite3", id="bundled-data"),
        pytest.param(DATA_DIR / "findings" / "x.sqlite3", id="bundled-findings"),
        pytest.param(SRC_DIR / "dashboard" / "store.sqlite3", id="package"),
    ],
)
def test_store_is_never_put_in_the_bundled_data_or_the_package(monkeypatch, inside):
    monkeypatch.setenv(ENV_VAR, str(inside))
    with pytest.raises(StoreError, match=f"Set {ENV_VAR} to a file in your own folders"):
        default_store_path()
    assert not inside.exists()


# --- importing findings --------------------------------------------------------------------------


def test_import_round_trip_keeps_values_dtypes_and_tuples(target, file_a):
    store = Store(target)
    record = import_file(store, file_a)
    assert record == ImportRecord(
        record.id, "kp-recruitment.csv", file_a.sha256, "findings", record.imported_at, 3, 3, 0
    )
    assert record.imported_at.endswith("+00:00")
    stored = Store(target).findings()
    expected = file_a.frame.assign(source=f"import #{record.id}: kp-recruitment.csv")
    pd.testing.assert_frame_equal(stored, expected)
    assert list(stored.columns) == list(COLUMNS)
    assert stored.dtypes.to_dict() == file_a.frame.dtypes.to_dict()
    first = stored.iloc[0]
    assert first["themes"] == ("recruitment", "rival-groups")
    assert first["regions"] == ("PK", "AF")
    assert first["actors"] == ("ISKP", "TTP")
    assert first["page"] == 3
    assert pd.isna(stored.iloc[1]["page"])
    assert all(isinstance(v, tuple) for c in ("themes", "regions", "actors") for v in stored[c])
    assert store.ids() == {"a-01", "a-02", "a-03"}


def test_findings_come_in_import_order_then_file_order(store, file_a, file_b, file_c):
    records = [import_file(store, f) for f in (file_b, file_a, file_c)]
    pd.testing.assert_frame_equal(
        store.findings(), expected_frame(*zip((file_b, file_a, file_c), records))
    )
    assert [r.id for r in store.imports()] == sorted((r.id for r in records), reverse=True)
    assert store.imports()[0].file_name == "nato.csv"


def test_import_lists_the_file_by_its_base_name_and_keeps_the_counts(store, file_b):
    record = store.import_findings(
        file_b.frame,
        file_name="/home/ana/Downloads/youth.csv",
        sha256=file_b.sha256,
        rows_total=5,
        rows_rejected=3,
    )
    assert (record.file_name, record.rows_total, record.rows_imported, record.rows_rejected) == (
        "youth.csv",
        5,
        2,
        3,
    )
    assert store.imports() == [record]
    assert set(store.findings()["source"]) == {f"import #{record.id}: youth.csv"}


@pytest.mark.parametrize("kind", ["findings", "report"])
def test_same_file_twice_is_a_duplicate_import_and_changes_nothing(store, file_a, kind):
    if kind == "findings":
        first = import_file(store, file_a)

        def again():
            return store.import_findings(
                file_a.frame.assign(id=["n1", "n2", "n3"]),
                file_name="copy.csv",
                sha256=file_a.sha256,
                rows_total=3,
                rows_rejected=0,
            )
    else:
        first = store.import_report(ANALYST_REPORT, file_name="note.txt")

        def again():
            return store.import_report(
                dataclasses.replace(ANALYST_REPORT, id="other-id"), file_name="copy.txt"
            )

    before = state(store)
    with pytest.raises(DuplicateImport) as caught:
        again()
    assert caught.value.earlier == first
    message = str(caught.value)
    assert f"import #{first.id}" in message and first.file_name in message
    assert "copy." in message and "remove import" in message and "Nothing was changed" in message
    assert_same_state(state(store), before)


@pytest.mark.parametrize(
    ("new_ids", "clashing"),
    [
        pytest.param(["z-1", "a-02", "z-3"], ("a-02",), id="one-of-three"),
        pytest.param(["a-03", "a-01", "a-02"], ("a-01", "a-02", "a-03"), id="all"),
    ],
)
def test_an_id_already_stored_is_a_conflict_and_nothing_is_written(
    store, file_a, file_b, new_ids, clashing
):
    first = import_file(store, file_a)
    import_file(store, file_b)
    before = state(store)
    clash = file_a.frame.assign(id=new_ids)
    with pytest.raises(IdConflict) as caught:
        store.import_findings(
            clash, file_name="clash.csv", sha256="f" * 64, rows_total=3, rows_rejected=0
        )
    assert caught.value.ids == clashing
    assert set(caught.value.holders) == set(clashing)
    assert all(h == first for h in caught.value.holders.values())
    message = str(caught.value)
    assert all(repr(i) in message for i in clashing)
    assert f"import #{first.id} 'kp-recruitment.csv'" in message and "'clash.csv'" in message
    assert_same_state(state(store), before)


def test_an_id_repeated_within_the_frame_is_a_conflict(store, file_a, file_b):
    frame = pd.concat([file_b.frame, file_b.frame.iloc[[1]]], ignore_index=True)
    with pytest.raises(IdConflict, match="appear more than once in the file") as caught:
        store.import_findings(
            frame, file_name="twice.csv", sha256="e" * 64, rows_total=3, rows_rejected=0
        )
    assert caught.value.ids == ("b-02",)
    assert store.imports() == [] and store.ids() == frozenset()


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        pytest.param(empty_findings(), StoreError, "no accepted findings", id="empty"),
        pytest.param(
            empty_findings().drop(columns=["prefix"]),
            ValueError,
            "lacks columns",
            id="missing-column",
        ),
    ],
)
def test_a_frame_that_cannot_be_imported(store, frame, error, message):
    with pytest.raises(error, match=message):
        store.import_findings(
            frame, file_name="x.csv", sha256="d" * 64, rows_total=0, rows_rejected=0
        )
    assert store.imports() == []


# --- removing ------------------------------------------------------------------------------------


def test_remove_import_removes_only_what_it_brought(store, file_a, file_b, file_c):
    ra, rb, rc = (import_file(store, f) for f in (file_a, file_b, file_c))
    store.save_view("kept", Filters(kinds=("analysis",)))
    assert store.remove_import(rb.id) == rb
    pd.testing.assert_frame_equal(store.findings(), expected_frame((file_a, ra), (file_c, rc)))
    assert store.imports() == [rc, ra]
    assert store.ids() == file_a.ids | file_c.ids
    assert [v.name for v in store.views()] == ["kept"]
    with pytest.raises(NotFound, match=f"no import #{rb.id}"):
        store.remove_import(rb.id)
    # The same file can be imported again once it was removed, under a new import number.
    again = import_file(store, file_b)
    assert again.id > rc.id
    assert set(store.findings()["source"]) >= {f"import #{again.id}: youth.csv"}


def test_report_import_and_findings_quoting_it(store, file_quoting_analyst, file_a):
    report_import = store.import_report(ANALYST_REPORT, file_name="field-note-2024.txt")
    assert (
        report_import.kind,
        report_import.rows_total,
        report_import.rows_imported,
        report_import.rows_rejected,
    ) == ("report", 1, 1, 0)
    assert report_import.sha256 == ANALYST_REPORT.sha256
    reports = store.reports()
    assert reports == {
        ANALYST_REPORT.id: dataclasses.replace(
            ANALYST_REPORT, source=f"import #{report_import.id}: field-note-2024.txt"
        )
    }
    assert reports[ANALYST_REPORT.id].text == ANALYST_TEXT  # verbatim: CRLF, tabs, spaces kept

    quoting = import_file(store, file_quoting_analyst)
    other = import_file(store, file_a)
    before = state(store)
    with pytest.raises(ReportInUse) as caught:
        store.remove_import(report_import.id)
    message = str(caught.value)
    assert f"2 findings of import #{quoting.id} ('field-findings.csv')" in message
    assert f"Remove import #{quoting.id} first" in message
    assert f"#{other.id}" not in message
    assert_same_state(state(store), before)

    store.remove_import(quoting.id)
    store.remove_import(report_import.id)
    assert store.reports() == {}
    pd.testing.assert_frame_equal(store.findings(), expected_frame((file_a, other)))


def test_a_report_import_may_be_removed_with_findings_of_its_own_import(store):
    record = store.import_report(ANALYST_REPORT, file_name="note.txt")
    store.remove_import(record.id)
    assert store.reports() == {} and store.imports() == []


def test_a_report_id_already_stored_is_a_conflict(store):
    first = store.import_report(ANALYST_REPORT, file_name="note.txt")
    before = state(store)
    changed = dataclasses.replace(ANALYST_REPORT, text=ANALYST_TEXT + "More.", sha256="c" * 64)
    with pytest.raises(IdConflict, match="report id already in the store") as caught:
        store.import_report(changed, file_name="note-v2.txt")
    assert caught.value.ids == (ANALYST_REPORT.id,)
    assert caught.value.holders == {ANALYST_REPORT.id: first}
    assert_same_state(state(store), before)


def test_a_report_without_a_sha_is_identified_by_its_text(store):
    report = dataclasses.replace(ANALYST_REPORT, sha256="")
    record = store.import_report(report, file_name="note.txt")
    assert record.sha256 == hashlib.sha256(ANALYST_TEXT.encode()).hexdigest()
    with pytest.raises(DuplicateImport):
        store.import_report(dataclasses.replace(report, id="x"), file_name="again.txt")


# --- exporting -----------------------------------------------------------------------------------


def test_export_reloads_to_the_same_findings(store, findings_ctx, file_a, file_b):
    tricky = findings_file(
        findings_ctx,
        "tricky.csv",
        [
            row(
                "t-01",
                EXCERPTS[6],
                title='=HYPERLINK("x")',
                summary='a, b;\n"c"\r\nd\re',
                actors="Ḥaqqānī network; ISKP",
                regions="Khyber Pakhtunkhwa;Nangarhar",
                page="7",
            ),
            row("t-02", "ISKP", start="692", end="696", title="Offsets pick\rone of many"),
        ],
    )
    import_file(store, file_a)
    record = import_file(store, tricky)
    import_file(store, file_b)
    data = store.export_import(record.id)
    header = (DATA_DIR / "findings" / f"{BUNDLED}.csv").read_bytes().split(b"\n", 1)[0]
    assert data.split(b"\n", 1)[0] == header == ",".join(EXPORT_COLUMNS).encode()
    reloaded = load_findings_bytes(data, "export.csv", findings_ctx, source=record.source)
    assert reloaded.ok, reloaded.problems
    pd.testing.assert_frame_equal(reloaded.findings, expected_frame((tricky, record)))
    # Formula-safe, and read back to the original text (the importer knows the guard).
    assert data.count(b"=HYPERLINK") == 1 and b"'=HYPERLINK" in data
    raw = store.export_import(record.id, raw=True)
    assert raw.count(b"=HYPERLINK") == 1 and b"'=HYPERLINK" not in raw


def test_export_of_what_is_not_a_findings_import(store):
    record = store.import_report(ANALYST_REPORT, file_name="note.txt")
    with pytest.raises(StoreError, match="is a report, not a findings file"):
        store.export_import(record.id)
    with pytest.raises(NotFound):
        store.export_import(record.id + 1)


_PRINTABLE = st.characters(exclude_categories=("Cs",))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=st.text(_PRINTABLE, min_size=1, max_size=25),
    summary=st.text(_PRINTABLE, max_size=40),
    actors=st.lists(
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters=";|"), max_size=12),
        max_size=3,
    ),
    page=st.one_of(st.none(), st.integers(1, 10_000)),
    excerpt=st.sampled_from(EXCERPTS),
)
def test_export_round_trips_any_text_the_loader_accepts(
    findings_ctx, title, summary, actors, page, excerpt
):
    record = {
        "id": "h-1",
        "report_id": BUNDLED,
        "kind": "analysis",
        "title": title,
        "summary": summary,
        "excerpt": excerpt,
        "themes": ["ideology"],
        "actors": actors,
        "page": page,
    }
    loaded = load_findings_bytes(json.dumps([record]).encode(), "h.json", findings_ctx)
    assume(loaded.ok)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "s.sqlite3")
        imported = store.import_findings(
            loaded.findings, file_name="h.json", sha256="h", rows_total=1, rows_rejected=0
        )
        expected = loaded.findings.assign(source=imported.source)
        pd.testing.assert_frame_equal(store.findings(), expected)
        again = load_findings_bytes(
            store.export_import(imported.id), "h.csv", findings_ctx, source=imported.source
        )
    assert again.ok, again.problems
    pd.testing.assert_frame_equal(again.findings, expected)


@settings(max_examples=40, deadline=None)
@given(text=st.text(_PRINTABLE, min_size=1, max_size=200))
def test_report_text_is_stored_verbatim(text):
    report = dataclasses.replace(ANALYST_REPORT, text=text, sha256="")
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "s.sqlite3")
        store.import_report(report, file_name="r.txt")
        assert store.reports()[report.id].text == text


# --- saved views ---------------------------------------------------------------------------------


def test_saved_views_crud(store, corpus):
    refugees = Filters(themes=("refugees", "recruitment"), region="PK", wider=True, text="camps")
    saved = store.save_view("  Pakistan refugees ", refugees)
    assert saved == SavedView(
        "Pakistan refugees", refugees.to_query_params(), saved.created_at, saved.created_at
    )
    store.save_view("armed groups", Filters(actors=("TTP",)))
    store.save_view("Zabul", Filters(region="AF"))
    assert [v.name for v in store.views()] == ["armed groups", "Pakistan refugees", "Zabul"]

    params = store.view_filters("Pakistan refugees")
    assert params == {
        "theme": ["refugees", "recruitment"],
        "region": ["PK"],
        "wider": ["1"],
        "q": ["camps"],
    }
    restored, notices = Filters.from_query_params(
        params,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        actors=["TTP"],
        reports=corpus.reports,
    )
    assert (restored, notices) == (refugees, [])

    replaced = store.save_view("Pakistan refugees", Filters(themes=("refugees",)))
    assert replaced.created_at == saved.created_at
    assert store.view_filters("Pakistan refugees") == {"theme": ["refugees"]}
    assert len(store.views()) == 3

    renamed = store.rename_view("Pakistan refugees", "Refugees in Pakistan")
    assert (renamed.name, renamed.params, renamed.created_at) == (
        "Refugees in Pakistan",
        {"theme": ["refugees"]},
        saved.created_at,
    )
    store.rename_view("Zabul", "ZABUL")  # a change of case only is a rename too
    store.delete_view("armed groups")
    assert [v.name for v in store.views()] == ["Refugees in Pakistan", "ZABUL"]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda s: s.save_view("", Filters()),
            ValueError,
            "Give the view a name",
            id="empty-name",
        ),
        pytest.param(
            lambda s: s.save_view(" \t ", Filters()),
            ValueError,
            "Give the view a name",
            id="blank-name",
        ),
        pytest.param(
            lambda s: s.save_view("x" * 81, Filters()), ValueError, "at most 80", id="name-too-long"
        ),
        pytest.param(
            lambda s: s.save_view("two\nlines", Filters()),
            ValueError,
            "line breaks",
            id="control-character",
        ),
        pytest.param(
            lambda s: s.save_view("d", {"theme": ["x"]}),
            TypeError,
            "expected Filters",
            id="not-filters",
        ),
        pytest.param(
            lambda s: s.rename_view("Existing", "Other"),
            StoreError,
            "'Other' already exists",
            id="rename-onto-existing",
        ),
        pytest.param(
            lambda s: s.rename_view("Missing", "New"),
            NotFound,
            "no saved view called 'Missing'",
            id="rename-missing",
        ),
        pytest.param(
            lambda s: s.rename_view("Existing", "  "),
            ValueError,
            "Give the view a name",
            id="rename-to-blank",
        ),
        pytest.param(
            lambda s: s.delete_view("Missing"),
            NotFound,
            "no saved view called",
            id="delete-missing",
        ),
        pytest.param(
            lambda s: s.view_filters("Missing"),
            NotFound,
            "no saved view called",
            id="filters-of-missing",
        ),
    ],
)
def test_saved_view_errors_change_nothing(store, call, error, message):
    store.save_view("Existing", Filters(themes=("ideology",)))
    store.save_view("Other", Filters(kinds=("assessment",)))
    before = state(store)
    with pytest.raises(error, match=message):
        call(store)
    assert_same_state(state(store), before)


def test_a_view_name_of_80_characters_is_accepted(store):
    store.save_view(" " + "v" * 80 + " ", Filters())
    assert [v.name for v in store.views()] == ["v" * 80]


# --- fingerprint ---------------------------------------------------------------------------------


WRITES = {
    "import findings": lambda s, f: import_file(s, f["c"]),
    "import report": lambda s, f: s.import_report(ANALYST_REPORT, file_name="n.txt"),
    "remove import": lambda s, f: s.remove_import(s.imports()[-1].id),
    "save new view": lambda s, f: s.save_view("new", Filters()),
    "save same view again": lambda s, f: s.save_view("v", Filters(themes=("ideology",))),
    "rename view": lambda s, f: s.rename_view("v", "w"),
    "delete view": lambda s, f: s.delete_view("v"),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_fingerprint_changes_on_every_write_and_not_on_reads(target, file_a, file_c, write):
    store = Store(target)
    import_file(store, file_a)
    store.save_view("v", Filters(themes=("ideology",)))
    before = store.fingerprint()
    state(store)
    store.export_import(store.imports()[0].id)
    store.view_filters("v")
    assert store.fingerprint() == before
    other = Store(target)  # another process or session on the same store
    write(store, {"a": file_a, "c": file_c})
    after = store.fingerprint()
    assert after != before
    assert other.fingerprint() == after


def test_fingerprint_differs_between_stores_with_the_same_history(tmp_path, file_a):
    one, two = Store(tmp_path / "1.sqlite3"), Store(tmp_path / "2.sqlite3")
    import_file(one, file_a)
    import_file(two, file_a)
    assert one.fingerprint() != two.fingerprint()


def test_failed_writes_leave_the_fingerprint(store, file_a):
    import_file(store, file_a)
    store.save_view("v", Filters())
    before = store.fingerprint()
    for call in (
        lambda: import_file(store, file_a),
        lambda: store.rename_view("x", "y"),
        lambda: store.delete_view("x"),
        lambda: store.remove_import(99),
    ):
        with pytest.raises(StoreError):
            call()
    assert store.fingerprint() == before


# --- other processes -----------------------------------------------------------------------------

#: A child process: opens the store and runs one Store method from a pickled spec. With
#: ``stop_at`` it prints a line at that stage of the transaction ("begun": right after BEGIN
#: IMMEDIATE; "written": after every row, just before COMMIT) and then blocks until the ``release``
#: file appears (or for ten minutes).
CHILD = r"""
import json, os, pickle, sys, time
spec = pickle.loads(open(sys.argv[1], "rb").read())

def wait_for(path):
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            sys.exit("timed out waiting for " + path)
        time.sleep(0.005)

def hook(stage):
    if stage == spec.get("stop_at"):
        print(stage.upper(), flush=True)
        if spec.get("release"):
            wait_for(spec["release"])
        else:
            time.sleep(600)

if spec.get("go"):
    wait_for(spec["go"])
from dashboard.io.store import Store
store = Store(spec["store"])
store._hook = hook
print("TRYING", flush=True)
started = time.monotonic()
getattr(store, spec["op"])(*spec.get("args", ()), **spec.get("kwargs", {}))
print("DONE %.3f" % (time.monotonic() - started), flush=True)
if spec.get("then"):
    wait_for(spec["then"])
print(json.dumps(sorted(store.ids())), flush=True)
"""


class Child:
    """A running child process, its output lines read in the background."""

    def __init__(self, tmp_path: Path, name: str, spec: dict[str, object]):
        spec_path = tmp_path / f"{name}.pickle"
        spec_path.write_bytes(pickle.dumps(spec))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(SRC_DIR), os.environ.get("PYTHONPATH")])
            ),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(spec_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout: float = 60) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.process.kill()
            pytest.fail(f"child printed nothing for {timeout}s: {self.process.stderr.read()}")
        if line is None:
            self.process.wait(timeout=10)
            pytest.fail(
                f"child ended (exit {self.process.returncode}): {self.process.stderr.read()}"
            )
        return line

    def finish(self) -> None:
        assert self.process.wait(timeout=60) == 0, self.process.stderr.read()
        self._close()

    def kill(self) -> None:
        """SIGKILL: no clean-up, no rollback by the child."""
        self.process.kill()
        self.process.wait(timeout=30)
        self._close()

    def _close(self) -> None:
        while self.lines.get(timeout=30) is not None:  # the pump reached the end of the pipe
            pass
        self.process.stdout.close()
        self.process.stderr.close()


@pytest.fixture(scope="module")
def big_file(findings_ctx) -> File:
    """Three thousand findings: a write big enough to spill pages into the WAL before COMMIT."""
    return findings_file(
        findings_ctx,
        "big.csv",
        [
            row(
                f"big-{i:04d}",
                EXCERPTS[i % len(EXCERPTS)],
                summary="x" * 200,
                themes="recruitment;propaganda;refugees",
                regions="AF;PK",
                actors="ISKP;TTP",
            )
            for i in range(3000)
        ],
    )


def _crash_operations(big_file: File, file_c: File) -> dict[str, dict[str, object]]:
    return {
        "import_findings": {
            "op": "import_findings",
            "args": (big_file.frame,),
            "kwargs": dict(
                file_name=big_file.name, sha256=big_file.sha256, rows_total=3000, rows_rejected=0
            ),
        },
        "import_report": {
            "op": "import_report",
            "kwargs": dict(
                report=dataclasses.replace(ANALYST_REPORT, id="another", sha256="a" * 64),
                file_name="another.txt",
            ),
        },
        "remove_import": {"op": "remove_import", "args": (1,)},
        "save_view": {"op": "save_view", "args": ("Refugees", Filters(themes=("ideology",)))},
        "rename_view": {"op": "rename_view", "args": ("Refugees", "Renamed")},
        "delete_view": {"op": "delete_view", "args": ("Refugees",)},
    }


@pytest.mark.parametrize("stage", ["begun", "written"])
@pytest.mark.parametrize(
    "operation",
    [
        "import_findings",
        "import_report",
        "remove_import",
        "save_view",
        "rename_view",
        "delete_view",
    ],
)
def test_a_process_killed_inside_a_write_leaves_the_store_as_before(
    tmp_path, target, big_file, file_a, file_c, file_quoting_analyst, operation, stage
):
    path = target
    store = Store(path)
    import_file(store, file_a)  # import #1
    store.import_report(ANALYST_REPORT, file_name="note.txt")
    import_file(store, file_quoting_analyst)
    store.save_view("Refugees", Filters(themes=("refugees",)))
    before = state(store)

    spec = {"store": str(path), "stop_at": stage, **_crash_operations(big_file, file_c)[operation]}
    child = Child(tmp_path, "child", spec)
    assert child.line() == "TRYING"
    assert child.line() == stage.upper()  # the child is now inside its transaction
    child.kill()

    assert_same_state(state(store), before)
    reopened = Store(path)
    assert_same_state(state(reopened), before)
    if reopened.path is not None:
        with sqlite3.connect(path) as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        con.close()
    # The killed writer's lock is gone: the next write goes through, and then counts.
    record = import_file(reopened, file_c)
    assert store.ids() == before["ids"] | file_c.ids
    assert store.imports()[0] == record


def test_a_write_waits_for_another_process_and_both_land(tmp_path, target, file_b, file_c):
    path = target
    Store(path)
    release, then = tmp_path / "release", tmp_path / "then"
    first = Child(
        tmp_path,
        "first",
        {
            "store": str(path),
            "op": "import_findings",
            "args": (file_b.frame,),
            "kwargs": dict(
                file_name=file_b.name, sha256=file_b.sha256, rows_total=2, rows_rejected=0
            ),
            "stop_at": "written",
            "release": str(release),
            "then": str(then),
        },
    )
    assert first.line() == "TRYING"
    assert first.line() == "WRITTEN"  # the first holds the write lock, its rows written
    second = Child(
        tmp_path,
        "second",
        {
            "store": str(path),
            "op": "import_findings",
            "args": (file_c.frame,),
            "kwargs": dict(
                file_name=file_c.name, sha256=file_c.sha256, rows_total=1, rows_rejected=0
            ),
            "then": str(then),
        },
    )
    assert second.line() == "TRYING"
    time.sleep(0.5)
    release.touch()
    assert first.line().startswith("DONE")
    waited = float(second.line().removeprefix("DONE "))
    assert waited >= 0.3  # it was blocked behind the first, and then went through
    then.touch()
    both = sorted(file_b.ids | file_c.ids)
    assert json.loads(first.line()) == both
    assert json.loads(second.line()) == both
    first.finish()
    second.finish()
    assert sorted(r.file_name for r in Store(path).imports()) == ["nato.csv", "youth.csv"]


def test_processes_importing_at_once_into_a_new_store_all_land(
    tmp_path, target, file_a, file_b, file_c
):
    path = target  # not there yet: they also race to create it
    go, then = tmp_path / "go", tmp_path / "then"
    children = [
        Child(
            tmp_path,
            f"child-{i}",
            {
                "store": str(path),
                "op": "import_findings",
                "args": (file.frame,),
                "kwargs": dict(
                    file_name=file.name,
                    sha256=file.sha256,
                    rows_total=len(file.frame),
                    rows_rejected=0,
                ),
                "go": str(go),
                "then": str(then),
            },
        )
        for i, file in enumerate((file_a, file_b, file_c))
    ]
    time.sleep(0.3)
    go.touch()
    for child in children:
        assert child.line() == "TRYING"
        assert child.line().startswith("DONE")
    then.touch()
    everything = sorted(file_a.ids | file_b.ids | file_c.ids)
    for child in children:
        assert json.loads(child.line()) == everything
        child.finish()
    store = Store(path)
    assert len(store.imports()) == 3
    assert store.fingerprint().endswith("-3")


# --- format 2: extra attributes, settings, versions, remembered mappings -------------------------


def as_older_format(path, statements) -> None:
    """Take the store file at *path* back to an older format with SQL *statements*."""
    con = sqlite3.connect(path)
    for statement in statements:
        con.execute(statement)
    con.commit()
    con.close()


#: What takes a format 5 SQLite store back to format 4.
TO_FORMAT_4 = (
    "DROP TRIGGER finding_history_no_update",
    "DROP TRIGGER finding_history_no_delete",
    "DROP TABLE finding_history",
    "ALTER TABLE reports DROP COLUMN pages",
)
#: What takes a format 5 SQLite store back to format 3.
TO_FORMAT_3 = (
    *TO_FORMAT_4,
    "DROP TRIGGER audit_no_update",
    "DROP TRIGGER audit_no_delete",
    "DROP TABLE audit",
    "ALTER TABLE imports DROP COLUMN marking",
    "ALTER TABLE imports DROP COLUMN groups",
)


def format_of(path) -> int:
    with sqlite3.connect(path) as con:
        return con.execute("PRAGMA user_version").fetchone()[0]


def test_a_format_1_store_is_upgraded_in_place(tmp_path, file_a):
    path = tmp_path / "old.sqlite3"
    store = Store(path)
    record = import_file(store, file_a)
    as_older_format(
        path,
        (
            *TO_FORMAT_3,
            "DROP TABLE archived_findings",
            "DROP TABLE mappings",
            "ALTER TABLE findings DROP COLUMN extra",
            "ALTER TABLE findings DROP COLUMN derived",
            "ALTER TABLE findings DROP COLUMN period",
            "ALTER TABLE imports DROP COLUMN settings",
            "ALTER TABLE imports DROP COLUMN replaces",
            "ALTER TABLE imports DROP COLUMN superseded_by",
            "PRAGMA user_version = 1",
        ),
    )
    upgraded = Store(path)
    assert format_of(path) == SCHEMA_VERSION == 5
    stored = upgraded.findings()
    assert len(stored) == 3 and all(e == () for e in stored["extra"])
    assert upgraded.get_import(record.id).current
    upgraded.save_mapping("sig", ["a"], {"a": "excerpt"}, {"kind": "analysis"})
    assert upgraded.mapping_for("sig") == ({"a": "excerpt"}, {"kind": "analysis"})


def test_a_format_2_store_gains_periods_and_its_findings_take_their_reports_year(
    tmp_path, file_a, corpus
):
    from dashboard.core.corpus import merge

    path = tmp_path / "v2.sqlite3"
    store = Store(path)
    record = import_file(store, file_a)
    newer = store.import_findings(
        file_a.frame.iloc[:1],
        file_name="v2.csv",
        sha256="1" * 64,
        rows_total=1,
        rows_rejected=0,
        replaces=record.id,
    )
    as_older_format(
        path,
        (
            *TO_FORMAT_3,
            "ALTER TABLE findings DROP COLUMN period",
            "ALTER TABLE archived_findings DROP COLUMN period",
            "UPDATE findings SET derived = '[]'",
            "PRAGMA user_version = 2",
        ),
    )
    upgraded = Store(path)
    assert format_of(path) == SCHEMA_VERSION
    stored = upgraded.findings()
    assert list(stored["period"]) == [""]  # as stored before periods were kept
    merged = merge(corpus, stored, upgraded.reports()).findings.iloc[len(corpus.findings) :]
    assert list(merged["period"]) == ["2017"] and list(merged["derived"]) == [("period",)]
    # The archived version comes back too, with its period.
    upgraded.restore_import(record.id)
    assert set(upgraded.findings()["period"]) == {""} and upgraded.get_import(newer.id)


def test_replacing_an_import_killed_half_way_leaves_the_store_as_it_was(tmp_path, file_a):
    store = Store(tmp_path / "s.sqlite3")
    record = import_file(store, file_a)
    before = (store.fingerprint(), store.findings().to_json(), store.imports())

    def stop(stage):
        if stage == "written":
            raise KeyboardInterrupt

    store._hook = stop
    with pytest.raises(KeyboardInterrupt):
        store.import_findings(
            file_a.frame.iloc[:1],
            file_name="v2.csv",
            sha256="0" * 64,
            rows_total=1,
            rows_rejected=0,
            replaces=record.id,
        )
    store._hook = None
    assert (store.fingerprint(), store.findings().to_json(), store.imports()) == before


def test_extra_attributes_round_trip_through_the_store_and_its_export(tmp_path, file_a):
    store = Store(tmp_path / "s.sqlite3")
    frame = file_a.frame.copy()
    frame["extra"] = [(("Confidence", "high"), ("Date", "2017-05-01")), (), (("Note", "a, b"),)]
    frame["derived"] = [("title",), (), ()]
    record = store.import_findings(
        frame, file_name="x.csv", sha256="1" * 64, rows_total=3, rows_rejected=0
    )
    stored = store.findings()
    assert list(stored["extra"]) == list(frame["extra"])
    assert list(stored["derived"]) == list(frame["derived"])
    header = store.export_import(record.id).decode().splitlines()[0]
    assert header.endswith(",page,Confidence,Date,Note")


# --- PostgreSQL ----------------------------------------------------------------------------------


def test_a_postgresql_store_keeps_its_version_and_order_in_its_own_tables(pg_url, file_a, file_b):
    import psycopg

    store = Store(pg_url)
    assert store.path is None and store.journal_mode == ""
    assert "@127.0.0.1" in repr(store) and "options" not in repr(store)
    second = import_file(store, file_b)
    first = import_file(store, file_a)
    with psycopg.connect(pg_url) as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema()"
            )
        }
    assert version == (str(SCHEMA_VERSION),)
    assert {"imports", "reports", "findings", "views", "meta", "archived_findings"} <= tables
    # Findings come back in import order, then file order (the seq column, not the ids' order).
    assert list(store.findings()["id"]) == [*file_b.frame["id"], *file_a.frame["id"]]
    assert [r.id for r in store.imports()] == [first.id, second.id]


def test_a_restart_of_postgresql_during_an_import_fails_clearly_and_a_retry_lands(
    postgres, pg_url, file_a, file_b
):
    store = Store(pg_url)
    import_file(store, file_a)
    before = state(store)

    def restart(stage: str) -> None:
        if stage == "written":  # every row sent, the COMMIT not yet
            postgres.restart()

    store._hook = restart
    with pytest.raises(StoreError) as err:
        import_file(store, file_b)
    message = str(err.value)
    assert "\n" not in message and "connection to the store" in message
    assert "Nothing was changed" in message and "Try again" in message
    store._hook = None
    assert_same_state(state(store), before)
    record = import_file(store, file_b)
    assert store.ids() == file_a.ids | file_b.ids and store.imports()[0] == record


def test_an_unreachable_postgresql_store_is_one_clear_line_without_its_password(postgres):
    from tests.browser.support import free_port

    url = f"postgresql://app:s3cret@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(StoreError) as err:
        Store(url, timeout=2)
    message = str(err.value)
    assert "\n" not in message and "s3cret" not in message
    assert message.startswith("Cannot reach the store 'postgresql://app@127.0.0.1:")
    assert "PostgreSQL server is running" in message


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://app:s3cret@127.0.0.1:{port}/no_such_db", "no_such_db"),
        ("postgresql://nobody:s3cret@127.0.0.1:{port}/postgres", "nobody"),
        ("postgresql://app:s3cret@127.0.0.1:{port}/postgres?sslmode=bogus", "sslmode"),
    ],
)
def test_a_wrong_postgresql_url_is_one_clear_line(postgres, url, expected):
    with pytest.raises(StoreError) as err:
        Store(url.format(port=postgres.port), timeout=2)
    message = str(err.value)
    assert "\n" not in message and "s3cret" not in message and expected in message


def test_a_postgresql_schema_of_another_program_or_a_newer_version_is_refused(pg_url):
    import psycopg

    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("CREATE TABLE customers (id int)")
    with pytest.raises(StoreError, match=r"PostgreSQL database of another program.*customers"):
        Store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("DROP TABLE customers")
    Store(pg_url)
    with psycopg.connect(pg_url, autocommit=True) as con:
        con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer version of the dashboard"):
        Store(pg_url)


def test_a_postgresql_write_blocked_longer_than_the_timeout_fails_clearly(pg_url, file_a):
    import psycopg

    store = Store(pg_url, timeout=0.3)
    before = state(store)
    with psycopg.connect(pg_url) as holder:  # another process holds the store's write lock
        holder.execute("SELECT value FROM meta WHERE key = 'changes' FOR UPDATE")
        with pytest.raises(StoreError, match=r"is busy.*Nothing was changed"):
            import_file(store, file_a)
    assert_same_state(state(store), before)
    import_file(store, file_a)


# --- format 4: markings, groups and the audit log ------------------------------------------------


def test_markings_and_groups_are_kept_and_read_back_with_each_finding(store, file_a, file_b):
    report = store.import_report(
        ANALYST_REPORT, file_name="note.txt", marking="secret", groups=["cell-a"], by="ana"
    )
    a = import_file(store, file_a)
    b = store.import_findings(
        file_b.frame,
        file_name=file_b.name,
        sha256=file_b.sha256,
        rows_total=2,
        rows_rejected=0,
        marking="Official Sensitive",
        groups=" cell-a, cell-b ; cell-a",
        by="ben",
    )
    assert (report.marking, report.group_list) == ("SECRET", ["cell-a"])
    assert (a.marking, a.group_list) == ("", [])
    assert (b.marking, b.group_list) == ("OFFICIAL-SENSITIVE", ["cell-a", "cell-b"])
    contents = store.contents()
    pd.testing.assert_frame_equal(contents.findings, store.findings())
    assert contents.reports == store.reports()
    assert contents.finding_rules == (
        *[(("", ()),)] * 3,
        *[(("OFFICIAL-SENSITIVE", ("cell-a", "cell-b")),)] * 2,
    )
    assert contents.report_rules == {ANALYST_REPORT.id: (("SECRET", ("cell-a",)),)}


def test_a_finding_quoting_a_stored_report_carries_the_reports_marking_too(
    store, file_quoting_analyst
):
    store.import_report(ANALYST_REPORT, file_name="note.txt", marking="SECRET")
    import_file(store, file_quoting_analyst)
    assert set(store.contents().finding_rules) == {(("", ()), ("SECRET", ()))}


def test_every_import_update_restore_and_removal_is_in_the_audit_log(store, file_a):
    first = import_file(store, file_a)
    newer = store.import_findings(
        file_a.frame.iloc[:1],
        file_name="v2.csv",
        sha256="1" * 64,
        rows_total=1,
        rows_rejected=0,
        replaces=first.id,
        by="Ana (ana@desk)",
    )
    store.restore_import(first.id, by="ben")
    store.remove_import(first.id, by="ben")
    before = store.fingerprint()
    store.audit("ana", "export", {"format": "pptx", "link": "http://desk/?theme=refugees"})
    assert store.fingerprint() == before  # a line alone rebuilds nothing
    lines = store.audit_log()
    assert [(x.who, x.action) for x in lines] == [
        ("ana", "export"),
        ("ben", "remove"),
        ("ben", "restore"),
        ("Ana (ana@desk)", "update"),
        (store.local_name, "import"),
    ]
    assert lines[3].detail["replaces"] == first.id and lines[3].detail["import"] == newer.id
    assert lines[0].detail["link"] == "http://desk/?theme=refugees"
    assert all(x.at.endswith("+00:00") for x in lines)
    assert [x.action for x in store.audit_log(who="BEN")] == ["remove", "restore"]
    assert [x.action for x in store.audit_log(actions=("import", "update"))] == [
        "update",
        "import",
    ]
    today = lines[0].at[:10]
    assert len(store.audit_log(since=today, until=today)) == 5
    assert store.audit_log(until="2000-01-01") == [] and len(store.audit_log(limit=2)) == 2
    with pytest.raises(ValueError, match="unknown audit action"):
        store.audit("ana", "delete everything")


def test_a_failed_import_leaves_no_line_in_the_audit_log(store, file_a):
    import_file(store, file_a)
    with pytest.raises(DuplicateImport):
        import_file(store, file_a)
    assert [x.action for x in store.audit_log()] == ["import"]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET who = 'someone else'",
        "DELETE FROM audit",
        "DELETE FROM audit WHERE id = 1",
    ],
)
def test_the_audit_log_refuses_updates_and_deletes_even_in_sql(target, file_a, statement):
    store = Store(target)
    import_file(store, file_a)
    if store.path is not None:
        con = sqlite3.connect(store.path)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(statement)
        con.close()
    else:
        import psycopg

        with psycopg.connect(target) as con, pytest.raises(psycopg.Error, match="append-only"):
            con.execute(statement)
    assert [x.action for x in store.audit_log()] == ["import"]


def test_a_postgresql_store_of_format_3_is_upgraded_in_place(pg_url, file_a):
    import psycopg

    store = Store(pg_url)
    record = import_file(store, file_a)
    with psycopg.connect(pg_url, autocommit=True) as con:
        for statement in (
            "DROP TRIGGER finding_history_append_only ON finding_history",
            "DROP FUNCTION finding_history_append_only()",
            "DROP TABLE finding_history",
            "ALTER TABLE reports DROP COLUMN pages",
            "DROP TRIGGER audit_append_only ON audit",
            "DROP FUNCTION audit_append_only()",
            "DROP TABLE audit",
            "ALTER TABLE imports DROP COLUMN marking",
            "ALTER TABLE imports DROP COLUMN groups",
            "UPDATE meta SET value = '3' WHERE key = 'schema_version'",
        ):
            con.execute(statement)
    upgraded = Store(pg_url)
    with psycopg.connect(pg_url) as con:
        version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert version == (str(SCHEMA_VERSION),)
    assert upgraded.get_import(record.id).marking == ""  # read as the lowest marking
    assert upgraded.audit_log() == []
    assert [r.id for r in upgraded.imports()] == [record.id]


def test_a_sqlite_store_of_format_3_is_upgraded_in_place(tmp_path, file_a):
    path = tmp_path / "v3.sqlite3"
    record = import_file(Store(path), file_a)
    as_older_format(path, (*TO_FORMAT_3, "PRAGMA user_version = 3"))
    upgraded = Store(path)
    assert format_of(path) == SCHEMA_VERSION
    assert upgraded.get_import(record.id).marking == "" and upgraded.audit_log() == []
    upgraded.audit("ana", "sign-in")
    assert [x.action for x in upgraded.audit_log()] == ["sign-in"]
