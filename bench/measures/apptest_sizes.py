"""apptest-sizes: the app's server side on each generated corpus of 10k findings and up
(``AppTest``, one fresh child process per size: bench/measures/apptest_child.py): the cold start,
warm reruns after a filter change beside the empty page, where a rerun's time goes, and the map
payload the browser receives."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

from bench import BENCH, ROOT, generate
from bench.measures.apptest_child import EMPTY, MAP_PAGE, TABLE_PAGE, THEME_A, THEME_B
from bench.measures.base import Context
from bench.report import SIZE, Column, Table
from bench.serving import write_app_data
from bench.timing import fmt_ratio, fmt_stats, fmt_time, log, timed

NAME = "apptest-sizes"
TITLE = "AppTest reruns on generated corpora (a child process each)"


def _child_command(out: Path, ctx: Context, with_table: bool) -> list[str]:
    command = [sys.executable, str(BENCH / "run.py"), "--apptest-child", str(out)]
    command += ["--repeat", str(ctx.repeat), "--budget", str(ctx.budget)]
    return command + ([] if with_table else ["--apptest-no-table"])


def run(ctx: Context) -> None:
    for n in [n for n in ctx.sizes if n >= 10_000] or ctx.sizes:
        measure_size(ctx, n)


def measure_size(ctx: Context, n: int) -> None:
    label = generate.size_label(n)
    corpus = ctx.corpus_of(n)
    generated = None
    if corpus is None:
        generated, corpus = timed(partial(generate.generate, n, seed=0))
    with tempfile.TemporaryDirectory(prefix=f"bench-app-{label}-") as tmp:
        folder = Path(tmp) / "data"
        write_s, _ = timed(partial(write_app_data, corpus, folder))
        csv_files = sorted((folder / "findings").iterdir())
        csv_bytes = sum(p.stat().st_size for p in csv_files)
        corpus = None  # the child reads the folder; free the frame while it runs
        gc.collect()
        out = Path(tmp) / "result.json"
        env = {
            **os.environ,
            "DASHBOARD_DATA": str(folder),
            "DASHBOARD_STORE": str(Path(tmp) / "store.sqlite3"),
            # An empty corpus cache: the cold start validates every row (and writes the cache).
            "DASHBOARD_CACHE_DIR": str(Path(tmp) / "cache"),
        }
        command = _child_command(out, ctx, with_table=n <= ctx.table_max)
        child_s, proc = timed(
            partial(
                subprocess.run,
                command,
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=3600,
            )
        )
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(
                f"AppTest child at {label} failed ({proc.returncode}):\n" + proc.stderr[-3000:]
            )
        child = json.loads(out.read_text())
    if child["findings_loaded"] != n or child["problems"]:
        raise AssertionError(
            f"the app loaded {child['findings_loaded']:,} findings with "
            f"{child['problems']} problems from the {label} folder"
        )
    record = ctx.results.add(
        NAME,
        size=label,
        n=n,
        generate_s=generated,
        write_s=write_s,
        csv_bytes=csv_bytes,
        csv_files=len(csv_files),
        child_s=child_s,
        **child,
    )
    r = record["reruns"]
    log(
        f"  {label}: cold map page {fmt_time(record['map_first_run_s'])} "
        f"(load {fmt_time(record['cold_parts'][0]['seconds'])}); warm reruns: map "
        f"{fmt_stats(r[MAP_PAGE])}, table {fmt_stats(r.get(TABLE_PAGE, {}))}, "
        f"empty {fmt_stats(r[EMPTY])}; payload "
        + ", ".join(f"{k} {v['chars']:,}" for k, v in record["payload"].items())
        + f" chars; child {child_s:.0f} s, max RSS {record['max_rss_mb']:,.0f} MB"
    )


def _cold_part(name: str) -> Column:
    def seconds(r: dict) -> float | None:
        parts = {p["what"].split(" ")[0]: p["seconds"] for p in r["cold_parts"]}
        return parts.get(name)

    return Column(name, seconds, fmt_time)


def _or_not_run(fmt, key: str, page: str):
    return lambda r: fmt(r[key][page]) if page in r[key] else "not run"


def _largest_parts(x: dict) -> str:
    parts = [p for p in x["parts"] if p["seconds"] >= 1e-3][:8]
    return "; ".join(f"{p['what']} {fmt_time(p['seconds'])}" for p in parts)


def tables(s: dict) -> list[Table]:
    rows = s[NAME]
    states = list(rows[0]["payload"])
    biggest = rows[-1]
    parts = [
        {"size": r["size"], "page": page, **x} for r in rows for page, x in r["rerun_parts"].items()
    ]
    return [
        Table(
            title="Server-side rerun on generated corpora (`AppTest`, a fresh process per size)",
            intro=(
                "Each corpus is written as a data folder (`generate.write_data_dir` plus the "
                "bundled data's other files: map geometry, icon...) and served to "
                '`AppTest.from_file("app.py")` in '
                "a child process started with `DASHBOARD_DATA` pointing at it and "
                "`DASHBOARD_STORE` at a fresh temporary store. *Cold* is the first run of the "
                "map page in that process (load + validate + anchor the CSV, build the index, "
                "prepare the map). A second session sets one theme on the map page and then "
                "switches to the table page (its first run). Warm reruns change the theme "
                f"filter (`w_themes`) between {THEME_B} and {THEME_A} on both pages, one run "
                "of each page and of the empty page in turn.",
            ),
            columns=(
                SIZE,
                Column(
                    "CSV",
                    lambda r: f"{r['csv_bytes'] / 1e6:.0f} MB in {r.get('csv_files', 1)} file(s)",
                ),
                Column("cold: map page first run", "map_first_run_s", fmt_time),
                _cold_part("load_corpus"),
                _cold_part("FindingsIndex.build"),
                _cold_part("map_data.prepare"),
                Column("table page first run", lambda r: r.get("table_first_run_s"), fmt_time),
                Column("max RSS", "max_rss_mb", lambda mb: f"{mb:,.0f} MB"),
            ),
            rows=rows,
        ),
        Table(
            intro=(
                "Warm rerun after a filter change (the first change of each page shown apart):",
            ),
            columns=(
                SIZE,
                Column("map page", lambda r: fmt_stats(r["reruns"][MAP_PAGE])),
                Column("table page", _or_not_run(fmt_stats, "reruns", TABLE_PAGE)),
                Column("empty page", lambda r: fmt_stats(r["reruns"][EMPTY])),
                Column(
                    "map vs empty",
                    lambda r: fmt_ratio(r["reruns"][MAP_PAGE], r["reruns"][EMPTY]),
                ),
                Column("first change: map", lambda r: fmt_time(r["first_change_s"][MAP_PAGE])),
                Column("first change: table", _or_not_run(fmt_time, "first_change_s", TABLE_PAGE)),
            ),
            rows=rows,
        ),
        Table(
            intro=(
                'Map payload: `len(at.get("plotly_chart")[0].proto.spec)` (the figure JSON '
                "the browser receives), in UTF-8 bytes:",
            ),
            columns=(
                SIZE,
                *(
                    Column(state, lambda r, st=state: f"{r['payload'][st]['bytes'] / 1000:.1f} KB")
                    for state in states
                ),
            ),
            rows=rows,
        ),
        Table(
            intro=(
                f"Largest parts of the payload at {biggest['size']} (one theme, PK selected): "
                + "; ".join(
                    f"`{p['part']}` {p['chars'] / 1000:.1f} KB"
                    for p in biggest["payload_parts"][:6]
                )
                + ".",
                "Where a warm rerun's time goes (instrumented reruns, separate from the timed "
                "ones; inclusive times, so nested entries overlap; entries under 1 ms left "
                "out):",
            ),
            columns=(
                SIZE,
                Column("page", "page", left=True),
                Column("rerun", "rerun_s", fmt_time),
                Column("largest parts", _largest_parts, left=True),
            ),
            rows=parts,
        ),
    ]
