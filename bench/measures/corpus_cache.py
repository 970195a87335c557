"""corpus-cache: loading a generated corpus the first time and from the corpus cache, side by
side, each load in a fresh process (bench/measures/corpus_cache_child.py) as the app's first run
does it: ``load_corpus`` then ``FindingsIndex.build``.

Three ways, one run of each in turn: *first* (an empty cache folder: every row validated, the
cache written), *cached* (the folder the first load wrote) and *uncached* (no cache, no worker
processes: the load as it was before the cache). Every load must give the same findings and
problems (a digest of every column is compared)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from bench import ROOT, generate
from bench.measures.base import Context
from bench.report import SIZE, Column, Table
from bench.serving import write_app_data
from bench.timing import fmt_ratio, fmt_stats, fmt_time, log, summary, timed

NAME = "corpus-cache"
TITLE = "Loading a corpus the first time and from the corpus cache (a fresh process each)"
MODES = ("first", "cached", "uncached")
#: A size stops repeating once it has spent this many times the run's budget (after 2 rounds).
BUDGET_FACTOR = 15


def _load(data: Path, cache: Path, mode: str) -> dict:
    command = [sys.executable, "-m", "bench.measures.corpus_cache_child", str(data), str(cache)]
    proc = subprocess.run([*command, mode], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"corpus-cache child ({mode}) failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) / 1e6


def run(ctx: Context) -> None:
    for n in [n for n in ctx.sizes if n >= 100_000] or ctx.sizes:
        measure_size(ctx, n)


def measure_size(ctx: Context, n: int) -> None:
    label = generate.size_label(n)
    corpus = ctx.corpus_of(n)
    if corpus is None:
        _, corpus = timed(partial(generate.generate, n, seed=0))
    with tempfile.TemporaryDirectory(prefix=f"bench-cache-{label}-") as tmp:
        data = Path(tmp) / "data"
        write_app_data(corpus, data)
        csv_files = sorted((data / "findings").iterdir())
        csv_bytes = sum(p.stat().st_size for p in csv_files)
        corpus = None  # the children read the folder
        gc.collect()
        runs: dict[str, list[dict]] = {m: [] for m in MODES}
        began, rounds, entry_mb = time.perf_counter(), 0, 0.0
        while rounds < max(ctx.repeat, 1):
            cache = Path(tmp) / f"cache-{rounds}"
            for mode in MODES:  # first, then cached from the folder it wrote, then uncached
                runs[mode].append(_load(data, cache, mode))
            entry_mb = _folder_mb(cache)
            rounds += 1
            spent = time.perf_counter() - began
            if rounds >= 2 and spent > ctx.budget * BUDGET_FACTOR:
                break
    digests = {r["digest"] for rs in runs.values() for r in rs}
    counts = {(r["findings"], r["problems"]) for rs in runs.values() for r in rs}
    if len(digests) != 1 or counts != {(n, 0)}:
        raise AssertionError(
            f"loads of the {label} folder differ: {len(digests)} digests, counts {counts}"
        )
    record = ctx.results.add(
        NAME,
        size=label,
        n=n,
        csv_bytes=csv_bytes,
        csv_files=len(csv_files),
        cache_mb=entry_mb,
        **{
            f"{mode}_{part}": summary([r[f"{part}_s"] for r in runs[mode]])
            for mode in MODES
            for part in ("load", "build", "total")
        },
        **{f"{mode}_rss_mb": max(r["max_rss_mb"] for r in runs[mode]) for mode in MODES},
        **{
            f"{mode}_cpu": summary([r["cpu_s"] + r["workers_cpu_s"] for r in runs[mode]])
            for mode in MODES
        },
    )
    log(
        f"  {label}: first {fmt_stats(record['first_total'])} "
        f"(load {fmt_stats(record['first_load'])}), cached {fmt_stats(record['cached_total'])} "
        f"(load {fmt_stats(record['cached_load'])}), uncached "
        f"{fmt_stats(record['uncached_total'])}; cache {entry_mb:.0f} MB"
    )


def tables(s: dict) -> list[Table]:
    rows = s[NAME]
    return [
        Table(
            title="Loading the first time and from the corpus cache (a fresh process each)",
            intro=(
                "Each corpus is written as a data folder (as for apptest-sizes: files of at "
                "most 50,000 findings) and loaded by a fresh process as the app's first run "
                "does: `load_corpus`, then `FindingsIndex.build` (the word index, built in a "
                "background thread in the app, not counted). *First*: an empty cache folder "
                "(every row read, checked and anchored, worker processes beside it for many "
                "large files, the cache written). *Cached*: the folder the first load wrote "
                "(the files hashed, the validated frame and the index's folded search text "
                "read back). *Uncached*: no cache and no workers, the load as before the cache. "
                "One load of each in turn; every load gives the same findings (a digest of "
                "every column and of the problems is compared). CPU: seconds of the loading "
                "process and its worker processes together (medians), which a busy machine "
                "inflates much less than the wall times.",
            ),
            columns=(
                SIZE,
                Column(
                    "CSV",
                    lambda r: f"{r['csv_bytes'] / 1e6:.0f} MB in {r['csv_files']} file(s)",
                ),
                Column("first: total", lambda r: fmt_stats(r["first_total"])),
                Column("first: load_corpus", lambda r: fmt_stats(r["first_load"])),
                Column("first: index", lambda r: fmt_stats(r["first_build"])),
                Column("cached: total", lambda r: fmt_stats(r["cached_total"])),
                Column("cached: load_corpus", lambda r: fmt_stats(r["cached_load"])),
                Column("cached: index", lambda r: fmt_stats(r["cached_build"])),
                Column("uncached: total", lambda r: fmt_stats(r["uncached_total"])),
                Column(
                    "CPU: first / cached / uncached",
                    lambda r: " / ".join(
                        fmt_time(r[f"{m}_cpu"]["median"]) if f"{m}_cpu" in r else "–" for m in MODES
                    ),
                ),
                Column(
                    "cached vs first",
                    lambda r: fmt_ratio(r["first_total"], r["cached_total"]),
                ),
                Column("cache on disk", lambda r: f"{r['cache_mb']:.0f} MB"),
            ),
            rows=rows,
        )
    ]
