"""heap: Python heap growth over repeated filter changes on the map page (``tracemalloc``,
``AppTest`` on the bundled data)."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np

from bench import ROOT
from bench.measures.base import Context
from bench.report import Column, Table
from bench.serving import apptest
from bench.timing import fmt_stats, log, summary, timed

NAME = "heap"
TITLE = "Heap growth"
#: Filter changes before the measurement: every cache and lazy import reached once.
WARM_UP = 6


def _change(at, i: int) -> None:
    """Toggle the theme filter: refugees on even *i*, none on odd."""
    at.sidebar.multiselect(key="w_themes").set_value(["refugees"] if i % 2 == 0 else []).run()


def run(ctx: Context) -> None:
    reruns = ctx.heap_reruns
    at = apptest()
    for i in range(WARM_UP):
        _change(at, i)
    assert not at.exception
    gc.collect()
    tracemalloc.start()
    start_current, _ = tracemalloc.get_traced_memory()
    before = tracemalloc.take_snapshot()
    checkpoints, times = [], []
    for i in range(reruns):
        seconds, _ = timed(lambda i=i: _change(at, i))
        times.append(seconds)
        if (i + 1) % max(1, reruns // 4) == 0:
            gc.collect()
            checkpoints.append((i + 1, tracemalloc.get_traced_memory()[0] - start_current))
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    assert not at.exception, [e.value for e in at.exception]
    top = [
        {"where": str(stat.traceback[0]), "bytes": stat.size_diff}
        for stat in after.compare_to(before, "lineno")[:5]
    ]
    xs = np.array([c[0] for c in checkpoints], dtype=float)
    ys = np.array([c[1] for c in checkpoints], dtype=float)
    slope = float(np.polyfit(xs, ys, 1)[0]) if len(xs) >= 2 else None
    record = ctx.results.add(
        NAME,
        reruns=reruns,
        growth_bytes=current - start_current,
        peak_bytes=peak - start_current,
        per_rerun_bytes_fit=slope,
        checkpoints=checkpoints,
        top_growth=top,
        rerun_under_tracemalloc=summary(times),
    )
    log(
        f"  {reruns} filter changes: heap {record['growth_bytes'] / 1024:+.0f} KiB "
        f"(fit {slope or 0:+.0f} B/rerun), peak +{record['peak_bytes'] / 1024:.0f} KiB; "
        f"rerun under tracemalloc {fmt_stats(record['rerun_under_tracemalloc'])}"
    )


def kib(n: float) -> str:
    return f"{n / 1024:+,.0f} KiB"


def tables(s: dict) -> list[Table]:
    r = s[NAME][0]
    return [
        Table(
            title="Python heap over repeated filter changes (`tracemalloc`, AppTest)",
            intro=("Reruns toggling the theme filter on the map page.",),
            columns=(
                Column("reruns", "reruns"),
                Column("heap growth", "growth_bytes", kib),
                Column("linear fit", lambda r: f"{(r['per_rerun_bytes_fit'] or 0):+,.0f} B/rerun"),
                Column(
                    "checkpoints",
                    lambda r: ", ".join(f"{n}: {kib(b)}" for n, b in r["checkpoints"]),
                    left=True,
                ),
                Column("peak", "peak_bytes", kib),
                Column("a rerun under tracemalloc", "rerun_under_tracemalloc", fmt_stats),
            ),
            rows=s[NAME],
            notes=(
                "Largest growth by line: "
                + "; ".join(
                    f"`{t['where'].replace(str(ROOT), '.')}` {kib(t['bytes'])}"
                    for t in r["top_growth"][:3]
                )
                + ".",
            ),
        )
    ]
