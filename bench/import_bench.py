"""Import timings: planning a 20,000-row sheet, the import page's rerun once it is planned, and
refusing workbook bombs (time and memory above the process's baseline).

Standalone: ``.venv/bin/python bench/import_bench.py``. Writes its table to stdout and to
``bench/results/import.md``. The sheets are SYNTHETIC, made here from the bundled report: each
row quotes a random stretch of the report's own words (so every excerpt anchors), with random
themes and regions from the taxonomy and gazetteer, in the shape analysts keep (headers in their
words, no kind or title column, extra columns). They are not findings of anyone.
"""

from __future__ import annotations

import csv
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
RESULTS = ROOT / "bench" / "results" / "import.md"
ROWS = 20_000
HEADER = ["Finding ID", "Quote", "Province", "Theme(s)", "Actor", "Confidence", "Date"]


def synthetic_rows(n: int, seed: int = 14) -> list[list[str]]:
    from dashboard.core.corpus import load_corpus

    corpus = load_corpus()
    text = next(iter(corpus.reports.values())).text
    words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\S+", text)]
    themes = list(corpus.taxonomy.theme_keys)
    regions = [r.name for r in corpus.gazetteer if r.level in ("country", "province")]
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        while True:  # a stretch that occurs once, so that it anchors without offsets
            first = rng.randrange(len(words) - 12)
            start, end = words[first][0], words[first + rng.randrange(3, 12)][1]
            if text.count(text[start:end]) == 1:
                break
        rows.append(
            [
                f"syn-{i:06d}",
                text[start:end],
                ", ".join(rng.sample(regions, rng.randrange(1, 3))),
                "; ".join(rng.sample(themes, rng.randrange(1, 3))),
                rng.choice(["ISKP", "TTP", "Afghan Taliban"]),
                rng.choice(["high", "medium", "low"]),
                f"2017-0{rng.randrange(1, 10)}-1{rng.randrange(0, 10)}",
            ]
        )
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("cp1252", "replace")


def xlsx_bytes(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    readme = book.create_sheet("README")
    readme.append(["Synthetic findings for timing the import; not anyone's findings."])
    sheet = book.create_sheet("Findings")
    sheet.append(["Synthetic findings log"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(function, repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def plan_timings(rows) -> list[tuple[str, str, str, str]]:
    from dashboard.core.corpus import load_corpus
    from dashboard.io import importer
    from dashboard.io.store import Store

    corpus = load_corpus()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "s.sqlite3")
        for name, data in (("csv", csv_bytes(rows)), ("xlsx", xlsx_bytes(rows))):
            seconds, plan = timed(
                lambda data=data, name=name: importer.plan_findings(
                    data, f"sheet.{name}", corpus, store, defaults={"kind": "analysis"}
                )
            )
            assert plan.rows_valid == len(rows), plan.problems[:3]
            results.append(
                (
                    f"planning a {len(rows):,}-row .{name} ({len(data) / 1e6:.1f} MB)",
                    f"{seconds:.2f} s",
                    "<= 2 s",
                    "met" if seconds <= 2 else "not met",
                )
            )
    return results


def rerun_timing(rows) -> tuple[str, str, str, str]:
    from streamlit.testing.v1 import AppTest

    with tempfile.TemporaryDirectory() as folder:
        os.environ["DASHBOARD_STORE"] = str(Path(folder) / "s.sqlite3")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.run()
        at.switch_page("pages/imports.py").run()
        at.file_uploader[0].upload("sheet.csv", csv_bytes(rows), "text/csv").run()
        at.selectbox(key="imp_kind").set_value("analysis").run()  # planned once more
        times = []
        for _ in range(10):
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
        assert not at.exception, [e.value for e in at.exception]
    median = statistics.median(times)
    return (
        f"import page rerun at {len(rows):,} rows, planned (AppTest, median of 10)",
        f"{median * 1000:.0f} ms",
        "<= 150 ms",
        "met" if median <= 0.150 else "not met",
    )


_CHILD = """
import resource, sys, time
sys.path.insert(0, {src!r})
from dashboard.io.formats import read_table
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open({path!r}, "rb").read()
started = time.perf_counter()
table = read_table(data, {name!r})
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, (peak - base) / 1024, table.problems[0].message if table.problems else "")
"""


def bomb(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.xlsx"
    base = xlsx_bytes([])
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            if kind == "rows" and item.filename == "xl/worksheets/sheet2.xml":
                continue
            if kind == "cell" and item.filename == "xl/sharedStrings.xml":
                continue
            target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(
            "xl/sharedStrings.xml" if kind == "cell" else "xl/worksheets/sheet2.xml"
        )
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            if kind == "cell":  # one shared string of 1 GiB
                part.write(
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
                    b'main" count="1" uniqueCount="1"><si><t>'
                )
                chunk = b"x" * (1 << 20)
                for _ in range(1024):
                    part.write(chunk)
                part.write(b"</t></si></sst>")
            else:  # five million rows
                part.write(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                    b'2006/main"><sheetData>'
                )
                for start in range(1, 5_000_001, 10_000):
                    part.write(
                        b"".join(
                            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r)
                            for r in range(start, start + 10_000)
                        )
                    )
                part.write(b"</sheetData></worksheet>")
    return path


def bomb_timings() -> list[tuple[str, str, str, str]]:
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, label in (("cell", "one 1 GiB cell"), ("rows", "5M rows")):
            path = bomb(kind, Path(folder))
            code = _CHILD.format(src=str(ROOT / "src"), path=str(path), name=path.name)
            output = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout.split(" ", 2)
            seconds, megabytes = float(output[0]), float(output[1])
            ok = seconds <= 2 and megabytes <= 200
            results.append(
                (
                    f"refusing an .xlsx of {path.stat().st_size / 1e6:.1f} MB holding {label}",
                    f"{seconds:.2f} s, +{megabytes:.0f} MB ({output[2].strip()[:60]}…)",
                    "<= 2 s, <= 200 MB",
                    "met" if ok else "not met",
                )
            )
    return results


def main() -> None:
    rows = synthetic_rows(ROWS)
    table = [*plan_timings(rows), rerun_timing(rows), *bomb_timings()]
    lines = [
        "# Import timings",
        "",
        f"`bench/import_bench.py`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores. Synthetic "
        "sheets made from the bundled report's own words (marked `syn-`), not anyone's findings.",
        "",
        "| what | measured | target | status |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in table],
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
