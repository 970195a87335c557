"""The store cannot be turned against the analyst: an export of an import is formula-safe and
re-imports to the original text; a store that is not ours, or is newer, is reported with its
path, what is wrong and what to do, and left as it was, while the app runs on the bundled data."""

from __future__ import annotations

import csv
import hashlib
import io
import sqlite3
from pathlib import Path

import pytest
from apptest_support import texts
from streamlit.testing.v1 import AppTest

from dashboard.core.corpus import merge
from dashboard.io import importer
from dashboard.io.store import Store
from dashboard.io.store_records import StoreError
from dashboard.io.store_schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
EXCERPT = "deploying mobile radio broadcasting and social media"
HOSTILE = {"title": "=1+2", "summary": "@SUM(1)", "Handling": '=HYPERLINK("http://x.example")'}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan_of(data: bytes, name: str, corpus, store: Store):
    return importer.plan_findings(
        data,
        name,
        merge(corpus, store.findings(), store.reports()),
        store,
        defaults={"kind": "analysis", "report_id": "hjs-2017-iskp"},
        remember=False,
    )


@pytest.fixture
def stored(corpus, tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(["id", "excerpt", "themes", "title", "summary", "Handling"])
    writer.writerow(
        ["f-1", EXCERPT, "propaganda", HOSTILE["title"], HOSTILE["summary"], HOSTILE["Handling"]]
    )
    plan = plan_of(sheet.getvalue().encode(), "hostile.csv", corpus, store)
    assert plan.rows_valid == 1, plan.problems
    record = importer.commit_findings(plan, store, only_valid=False)
    return store, record


def cells(data: bytes) -> dict[str, str]:
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1
    return rows[0]


def test_an_imports_export_is_formula_safe_by_default(stored):
    store, record = stored
    row = cells(store.export_import(record.id))
    assert row["title"] == "'=1+2"
    assert row["summary"] == "'@SUM(1)"
    assert row["Handling"] == "'" + HOSTILE["Handling"]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in row.values())


def test_a_raw_export_is_a_separate_choice(stored):
    store, record = stored
    row = cells(store.export_import(record.id, raw=True))
    assert row["title"] == "=1+2" and row["summary"] == "@SUM(1)"


def test_a_guarded_export_reimports_to_the_original_text(stored, corpus):
    store, record = stored
    data = store.export_import(record.id)
    plan = plan_of(data, "hostile-again.csv", corpus, store)
    assert plan.rows_valid == 1, plan.problems
    finding = plan.result.findings.iloc[0]
    assert finding["title"] == HOSTILE["title"]
    assert finding["summary"] == HOSTILE["summary"]
    assert dict(finding["extra"])["Handling"] == HOSTILE["Handling"]
    assert finding["excerpt"] == EXCERPT


@pytest.mark.parametrize("title", ["\t=cmd", "\r=cmd", " =cmd", "=cmd"])
def test_a_formula_behind_tabs_or_returns_is_reported_like_any_formula(corpus, tmp_path, title):
    store = Store(tmp_path / "store.sqlite3")
    sheet = io.StringIO()
    csv.writer(sheet).writerow(["id", "excerpt", "themes", "title"])
    csv.writer(sheet).writerow(["f-1", EXCERPT, "propaganda", title])
    plan = plan_of(sheet.getvalue().encode(), "tabs.csv", corpus, store)
    formula = [p for p in plan.problems if p.column == "title" and "formula" in p.message]
    assert formula, plan.problems
    assert "'='" in formula[0].message


def alien(path: Path, version: int) -> Path:
    """An SQLite file at the store's format *version* whose ``meta`` table is not ours."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('owner', 'another program')")
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("version", [SCHEMA_VERSION, SCHEMA_VERSION + 1])
def test_a_store_that_is_not_ours_is_refused_and_left_alone(tmp_path, version):
    path = alien(tmp_path / "alien.sqlite3", version)
    before = digest(path)
    with pytest.raises(StoreError) as raised:
        Store(path)
    message = str(raised.value)
    assert str(path) in message
    assert "Nothing was changed" in message
    assert "DASHBOARD_STORE" in message
    assert digest(path) == before


def test_the_app_runs_on_the_bundled_data_beside_an_alien_store(tmp_path, monkeypatch):
    path = alien(tmp_path / "alien.sqlite3", SCHEMA_VERSION)
    before = digest(path)
    monkeypatch.setenv("DASHBOARD_STORE", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(texts(at.error))
    assert "cannot be shown" in errors and str(path) in errors
    assert len(at.error) == 1  # said once, at the top, however many parts do without the store
    assert "23 findings" in " ".join(texts(at.markdown))
    assert digest(path) == before


def test_the_import_page_offers_the_guarded_export_and_warns_of_the_raw_one(stored, monkeypatch):
    store, record = stored
    monkeypatch.setenv("DASHBOARD_STORE", str(store.path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/imports.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert not any("as formulas" in w for w in texts(at.warning))
    at.checkbox(key=f"exp_raw_{record.id}").check().run()
    assert any("may run them as formulas" in w for w in texts(at.warning))
