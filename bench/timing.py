"""Timing and statistics: runs of a measurement, interleaved with its peers, and their summary
(median, quartiles, extremes), and how a time, a summary and a ratio of two are written."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import numpy as np

#: A first run faster than this is a warm-up and is not counted; a slower one is kept.
WARMUP_KEEP = 0.25


def summary(samples: list[float]) -> dict:
    """Median, quartiles, min and max of *samples* (seconds)."""
    a = np.asarray(samples, dtype=float)
    if not len(a):
        return {"runs": 0}
    q1, median, q3 = np.percentile(a, [25, 50, 75])
    return {
        "runs": len(a),
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(a.min()),
        "max": float(a.max()),
    }


def summaries(samples: dict[str, list[float]]) -> dict[str, dict]:
    """The summary of each name's samples."""
    return {name: summary(s) for name, s in samples.items()}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds *fn* took, and what it returned."""
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def interleaved(
    funcs: dict[str, Callable[[], object]],
    repeat: int,
    budget: float,
    setup: Callable[[str], None] | None = None,
) -> tuple[dict, dict]:
    """Time each function *repeat* times, one run of each in turn, after an uncounted warm-up
    (kept as a run when it is slow). A function stops early once it has spent *budget* seconds.

    Returns the samples of each function and the result of its first call."""
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    spent = dict.fromkeys(funcs, 0.0)
    first: dict[str, object] = {}
    for name, fn in funcs.items():
        if setup:
            setup(name)
        gc.collect()
        seconds, first[name] = timed(fn)
        spent[name] += seconds
        if seconds >= WARMUP_KEEP:
            samples[name].append(seconds)
    for _ in range(repeat):
        for name, fn in funcs.items():
            if len(samples[name]) >= repeat or spent[name] >= budget:
                continue
            if setup:
                setup(name)
            gc.collect()
            seconds, _ = timed(fn)
            spent[name] += seconds
            samples[name].append(seconds)
    return samples, first


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_stats(s: dict) -> str:
    """``median [q1–q3] (n)``."""
    if not s.get("runs"):
        return "–"
    return f"{fmt_time(s['median'])} [{fmt_time(s['q1'])}–{fmt_time(s['q3'])}] ({s['runs']})"


def fmt_ratio(peer: dict, ours: dict) -> str:
    """How many times *ours* (a summary) is faster than *peer*, by their medians."""
    if not peer.get("runs") or not ours.get("runs") or ours["median"] <= 0:
        return "–"
    ratio = peer["median"] / ours["median"]
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.1f}×"


def log(message: str) -> None:
    print(message, flush=True)
