"""Benchmarks of the dashboard, measured side by side in one process. See bench/README.md.

    python bench/run.py                      # 1k, 10k, 100k findings (about 8 minutes)
    python bench/run.py --full               # adds 1M findings
    python bench/run.py --repeat 9 --only filter,map
    python bench/run.py --quick              # every section once, small (a few minutes)

Writes bench/results/latest.json and bench/results/latest.md. Every figure is the median of the
runs with its spread (interquartile range and min-max) and the number of runs; peers measured
against each other run interleaved (one run of each in turn), so a load change on the machine
hits all of them alike. The measures are bench/measures/*.py, one module per section.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

# Run as a script: the repository root on the path (for bench.* and tests.browser.support), not
# this folder (its modules are bench.*, and must not shadow other top-level names).
ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)
elif str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import BENCH, environment, generate, watched  # noqa: E402
from bench.measures import MEASURES, ON_CORPORA, SECTIONS  # noqa: E402
from bench.measures import build as build_measure  # noqa: E402
from bench.measures.apptest_child import child as apptest_child  # noqa: E402
from bench.measures.base import Context  # noqa: E402
from bench.report import Results, Table, as_json, markdown  # noqa: E402
from bench.serving import RASTER_ARGS, RASTER_VARIABLE  # noqa: E402
from bench.targets import tables as target_tables  # noqa: E402
from bench.timing import log  # noqa: E402

#: Sections that run only when --only names them: interactions takes 12 minutes on its own.
ONLY_WHEN_NAMED = {"interactions"}
#: --quick: every section, as small and as few runs as still gives each of its figures.
QUICK = {"sizes": "1k", "repeat": 1, "budget": 1.0, "starts": 1, "reps": 1}
QUICK_OUT = BENCH / "results" / "quick.tmp"


def report_tables(results: Results) -> list[Table]:
    """Every table of the report: the targets, then each measure's that has records."""
    s = results.sections
    tables = target_tables(s)
    for measure in MEASURES:
        if measure.NAME in s:
            tables += measure.tables(s)
    if results.notes:
        tables.append(Table(title="Notes", intro=("\n".join(f"- {n}" for n in results.notes),)))
    return tables


def write_report(results: Results, out: Path) -> None:
    """latest.md and latest.json in *out*: the records as measured, and every table."""
    tables = report_tables(results)
    lines = [
        "# Benchmark results",
        "",
        environment.describe(results.environment),
        "",
        "Cells: median [interquartile range] (runs). Synthetic corpora from "
        "`bench/generate.py` (seed 0).",
        "",
        *markdown(tables),
    ]
    (out / "latest.md").write_text("\n".join(lines))
    payload = {
        "environment": results.environment,
        "sections": results.sections,
        "notes": results.notes,
        "tables": as_json(tables),
    }
    (out / "latest.json").write_text(json.dumps(payload, indent=1, default=str) + "\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1k,10k,100k", help="comma-separated corpus sizes (default 1k,10k,100k)"
    )
    parser.add_argument("--full", action="store_true", help="also 1M findings")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument(
        "--budget",
        type=float,
        default=12.0,
        help="seconds one measurement may spend before it stops repeating",
    )
    parser.add_argument("--only", default="", help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--starts", type=int, default=3, help="cold starts of the server")
    parser.add_argument(
        "--reps", type=int, default=9, help="repetitions of each browser interaction (default 9)"
    )
    parser.add_argument("--out", type=Path, help="results folder (default bench/results)")
    parser.add_argument(
        "--raster",
        choices=sorted(RASTER_ARGS),
        default="cpu",
        help="how Chromium draws in the browser sections: cpu (default, its own choice on a "
        "machine with no GPU) or swiftshader-gl (a GPU emulated on the CPU); see bench/serving.py",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run of every section: 1k findings, one run each, one cold start, results "
        f"in {QUICK_OUT.relative_to(ROOT)} unless --out says otherwise (git-ignored)",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite latest.md (and the tables of latest.json) from latest.json",
    )
    parser.add_argument(
        "--table-max",
        default="100k",
        help="apptest-sizes runs the table page up to this many findings "
        "(default 100k: its reruns build the view's downloads, which at "
        "1M take many minutes)",
    )
    parser.add_argument("--apptest-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--apptest-no-table", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        given = {a.split("=")[0] for a in (argv if argv is not None else sys.argv[1:])}
        for name, value in QUICK.items():
            if f"--{name}" not in given:
                setattr(args, name, value)
        args.out = args.out or QUICK_OUT
    args.out = args.out or BENCH / "results"
    os.environ[RASTER_VARIABLE] = args.raster  # read by the browser sections (bench.serving)
    default = [x for x in SECTIONS if x not in ONLY_WHEN_NAMED]
    wanted = [x for x in (args.only.split(",") if args.only else default) if x]
    args.wanted = [x for x in wanted if x not in args.skip.split(",")]
    unknown = set(args.wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    return args


def finish(results: Results, began: float) -> None:
    """The notes of the end of a run: a change of the app's code meanwhile, the measures' own,
    the run's length."""
    env = results.environment
    env["load_average_end"] = os.getloadavg()
    changed = environment.code_changed_note(env)
    if changed:
        results.notes.append(changed)
        log(changed)
    env["total_s"] = time.perf_counter() - began
    for measure in MEASURES:
        results.notes += getattr(measure, "notes", lambda _: [])(results)
    results.notes.append(f"Whole run: {env['total_s']:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.apptest_child:  # the child process of the apptest-sizes section
        apptest_child(
            args.apptest_child, args.repeat, args.budget, with_table=not args.apptest_no_table
        )
        return 0
    if args.render:
        saved = json.loads((args.out / "latest.json").read_text())
        write_report(Results(saved["environment"], saved["sections"], saved["notes"]), args.out)
        log(f"Wrote {args.out / 'latest.md'}")
        return 0
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    args.sizes = [generate.size_label(n) for n in sizes]
    watched.check()  # the app's names the measures time: before anything has been spent

    args.out.mkdir(parents=True, exist_ok=True)
    # No section touches the analyst's real store: AppTest and the server get a fresh one.
    store_dir = tempfile.TemporaryDirectory(prefix="bench-store-")
    os.environ["DASHBOARD_STORE"] = str(Path(store_dir.name) / "store.sqlite3")
    # Nor the user's corpus cache: loads in this run start from an empty one.
    os.environ["DASHBOARD_CACHE_DIR"] = str(Path(store_dir.name) / "cache")
    ctx = Context(
        Results(environment.environment(args)),
        sizes,
        repeat=args.repeat,
        budget=args.budget,
        starts=args.starts,
        clicks=1 if args.quick else 2,
        size_clicks=1 if args.quick else 3,
        interaction_reps=args.reps,
        heap_reruns=20 if args.quick else 100,
        table_max=generate.parse_size(args.table_max),
        tmp=args.out / "logs.tmp",  # server logs of the browser sections (git-ignored)
    )
    if {"browser", "browser-sizes", "interactions"} & set(args.wanted):
        ctx.tmp.mkdir(exist_ok=True)
    began = time.perf_counter()
    env = ctx.results.environment
    for measure in MEASURES:
        if measure is build_measure:
            if not ON_CORPORA & set(args.wanted):
                continue
        elif measure.NAME not in args.wanted:
            continue
        log(f"{measure.TITLE}  (load average {os.getloadavg()[0]:.2f})")
        env.setdefault("load_average_by_section", {})[measure.NAME] = os.getloadavg()
        env.setdefault("section_started", {})[measure.NAME] = time.strftime("%H:%M:%S")
        if measure is build_measure:
            measure.run(ctx, with_duckdb="filter" in args.wanted)
        else:
            measure.run(ctx)
    ctx.built.clear()
    store_dir.cleanup()
    finish(ctx.results, began)
    write_report(ctx.results, args.out)
    log(f"Wrote {args.out / 'latest.json'} and {args.out / 'latest.md'} in {env['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
