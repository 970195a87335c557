"""The corpus cache (dashboard.core.corpus_cache): a load from the cache is exactly the load
without it, and an edited input, new code, a damaged entry or a folder that cannot be written
never gives anything else."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from dashboard import DATA_DIR
from dashboard.core import corpus as corpus_module
from dashboard.core import corpus_cache
from dashboard.core.corpus import Corpus, load_corpus
from dashboard.query.index import FindingsIndex

REPORT = "hjs-2017-iskp"
MORE_CSV = (
    "id,report_id,kind,title,excerpt,themes,regions,actors,Confidence\n"
    # kept, with an extra attribute, regions and actors as lists
    f"more-01,{REPORT},analysis,One,This report highlights,propaganda;refugees,"
    '"Nangarhar, Kunar",IS|TTP,high\n'
    # kept with a warning (a title that begins like a formula)
    f"more-02,{REPORT},analysis,=Two,This report highlights,propaganda,,,\n"
    # refused: unknown theme
    f"more-03,{REPORT},analysis,Three,This report highlights,propagandaa,,,low\n"
    # refused: the id of a bundled finding
    f"hjs2017-ko-01,{REPORT},analysis,Four,This report highlights,propaganda,,,\n"
)
MORE_JSON = [
    {
        "id": "more-json-01",
        "report_id": REPORT,
        "kind": "analysis",
        "title": "From JSON",
        "excerpt": "This report highlights",
        "themes": ["propaganda", "expansion"],
        "regions": ["AF", "PK"],
        "actors": ["IS"],
        "page": 3,
    }
]


def _data_dir(tmp_path: Path) -> Path:
    """A copy of the bundled data with findings files that give problems of every kind."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("*.geojson", "icon.png"))
    findings = folder / "findings"
    (findings / "more.csv").write_text(MORE_CSV, encoding="utf-8")
    (findings / "more.json").write_text(json.dumps(MORE_JSON), encoding="utf-8")
    (findings / "empty.csv").write_text("", encoding="utf-8")  # a whole-file problem
    return folder


@pytest.fixture
def data(tmp_path) -> Path:
    return _data_dir(tmp_path)


@pytest.fixture
def cache(tmp_path) -> Path:
    return tmp_path / "cache"


def _entries(cache: Path, kind: str = "corpus") -> list[Path]:
    corpus_cache.flush()  # entries are written in the background
    return sorted(cache.glob(f"{kind}-*.arrow")) if cache.exists() else []


def _assert_same(a: Corpus, b: Corpus) -> None:
    pd.testing.assert_frame_equal(a.findings, b.findings, check_exact=True)
    assert a.problems == b.problems
    assert a.reports == b.reports
    assert a.gazetteer.codes == b.gazetteer.codes


def _no_validation(monkeypatch) -> None:
    """From here on, a load that validates any findings file fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("validated a findings file: the cache was not used")

    monkeypatch.setattr(corpus_module, "load_findings_bytes", refuse)


def test_a_load_from_the_cache_equals_the_load_without_it(data, cache, monkeypatch):
    plain = load_corpus(data, cache=False)
    assert not _entries(cache)
    # The data gives what the cache must keep: problems of both severities, some for a whole
    # file (no row), extra attributes, list columns and a page.
    assert {p.severity for p in plain.problems} == {"error", "warning"}
    assert any(p.row is None for p in plain.problems)
    assert plain.findings.set_index("id").loc["more-01", "extra"] == (("Confidence", "high"),)
    assert plain.findings.set_index("id").loc["more-json-01", "page"] == 3

    first = load_corpus(data, cache_dir=cache)
    _assert_same(plain, first)
    [entry] = _entries(cache)

    _no_validation(monkeypatch)
    cached = load_corpus(data, cache_dir=cache)
    _assert_same(plain, cached)
    assert _entries(cache) == [entry]
    # List cells are tuples again, as the loader makes them.
    row = cached.findings.set_index("id").loc["more-01"]
    assert row["regions"] == ("AF-NAN", "AF-KNR") and row["actors"] == ("IS", "TTP")
    assert all(
        type(v) is tuple for c in ("themes", "regions", "actors") for v in cached.findings[c]
    )


def test_the_bundled_data_round_trips(cache, monkeypatch):
    plain = load_corpus(cache=False)
    load_corpus(cache_dir=cache)
    _no_validation(monkeypatch)
    _assert_same(plain, load_corpus(cache_dir=cache))


def test_an_empty_findings_folder_round_trips(data, cache, monkeypatch):
    for path in (data / "findings").iterdir():
        path.unlink()
    plain = load_corpus(data, cache=False)
    assert plain.findings.empty
    load_corpus(data, cache_dir=cache)
    _no_validation(monkeypatch)
    _assert_same(plain, load_corpus(data, cache_dir=cache))


@pytest.mark.parametrize(
    "edit",
    ["findings byte", "report text", "report metadata", "taxonomy", "gazetteer", "new file"],
)
def test_a_changed_input_is_loaded_again(data, cache, edit):
    load_corpus(data, cache_dir=cache)
    csv = data / "findings" / "more.csv"
    if edit == "findings byte":
        text = csv.read_bytes()
        csv.write_bytes(text.replace(b",One,", b",Onf,"))  # one byte of one title
    elif edit == "report text":
        path = data / "reports" / REPORT / "report.txt"
        path.write_bytes(path.read_bytes() + b"\nA line added at the end.\n")
    elif edit == "report metadata":
        path = data / "reports" / REPORT / "report.toml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    elif edit == "taxonomy":
        path = data / "taxonomy.toml"
        path.write_text(path.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    elif edit == "gazetteer":
        path = data / "regions" / "gazetteer.csv"
        path.write_bytes(path.read_bytes() + b"\n")
    else:
        (data / "findings" / "z-new.csv").write_text(
            "id,report_id,kind,title,excerpt,themes\n"
            f"new-01,{REPORT},analysis,New,This report highlights,propaganda\n",
            encoding="utf-8",
        )
    after = load_corpus(data, cache_dir=cache)
    _assert_same(load_corpus(data, cache=False), after)
    assert len(_entries(cache)) == 2
    if edit == "findings byte":
        assert "Onf" in set(after.findings["title"])


@pytest.mark.parametrize("edited", ["findings file", "report metadata"])
def test_a_file_edited_during_the_load_is_not_kept(data, cache, monkeypatch, edited):
    # The edit lands after the files were hashed for the key and before they are read: the
    # load reads the new contents, and must not keep them under the old contents' key.
    real = corpus_module.load_report

    def load_and_edit(folder):
        if edited == "findings file":
            csv = data / "findings" / "more.csv"
            csv.write_bytes(csv.read_bytes().replace(b",One,", b",Onf,"))
        else:
            toml = folder / "report.toml"
            toml.write_text(toml.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return real(folder)

    monkeypatch.setattr(corpus_module, "load_report", load_and_edit)
    loaded = load_corpus(data, cache_dir=cache)
    monkeypatch.setattr(corpus_module, "load_report", real)
    assert not _entries(cache)
    _assert_same(load_corpus(data, cache=False), loaded)


def test_a_renamed_data_folder_is_its_own_entry(data, cache, tmp_path):
    # Problems name their files by the folder's path: another path is another corpus.
    load_corpus(data, cache_dir=cache)
    moved = tmp_path / "moved"
    data.rename(moved)
    loaded = load_corpus(moved, cache_dir=cache)
    assert all(str(moved) in p.file for p in loaded.problems)
    assert len(_entries(cache)) == 2


@pytest.mark.parametrize(
    "damage", ["flipped byte", "truncated", "empty", "not arrow", "trailer only"]
)
def test_a_damaged_entry_is_ignored_and_replaced(data, cache, damage):
    plain = load_corpus(data, cache=False)
    load_corpus(data, cache_dir=cache)
    [entry] = _entries(cache)
    body = entry.read_bytes()
    if damage == "flipped byte":
        middle = len(body) // 2
        entry.write_bytes(body[:middle] + bytes([body[middle] ^ 0x01]) + body[middle + 1 :])
    elif damage == "truncated":
        entry.write_bytes(body[: len(body) // 3])
    elif damage == "empty":
        entry.write_bytes(b"")
    elif damage == "not arrow":
        entry.write_bytes(b"hello" * 100)
    else:
        entry.write_bytes(body[-40:])
    key = entry.name.removeprefix("corpus-").removesuffix(".arrow")
    assert corpus_cache.read_findings(cache, key) is None
    _assert_same(plain, load_corpus(data, cache_dir=cache))
    corpus_cache.flush()
    assert entry.read_bytes() == body  # written again, whole
    assert corpus_cache.read_findings(cache, key) is not None


def test_an_entry_under_another_key_is_not_served(data, cache):
    load_corpus(data, cache_dir=cache)
    [entry] = _entries(cache)
    # A well-formed entry for other data, put where this data's entry is looked for.
    other = _data_dir(cache.parent / "other")
    (other / "findings" / "more.csv").unlink()
    load_corpus(other, cache_dir=cache)
    [other_entry] = [e for e in _entries(cache) if e != entry]
    shutil.copy(other_entry, entry)
    key = entry.name.removeprefix("corpus-").removesuffix(".arrow")
    assert corpus_cache.read_findings(cache, key) is None
    _assert_same(load_corpus(data, cache=False), load_corpus(data, cache_dir=cache))


def test_new_code_does_not_read_an_old_entry(data, cache, monkeypatch):
    load_corpus(data, cache_dir=cache)
    [old] = _entries(cache)
    # Another version of the validating code: another key, so the entry is not looked at.
    monkeypatch.setattr(corpus_cache, "code_version", lambda: "another version")
    _assert_same(load_corpus(data, cache=False), load_corpus(data, cache_dir=cache))
    assert len(_entries(cache)) == 2 and old in _entries(cache)


def test_the_code_version_follows_the_source(monkeypatch, tmp_path):
    # The version is a digest of the package's core, io and query sources: an edit changes it
    # (of a copy of the package, which nothing else edits meanwhile).
    root = Path(corpus_cache.__file__).resolve().parents[1]
    copy = tmp_path / "dashboard"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("__pycache__"))
    script = textwrap.dedent(
        """
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location(
            "corpus_cache_copy", sys.argv[1] + "/core/corpus_cache.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(module.code_version())
        """
    )

    def version_of_copy() -> str:
        run = subprocess.run(
            [sys.executable, "-c", script, str(copy)], capture_output=True, text=True, check=True
        )
        return run.stdout.strip()

    before = version_of_copy()
    assert version_of_copy() == before
    rows = copy / "core" / "row_checks.py"
    rows.write_text(rows.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = version_of_copy()
    assert after != before
    # The pages' code makes nothing the cache keeps.
    maps = copy / "views" / "maps.py"
    maps.write_text(maps.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert version_of_copy() == after


def test_an_entry_of_another_format_is_ignored(data, cache, monkeypatch):
    load_corpus(data, cache_dir=cache)
    [entry] = _entries(cache)
    key = entry.name.removeprefix("corpus-").removesuffix(".arrow")
    monkeypatch.setattr(corpus_cache, "CACHE_FORMAT", corpus_cache.CACHE_FORMAT + 1)
    assert corpus_cache.read_findings(cache, key) is None


@pytest.mark.parametrize("how", ["parent is a file", "folder is a file"])
def test_a_cache_folder_that_cannot_be_written_only_means_no_cache(data, tmp_path, how):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    folder = blocker / "cache" if how == "parent is a file" else blocker
    plain = load_corpus(data, cache=False)
    _assert_same(plain, load_corpus(data, cache_dir=folder))
    _assert_same(plain, load_corpus(data, cache_dir=folder))
    assert blocker.read_text() == "not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_only_means_no_cache(data, cache):
    cache.mkdir()
    cache.chmod(0o500)
    try:
        _assert_same(load_corpus(data, cache=False), load_corpus(data, cache_dir=cache))
        assert not _entries(cache)
    finally:
        cache.chmod(0o700)


def test_the_cache_folder_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(corpus_cache.CACHE_DIR_ENV, str(tmp_path / "given"))
    assert corpus_cache.cache_dir() == tmp_path / "given"
    monkeypatch.delenv(corpus_cache.CACHE_DIR_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert corpus_cache.cache_dir() == tmp_path / "xdg" / "dashboard"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/not/used")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert corpus_cache.cache_dir() == tmp_path / "home" / ".cache" / "dashboard"


def test_load_corpus_uses_the_default_folder(data, tmp_path, monkeypatch):
    monkeypatch.setenv(corpus_cache.CACHE_DIR_ENV, str(tmp_path / "default"))
    load_corpus(data)
    assert len(_entries(tmp_path / "default")) == 1


def test_only_the_newest_entries_are_kept(data, cache):
    for n in range(corpus_cache.KEEP + 2):
        (data / "findings" / "more.csv").write_text(
            MORE_CSV.replace(",One,", f",One {n},"), encoding="utf-8"
        )
        load_corpus(data, cache_dir=cache)
    assert len(_entries(cache)) == corpus_cache.KEEP
    # The newest is among them: loading the last version again does not validate.
    assert any(corpus_cache.read_findings(cache, e.name[7:-6]) is not None for e in _entries(cache))
    assert not list(cache.glob(".*.tmp"))


def test_a_crashed_writers_temporary_file_is_removed_later(data, cache):
    cache.mkdir()
    stale = cache / ".corpus-abc.arrow.1.beef.tmp"
    stale.write_bytes(b"half an entry")
    fresh = cache / ".corpus-def.arrow.2.cafe.tmp"
    fresh.write_bytes(b"being written")
    old = corpus_cache.STALE_TEMP_S + 60
    os.utime(stale, (stale.stat().st_atime - old, stale.stat().st_mtime - old))
    load_corpus(data, cache_dir=cache)
    corpus_cache.flush()
    assert not stale.exists() and fresh.exists()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from dashboard.core import corpus_cache
    from dashboard.core.corpus import load_corpus
    data, cache, key, rounds = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    corpus = load_corpus(data, cache=False)
    print("ready", flush=True)
    sys.stdin.readline()
    for _ in range(rounds):
        assert corpus_cache.write_findings(cache, key, corpus.findings, corpus.problems)
    """
)


def test_concurrent_writers_never_leave_a_damaged_entry(data, cache):
    plain = load_corpus(data, cache=False)
    key = "c" * 64
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(data), str(cache), key, "40"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for writer in writers:
            assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        for writer in writers:  # both start writing together
            assert writer.stdin is not None
            writer.stdin.write("go\n")
            writer.stdin.flush()
        reads = 0
        while any(w.poll() is None for w in writers):
            found = corpus_cache.read_findings(cache, key)
            if found is not None:
                reads += 1
                pd.testing.assert_frame_equal(found[0], plain.findings, check_exact=True)
                assert found[1] == tuple(p for p in plain.problems if "findings" in p.file)
    finally:
        for writer in writers:
            writer.wait(timeout=120)
    assert [w.returncode for w in writers] == [0, 0]
    found = corpus_cache.read_findings(cache, key)
    assert found is not None
    pd.testing.assert_frame_equal(found[0], plain.findings, check_exact=True)
    assert not list(cache.glob(".*.tmp"))


def test_two_processes_loading_at_once_both_get_the_corpus(data, cache):
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from dashboard.core.corpus import load_corpus
        corpus = load_corpus(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
        print(len(corpus.findings), len(corpus.problems))
        """
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(data), str(cache)], stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [r.communicate(timeout=120)[0].strip() for r in runs]
    plain = load_corpus(data, cache=False)
    assert outputs == [f"{len(plain.findings)} {len(plain.problems)}"] * 2
    assert len(_entries(cache)) == 1
    _assert_same(plain, load_corpus(data, cache_dir=cache))


def test_a_frame_the_cache_cannot_give_back_is_not_cached(cache):
    odd = pd.DataFrame({"a": [{"not": "a tuple"}]})
    assert corpus_cache.write_findings(cache, "d" * 64, odd, ()) is None
    nan = pd.DataFrame({"a": [("x",), float("nan")]}, dtype=object)
    assert corpus_cache.write_findings(cache, "e" * 64, nan, ()) is None
    indexed = pd.DataFrame({"a": [1, 2]}, index=[5, 6])
    assert corpus_cache.write_findings(cache, "f" * 64, indexed, ()) is None
    assert not _entries(cache)


def test_missing_values_and_nested_tuples_round_trip(cache):
    frame = pd.DataFrame(
        {
            "text": pd.array(["a", None, "ç"], dtype="str"),
            "lists": pd.Series([("x", "y"), None, (("k", "v"), ("k2", ""))], dtype=object),
            "page": pd.array([1, None, 3], dtype="Int64"),
            "n": [1, 2, 3],
            "f": [0.5, float("nan"), 2.0],
        }
    )
    assert corpus_cache.write_findings(cache, "a" * 64, frame, ()) is not None
    back = corpus_cache.read_findings(cache, "a" * 64)
    assert back is not None
    pd.testing.assert_frame_equal(back[0], frame, check_exact=True)


# --- the index's folded search text -----------------------------------------------------------


def test_the_search_text_cache_gives_the_same_index(data, cache, monkeypatch):
    monkeypatch.setattr(corpus_cache, "MIN_DERIVED_ROWS", 0)
    monkeypatch.setenv(corpus_cache.CACHE_DIR_ENV, str(cache))
    (data / "findings" / "empty.csv").unlink()  # else the text columns are of dtype object
    corpus = load_corpus(data, cache=False)
    plain = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never", cache=False)
    assert not _entries(cache, "derived")
    first = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")
    assert len(_entries(cache, "derived")) == 1

    import dashboard.query.index as index_module

    def refuse(*args):
        raise AssertionError("folded again: the cache was not used")

    monkeypatch.setattr(index_module, "search_texts", refuse)
    again = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="now")
    assert plain.text.tolist() == first.text.tolist() == again.text.tolist()
    assert again.term_mask("highlights").tolist() == plain.term_mask("highlights").tolist()

    # Another title is another key: folded again (and so refused here).
    changed = corpus.findings.copy()
    changed["title"] = changed["title"].str.upper()
    with pytest.raises(AssertionError, match="folded again"):
        FindingsIndex.build(changed, corpus.gazetteer, words="never")


def test_a_damaged_search_text_entry_is_folded_again(data, cache, monkeypatch):
    monkeypatch.setattr(corpus_cache, "MIN_DERIVED_ROWS", 0)
    monkeypatch.setenv(corpus_cache.CACHE_DIR_ENV, str(cache))
    (data / "findings" / "empty.csv").unlink()  # else the text columns are of dtype object
    corpus = load_corpus(data, cache=False)
    plain = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never", cache=False)
    FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")
    [entry] = _entries(cache, "derived")
    body = entry.read_bytes()
    entry.write_bytes(body[:-1] + bytes([body[-1] ^ 0xFF]))
    again = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")
    assert again.text.tolist() == plain.text.tolist()
    corpus_cache.flush()
    assert entry.read_bytes() == body


def test_the_search_text_key_follows_sliced_columns(cache, monkeypatch):
    # Two frames whose columns are slices of one Arrow array at different offsets key by
    # their own contents.
    monkeypatch.setattr(corpus_cache, "MIN_DERIVED_ROWS", 0)
    base = pd.Series(["alpha", "beta", "gamma", "delta"], dtype="str")
    calls = []

    def compute(series):
        def run():
            calls.append(series.tolist())
            return [s.upper() for s in series.tolist()]

        return run

    head, tail = base.iloc[:2].reset_index(drop=True), base.iloc[2:].reset_index(drop=True)
    for series in (head, tail, head, tail):
        out = corpus_cache.cached_strings("test", [series], compute(series), directory=cache)
        assert out == [s.upper() for s in series.tolist()]
    assert calls == [["alpha", "beta"], ["gamma", "delta"]]


# --- validating in worker processes ------------------------------------------------------------

from dashboard.core import corpus_workers  # noqa: E402


def _many_files(data: Path) -> Path:
    """Findings in several files, one with the id of a finding of an earlier file (so that
    checking each file alone is not enough)."""
    for n in range(4):
        rows = "".join(
            f"w{n}-{i:03d},{REPORT},analysis,T {n} {i},This report highlights,propaganda\n"
            for i in range(40)
        )
        clash = f"w0-001,{REPORT},analysis,Again,This report highlights,propaganda\n" if n else ""
        (data / "findings" / f"w{n}.csv").write_text(
            "id,report_id,kind,title,excerpt,themes\n" + rows + clash, encoding="utf-8"
        )
    return data


def _slow_here(monkeypatch) -> None:
    """This process validates its first file only once a worker has been handed one (or has
    stopped), so that the workers (which take about a second to start) get files."""
    import threading

    handed = threading.Event()
    send, run = corpus_workers._send, corpus_workers._Feeder.run

    def sending(stream, value):
        send(stream, value)
        if isinstance(value, tuple):  # a file to validate
            handed.set()

    def running(self):
        try:
            run(self)
        finally:
            handed.set()

    monkeypatch.setattr(corpus_workers, "_send", sending)
    monkeypatch.setattr(corpus_workers._Feeder, "run", running)
    real = corpus_module.load_findings_bytes

    def waiting(*args, **kwargs):
        handed.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(corpus_module, "load_findings_bytes", waiting)


def _validated_by_workers(log: str) -> int:
    import re

    return sum(int(n) for n in re.findall(r"validated (\d+) files", log))


@pytest.mark.parametrize("workers", [1, 2])
def test_workers_give_the_load_of_one_process(data, workers, caplog, monkeypatch):
    _many_files(data)
    one = load_corpus(data, cache=False, workers=0)
    assert sum("w0-001" in p.message for p in one.problems) == 3
    _slow_here(monkeypatch)
    with caplog.at_level("DEBUG", logger=corpus_workers.__name__):
        many = load_corpus(data, cache=False, workers=workers)
    _assert_same(one, many)
    # (A worker stops when the package's core, io or query source changed since this process
    # first read it: an edit during the test run.)
    assert _validated_by_workers(caplog.text) >= 1, caplog.text
    assert "stopped" not in caplog.text


def test_workers_and_the_cache_together(data, cache, monkeypatch):
    _many_files(data)
    one = load_corpus(data, cache=False, workers=0)
    with monkeypatch.context() as patch:
        _slow_here(patch)
        _assert_same(one, load_corpus(data, cache_dir=cache, workers=1))
    _no_validation(monkeypatch)
    _assert_same(one, load_corpus(data, cache_dir=cache, workers=1))


FAILING_WORKER = """
import sys
import dashboard.core.findings as findings
from dashboard.core import corpus_workers
real, calls = findings.load_findings_bytes, []
def failing(*args, **kwargs):
    calls.append(1)
    if len(calls) == 1:
        raise RuntimeError("a worker failing on its first file")
    return real(*args, **kwargs)
findings.load_findings_bytes = failing
sys.exit(corpus_workers.main())
"""


@pytest.mark.parametrize(
    "command",
    [
        ("no such program",),
        (sys.executable, "-c", "import sys; sys.exit(3)"),
        (sys.executable, "-c", "print('not the protocol')"),
        (sys.executable, "-c", FAILING_WORKER),
    ],
    ids=["cannot start", "exits", "talks nonsense", "fails on a file"],
)
def test_a_failing_worker_leaves_its_files_to_this_process(data, monkeypatch, command, caplog):
    _many_files(data)
    one = load_corpus(data, cache=False, workers=0)
    _slow_here(monkeypatch)
    monkeypatch.setattr(corpus_workers, "COMMAND", command)
    with caplog.at_level("WARNING", logger=corpus_workers.__name__):
        _assert_same(one, load_corpus(data, cache=False, workers=1))
    assert "corpus worker stopped" in caplog.text


def test_a_worker_running_other_code_is_not_used(data, monkeypatch, caplog):
    _many_files(data)
    one = load_corpus(data, cache=False, workers=0)
    _slow_here(monkeypatch)
    monkeypatch.setattr(corpus_cache, "code_version", lambda: "not the worker's")
    with caplog.at_level("WARNING", logger=corpus_workers.__name__):
        _assert_same(one, load_corpus(data, cache=False, workers=1))
    assert "runs other code" in caplog.text


def test_how_many_workers(monkeypatch):
    monkeypatch.delenv(corpus_workers.WORKERS_ENV, raising=False)
    big = corpus_workers.MIN_BYTES
    assert corpus_workers.worker_count([big, big]) == 0  # too few files
    assert corpus_workers.worker_count([10, 10, 10, 10]) == 0  # too few bytes
    many = corpus_workers.worker_count([big] * 20)
    assert 0 <= many <= corpus_workers.MAX_WORKERS
    monkeypatch.setattr(corpus_workers.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(corpus_workers.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert corpus_workers.worker_count([big] * 20) == 1
    monkeypatch.setattr(corpus_workers.os, "getloadavg", lambda: (1.8, 1.0, 1.0))
    assert corpus_workers.worker_count([big] * 20) == 0  # the other CPU is busy
    monkeypatch.setenv(corpus_workers.WORKERS_ENV, "0")
    assert corpus_workers.worker_count([big] * 20) == 0
    monkeypatch.setenv(corpus_workers.WORKERS_ENV, "2")
    assert corpus_workers.worker_count([1, 1]) == 1  # at most one file each
    monkeypatch.setenv(corpus_workers.WORKERS_ENV, "many")
    monkeypatch.setattr(corpus_workers.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    assert corpus_workers.worker_count([big] * 20) == 1


@pytest.mark.parametrize("dtype", ["str", object])
def test_search_texts_fold_each_row_as_search_text_does(dtype):
    from dashboard.query.words import search_text, search_texts

    titles = ["Nangarhār  Province", "ISKP’s “urban youth”", "", "\tTabs\x1fand\u00a0spaces "]
    summaries = ["", "Ǆ ß ﬁ", "only summary", "x"]
    excerpts = ["ÉCOLE", "a\nb", "", "  "]
    columns = [pd.Series(c, dtype=dtype) for c in (titles, summaries, excerpts)]
    expected = [search_text(*row) for row in zip(titles, summaries, excerpts)]
    assert search_texts(*columns) == expected
    empty = [pd.Series([], dtype=dtype)] * 3
    assert search_texts(*empty) == []


@pytest.mark.parametrize("workers", [0, 1])
def test_a_findings_file_that_cannot_be_read_fails_the_load_alike(data, workers, monkeypatch):
    _many_files(data)
    (data / "findings" / "w9.csv").mkdir()  # a folder where a file is expected
    if workers:
        _slow_here(monkeypatch)
    with pytest.raises(IsADirectoryError):
        load_corpus(data, cache=False, workers=workers)


def test_a_file_name_that_is_not_utf8_round_trips(data, cache, monkeypatch):
    name = os.fsdecode(b"odd-\xff.csv")  # a surrogate in the str
    try:
        (data / "findings" / name).write_text(
            "id,report_id,kind,title,excerpt,themes\n"
            f"odd-01,{REPORT},analysis,Odd,This report highlights,propagandaa\n",
            encoding="utf-8",
        )
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses the name")
    plain = load_corpus(data, cache=False)
    assert any(name in p.file for p in plain.problems)
    load_corpus(data, cache_dir=cache)
    _no_validation(monkeypatch)
    _assert_same(plain, load_corpus(data, cache_dir=cache))


def test_a_read_waits_only_for_the_write_of_its_own_entry(tmp_path):
    import threading

    release, done = threading.Event(), []

    def slow_write():
        done.append(release.wait(60))

    corpus_cache.in_background(tmp_path / "corpus-a.arrow", slow_write)
    corpus_cache.flush(tmp_path / "corpus-b.arrow")  # another entry: returns at once
    assert corpus_cache.read_findings(tmp_path, "b" * 64) is None
    assert not done  # the write of corpus-a is still waiting
    release.set()
    corpus_cache.flush(tmp_path / "corpus-a.arrow")
    assert done == [True]
