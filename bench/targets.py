"""The targets table at the head of the report: each target, what this run measured of it, its
ratio to its peer, and whether it is met. Built from the sections' records (those of several runs
may be merged), so it is rewritten with the report."""

from __future__ import annotations

from collections.abc import Iterator

from bench.measures.interactions import BY_KEY, fmt_spread, status
from bench.report import Column, Table
from bench.timing import fmt_ratio, fmt_stats, fmt_time

KB = 1000  # payload budgets in kilobytes of 1,000 bytes
MAP_PAGE, EMPTY = "map page (explorer)", "empty page"
Row = tuple[str, str, str, str]


def _filter_rows(s: dict, size: str) -> list[dict]:
    return [r for r in s.get("filter", []) if r.get("size") == size]


def filter_budget(s: dict) -> Iterator[Row]:
    for size, limit in (("100k", 5e-3), ("1m", 50e-3)):
        f = _filter_rows(s, size)
        if not f:
            continue
        worst = max(f, key=lambda r: r["index"]["median"])
        over = [r for r in f if r["index"]["median"] > limit]
        frame = max(r["index_frame"]["median"] for r in f)
        best = min(r["index"]["median"] for r in f)
        measured = (
            f"(e) {fmt_time(best)}–{fmt_time(worst['index']['median'])} over {len(f)} filter "
            f"states (worst: {worst['state']}); with the whole filtered frame (e') ≤ "
            f"{fmt_time(frame)}"
        )
        if over:
            measured += "; over: " + ", ".join(
                f"{r['state']} {fmt_time(r['index']['median'])}" for r in over
            )
        ratio = (
            f"worst state: {fmt_ratio(worst['current'], worst['index'])} vs "
            f"filters.apply (d), {fmt_ratio(worst['duckdb'], worst['index'])} vs DuckDB"
            if "duckdb" in worst
            else "–"
        )
        status = "met" if not over else f"not met ({len(over)} of {len(f)} states)"
        yield (
            f"{size} findings: filter + aggregate ≤ {fmt_time(limit)} (median)",
            measured,
            ratio,
            status,
        )


def served(s: dict) -> Iterator[Row]:
    sized = {r["size"]: r for r in s.get("apptest-sizes", [])}
    if not sized:
        return
    main = sized.get("100k") or list(sized.values())[-1]
    rr = main["reruns"]
    others = "; ".join(
        f"{k} {fmt_stats(v['reruns'][MAP_PAGE])}" for k, v in sized.items() if v is not main
    )
    yield (
        f"Full warm rerun of the map page ≤ 100 ms ({main['size']} findings)",
        fmt_stats(rr[MAP_PAGE]) + (f" (also {others})" if others else ""),
        f"{fmt_ratio(rr[MAP_PAGE], rr[EMPTY])} the empty page",
        "met" if rr[MAP_PAGE]["median"] <= 0.1 else "not met",
    )
    worst = max(
        ((k, st, v["bytes"]) for k, r in sized.items() for st, v in r["payload"].items()),
        key=lambda x: x[2],
    )
    sizes = list(sized)
    growth = (
        sized[sizes[-1]]["payload"]["none"]["bytes"] / sized[sizes[0]]["payload"]["none"]["bytes"]
    )
    yield (
        "Map payload ≤ 150 KB whatever the corpus size",
        f"largest {worst[2] / KB:.1f} KB ({worst[1]}, {worst[0]})",
        f"{growth:.2f}× from {sizes[0]} to {sizes[-1]} (no filter)",
        "met" if worst[2] <= 150 * KB else "not met",
    )
    if "1m" in sized:
        parts = {p["what"].split(" ")[0]: p["seconds"] for p in sized["1m"]["cold_parts"]}
        load = parts.get("load_corpus", 0) + parts.get("FindingsIndex.build", 0)
        yield (
            "1M findings: loading ≤ 20 s once (corpus + index build)",
            f"{fmt_time(load)} (load_corpus {fmt_time(parts.get('load_corpus'))} + "
            f"FindingsIndex.build {fmt_time(parts.get('FindingsIndex.build'))}); "
            f"first map page run {fmt_time(sized['1m']['map_first_run_s'])}",
            f"{load / 20:.1f}× the budget",
            "met" if load <= 20 else "not met",
        )


def cached_loading(s: dict) -> Iterator[Row]:
    for r in s.get("corpus-cache", []):
        if r["size"] != "1m":
            continue
        first, cached = r["first_total"], r["cached_total"]
        yield (
            "1M findings: loading ≤ 20 s the first time (corpus-cache section: a fresh process)",
            f"{fmt_stats(first)} (load_corpus {fmt_time(r['first_load']['median'])} + index "
            f"{fmt_time(r['first_build']['median'])}); without the cache "
            f"{fmt_time(r['uncached_total']['median'])}",
            f"{first['median'] / 20:.2f}× the budget",
            "met" if first["median"] <= 20 else "not met",
        )
        yield (
            "1M findings: loading ≤ 3 s from the corpus cache",
            f"{fmt_stats(cached)} (load_corpus {fmt_time(r['cached_load']['median'])} + index "
            f"{fmt_time(r['cached_build']['median'])})",
            f"{fmt_ratio(first, cached)} faster than the first time",
            "met" if cached["median"] <= 3 else "not met",
        )


def in_the_browser(s: dict) -> Iterator[Row]:
    floor = next((r for r in s.get("browser-sizes", []) if r["size"] == "bundled"), None)
    for r in s.get("browser-sizes", []):
        if r is floor:
            continue
        change = r["change"]
        yield (
            f"{r['size']} findings: a filter change ≤ 1 s end to end in the browser",
            f"{fmt_stats(change)} (click -> map redrawn: choosing Pakistan "
            f"{fmt_time(r['choose']['median'])}, clearing it {fmt_time(r['clear']['median'])})",
            (
                f"{fmt_ratio(change, floor['change'])} the same click on the bundled "
                f"data ({fmt_time(floor['change']['median'])}: the browser's own work)"
                if floor
                else "–"
            ),
            "met" if change["median"] <= 1 else "not met",
        )
    browser = {r["what"]: r for r in s.get("browser", [])}
    if "streamlit run -> map drawn in Chromium" in browser:
        drawn = browser["streamlit run -> map drawn in Chromium"]
        health = browser["streamlit run -> /_stcore/health"]
        yield (
            "Cold start to map drawn ≤ 5 s",
            fmt_stats(drawn),
            f"health answers after {fmt_time(health['median'])}",
            "met" if drawn["median"] <= 5 else "not met",
        )


def interactions(s: dict) -> Iterator[Row]:
    """The interactions section: each interaction's median beside the empty page's, per
    corpus; a row for those without a target too (the issue asks for their figures)."""
    for r in s.get("interactions", []):
        target = "" if r["target"] is None else f" ≤ {fmt_time(r['target'])}"
        yield (
            f"{r['size']} findings: {BY_KEY[r['kind']].what}{target} (median)",
            fmt_spread(r["app"]),
            f"empty page {fmt_spread(r['floor'])}",
            status(r),
        )


def heap(s: dict) -> Iterator[Row]:
    if "heap" in s:
        h = s["heap"][0]
        yield (
            f"Heap growth ≤ 5 MB over {h['reruns']} reruns",
            f"{h['growth_bytes'] / 2**20:+.2f} MiB (fit "
            f"{h['per_rerun_bytes_fit'] or 0:+,.0f} B/rerun)",
            "–",
            "met" if h["growth_bytes"] <= 5 * 2**20 else "not met",
        )


def ratio(r: dict, peer: str, ours: str = "index") -> float:
    """How many times faster *ours* is than *peer* in the filter record *r*."""
    return r[peer]["median"] / r[ours]["median"]


def peers(s: dict) -> Iterator[Row]:
    for size in ("100k", "1m"):
        f = [r for r in _filter_rows(s, size) if "duckdb" in r]
        if not f:
            continue
        duck = min(f, key=lambda r: ratio(r, "duckdb"))
        naive = min(f, key=lambda r: ratio(r, "naive"))
        frame_naive = min(ratio(r, "naive", "index_frame") for r in f)
        yield (
            f"{size} findings: faster than DuckDB on the same filter + aggregate",
            f"slowest margin: {duck['state']}",
            f"≥ {fmt_ratio(duck['duckdb'], duck['index'])}",
            "met" if ratio(duck, "duckdb") > 1 else "not met",
        )
        slow = sum(ratio(r, "naive") < 30 for r in f)
        yield (
            f"{size} findings: ≥ 30× faster than the naive way",
            f"smallest ratio: {naive['state']} (with the whole frame (e'): ≥ {frame_naive:,.0f}×)",
            f"≥ {fmt_ratio(naive['naive'], naive['index'])}",
            "met" if not slow else f"not met ({slow} of {len(f)} states)",
        )


def briefing(s: dict) -> Iterator[Row]:
    from bench.measures.briefing import BUDGETS

    if "briefing" not in s:
        return
    first = s.get("briefing-first", [{}])[0].get("seconds")
    names = {"png": "PNG", "pdf": "PDF", "pptx": "PPTX", "docx": "DOCX", "all": "all four"}
    for key, limit in BUDGETS.items():
        rows = [r for r in s["briefing"] if r.get(key)]
        if not rows:
            continue
        worst = max(rows, key=lambda r: r[key]["median"])
        yield (
            f"Briefing {names[key]} ≤ {fmt_time(limit)} (median, each view)"
            + (" after the PNG" if key in ("pptx", "docx") else ""),
            "; ".join(f"{r['view']} {fmt_stats(r[key])}" for r in rows)
            + (f"; first PNG in the process {fmt_time(first)}" if key == "png" and first else ""),
            "–",
            "met" if worst[key]["median"] <= limit else "not met",
        )


#: The targets in the order of the table.
TARGETS = (
    filter_budget,
    served,
    cached_loading,
    in_the_browser,
    interactions,
    heap,
    peers,
    briefing,
)
COLUMNS = tuple(
    Column(header, lambda row, i=i: row[i], left=True)
    for i, header in enumerate(("target", "measured", "peer ratio", "status"))
)


def target_rows(s: dict) -> list[Row]:
    """(target, measured, peer ratio, met/not met) for every target the sections measure."""
    return [row for target in TARGETS for row in target(s)]


def tables(s: dict) -> list[Table]:
    rows = target_rows(s)
    return [Table(title="Targets", columns=COLUMNS, rows=rows)] if rows else []
