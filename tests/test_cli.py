"""The command line end to end: `python -m dashboard import FILE ...`, `imports`, `remove`,
`restore`, against a store of its own (DASHBOARD_STORE), with generated sheets."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_sheets import text_sheet, xlsx_sheet

from dashboard.cli import main
from dashboard.io.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store_path(tmp_path, monkeypatch):
    path = tmp_path / "store.sqlite3"
    monkeypatch.setenv("DASHBOARD_STORE", str(path))
    return path


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(args), out=out)
    return status, out.getvalue()


def run_json(*args: str) -> tuple[int, dict]:
    status, text = run(*args, "--json")
    return status, json.loads(text)


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_every_row_imports_exit_0(tmp_path, store_path):
    file = write(tmp_path, "log.xlsx", xlsx_sheet())
    status, report = run_json("import", file, "--default", "kind=analysis")
    assert status == 0
    assert report["written"] is True and report["imported"] == 1
    assert report["rows"] == report["importable"] == 3 and report["rejected"] == []
    assert report["read_as"] == {
        "format": "Excel workbook",
        "encoding": None,
        "delimiter": None,
        "sheet": "Findings 2017",
        "header_row": 3,
        "rows": 3,
    }
    assert report["mapping"] == {
        "Finding ID": "id",
        "Quote": "excerpt",
        "Province": "regions",
        "Theme(s)": "themes",
        "Actor": "actors",
        "Date": "period",
    }
    assert report["extra_columns"] == ["Confidence"] and report["ignored_columns"] == []
    assert report["defaults"] == {
        "kind": "analysis",
        "report_id": "hjs-2017-iskp",
        "title": "derive",
    }
    assert len(Store(store_path).findings()) == 3


def test_refused_rows_exit_1_and_nothing_written_unless_only_valid(tmp_path, store_path):
    data = text_sheet().replace(b"propaganda; online", b"propoganda; online")
    file = write(tmp_path, "log.csv", data)
    status, report = run_json("import", file, "--default", "kind=analysis")
    assert status == 1 and report["written"] is False and report["importable"] == 2
    assert report["rejected"] == [
        {
            "row": 3,
            "column": "themes",
            "value": "propoganda; online radicalisation",
            "message": "unknown theme 'propoganda'",
            "suggestion": "did you mean 'propaganda'?",
        }
    ]
    assert Store(store_path).findings().empty
    status, report = run_json("import", file, "--default", "kind=analysis", "--only-valid")
    assert status == 1 and report["written"] is True
    assert sorted(Store(store_path).findings()["id"]) == ["k-1", "k-3"]


def test_unreadable_file_exit_2(tmp_path, store_path):
    status, report = run_json("import", write(tmp_path, "x.xlsx", b"PK\x03\x04 no zip"))
    assert status == 2 and report["rows"] == 0
    assert report["rejected"][0]["message"].startswith("not a readable Excel workbook")
    assert main(["import", str(tmp_path / "missing.csv")]) == 2


def test_dry_run_writes_nothing(tmp_path, store_path):
    file = write(tmp_path, "log.csv", text_sheet(";", "cp1252"))
    status, text = run("import", file, "--default", "kind=analysis", "--dry-run")
    assert status == 0
    assert "read as semicolon-separated, Windows-1252, 3 rows" in text
    assert "Dry run: nothing was written." in text
    assert Store(store_path).imports() == []


def test_map_and_defaults(tmp_path, store_path):
    data = text_sheet().replace(b"Quote", b"Zitat")
    file = write(tmp_path, "z.csv", data)
    status, report = run_json("import", file, "--dry-run")
    assert status == 1 and {r["column"] for r in report["rejected"]} == {"excerpt", "kind"}
    status, report = run_json(
        "import",
        file,
        "--dry-run",
        "--map",
        "zitat=excerpt",
        "--map",
        "Date=ignore",
        "--default",
        "kind=Analysis",
        "--default",
        "title=derive",
    )
    assert status == 0 and report["mapping"]["Zitat"] == "excerpt"
    assert report["ignored_columns"] == ["Date"]
    assert main(["import", file, "--map", "Nope=excerpt"]) == 2
    assert main(["import", file, "--map", "Zitat=colour"]) == 2
    assert main(["import", file, "--default", "colour=red"]) == 2


def test_a_second_version_updates_the_first(tmp_path, store_path):
    first = write(tmp_path, "log.csv", text_sheet())
    assert run("import", first, "--default", "kind=analysis")[0] == 0
    edited = text_sheet().replace(b"high", b"low")
    second = write(tmp_path, "log-v2.csv", edited)
    status, report = run_json("import", second)  # mapping and defaults remembered
    assert status == 0 and report["remembered_mapping"] is True
    assert report["new_version_of"] == 1
    assert report["diff"] == {
        "added": [],
        "changed": {"k-1": ["extra"]},
        "removed": [],
        "unchanged": 2,
    }
    status, listing = run_json("imports")
    assert [(r["id"], r["current"]) for r in listing] == [(2, True), (1, False)]
    assert run("restore", "1")[0] == 0
    assert Store(store_path).get_import(1).current
    status, text = run("remove", "1")
    assert status == 0 and "Removed import #1" in text
    assert run("remove", "1")[0] == 1


def test_python_dash_m_dashboard(tmp_path, store_path):
    process = subprocess.run(
        [sys.executable, "-m", "dashboard", "imports"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert process.returncode == 0 and process.stdout.strip() == "Nothing imported yet."


def test_serve_warms_the_caches_the_first_page_reads(monkeypatch):
    """After the warm-up, the first page's corpus, index, map shapes and figure come from the
    caches: loading again would fail here, and nothing asks to."""
    import streamlit as st

    from dashboard.ui import data, serve
    from dashboard.ui.explorer import MAP_HEIGHT

    st.cache_resource.clear()  # nothing left from other tests
    serve.warm_caches()

    def refuse(*args, **kwargs):
        raise AssertionError("loaded again after the warm-up")

    monkeypatch.setattr(data, "load_corpus", refuse)
    monkeypatch.setattr(data, "prepare_files", refuse)
    monkeypatch.setattr(data.maps, "build_map", refuse)
    corpus, index = data.base()
    assert len(corpus.findings) == len(index)
    data.map_data()
    data.map_figure(dict(index.region_counts(None)), None, MAP_HEIGHT)


def test_serve_passes_streamlit_options_through(monkeypatch):
    from dashboard.ui import serve

    seen = {}
    monkeypatch.setattr(serve, "start_warming", lambda: None)

    def fake_main(args, standalone_mode):
        seen["args"] = args
        raise SystemExit(0)

    monkeypatch.setattr("streamlit.web.cli.main", fake_main)
    assert main(["serve", "--server.port", "8600"]) == 0
    assert seen["args"] == ["run", str(serve.APP), "--server.port", "8600"]
