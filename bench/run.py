"""Benchmarks of the dashboard, measured side by side in one process. See bench/README.md.

    python bench/run.py                      # 1k, 10k, 100k findings (about 5 minutes)
    python bench/run.py --full               # adds 1M findings
    python bench/run.py --repeat 9 --only filter,map

Writes bench/results/latest.json and bench/results/latest.md. Every figure is the median of the
runs with its spread (interquartile range and min-max) and the number of runs; peers measured
against each other run interleaved (one run of each in turn), so a load change on the machine
hits all of them alike.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/generate.py)

from dashboard import filters as flt  # noqa: E402
from dashboard import maps  # noqa: E402
from dashboard.corpus import Corpus  # noqa: E402
from dashboard.filters import Filters  # noqa: E402
from dashboard.findings import load_findings_bytes  # noqa: E402
from dashboard.index import FindingsIndex  # noqa: E402
from dashboard.regions import load_context, load_geometry  # noqa: E402
from dashboard.text import fold  # noqa: E402

SECTIONS = ("build", "loader", "filter", "rerun-work", "map", "apptest", "heap", "browser")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
                 "--enable-unsafe-swiftshader", "--disable-background-networking"]
#: A first run faster than this is a warm-up and is not counted; a slower one is kept.
WARMUP_KEEP = 0.25


# --- measuring ------------------------------------------------------------------------------------


def summary(samples: list[float]) -> dict:
    """Median, quartiles, min and max of *samples* (seconds)."""
    a = np.asarray(samples, dtype=float)
    if not len(a):
        return {"runs": 0}
    q1, median, q3 = np.percentile(a, [25, 50, 75])
    return {"runs": len(a), "median": float(median), "q1": float(q1), "q3": float(q3),
            "min": float(a.min()), "max": float(a.max())}


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def interleaved(funcs: dict[str, Callable[[], object]], repeat: int, budget: float,
                setup: Callable[[str], None] | None = None) -> tuple[dict, dict]:
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
    if not peer.get("runs") or not ours.get("runs") or ours["median"] <= 0:
        return "–"
    ratio = peer["median"] / ours["median"]
    return f"{ratio:,.0f}×" if ratio >= 100 else f"{ratio:.1f}×"


@dataclass
class Results:
    """Everything measured, in the order it was measured."""

    environment: dict
    sections: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, **record) -> dict:
        self.sections.setdefault(section, []).append(record)
        return record


def log(message: str) -> None:
    print(message, flush=True)


# --- peers for filter + aggregate ----------------------------------------------------------------
#
# Each takes Filters and returns (filtered frame, Counter of region codes named, Counter of
# themes): the findings, and what the map and the theme facet are drawn from.


def peer_naive(findings: pd.DataFrame, gazetteer):
    """(a) A plain Python loop over the rows; nothing precomputed."""
    def run(filters: Filters):
        themes, actors = set(filters.themes), set(filters.actors)
        kinds, reports = set(filters.kinds), set(filters.reports)
        scope = flt.region_scope(filters.region, gazetteer, filters.wider) \
            if filters.region else None
        terms = flt.search_terms(filters.text)
        rows, regions_named, themes_named = [], Counter(), Counter()
        columns = zip(findings["themes"].tolist(), findings["regions"].tolist(),
                      findings["actors"].tolist(), findings["kind"].tolist(),
                      findings["report_id"].tolist(), findings["title"].tolist(),
                      findings["summary"].tolist(), findings["excerpt"].tolist())
        for i, (th, rg, ac, kind, report, title, summary_, excerpt) in enumerate(columns):
            if themes and themes.isdisjoint(th):
                continue
            if scope is not None and scope.isdisjoint(rg):
                continue
            if actors and actors.isdisjoint(ac):
                continue
            if kinds and kind not in kinds:
                continue
            if reports and report not in reports:
                continue
            if terms:
                haystack = fold(title + "\n" + summary_ + "\n" + excerpt)
                if not all(term in haystack for term in terms):
                    continue
            rows.append(i)
            regions_named.update(set(rg))
            themes_named.update(set(th))
        return findings.iloc[rows], regions_named, themes_named
    return run


def _distinct_counts(column: pd.Series) -> Counter:
    exploded = column.explode().dropna()
    pairs = pd.DataFrame({"row": exploded.index, "value": exploded.to_numpy()})
    return Counter(pairs.drop_duplicates()["value"].value_counts().to_dict())


def peer_pandas(findings: pd.DataFrame, gazetteer):
    """(b) pandas, exploding the list columns on every call; nothing precomputed."""
    frame = findings.reset_index(drop=True)

    def any_in(column: str, wanted) -> np.ndarray:
        exploded = frame[column].explode()
        return exploded.isin(list(wanted)).groupby(level=0).any().to_numpy(dtype=bool)

    def run(filters: Filters):
        mask = np.ones(len(frame), dtype=bool)
        if filters.themes:
            mask &= any_in("themes", filters.themes)
        if filters.region:
            mask &= any_in("regions", flt.region_scope(filters.region, gazetteer, filters.wider))
        if filters.actors:
            mask &= any_in("actors", filters.actors)
        if filters.kinds:
            mask &= frame["kind"].isin(filters.kinds).to_numpy(dtype=bool)
        if filters.reports:
            mask &= frame["report_id"].isin(filters.reports).to_numpy(dtype=bool)
        terms = flt.search_terms(filters.text)
        if terms:
            haystack = (frame["title"] + "\n" + frame["summary"] + "\n"
                        + frame["excerpt"]).map(fold)
            for term in terms:
                mask &= haystack.str.contains(term, regex=False).to_numpy(dtype=bool)
        selected = frame[mask]
        return (findings[mask], _distinct_counts(selected["regions"]),
                _distinct_counts(selected["themes"]))
    return run


class DuckPeer:
    """(c) DuckDB over the same data: one table with list columns and the folded search text,
    filtered with ``list_has_any`` and counted with ``unnest``."""

    def __init__(self, findings: pd.DataFrame, index: FindingsIndex):
        import duckdb
        import pyarrow as pa
        self.findings = findings
        self.gazetteer = index.gazetteer
        started = time.perf_counter()
        table = pa.table({
            "i": pa.array(np.arange(len(findings), dtype=np.int64)),
            "themes": pa.array(findings["themes"].tolist(), type=pa.list_(pa.string())),
            "regions": pa.array(findings["regions"].tolist(), type=pa.list_(pa.string())),
            "actors": pa.array(findings["actors"].tolist(), type=pa.list_(pa.string())),
            "kind": pa.array(findings["kind"].tolist(), type=pa.string()),
            "report_id": pa.array(findings["report_id"].tolist(), type=pa.string()),
            "text": pa.array(index.text.tolist(), type=pa.string()),
        })
        self.con = duckdb.connect()
        self.con.register("source", table)
        self.con.execute("CREATE TABLE findings AS SELECT * FROM source")
        self.con.unregister("source")
        self.ingest_seconds = time.perf_counter() - started
        self.threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
        self.version = duckdb.__version__

    def __call__(self, filters: Filters):
        where, params = ["TRUE"], {}
        if filters.themes:
            where.append("list_has_any(themes, $themes)")
            params["themes"] = list(filters.themes)
        if filters.region:
            where.append("list_has_any(regions, $scope)")
            params["scope"] = sorted(flt.region_scope(filters.region, self.gazetteer,
                                                      filters.wider))
        if filters.actors:
            where.append("list_has_any(actors, $actors)")
            params["actors"] = list(filters.actors)
        if filters.kinds:
            where.append("list_contains($kinds, kind)")
            params["kinds"] = list(filters.kinds)
        if filters.reports:
            where.append("list_contains($reports, report_id)")
            params["reports"] = list(filters.reports)
        for n, term in enumerate(flt.search_terms(filters.text)):
            where.append(f"contains(text, $t{n})")
            params[f"t{n}"] = term
        clause = " AND ".join(where)
        rows = self.con.execute(f"SELECT i FROM findings WHERE {clause} ORDER BY i",
                                params).fetchnumpy()["i"]
        counts = []
        for column in ("regions", "themes"):
            found = self.con.execute(
                f"SELECT v, count(*) FROM (SELECT unnest(list_distinct({column})) AS v "
                f"FROM findings WHERE {clause}) GROUP BY v", params).fetchall()
            counts.append(Counter(dict(found)))
        return self.findings.iloc[np.asarray(rows)], counts[0], counts[1]


def peer_current(findings: pd.DataFrame, gazetteer):
    """(d) The current code: ``filters.apply`` + ``maps.region_counts``."""
    def run(filters: Filters):
        selected = flt.apply(findings, filters, gazetteer)
        return selected, maps.region_counts(selected), flt.count_values(selected, "themes")
    return run


def peer_index(index: FindingsIndex):
    """(e) The precomputed ``FindingsIndex``."""
    def run(filters: Filters):
        mask = index.mask(filters)
        return index.apply(mask=mask), index.region_counts(mask), index.theme_counts(mask)
    return run


def peer_index_lazy(index: FindingsIndex):
    """(e') The index without materialising the filtered frame: the mask and the counts only
    (what a page needs when it shows a page of rows rather than all of them)."""
    def run(filters: Filters):
        mask = index.mask(filters)
        return mask, index.region_counts(mask), index.theme_counts(mask)
    return run


PEERS = {"naive": "(a) naive per-row Python", "pandas": "(b) pandas, explode each time",
         "duckdb": "(c) DuckDB list_has_any + unnest", "current": "(d) filters.apply (current)",
         "index": "(e) FindingsIndex", "index_lazy": "(e') index: mask + counts, no frame"}


def filter_states(actor: str) -> dict[str, Filters]:
    return {
        "none": Filters(),
        "one theme": Filters(themes=("propaganda",)),
        "region PK": Filters(region="PK"),
        "region PK wider": Filters(region="PK", wider=True),
        "theme+region+actor": Filters(themes=("recruitment",), region="AF", actors=(actor,)),
        "text search": Filters(text="radio"),
    }


def same_answer(a, b) -> bool:
    return (list(a[0]["id"]) == list(b[0]["id"]) and +a[1] == +b[1] and +a[2] == +b[2])


# --- sections ------------------------------------------------------------------------------------


@dataclass
class Sized:
    n: int
    label: str
    corpus: generate.SyntheticCorpus
    index: FindingsIndex
    duck: DuckPeer | None = None


def bench_build(sizes: list[int], results: Results, with_duckdb: bool) -> list[Sized]:
    built = []
    for n in sizes:
        label = generate.size_label(n)
        gc.collect()
        gen_s, corpus = timed(lambda: generate.generate(n, seed=0))
        gc.collect()
        build_s, index = timed(lambda: FindingsIndex.build(corpus.findings, corpus.gazetteer))
        sized = Sized(n, label, corpus, index)
        duck_s = None
        if with_duckdb:
            sized.duck = DuckPeer(corpus.findings, index)
            duck_s = sized.duck.ingest_seconds
        text_mb = sum(map(len, index.text.tolist())) / 1e6
        results.add("build", size=label, n=n, generate_s=gen_s, index_build_s=build_s,
                    duckdb_ingest_s=duck_s, index_arrays_mb=index.nbytes / 1e6,
                    search_text_mb=text_mb, reports=len(corpus.reports))
        log(f"  {label}: generated in {gen_s:.2f} s, index built in {build_s:.2f} s"
            + (f", DuckDB ingest {duck_s:.2f} s" if duck_s is not None else ""))
        built.append(sized)
    return built


def bench_loader(results: Results, repeat: int, budget: float, n: int = 10_000) -> None:
    corpus = generate.generate(n, seed=1)
    data = corpus.csv_bytes()
    context = corpus.context()
    samples, first = interleaved(
        {"load_findings_bytes": lambda: load_findings_bytes(data, "synthetic.csv", context,
                                                            source=generate.SOURCE)},
        repeat, budget)
    result = first["load_findings_bytes"]
    assert not result.problems, result.problems[:3]
    pd.testing.assert_frame_equal(result.findings, corpus.findings, check_exact=True)
    s = summary(samples["load_findings_bytes"])
    record = results.add("loader", size=generate.size_label(n), n=n, csv_bytes=len(data),
                         **s, findings_per_s=n / s["median"],
                         findings_per_s_min=n / s["max"], findings_per_s_max=n / s["min"])
    log(f"  {n:,} rows: {fmt_stats(s)} -> {record['findings_per_s']:,.0f} findings/s")


def bench_filter(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    for sized in built:
        findings, gaz, index = sized.corpus.findings, sized.corpus.gazetteer, sized.index
        peers = {"naive": peer_naive(findings, gaz), "pandas": peer_pandas(findings, gaz)}
        if sized.duck is not None:
            peers["duckdb"] = sized.duck
        peers["current"] = peer_current(findings, gaz)
        peers["index"] = peer_index(index)
        peers["index_lazy"] = peer_index_lazy(index)
        for state, filters in filter_states(generate.ACTORS[0]).items():
            funcs = {name: (lambda p=peer: p(filters)) for name, peer in peers.items()}

            def setup(name: str) -> None:
                if name.startswith("index"):
                    index.forget_searches()  # every run is a first search for the term
            samples, first = interleaved(funcs, repeat, budget, setup)
            reference = first["current"]
            lazy = first.pop("index_lazy")
            if not (list(findings["id"][lazy[0]]) == list(reference[0]["id"])
                    and lazy[1:] == reference[1:]):
                raise AssertionError(f"index mask disagrees on {state} at {sized.label}")
            for name, answer in first.items():
                if not same_answer(answer, reference):
                    raise AssertionError(f"{name} disagrees with filters.apply on {state} "
                                         f"at {sized.label}")
            record = results.add("filter", size=sized.label, n=sized.n, state=state,
                                 filters=filters.to_query_params(), matches=len(reference[0]),
                                 agree=True, **{name: summary(s) for name, s in samples.items()})
            ours = record["index"]
            log(f"  {sized.label:>5} {state:<19} {record['matches']:>9,} rows  "
                + "  ".join(f"{name} {fmt_time(record[name].get('median'))}"
                            for name in funcs)
                + f"  | index vs current {fmt_ratio(record['current'], ours)}")


def bench_rerun_work(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    """The filter work of one rerun of the shared frame: the view's findings, the facet counts
    of the sidebar, the region picker's counts and the map's counts."""
    import dashboard.ui as ui  # the region picker's counts live there
    for sized in built:
        c = sized.corpus
        findings, gaz, index = c.findings, c.gazetteer, sized.index
        corpus = Corpus(c.reports, findings, gaz, c.taxonomy)
        for state, filters in {"none": Filters(),
                               "theme+region+actor": Filters(themes=("recruitment",), region="AF",
                                                             actors=(generate.ACTORS[0],)),
                               "text search": Filters(text="radio")}.items():
            def current():
                facets = flt.facets(findings, filters, gaz)
                scope = ui._region_scope_counts(corpus, filters)
                view = flt.apply(findings, filters, gaz)
                return view, facets, scope, maps.region_counts(view)

            def indexed():
                facets = index.facets(filters)
                scope = index.region_scope_counts(filters)
                mask = index.mask(filters)
                return index.apply(mask=mask), facets, scope, index.region_counts(mask)
            index.term_mask("radio")  # a rerun finds the term remembered from the first run
            samples, first = interleaved({"current": current, "index": indexed}, repeat, budget)
            a, b = first["current"], first["index"]
            assert list(a[0]["id"]) == list(b[0]["id"]) and a[1:] == b[1:], state
            record = results.add("rerun-work", size=sized.label, n=sized.n, state=state,
                                 current=summary(samples["current"]),
                                 index=summary(samples["index"]))
            log(f"  {sized.label:>5} {state:<19} current {fmt_stats(record['current'])}  "
                f"index {fmt_stats(record['index'])}")


def bench_map(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    gaz = built[0].corpus.gazetteer if built else None
    if gaz is None:
        from dashboard.regions import load_gazetteer
        gaz = load_gazetteer()
    prepare_s, data = timed(lambda: maps.prepare(load_geometry(), load_context(), gaz))
    results.add("map-prepare", seconds=prepare_s)
    for sized in built:
        counts = sized.index.region_counts()
        for selected in (None, "PK"):
            samples, first = interleaved(
                {"build_map": lambda: maps.build_map(data, gaz, counts, selected),
                 "to_json": lambda: maps.build_map(data, gaz, counts, selected).to_json()},
                repeat, budget)
            payload = len(first["to_json"])
            record = results.add("map", size=sized.label, n=sized.n, selected=selected,
                                 build=summary(samples["build_map"]),
                                 build_and_json=summary(samples["to_json"]),
                                 json_chars=payload)
            log(f"  {sized.label:>5} selected={selected}: build {fmt_stats(record['build'])}, "
                f"build+to_json {fmt_stats(record['build_and_json'])}, {payload:,} chars")


def _apptest(page: str | None = None, script: Path = ROOT / "app.py"):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(script), default_timeout=300)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def bench_apptest(results: Results, repeat: int, budget: float) -> None:
    first_s, explorer = timed(lambda: _apptest())
    table = _apptest("pages/table.py")
    empty = _apptest(script=BENCH / "empty_page.py")
    samples, _ = interleaved({"map page (explorer)": explorer.run, "table page": table.run,
                              "empty page": empty.run}, max(repeat, 5), budget)
    for at in (explorer, table):
        assert not at.exception, [e.value for e in at.exception]
    floor = summary(samples["empty page"])
    results.add("apptest-first", seconds=first_s)
    for name, s in samples.items():
        record = results.add("apptest", page=name, **summary(s))
        log(f"  {name:<22} {fmt_stats(record)}  ({fmt_ratio(record, floor)} the empty page)")


def bench_heap(results: Results, reruns: int = 100) -> None:
    at = _apptest()
    multiselect = lambda: at.sidebar.multiselect(key="w_themes")  # noqa: E731

    def change(i: int) -> None:
        multiselect().set_value(["refugees"] if i % 2 == 0 else []).run()
    for i in range(6):  # warm up: every cache and lazy import reached once
        change(i)
    assert not at.exception
    gc.collect()
    tracemalloc.start()
    start_current, _ = tracemalloc.get_traced_memory()
    before = tracemalloc.take_snapshot()
    checkpoints, times = [], []
    for i in range(reruns):
        seconds, _ = timed(lambda: change(i))
        times.append(seconds)
        if (i + 1) % max(1, reruns // 4) == 0:
            gc.collect()
            checkpoints.append((i + 1, tracemalloc.get_traced_memory()[0] - start_current))
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    assert not at.exception, [e.value for e in at.exception]
    top = [{"where": str(stat.traceback[0]), "bytes": stat.size_diff}
           for stat in after.compare_to(before, "lineno")[:5]]
    xs = np.array([c[0] for c in checkpoints], dtype=float)
    ys = np.array([c[1] for c in checkpoints], dtype=float)
    slope = float(np.polyfit(xs, ys, 1)[0]) if len(xs) >= 2 else None
    record = results.add("heap", reruns=reruns, growth_bytes=current - start_current,
                         peak_bytes=peak - start_current, per_rerun_bytes_fit=slope,
                         checkpoints=checkpoints, top_growth=top,
                         rerun_under_tracemalloc=summary(times))
    log(f"  {reruns} filter changes: heap {record['growth_bytes'] / 1024:+.0f} KiB "
        f"(fit {slope or 0:+.0f} B/rerun), peak +{record['peak_bytes'] / 1024:.0f} KiB; "
        f"rerun under tracemalloc {fmt_stats(record['rerun_under_tracemalloc'])}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MAP_LOADED = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return !!(sub && sub.map && sub.map.loaded() && !sub.map.isMoving());
}"""
APP_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning';
}"""


def _click_map(page, lon: float, lat: float) -> float:
    """Hover, then click a point of the map (as tests/browser does); returns the click's time."""
    x, y = page.evaluate(
        """([lon, lat]) => {
            const gd = document.querySelector('.js-plotly-plot');
            const map = gd._fullLayout.map._subplot.map;
            const p = map.project([lon, lat]);
            const r = map.getCanvas().getBoundingClientRect();
            return [r.left + p.x, r.top + p.y];
        }""", [lon, lat])
    page.mouse.move(x - 6, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    clicked = time.perf_counter()
    page.mouse.click(x, y)
    return clicked


def bench_browser(results: Results, starts: int, clicks: int, tmp: Path) -> None:
    from playwright.sync_api import sync_playwright
    streamlit = Path(sys.executable).with_name("streamlit")
    command = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
    health, drawn, page_to_map, click_url, click_redrawn = [], [], [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for k in range(starts):
            port = _free_port()
            url = f"http://localhost:{port}"
            log_file = open(tmp / f"streamlit-{port}.log", "w")
            started = time.perf_counter()
            process = subprocess.Popen(
                command + ["run", "app.py", "--server.port", str(port),
                           "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
            try:
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"streamlit exited early; see {log_file.name}")
                    if time.perf_counter() - started > 120:
                        raise RuntimeError("no health answer within 120 s")
                    try:
                        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                            if r.status == 200:
                                break
                    except OSError:
                        time.sleep(0.02)
                health.append(time.perf_counter() - started)
                context = browser.new_context(viewport={"width": 1440, "height": 1000})
                page = context.new_page()
                opened = time.perf_counter()
                page.goto(url)
                page.wait_for_selector('[data-testid="stPlotlyChart"] canvas', timeout=120_000)
                page.wait_for_function(MAP_LOADED, timeout=120_000)
                now = time.perf_counter()
                drawn.append(now - started)
                page_to_map.append(now - opened)
                for _ in range(clicks):
                    page.wait_for_function(APP_IDLE, timeout=60_000)
                    page.wait_for_function(MAP_LOADED, timeout=60_000)
                    page.wait_for_timeout(500)
                    clicked = _click_map(page, 69.3, 27.5)  # Pakistan (Sindh)
                    page.wait_for_function("() => location.search.includes('region=PK')",
                                           timeout=60_000, polling=10)
                    click_url.append(time.perf_counter() - clicked)
                    page.wait_for_function(APP_IDLE, timeout=60_000)
                    page.wait_for_function(MAP_LOADED, timeout=60_000)
                    click_redrawn.append(time.perf_counter() - clicked)
                    page.wait_for_timeout(500)
                    _click_map(page, 69.3, 27.5)  # the same area again clears the choice
                    page.wait_for_function("() => !location.search.includes('region=')",
                                           timeout=60_000, polling=10)
                context.close()
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                log_file.close()
            log(f"  start {k + 1}: health {health[-1]:.2f} s, map drawn {drawn[-1]:.2f} s")
        browser.close()
    for name, values in (("streamlit run -> /_stcore/health", health),
                         ("streamlit run -> map drawn in Chromium", drawn),
                         ("page opened -> map drawn", page_to_map),
                         ("click on Pakistan -> URL has region=PK", click_url),
                         ("click on Pakistan -> map redrawn", click_redrawn)):
        record = results.add("browser", what=name, **summary(values))
        log(f"  {name:<40} {fmt_stats(record)}")


# --- report --------------------------------------------------------------------------------------


def environment(args) -> dict:
    import duckdb
    import plotly
    import streamlit
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        commit = ""
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"), "commit": commit,
        "python": platform.python_version(), "platform": platform.platform(),
        "cpus": os.cpu_count(), "load_average_start": os.getloadavg(),
        "pandas": pd.__version__, "numpy": np.__version__, "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__, "plotly": plotly.__version__,
        "repeat": args.repeat, "budget_s": args.budget, "sizes": args.sizes,
    }


def markdown(results: Results) -> str:
    env = results.environment
    lines = ["# Benchmark results", "",
             f"{env['when']} · commit {env['commit'] or '?'} · Python {env['python']} · "
             f"{env['cpus']} CPUs · load average {env['load_average_start'][0]:.1f} at start, "
             f"{env.get('load_average_end', [0])[0]:.1f} at end · pandas {env['pandas']} · "
             f"numpy {env['numpy']} · DuckDB {env['duckdb']} · Streamlit {env['streamlit']} · "
             f"plotly {env['plotly']} · up to {env['repeat']} runs each "
             f"(fewer once a measurement has spent {env['budget_s']:.0f} s).", "",
             "Cells: median [interquartile range] (runs). Synthetic corpora from "
             "`bench/generate.py` (seed 0).", ""]
    s = results.sections
    if "build" in s:
        lines += ["## Generating the corpus and building the index", "",
                  "| findings | reports | generate | FindingsIndex.build | DuckDB ingest | "
                  "index arrays | folded search text |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in s["build"]:
            lines.append(f"| {r['size']} | {r['reports']:,} | {fmt_time(r['generate_s'])} | "
                         f"{fmt_time(r['index_build_s'])} | {fmt_time(r['duckdb_ingest_s'])} | "
                         f"{r['index_arrays_mb']:.1f} MB | {r['search_text_mb']:.1f} MB |")
        lines.append("")
    if "loader" in s:
        lines += ["## Loading: read + validate + anchor (`load_findings_bytes` on a generated CSV)",
                  "", "| rows | CSV | time | findings/s (median) | findings/s (range) |",
                  "|---:|---:|---:|---:|---:|"]
        for r in s["loader"]:
            lines.append(f"| {r['n']:,} | {r['csv_bytes'] / 1e6:.1f} MB | {fmt_stats(r)} | "
                         f"{r['findings_per_s']:,.0f} | {r['findings_per_s_min']:,.0f}–"
                         f"{r['findings_per_s_max']:,.0f} |")
        lines.append("")
    if "filter" in s:
        lines += ["## Filter + aggregate by region and theme", "",
                  "Each implementation returns the filtered findings (a frame), the count of "
                  "findings naming each region code and the count per theme; all five answers "
                  "are checked equal. The index's search is timed as a first search (its "
                  "remembered terms are dropped before every run).", ""]
        sizes = list(dict.fromkeys(r["size"] for r in s["filter"]))
        for size in sizes:
            rows = [r for r in s["filter"] if r["size"] == size]
            peers = [p for p in PEERS if p in rows[0]]
            lines += [f"### {size} findings", "",
                      "| filter state | rows | " + " | ".join(PEERS[p] for p in peers)
                      + " | " + " | ".join(f"(e) vs {PEERS[p][:3]}" for p in peers
                                          if p not in ("index", "index_lazy")) + " |",
                      "|---|---:|" + "---:|" * (2 * len(peers) - 2)]
            for r in rows:
                lines.append(f"| {r['state']} | {r['matches']:,} | "
                             + " | ".join(fmt_stats(r[p]) for p in peers) + " | "
                             + " | ".join(fmt_ratio(r[p], r["index"]) for p in peers
                                          if p not in ("index", "index_lazy")) + " |")
            lines.append("")
    if "rerun-work" in s:
        lines += ["## Filter work of one rerun (view + sidebar facets + region picker counts + "
                  "map counts)", "",
                  "What `ui.frame` and the map page compute on every rerun today "
                  "(`filters.apply` five times over, `ui._region_scope_counts`, "
                  "`maps.region_counts`) against the index (`facets`, `region_scope_counts`, "
                  "`mask`/`apply`, `region_counts`), the search term remembered as it is on a "
                  "rerun.", "", "| findings | filter state | current | FindingsIndex | speed-up |",
                  "|---:|---|---:|---:|---:|"]
        for r in s["rerun-work"]:
            lines.append(f"| {r['size']} | {r['state']} | {fmt_stats(r['current'])} | "
                         f"{fmt_stats(r['index'])} | {fmt_ratio(r['current'], r['index'])} |")
        lines.append("")
    if "map" in s:
        prep = s.get("map-prepare", [{}])[0].get("seconds")
        lines += ["## Map figure", "",
                  f"`maps.prepare` (once, cached): {fmt_time(prep)}. The payload is "
                  "`len(fig.to_json())`: it does not grow with the findings, only with the "
                  "digits of the counts in labels and hover texts.", "",
                  "| findings | selected | build_map | build_map + to_json | JSON payload |",
                  "|---:|---|---:|---:|---:|"]
        for r in s["map"]:
            lines.append(f"| {r['size']} | {r['selected'] or '–'} | {fmt_stats(r['build'])} | "
                         f"{fmt_stats(r['build_and_json'])} | {r['json_chars']:,} chars |")
        lines.append("")
    if "apptest" in s:
        first = s.get("apptest-first", [{}])[0].get("seconds")
        floor = next(r for r in s["apptest"] if r["page"] == "empty page")
        lines += ["## Server-side rerun (`AppTest`, bundled data)", "",
                  f"First run of `app.py` in the process (loads and caches the corpus): "
                  f"{fmt_time(first)}.", "", "| script | rerun | vs empty page |",
                  "|---|---:|---:|"]
        for r in s["apptest"]:
            lines.append(f"| {r['page']} | {fmt_stats(r)} | {fmt_ratio(r, floor)} |")
        lines.append("")
    if "heap" in s:
        r = s["heap"][0]
        lines += ["## Python heap over repeated filter changes (`tracemalloc`, AppTest)", "",
                  f"{r['reruns']} reruns toggling the theme filter on the map page: heap "
                  f"{r['growth_bytes'] / 1024:+,.0f} KiB after all of them (linear fit "
                  f"{(r['per_rerun_bytes_fit'] or 0):+,.0f} bytes per rerun; checkpoints "
                  + ", ".join(f"{n}: {b / 1024:+,.0f} KiB" for n, b in r["checkpoints"])
                  + f"); peak {r['peak_bytes'] / 1024:+,.0f} KiB. A rerun under tracemalloc: "
                  f"{fmt_stats(r['rerun_under_tracemalloc'])}.", "",
                  "Largest growth by line: " + "; ".join(
                      f"`{t['where'].replace(str(ROOT), '.')}` {t['bytes'] / 1024:+,.0f} KiB"
                      for t in r["top_growth"][:3]) + ".", ""]
    if "browser" in s:
        lines += ["## Cold start and a map click in headless Chromium", "",
                  "| from -> to | time |", "|---|---:|"]
        for r in s["browser"]:
            lines.append(f"| {r['what']} | {fmt_stats(r)} |")
        lines.append("")
    if results.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in results.notes] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k,100k",
                        help="comma-separated corpus sizes (default 1k,10k,100k)")
    parser.add_argument("--full", action="store_true", help="also 1M findings")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--budget", type=float, default=12.0,
                        help="seconds one measurement may spend before it stops repeating")
    parser.add_argument("--only", default="", help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--skip", default="", help="comma-separated sections to leave out")
    parser.add_argument("--starts", type=int, default=3, help="cold starts of the server")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite latest.md from latest.json (after a format change)")
    args = parser.parse_args(argv)
    if args.render:
        saved = json.loads((args.out / "latest.json").read_text())
        results = Results(saved["environment"], saved["sections"], saved["notes"])
        (args.out / "latest.md").write_text(markdown(results))
        log(f"Wrote {args.out / 'latest.md'}")
        return 0
    sizes = [generate.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    args.sizes = [generate.size_label(n) for n in sizes]
    wanted = [x for x in (args.only.split(",") if args.only else SECTIONS) if x]
    wanted = [x for x in wanted if x not in args.skip.split(",")]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")

    args.out.mkdir(parents=True, exist_ok=True)
    tmp = args.out / "logs.tmp"  # server logs of the browser section (git-ignored: *.tmp)
    if "browser" in wanted:
        tmp.mkdir(exist_ok=True)
    results = Results(environment(args))
    began = time.perf_counter()
    built: list[Sized] = []
    if {"build", "filter", "rerun-work", "map"} & set(wanted):
        log("Generating corpora and building indexes")
        built = bench_build(sizes, results, with_duckdb="filter" in wanted)
        results.environment["duckdb_threads"] = built[0].duck.threads if built and built[0].duck \
            else None
    steps = [("loader", "Loader throughput",
              lambda: bench_loader(results, args.repeat, args.budget)),
             ("filter", "Filter + aggregate",
              lambda: bench_filter(built, results, args.repeat, args.budget)),
             ("rerun-work", "Filter work of one rerun",
              lambda: bench_rerun_work(built, results, args.repeat, args.budget)),
             ("map", "Map figure", lambda: bench_map(built, results, args.repeat, args.budget)),
             ("apptest", "AppTest reruns",
              lambda: bench_apptest(results, args.repeat, args.budget)),
             ("heap", "Heap growth", lambda: bench_heap(results)),
             ("browser", "Cold start and click in Chromium",
              lambda: bench_browser(results, args.starts, 2, tmp))]
    for name, title, step in steps:
        if name in wanted:
            log(f"{title}")
            step()
    del built
    results.environment["load_average_end"] = os.getloadavg()
    results.environment["total_s"] = time.perf_counter() - began
    if results.environment.get("duckdb_threads"):
        results.notes.append(f"DuckDB ran with {results.environment['duckdb_threads']} threads; "
                             "everything else is single-threaded Python/numpy.")
    results.notes.append("Peers (a), (b) and (d) fold the search text on every call, as the "
                         "current code does; (c) and (e) search a folded text prepared once "
                         "(DuckDB ingests the index's folded column).")
    results.notes.append(f"Whole run: {results.environment['total_s']:.0f} s.")
    payload = {"environment": results.environment, "sections": results.sections,
               "notes": results.notes}
    (args.out / "latest.json").write_text(json.dumps(payload, indent=1, default=str) + "\n")
    (args.out / "latest.md").write_text(markdown(results))
    log(f"Wrote {args.out / 'latest.json'} and {args.out / 'latest.md'} "
        f"in {results.environment['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
