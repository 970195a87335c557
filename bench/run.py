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
import functools
import gc
import inspect
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402  (bench/generate.py)

from dashboard.core.corpus import Corpus  # noqa: E402
from dashboard.core.findings import load_findings_bytes  # noqa: E402
from dashboard.core.regions import load_context, load_geometry  # noqa: E402
from dashboard.core.text import fold  # noqa: E402
from dashboard.query import filters as flt  # noqa: E402
from dashboard.query.filters import Filters  # noqa: E402
from dashboard.query.index import FindingsIndex  # noqa: E402
from dashboard.views import maps  # noqa: E402

SECTIONS = (
    "build",
    "loader",
    "filter",
    "rerun-work",
    "map",
    "apptest",
    "apptest-sizes",
    "heap",
    "browser",
    "browser-sizes",
    "briefing",
)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
]
#: A first run faster than this is a warm-up and is not counted; a slower one is kept.
WARMUP_KEEP = 0.25


# --- measuring ------------------------------------------------------------------------------------


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


def timed(fn: Callable[[], object]) -> tuple[float, object]:
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
        scope = (
            flt.region_scope(filters.region, gazetteer, filters.wider) if filters.region else None
        )
        terms = flt.search_terms(filters.text)
        rows, regions_named, themes_named = [], Counter(), Counter()
        columns = zip(
            findings["themes"].tolist(),
            findings["regions"].tolist(),
            findings["actors"].tolist(),
            findings["kind"].tolist(),
            findings["report_id"].tolist(),
            findings["title"].tolist(),
            findings["summary"].tolist(),
            findings["excerpt"].tolist(),
        )
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
            haystack = (frame["title"] + "\n" + frame["summary"] + "\n" + frame["excerpt"]).map(
                fold
            )
            for term in terms:
                mask &= haystack.str.contains(term, regex=False).to_numpy(dtype=bool)
        selected = frame[mask]
        return (
            findings[mask],
            _distinct_counts(selected["regions"]),
            _distinct_counts(selected["themes"]),
        )

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
        table = pa.table(
            {
                "i": pa.array(np.arange(len(findings), dtype=np.int64)),
                "themes": pa.array(findings["themes"].tolist(), type=pa.list_(pa.string())),
                "regions": pa.array(findings["regions"].tolist(), type=pa.list_(pa.string())),
                "actors": pa.array(findings["actors"].tolist(), type=pa.list_(pa.string())),
                "kind": pa.array(findings["kind"].tolist(), type=pa.string()),
                "report_id": pa.array(findings["report_id"].tolist(), type=pa.string()),
                "text": pa.array(index.text.tolist(), type=pa.string()),
            }
        )
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
            params["scope"] = sorted(
                flt.region_scope(filters.region, self.gazetteer, filters.wider)
            )
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
        rows = self.con.execute(
            f"SELECT i FROM findings WHERE {clause} ORDER BY i", params
        ).fetchnumpy()["i"]
        counts = []
        for column in ("regions", "themes"):
            found = self.con.execute(
                f"SELECT v, count(*) FROM (SELECT unnest(list_distinct({column})) AS v "
                f"FROM findings WHERE {clause}) GROUP BY v",
                params,
            ).fetchall()
            counts.append(Counter(dict(found)))
        return self.findings.iloc[np.asarray(rows)], counts[0], counts[1]


def peer_current(findings: pd.DataFrame, gazetteer):
    """(d) The pandas code the pages ran before the index: ``filters.apply`` +
    ``maps.region_counts``."""

    def run(filters: Filters):
        selected = flt.apply(findings, filters, gazetteer)
        return selected, maps.region_counts(selected), flt.count_values(selected, "themes")

    return run


#: Cards on a page of the map explorer (ui.PAGE_SIZE): the rows a rerun turns into a frame.
PAGE_ROWS = 10


def peer_index(index: FindingsIndex):
    """(e) The ``FindingsIndex`` as the pages use it: the mask, the region and theme counts, and
    the frame of the rows one page shows (``ui.View.rows``)."""

    def run(filters: Filters):
        mask = index.mask(filters)
        page = index.findings.iloc[np.flatnonzero(mask)[:PAGE_ROWS]]
        return mask, index.region_counts(mask), index.theme_counts(mask), page

    return run


def peer_index_frame(index: FindingsIndex):
    """(e') The index and the frame of every passing row (what a download needs)."""

    def run(filters: Filters):
        mask = index.mask(filters)
        return index.apply(mask=mask), index.region_counts(mask), index.theme_counts(mask)

    return run


PEERS = {
    "naive": "(a) naive per-row Python",
    "pandas": "(b) pandas, explode each time",
    "duckdb": "(c) DuckDB list_has_any + unnest",
    "current": "(d) filters.apply (pre-index)",
    "index": "(e) FindingsIndex: mask + counts + a page of rows",
    "index_frame": "(e') index + the whole filtered frame",
}


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
    return list(a[0]["id"]) == list(b[0]["id"]) and +a[1] == +b[1] and +a[2] == +b[2]


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
        build_s, index = timed(
            lambda: FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never")
        )
        # The word index, built in a background thread in the app, here in the foreground.
        words_s, _ = timed(index._index_words)
        sized = Sized(n, label, corpus, index)
        duck_s = None
        if with_duckdb:
            sized.duck = DuckPeer(corpus.findings, index)
            duck_s = sized.duck.ingest_seconds
        text_mb = sum(map(len, index.text.tolist())) / 1e6
        results.add(
            "build",
            size=label,
            n=n,
            generate_s=gen_s,
            index_build_s=build_s,
            words_build_s=words_s,
            duckdb_ingest_s=duck_s,
            index_arrays_mb=index.nbytes / 1e6,
            search_text_mb=text_mb,
            reports=len(corpus.reports),
        )
        log(
            f"  {label}: generated in {gen_s:.2f} s, index built in {build_s:.2f} s "
            f"(+ word index {words_s:.2f} s)"
            + (f", DuckDB ingest {duck_s:.2f} s" if duck_s is not None else "")
        )
        built.append(sized)
    return built


def bench_loader(results: Results, repeat: int, budget: float, n: int = 10_000) -> None:
    corpus = generate.generate(n, seed=1)
    data = corpus.csv_bytes()
    context = corpus.context()
    samples, first = interleaved(
        {
            "load_findings_bytes": lambda: load_findings_bytes(
                data, "synthetic.csv", context, source=generate.SOURCE
            )
        },
        repeat,
        budget,
    )
    result = first["load_findings_bytes"]
    assert not result.problems, result.problems[:3]
    pd.testing.assert_frame_equal(result.findings, corpus.findings, check_exact=True)
    s = summary(samples["load_findings_bytes"])
    record = results.add(
        "loader",
        size=generate.size_label(n),
        n=n,
        csv_bytes=len(data),
        **s,
        findings_per_s=n / s["median"],
        findings_per_s_min=n / s["max"],
        findings_per_s_max=n / s["min"],
    )
    log(f"  {n:,} rows: {fmt_stats(s)} -> {record['findings_per_s']:,.0f} findings/s")


def bench_filter(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    for sized in built:
        findings, gaz, index = sized.corpus.findings, sized.corpus.gazetteer, sized.index
        peers = {"naive": peer_naive(findings, gaz), "pandas": peer_pandas(findings, gaz)}
        if sized.duck is not None:
            peers["duckdb"] = sized.duck
        peers["current"] = peer_current(findings, gaz)
        peers["index"] = peer_index(index)
        peers["index_frame"] = peer_index_frame(index)
        for state, filters in filter_states(generate.ACTORS[0]).items():
            funcs = {name: (lambda p=peer: p(filters)) for name, peer in peers.items()}

            def setup(name: str) -> None:
                if name.startswith("index"):
                    index.forget_searches()  # every run is a first search for the term

            samples, first = interleaved(funcs, repeat, budget, setup)
            reference = first["current"]
            ours = first.pop("index")
            expected = reference[0]
            if not (
                list(findings["id"][ours[0]]) == list(expected["id"])
                and ours[1:3] == reference[1:]
                and ours[3].equals(expected.head(PAGE_ROWS))
            ):
                raise AssertionError(f"index mask disagrees on {state} at {sized.label}")
            for name, answer in first.items():
                if not same_answer(answer, reference):
                    raise AssertionError(
                        f"{name} disagrees with filters.apply on {state} at {sized.label}"
                    )
            record = results.add(
                "filter",
                size=sized.label,
                n=sized.n,
                state=state,
                filters=filters.to_query_params(),
                matches=len(reference[0]),
                agree=True,
                **{name: summary(s) for name, s in samples.items()},
            )
            ours = record["index"]
            log(
                f"  {sized.label:>5} {state:<19} {record['matches']:>9,} rows  "
                + "  ".join(f"{name} {fmt_time(record[name].get('median'))}" for name in funcs)
                + f"  | index vs pre-index {fmt_ratio(record['current'], ours)}"
            )


def region_scope_counts_pandas(data: Corpus, filters: Filters) -> dict[str, int]:
    """For each region, how many findings the region filter would keep (other filters applied):
    the region picker's counts as ``dashboard.ui._region_scope_counts`` computed them before the
    index (removed from ui.py in 13b9073; kept here, verbatim, as the peer)."""
    base = flt.apply(data.findings, filters.without("region"), data.gazetteer)
    named = [set(r) for r in base["regions"]]
    counts = {}
    for code in data.gazetteer.codes:
        scope = flt.region_scope(code, data.gazetteer, filters.wider)
        counts[code] = sum(1 for regions in named if not scope.isdisjoint(regions))
    return counts


def bench_rerun_work(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    """The filter work of one rerun of the shared frame: the view's findings, the facet counts
    of the sidebar, the region picker's counts and the map's counts."""
    for sized in built:
        c = sized.corpus
        findings, gaz, index = c.findings, c.gazetteer, sized.index
        corpus = Corpus(c.reports, findings, gaz, c.taxonomy)
        for state, filters in {
            "none": Filters(),
            "theme+region+actor": Filters(
                themes=("recruitment",), region="AF", actors=(generate.ACTORS[0],)
            ),
            "text search": Filters(text="radio"),
        }.items():

            def current():
                facets = flt.facets(findings, filters, gaz)
                scope = region_scope_counts_pandas(corpus, filters)
                view = flt.apply(findings, filters, gaz)
                return view, facets, scope, maps.region_counts(view)

            def indexed():
                facets = index.facets(filters)
                scope = index.region_scope_counts(filters)
                mask = index.mask(filters)
                page = index.findings.iloc[np.flatnonzero(mask)[:PAGE_ROWS]]  # ui.View.rows
                return mask, facets, scope, index.region_counts(mask), page

            index.term_mask("radio")  # a rerun finds the term remembered from the first run
            samples, first = interleaved({"current": current, "index": indexed}, repeat, budget)
            a, b = first["current"], first["index"]
            assert (
                list(findings["id"][b[0]]) == list(a[0]["id"])
                and a[1:] == b[1:4]
                and b[4].equals(a[0].head(PAGE_ROWS))
            ), state
            record = results.add(
                "rerun-work",
                size=sized.label,
                n=sized.n,
                state=state,
                current=summary(samples["current"]),
                index=summary(samples["index"]),
            )
            log(
                f"  {sized.label:>5} {state:<19} current {fmt_stats(record['current'])}  "
                f"index {fmt_stats(record['index'])}"
            )


def bench_map(built: list[Sized], results: Results, repeat: int, budget: float) -> None:
    gaz = built[0].corpus.gazetteer if built else None
    if gaz is None:
        from dashboard.core.regions import load_gazetteer

        gaz = load_gazetteer()
    prepare_s, data = timed(lambda: maps.prepare(load_geometry(), load_context(), gaz))
    results.add("map-prepare", seconds=prepare_s)
    for sized in built:
        counts = sized.index.region_counts()
        for selected in (None, "PK"):
            samples, first = interleaved(
                {
                    "build_map": lambda: maps.build_map(data, gaz, counts, selected),
                    "to_json": lambda: maps.build_map(data, gaz, counts, selected).to_json(),
                },
                repeat,
                budget,
            )
            payload = len(first["to_json"])
            record = results.add(
                "map",
                size=sized.label,
                n=sized.n,
                selected=selected,
                build=summary(samples["build_map"]),
                build_and_json=summary(samples["to_json"]),
                json_chars=payload,
            )
            log(
                f"  {sized.label:>5} selected={selected}: build {fmt_stats(record['build'])}, "
                f"build+to_json {fmt_stats(record['build_and_json'])}, {payload:,} chars"
            )


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
    samples, _ = interleaved(
        {"map page (explorer)": explorer.run, "table page": table.run, "empty page": empty.run},
        max(repeat, 5),
        budget,
    )
    for at in (explorer, table):
        assert not at.exception, [e.value for e in at.exception]
    floor = summary(samples["empty page"])
    results.add("apptest-first", seconds=first_s)
    for name, s in samples.items():
        record = results.add("apptest", page=name, **summary(s))
        log(f"  {name:<22} {fmt_stats(record)}  ({fmt_ratio(record, floor)} the empty page)")


# --- AppTest on generated corpora: one fresh process per size ----------------------------------
#
# dashboard.DATA_DIR is read when the package is imported, so each corpus is served by a child
# process (this script with --apptest-child) started with DASHBOARD_DATA pointing at a generated
# data folder and DASHBOARD_STORE at a temporary store file.

#: The two themes a filter change alternates between (each about a fifth of the findings).
THEME_A, THEME_B = "propaganda", "recruitment"


class Stopwatch:
    """Inclusive time spent in chosen functions, which are patched in place while it is active
    (``with watch:``) and restored afterwards. A label's time includes what it calls."""

    def __init__(self) -> None:
        self.targets: list[tuple[object, str, str]] = []
        self.totals: Counter = Counter()
        self.calls: Counter = Counter()
        self.returned: dict[str, object] = {}
        self._saved: list[tuple[object, str, object]] = []

    def add(self, owner: object, name: str, label: str | None = None) -> Stopwatch:
        prefix = owner.__name__.rsplit(".", 1)[-1] if hasattr(owner, "__name__") else str(owner)
        self.targets.append((owner, name, label or f"{prefix}.{name}"))
        return self

    def _timed(self, fn, label: str):
        @functools.wraps(fn)
        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                result = fn(*args, **kwargs)
                self.returned[label] = result
                return result
            finally:
                self.totals[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed_call

    def __enter__(self) -> Stopwatch:
        for owner, name, label in self.targets:
            raw = inspect.getattr_static(owner, name)
            if isinstance(raw, classmethod):
                new = classmethod(self._timed(raw.__func__, label))
            elif isinstance(raw, staticmethod):
                new = staticmethod(self._timed(raw.__func__, label))
            else:
                new = self._timed(raw, label)
            setattr(owner, name, new)
            self._saved.append((owner, name, raw))
        return self

    def __exit__(self, *exc) -> None:
        for owner, name, raw in reversed(self._saved):
            setattr(owner, name, raw)
        self._saved.clear()

    def per_run(self, runs: int) -> list[dict]:
        """Seconds per run and calls per run of every label that was called, slowest first."""
        return [
            {"what": label, "seconds": self.totals[label] / runs, "calls": self.calls[label] / runs}
            for label, _ in self.totals.most_common()
        ]


def _json_breakdown(spec: str, top: int = 12) -> list[dict]:
    """Where the characters of a plotly figure's JSON go: every trace key, every layout key,
    each layer of the map and each key of ``layout.map``; largest first."""
    figure = json.loads(spec)
    size = lambda value: len(json.dumps(value, separators=(",", ":")))  # noqa: E731
    parts = []
    for i, trace in enumerate(figure.get("data", [])):
        named = f", {trace['name']}" if trace.get("name") else ""
        name = f"data[{i}] ({trace.get('type', '?')}{named})"
        for key, value in trace.items():
            parts.append((f"{name}.{key}", size(value)))
    layout = figure.get("layout", {})
    for key, value in layout.items():
        if key == "map" and isinstance(value, dict):
            for sub, subvalue in value.items():
                if sub == "layers":
                    for j, layer in enumerate(subvalue):
                        parts.append(
                            (f"layout.map.layers[{j}] ({layer.get('type', '?')})", size(layer))
                        )
                else:
                    parts.append((f"layout.map.{sub}", size(subvalue)))
        else:
            parts.append((f"layout.{key}", size(value)))
    parts.sort(key=lambda p: -p[1])
    return [{"part": part, "chars": chars} for part, chars in parts[:top]]


def _rerun_watch() -> Stopwatch:
    """The pieces of a warm rerun worth timing on their own."""
    import streamlit as st

    import dashboard.exports.files as export
    import dashboard.ui as ui
    import dashboard.views.cards as cards

    watch = Stopwatch()
    for name in (
        "frame",
        "base",
        "data_fingerprint",
        "_sidebar",
        "show_problems",
        "map_data",
        "map_figure",
        "paged",
        "findings_table",
        "matrix_table",
        "geojson_bytes",
    ):
        watch.add(ui, name, f"ui.{name}")
    for name in ("mask", "apply", "facets", "region_scope_counts", "region_counts", "unplaced"):
        watch.add(FindingsIndex, name, f"index.{name}")
    watch.add(maps, "build_map", "maps.build_map").add(maps, "alt_text", "maps.alt_text")
    watch.add(cards, "finding_card", "cards.finding_card")
    watch.add(export, "to_csv", "export.to_csv").add(export, "to_json", "export.to_json")
    for name in ("plotly_chart", "dataframe", "download_button"):
        watch.add(st, name, f"st.{name}")
    return watch


def apptest_child(out: Path, repeat: int, budget: float, with_table: bool = True) -> None:
    """Runs in the child: cold first runs, warm reruns after a filter change, the map payload.
    Writes a JSON document to *out*."""
    import resource

    import dashboard

    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import dashboard.ui as ui

    import_s = time.perf_counter() - started
    expected = os.environ.get("DASHBOARD_DATA")
    if not expected or Path(expected) != dashboard.DATA_DIR:
        raise RuntimeError(f"DATA_DIR is {dashboard.DATA_DIR}, not DASHBOARD_DATA={expected}")
    record: dict = {"data_dir": str(dashboard.DATA_DIR), "import_s": import_s}

    def fresh(page: str | None = None) -> tuple[AppTest, float, float | None]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
        first, _ = timed(at.run)
        switched = None
        if page:
            at.switch_page(page)
            switched, _ = timed(at.run)
        assert not at.exception, [e.value for e in at.exception]
        return at, first, switched

    def spec_of(at: AppTest) -> str:
        return at.get("plotly_chart")[0].proto.spec

    def themes(at: AppTest, values: list[str]) -> float:
        at.sidebar.multiselect(key="w_themes").set_value(values)
        seconds, _ = timed(at.run)
        assert not at.exception, [e.value for e in at.exception]
        return seconds

    # Cold: the first run of the map page in this process loads and validates the corpus,
    # builds the index and prepares the map geometry.
    cold = (
        Stopwatch()
        .add(ui, "load_corpus", "load_corpus (read + validate + anchor)")
        .add(FindingsIndex, "build", "FindingsIndex.build")
        .add(maps, "prepare", "maps.prepare")
    )
    with cold:
        explorer, map_first, _ = fresh()
    loaded = cold.returned["load_corpus (read + validate + anchor)"]
    record["findings_loaded"] = len(loaded.findings)
    record["reports_loaded"] = len(loaded.reports)
    record["problems"] = len(loaded.problems)
    record["map_first_run_s"] = map_first
    record["cold_parts"] = cold.per_run(1)
    payload = {"none": spec_of(explorer)}

    # A second session filters by one theme on the map page, then opens the table page (the
    # filters go with it): the table's first run makes its downloads of that theme's findings.
    table = None
    if with_table:
        table = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
        record["map_second_session_first_run_s"], _ = timed(table.run)
        themes(table, [THEME_A])
        table.switch_page("pages/table.py")
        watch = _rerun_watch()
        with watch:
            record["table_first_run_s"], _ = timed(table.run)
        assert not table.exception, [e.value for e in table.exception]
        record["table_first_run_parts"] = watch.per_run(1)
    empty = AppTest.from_file(str(BENCH / "empty_page.py"), default_timeout=60)
    empty.run()

    # The first filter change of each page, then warm reruns alternating two themes.
    record["first_change_s"] = {"map page (explorer)": themes(explorer, [THEME_A])}
    if table is not None:
        record["first_change_s"]["table page"] = themes(table, [THEME_B])
        themes(table, [THEME_A])  # both sessions now show theme A
    payload["one theme"] = spec_of(explorer)
    pages = {"map page (explorer)": lambda v: themes(explorer, v)}
    if table is not None:
        pages["table page"] = lambda v: themes(table, v)
    pages["empty page"] = lambda v: timed(empty.run)[0]
    samples: dict[str, list[float]] = {name: [] for name in pages}
    spent = dict.fromkeys(pages, 0.0)
    for k in range(max(repeat, 5) * 2):  # pairs of changes: A -> B -> A ...
        value = [THEME_B] if k % 2 == 0 else [THEME_A]
        for name, run in pages.items():
            if len(samples[name]) >= max(repeat, 5) * 2 or spent[name] >= budget:
                continue
            gc.collect()
            seconds = run(value)
            spent[name] += seconds
            samples[name].append(seconds)
    record["reruns"] = {name: summary(s) for name, s in samples.items()}

    # Where the time of a warm rerun goes (separate, instrumented reruns).
    record["rerun_parts"] = {}
    for name, run in pages.items():
        if name == "empty page":
            continue
        watch = _rerun_watch()
        runs = int(np.clip(budget / 2 / record["reruns"][name]["median"], 1, 4))
        with watch:
            total = sum(run([THEME_B] if k % 2 == 0 else [THEME_A]) for k in range(runs))
        record["rerun_parts"][name] = {"rerun_s": total / runs, "parts": watch.per_run(runs)}

    # The map's payload: no filter, one theme, and one theme with Pakistan selected.
    explorer.sidebar.selectbox(key="w_region").set_value("PK")
    explorer.run()
    assert not explorer.exception, [e.value for e in explorer.exception]
    payload["one theme, PK selected"] = spec_of(explorer)
    record["payload"] = {
        state: {"chars": len(spec), "bytes": len(spec.encode("utf-8"))}
        for state, spec in payload.items()
    }
    record["payload_parts"] = _json_breakdown(payload["one theme, PK selected"])
    record["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(record, default=str))


def _write_app_data(corpus, folder: Path) -> Path:
    """A data folder the whole app reads: generate.write_data_dir (reports, findings, gazetteer,
    taxonomy) plus the map geometry and the page icon of the bundled data.

    The loader refuses a findings file of more than ``readers.MAX_ROWS`` (50,000) rows, and
    write_data_dir writes one file: above that size the findings are rewritten as several files
    of at most MAX_ROWS rows, which ``load_corpus`` reads in name order (the same order)."""
    from dataclasses import replace

    from dashboard import DATA_DIR
    from dashboard.io.formats import MAX_ROWS

    generate.write_data_dir(corpus, folder)
    n = len(corpus.findings)
    if n > MAX_ROWS:
        (folder / "findings" / "synthetic.csv").unlink()
        for part, start in enumerate(range(0, n, MAX_ROWS), start=1):
            chunk = replace(corpus, findings=corpus.findings.iloc[start : start + MAX_ROWS])
            (folder / "findings" / f"synthetic-{part:04d}.csv").write_bytes(chunk.csv_bytes())
    for name in ("regions/afpak.geojson", "regions/context.geojson", "icon.png"):
        if not (folder / name).exists():
            shutil.copy(DATA_DIR / name, folder / name)
    return folder


def bench_apptest_sizes(
    sizes: list[int],
    built: list[Sized],
    results: Results,
    repeat: int,
    budget: float,
    table_max: int = 100_000,
) -> None:
    wanted = [n for n in sizes if n >= 10_000] or sizes
    for n in wanted:
        label = generate.size_label(n)
        corpus = next((b.corpus for b in built if b.n == n), None)
        generated = None
        if corpus is None:
            generated, corpus = timed(lambda: generate.generate(n, seed=0))
        with tempfile.TemporaryDirectory(prefix=f"bench-app-{label}-") as tmp:
            folder = Path(tmp) / "data"
            write_s, _ = timed(lambda: _write_app_data(corpus, folder))
            csv_files = sorted((folder / "findings").iterdir())
            csv_bytes = sum(p.stat().st_size for p in csv_files)
            csv_files = len(csv_files)
            corpus = None  # the child reads the folder; free the frame while it runs
            gc.collect()
            out = Path(tmp) / "result.json"
            env = {
                **os.environ,
                "DASHBOARD_DATA": str(folder),
                "DASHBOARD_STORE": str(Path(tmp) / "store.sqlite3"),
            }
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--apptest-child",
                str(out),
                "--repeat",
                str(repeat),
                "--budget",
                str(budget),
            ] + (["--apptest-no-table"] if n > table_max else [])
            child_s, proc = timed(
                lambda: subprocess.run(
                    command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600
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
        record = results.add(
            "apptest-sizes",
            size=label,
            n=n,
            generate_s=generated,
            write_s=write_s,
            csv_bytes=csv_bytes,
            csv_files=csv_files,
            child_s=child_s,
            **child,
        )
        r = record["reruns"]
        log(
            f"  {label}: cold map page {fmt_time(record['map_first_run_s'])} "
            f"(load {fmt_time(record['cold_parts'][0]['seconds'])}); warm reruns: map "
            f"{fmt_stats(r['map page (explorer)'])}, table {fmt_stats(r.get('table page', {}))}, "
            f"empty {fmt_stats(r['empty page'])}; payload "
            + ", ".join(f"{k} {v['chars']:,}" for k, v in record["payload"].items())
            + f" chars; child {child_s:.0f} s, max RSS {record['max_rss_mb']:,.0f} MB"
        )


# --- briefing exports ----------------------------------------------------------------------------


def bench_briefing(results: Results, repeat: int, budget: float) -> None:
    """The briefing PNG (kaleido + Chromium) and PDF (Chromium prints HTML) on the bundled
    data, for the propaganda view and for all findings."""
    import io
    from datetime import date

    from PIL import Image

    from dashboard.core.corpus import load_corpus
    from dashboard.exports import briefing

    corpus = load_corpus()
    gaz = corpus.gazetteer
    data = maps.prepare(load_geometry(), load_context(), gaz)

    def compose(filters: Filters) -> briefing.Briefing:
        found = flt.apply(corpus.findings, filters, gaz)
        return briefing.compose(
            findings=found,
            reports=corpus.reports,
            taxonomy=corpus.taxonomy,
            gazetteer=gaz,
            filters_text=filters.describe(len(found), taxonomy=corpus.taxonomy, gazetteer=gaz),
            permalink_url=briefing.permalink("http://localhost:8501/", filters),
            exported=date(2026, 11, 26),
            title=briefing.default_title(filters, corpus.taxonomy, gaz),
            subtitle="From the publisher's summary page",
            marking="OFFICIAL-SENSITIVE",
        )

    views = {"propaganda": Filters(themes=("propaganda",)), "all findings": Filters()}
    items = {name: compose(f) for name, f in views.items()}
    first_s, png = timed(lambda: briefing.to_png(items["propaganda"], data, gaz))
    assert Image.open(io.BytesIO(png)).size == (3200, 1800)
    results.add("briefing-first", seconds=first_s, view="propaganda")
    log(f"  first PNG (starts kaleido's Chromium): {fmt_time(first_s)}")
    pngs = {name: briefing.to_png(item, data, gaz) for name, item in items.items()}
    funcs: dict[str, Callable[[], object]] = {}
    for name, item in items.items():
        funcs[f"compose|{name}"] = lambda f=views[name]: compose(f)
        funcs[f"figure|{name}"] = lambda i=item: briefing.briefing_figure(i, data, gaz)
        funcs[f"png|{name}"] = lambda i=item: briefing.to_png(i, data, gaz)
        funcs[f"pdf|{name}"] = lambda i=item, p=pngs[name]: briefing.to_pdf(i, p)
    # What the PNG time is made of: kaleido rendering a blank slide of the same size (its
    # floor), and the propaganda slide rendered at 1x instead of 2x.
    import kaleido
    import plotly.graph_objects as go

    blank = go.Figure(layout={"width": briefing.PNG_WIDTH, "height": briefing.PNG_HEIGHT})
    slide = briefing.briefing_figure(items["propaganda"], data, gaz)
    funcs["floor|blank slide, 2x"] = lambda: briefing.render_png(blank)
    funcs["1x|propaganda"] = lambda: kaleido.calc_fig_sync(
        slide,
        opts={
            "format": "png",
            "width": briefing.PNG_WIDTH,
            "height": briefing.PNG_HEIGHT,
            "scale": 1,
        },
    )
    funcs["render|propaganda"] = lambda: briefing.render_png(slide)
    _, _, _, map_width, map_height, _ = briefing._slide_geometry()
    map_only = maps.build_map(
        data, gaz, items["propaganda"].counts, None, height=map_height, width=map_width
    )
    funcs["map only|propaganda"] = lambda: briefing.render_png(map_only)
    plain_map = go.Figure(
        go.Scattermap(lon=[69.0], lat=[33.0]),
        layout={
            "width": map_width,
            "height": map_height,
            "map": {"style": "white-bg", "center": {"lon": 68, "lat": 32}, "zoom": 3},
        },
    )
    funcs["plain map|one point"] = lambda: briefing.render_png(plain_map)
    samples, first = interleaved(funcs, repeat, budget)
    results.add(
        "briefing-parts",
        **{
            name: summary(samples[name])
            for name in (
                "floor|blank slide, 2x",
                "1x|propaganda",
                "render|propaganda",
                "map only|propaganda",
                "plain map|one point",
            )
        },
    )
    log(
        "  kaleido floor (blank slide, 2x) "
        f"{fmt_stats(summary(samples['floor|blank slide, 2x']))}; propaganda slide rendered "
        f"only: 2x {fmt_stats(summary(samples['render|propaganda']))}, 1x "
        f"{fmt_stats(summary(samples['1x|propaganda']))}; its map alone "
        f"{fmt_stats(summary(samples['map only|propaganda']))}; a one-point white map "
        f"{fmt_stats(summary(samples['plain map|one point']))}"
    )
    try:
        kaleido.stop_sync_server(silence_warnings=True)
        briefing._kaleido_started = False
    except Exception:
        pass
    for name, item in items.items():
        assert first[f"pdf|{name}"][:5] == b"%PDF-"
        record = results.add(
            "briefing",
            view=name,
            findings=len(item.findings),
            compose=summary(samples[f"compose|{name}"]),
            figure=summary(samples[f"figure|{name}"]),
            png=summary(samples[f"png|{name}"]),
            pdf=summary(samples[f"pdf|{name}"]),
            png_bytes=len(first[f"png|{name}"]),
            pdf_bytes=len(first[f"pdf|{name}"]),
        )
        log(
            f"  {name:<13} ({len(item.findings)} findings): PNG {fmt_stats(record['png'])} "
            f"(figure {fmt_stats(record['figure'])}), PDF {fmt_stats(record['pdf'])}"
        )


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
    top = [
        {"where": str(stat.traceback[0]), "bytes": stat.size_diff}
        for stat in after.compare_to(before, "lineno")[:5]
    ]
    xs = np.array([c[0] for c in checkpoints], dtype=float)
    ys = np.array([c[1] for c in checkpoints], dtype=float)
    slope = float(np.polyfit(xs, ys, 1)[0]) if len(xs) >= 2 else None
    record = results.add(
        "heap",
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


MAP_LOADED = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
    return !!(sub && sub.map && sub.map.loaded() && !sub.map.isMoving());
}"""
#: Registered before any page script: remembers the main thread's long tasks.
LONG_TASKS = """(() => {
    window.__longTasks = [];
    try {
        new PerformanceObserver(list => {
            for (const e of list.getEntries()) {
                window.__longTasks.push({start: e.startTime, duration: e.duration});
            }
        }).observe({type: 'longtask', buffered: true});
    } catch (e) {}
})();"""
PAGE_TIMELINE = """() => {
    const scripts = performance.getEntriesByType('resource')
        .filter(e => e.initiatorType === 'script' || e.name.endsWith('.js'))
        .map(e => ({name: e.name.split('/').pop(), end: e.responseEnd,
                    bytes: e.decodedBodySize || e.encodedBodySize || 0}))
        .sort((a, b) => b.bytes - a.bytes);
    return {now: performance.now(), scripts: scripts, tasks: window.__longTasks || []};
}"""
CONNECTED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('data-test-connection-state') === 'CONNECTED';
}"""
SCRIPT_STARTED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return !!state && state !== 'initial';
}"""
#: Run in a fresh interpreter: the import time of Streamlit, then of what the map page imports.
IMPORTS = """import time
t = time.perf_counter()
import streamlit
u = time.perf_counter()
import dashboard.ui, dashboard.views.maps, dashboard.views.cards, plotly.graph_objects, geopandas
print(u - t, time.perf_counter() - u)
"""


def _fresh_import_seconds() -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


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
        }""",
        [lon, lat],
    )
    page.mouse.move(x - 6, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    clicked = time.perf_counter()
    page.mouse.click(x, y)
    return clicked


@contextmanager
def _streamlit_server(log_path: Path, env: dict | None = None):
    """`streamlit run app.py` on a free port, its output to *log_path*; yields the process, its
    URL and when it was started, and stops it afterwards."""
    streamlit = Path(sys.executable).with_name("streamlit")
    command = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
    port = _free_port()
    log_file = open(log_path.with_name(f"{log_path.stem}-{port}{log_path.suffix}"), "w")
    started = time.perf_counter()
    process = subprocess.Popen(
        command
        + [
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process, f"http://localhost:{port}", started, log_file.name
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log_file.close()


def _toggle_pakistan(page, timeout: int) -> tuple[float, float, float]:
    """Click Pakistan on the map, then again to clear it. Returns the seconds from the first
    click to the URL saying region=PK and to the page rerun and the map redrawn, and from the
    second click to the choice cleared and the map redrawn."""

    def settled() -> None:
        page.wait_for_function(APP_IDLE, timeout=timeout, polling=10)
        page.wait_for_function(MAP_LOADED, timeout=timeout, polling=10)

    settled()
    page.wait_for_timeout(500)
    clicked = _click_map(page, 69.3, 27.5)  # Pakistan (Sindh), as tests/browser does
    page.wait_for_function(
        "() => location.search.includes('region=PK')", timeout=timeout, polling=10
    )
    to_url = time.perf_counter() - clicked
    settled()
    chosen = time.perf_counter() - clicked
    page.wait_for_timeout(500)
    clicked = _click_map(page, 69.3, 27.5)  # the same area again clears the choice
    page.wait_for_function(
        "() => !location.search.includes('region=')", timeout=timeout, polling=10
    )
    settled()
    return to_url, chosen, time.perf_counter() - clicked


def bench_browser(results: Results, starts: int, clicks: int, tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    health, drawn, page_to_map, click_url, click_redrawn = [], [], [], [], []
    page_loaded, page_to_chart, page_to_canvas = [], [], []
    connected, script_started, script_done, imports = [], [], [], []
    first_frame, big_frame, big_frame_bytes, last_frame = [], [], [], []
    scripts: dict[str, list[tuple[float, int]]] = {}
    reopened, reopened_tasks = [], []
    long_tasks: list[tuple[float, int, float, float]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for k in range(starts):
            with _streamlit_server(tmp / "streamlit.log") as (process, url, started, log_name):
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"streamlit exited early; see {log_name}")
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
                context.add_init_script(LONG_TASKS)
                page = context.new_page()
                frames: list[tuple[float, int]] = []
                page.on(
                    "websocket",
                    lambda ws, f=frames: ws.on(
                        "framereceived",
                        lambda payload, f=f: f.append((time.perf_counter(), len(payload))),
                    ),
                )
                opened = time.perf_counter()
                page.goto(url)
                page_loaded.append(time.perf_counter() - opened)
                page.wait_for_function(CONNECTED, timeout=120_000, polling=10)
                connected.append(time.perf_counter() - opened)
                page.wait_for_function(SCRIPT_STARTED, timeout=120_000, polling=10)
                script_started.append(time.perf_counter() - opened)
                page.wait_for_selector(
                    '[data-testid="stPlotlyChart"]', state="attached", timeout=120_000
                )
                page_to_chart.append(time.perf_counter() - opened)
                page.wait_for_function(APP_IDLE, timeout=120_000, polling=10)
                script_done.append(time.perf_counter() - opened)
                # The frames of the first run as the network saw them (not held up by the
                # page's busy main thread): the first, and the largest (the map figure).
                run_frames = [(t - opened, n) for t, n in frames if t - opened <= script_done[-1]]
                if run_frames:
                    first_frame.append(run_frames[0][0])
                    big_frame.append(max(run_frames, key=lambda x: x[1])[0])
                    big_frame_bytes.append(max(n for _, n in run_frames))
                    last_frame.append(run_frames[-1][0])
                page.wait_for_selector('[data-testid="stPlotlyChart"] canvas', timeout=120_000)
                page_to_canvas.append(time.perf_counter() - opened)
                page.wait_for_function(MAP_LOADED, timeout=120_000)
                now = time.perf_counter()
                drawn.append(now - started)
                page_to_map.append(now - opened)
                # The page's own clock (ms since navigation start): the largest scripts it
                # fetched and the main thread's long tasks up to the map drawn.
                seen = page.evaluate(PAGE_TIMELINE)
                offset = (now - opened) - seen["now"] / 1000  # page clock -> seconds since goto
                for item in seen["scripts"][:2]:
                    scripts.setdefault(item["name"], []).append(
                        (item["end"] / 1000 + offset, item["bytes"])
                    )
                long_tasks.append(
                    (
                        sum(t["duration"] for t in seen["tasks"]) / 1000,
                        len(seen["tasks"]),
                        max((t["duration"] for t in seen["tasks"]), default=0) / 1000,
                        sum(
                            t["duration"]
                            for t in seen["tasks"]
                            if t["start"] / 1000 + offset >= last_frame[-1]
                        )
                        / 1000
                        if last_frame
                        else 0.0,
                    )
                )
                for _ in range(clicks):
                    to_url, chosen, _ = _toggle_pakistan(page, 60_000)
                    click_url.append(to_url)
                    click_redrawn.append(chosen)
                # The same page opened again in a new tab: the server and its caches are warm,
                # the browser has the scripts cached; what remains is the browser's own work.
                again = context.new_page()
                opened = time.perf_counter()
                again.goto(url)
                again.wait_for_selector('[data-testid="stPlotlyChart"] canvas', timeout=120_000)
                again.wait_for_function(MAP_LOADED, timeout=120_000)
                reopened.append(time.perf_counter() - opened)
                seen = again.evaluate(PAGE_TIMELINE)
                reopened_tasks.append(sum(t["duration"] for t in seen["tasks"]) / 1000)
                again.close()
                context.close()
            imports.append(_fresh_import_seconds())
            log(f"  start {k + 1}: health {health[-1]:.2f} s, map drawn {drawn[-1]:.2f} s")
        browser.close()
    for name, values in (
        ("streamlit run -> /_stcore/health", health),
        ("streamlit run -> map drawn in Chromium", drawn),
        ("page opened -> map drawn", page_to_map),
        ("page opened -> page loaded (goto returns)", page_loaded),
        ("page opened -> websocket connected", connected),
        ("page opened -> first script run started", script_started),
        ("page opened -> first websocket frame received", first_frame),
        ("page opened -> largest frame (the map figure) received", big_frame),
        ("page opened -> last frame of the first run received", last_frame),
        ("page opened -> chart element attached", page_to_chart),
        ("page opened -> first script run finished", script_done),
        ("page opened -> map canvas attached", page_to_canvas),
        ("fresh Python: import streamlit", [i[0] for i in imports]),
        ("fresh Python, after streamlit: import the map page's modules", [i[1] for i in imports]),
        ("click on Pakistan -> URL has region=PK", click_url),
        ("click on Pakistan -> map redrawn", click_redrawn),
    ):
        record = results.add("browser", what=name, **summary(values))
        log(f"  {name:<40} {fmt_stats(record)}")
    for name, values in (
        (
            "main thread: long tasks (> 50 ms) until the map is drawn, total",
            [t[0] for t in long_tasks],
        ),
        (
            "main thread: long tasks after the server's last frame, total",
            [t[3] for t in long_tasks],
        ),
        ("main thread: longest single task", [t[2] for t in long_tasks]),
        ("page opened again (server warm, scripts cached) -> map drawn", reopened),
        ("  its main thread: long tasks until the map is drawn, total", reopened_tasks),
    ):
        record = results.add("browser", what=name, **summary(values))
        log(f"  {name:<40} {fmt_stats(record)}")
    if big_frame_bytes:
        results.add(
            "browser-frame",
            largest_frame_bytes=max(big_frame_bytes),
            long_task_counts=[t[1] for t in long_tasks],
            largest_scripts=[
                {
                    "name": name,
                    "bytes": max(b for _, b in v),
                    "received": summary([t for t, _ in v]),
                }
                for name, v in scripts.items()
            ],
        )
        for name, v in scripts.items():
            log(
                f"  script {name}: {max(b for _, b in v) / 1e6:.1f} MB, received "
                f"{fmt_stats(summary([t for t, _ in v]))} after the page was opened"
            )


def bench_browser_sizes(
    sizes: list[int], built: list[Sized], results: Results, clicks: int, tmp: Path
) -> None:
    """A filter change end to end in Chromium on a generated corpus of 100k findings and up: a
    click on Pakistan until the page has rerun and the map is redrawn, then a click that clears
    it again (the whole corpus back). The same on the bundled data first: the floor, where the
    server's work is next to nothing and what remains is the browser's."""
    from playwright.sync_api import sync_playwright

    from dashboard import DATA_DIR

    for n in [0] + [n for n in sizes if n >= 100_000]:
        label = generate.size_label(n) if n else "bundled"
        with tempfile.TemporaryDirectory(prefix=f"bench-browser-{label}-") as folder:
            if n:
                corpus = next((b.corpus for b in built if b.n == n), None) or generate.generate(
                    n, seed=0
                )
                data = _write_app_data(corpus, Path(folder) / "data")
                corpus = None
                gc.collect()
            else:
                data = DATA_DIR
            env = {
                **os.environ,
                "DASHBOARD_DATA": str(data),
                "DASHBOARD_STORE": str(Path(folder) / "store.sqlite3"),
            }
            chose, cleared = [], []
            with (
                _streamlit_server(tmp / f"streamlit-{label}.log", env) as (
                    process,
                    url,
                    started,
                    _,
                ),
                sync_playwright() as p,
            ):
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                deadline = time.perf_counter() + 900
                while True:
                    try:
                        page.goto(url, timeout=5_000)
                        break
                    except Exception:
                        if time.perf_counter() > deadline or process.poll() is not None:
                            raise
                        time.sleep(0.5)
                page.wait_for_function(MAP_LOADED, timeout=900_000, polling=100)
                first_map = time.perf_counter() - started
                # Let the word index finish in the server's background thread.
                page.wait_for_timeout(min(30_000, n // 30))
                for _ in range(clicks):
                    _, chosen, clear = _toggle_pakistan(page, 120_000)
                    chose.append(chosen)
                    cleared.append(clear)
                browser.close()
        record = results.add(
            "browser-sizes",
            size=label,
            n=n,
            first_map_s=first_map,
            choose=summary(chose),
            clear=summary(cleared),
            change=summary(chose + cleared),
        )
        log(
            f"  {label}: streamlit run -> map drawn {first_map:.1f} s; click -> Pakistan "
            f"chosen and redrawn {fmt_stats(record['choose'])}; click -> cleared and redrawn "
            f"{fmt_stats(record['clear'])}"
        )


# --- report --------------------------------------------------------------------------------------


#: What the app runs and reads: a change there during a run makes the run a mix of two versions.
APP_PATHS = ("src", "pages", "app.py", "data")


def code_state() -> tuple[str, str]:
    """The last commit that changed the app's code or data (``APP_PATHS``), and the files of
    those paths that differ from it now (uncommitted changes)."""
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h", "--", *APP_PATHS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *APP_PATHS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except OSError:
        return "", ""
    return commit, " ".join(line[3:] for line in dirty.splitlines())


def head_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except OSError:
        return ""


def environment(args) -> dict:
    import duckdb
    import plotly
    import streamlit

    app_commit, dirty = code_state()
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": head_commit(),
        "app_commit": app_commit,
        "uncommitted": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
        "repeat": args.repeat,
        "budget_s": args.budget,
        "sizes": args.sizes,
    }


# --- targets -------------------------------------------------------------------------------------

KB = 1000  # payload budgets in kilobytes of 1,000 bytes


def target_rows(s: dict) -> list[tuple[str, str, str, str]]:
    """(target, measured, peer ratio, met/not met) for every target this run's sections
    measure. *s* is ``Results.sections`` (several runs' sections may be merged)."""
    rows: list[tuple[str, str, str, str]] = []
    ms = lambda x: fmt_time(x)  # noqa: E731

    def by_size(section: str, size: str) -> list[dict]:
        return [r for r in s.get(section, []) if r.get("size") == size]

    for size, limit in (("100k", 5e-3), ("1m", 50e-3)):
        f = by_size("filter", size)
        if not f:
            continue
        worst = max(f, key=lambda r: r["index"]["median"])
        over = [r for r in f if r["index"]["median"] > limit]
        frame = max(r["index_frame"]["median"] for r in f)
        best = min(r["index"]["median"] for r in f)
        measured = (
            f"(e) {ms(best)}–{ms(worst['index']['median'])} over {len(f)} filter states "
            f"(worst: {worst['state']}); with the whole filtered frame (e') ≤ {ms(frame)}"
        )
        if over:
            measured += "; over: " + ", ".join(
                f"{r['state']} {ms(r['index']['median'])}" for r in over
            )
        ratio = (
            f"worst state: {fmt_ratio(worst['current'], worst['index'])} vs "
            f"filters.apply (d), {fmt_ratio(worst['duckdb'], worst['index'])} vs DuckDB"
            if "duckdb" in worst
            else "–"
        )
        rows.append(
            (
                f"{size} findings: filter + aggregate ≤ {ms(limit)} (median)",
                measured,
                ratio,
                "met" if not over else f"not met ({len(over)} of {len(f)} states)",
            )
        )

    sized = {r["size"]: r for r in s.get("apptest-sizes", [])}
    if sized:
        main = sized.get("100k") or list(sized.values())[-1]
        rr = main["reruns"]
        median = rr["map page (explorer)"]["median"]
        others = "; ".join(
            f"{k} {fmt_stats(v['reruns']['map page (explorer)'])}"
            for k, v in sized.items()
            if v is not main
        )
        rows.append(
            (
                f"Full warm rerun of the map page ≤ 100 ms ({main['size']} findings)",
                fmt_stats(rr["map page (explorer)"]) + (f" (also {others})" if others else ""),
                f"{fmt_ratio(rr['map page (explorer)'], rr['empty page'])} the empty page",
                "met" if median <= 0.1 else "not met",
            )
        )
        worst = max(
            ((k, st, v["bytes"]) for k, r in sized.items() for st, v in r["payload"].items()),
            key=lambda x: x[2],
        )
        sizes = list(sized)
        growth = (
            sized[sizes[-1]]["payload"]["none"]["bytes"]
            / sized[sizes[0]]["payload"]["none"]["bytes"]
        )
        rows.append(
            (
                "Map payload ≤ 150 KB whatever the corpus size",
                f"largest {worst[2] / KB:.1f} KB ({worst[1]}, {worst[0]})",
                f"{growth:.2f}× from {sizes[0]} to {sizes[-1]} (no filter)",
                "met" if worst[2] <= 150 * KB else "not met",
            )
        )
        if "1m" in sized:
            parts = {p["what"].split(" ")[0]: p["seconds"] for p in sized["1m"]["cold_parts"]}
            load = parts.get("load_corpus", 0) + parts.get("FindingsIndex.build", 0)
            rows.append(
                (
                    "1M findings: loading ≤ 20 s once (corpus + index build)",
                    f"{fmt_time(load)} (load_corpus {fmt_time(parts.get('load_corpus'))} + "
                    f"FindingsIndex.build {fmt_time(parts.get('FindingsIndex.build'))}); "
                    f"first map page run {fmt_time(sized['1m']['map_first_run_s'])}",
                    f"{load / 20:.1f}× the budget",
                    "met" if load <= 20 else "not met",
                )
            )
    floor = next((r for r in s.get("browser-sizes", []) if r["size"] == "bundled"), None)
    for r in s.get("browser-sizes", []):
        if r is floor:
            continue
        change = r["change"]
        rows.append(
            (
                f"{r['size']} findings: a filter change ≤ 1 s end to end in the browser",
                f"{fmt_stats(change)} (click -> map redrawn: choosing Pakistan "
                f"{fmt_time(r['choose']['median'])}, clearing it "
                f"{fmt_time(r['clear']['median'])})",
                (
                    f"{fmt_ratio(change, floor['change'])} the same click on the bundled "
                    f"data ({fmt_time(floor['change']['median'])}: the browser's own work)"
                    if floor
                    else "–"
                ),
                "met" if change["median"] <= 1 else "not met",
            )
        )
    browser = {r["what"]: r for r in s.get("browser", [])}
    if "streamlit run -> map drawn in Chromium" in browser:
        drawn = browser["streamlit run -> map drawn in Chromium"]
        health = browser["streamlit run -> /_stcore/health"]
        rows.append(
            (
                "Cold start to map drawn ≤ 5 s",
                fmt_stats(drawn),
                f"health answers after {fmt_time(health['median'])}",
                "met" if drawn["median"] <= 5 else "not met",
            )
        )
    if "heap" in s:
        h = s["heap"][0]
        rows.append(
            (
                f"Heap growth ≤ 5 MB over {h['reruns']} reruns",
                f"{h['growth_bytes'] / 2**20:+.2f} MiB (fit "
                f"{h['per_rerun_bytes_fit'] or 0:+,.0f} B/rerun)",
                "–",
                "met" if h["growth_bytes"] <= 5 * 2**20 else "not met",
            )
        )
    for size in ("100k", "1m"):
        f = [r for r in by_size("filter", size) if "duckdb" in r]
        if not f:
            continue
        duck = min(f, key=lambda r: r["duckdb"]["median"] / r["index"]["median"])
        naive = min(f, key=lambda r: r["naive"]["median"] / r["index"]["median"])
        duck_r = duck["duckdb"]["median"] / duck["index"]["median"]
        naive_r = naive["naive"]["median"] / naive["index"]["median"]
        frame_naive = min(r["naive"]["median"] / r["index_frame"]["median"] for r in f)
        rows.append(
            (
                f"{size} findings: faster than DuckDB on the same filter + aggregate",
                f"slowest margin: {duck['state']}",
                f"≥ {fmt_ratio(duck['duckdb'], duck['index'])}",
                "met" if duck_r > 1 else "not met",
            )
        )
        rows.append(
            (
                f"{size} findings: ≥ 30× faster than the naive way",
                f"smallest ratio: {naive['state']} (with the whole frame (e'): "
                f"≥ {frame_naive:,.0f}×)",
                f"≥ {fmt_ratio(naive['naive'], naive['index'])}",
                "met"
                if naive_r >= 30
                else f"not met ({sum(r['naive']['median'] / r['index']['median'] < 30 for r in f)} "
                f"of {len(f)} states)",
            )
        )
    if "briefing" in s:
        first = s.get("briefing-first", [{}])[0].get("seconds")
        worst = max(s["briefing"], key=lambda r: r["png"]["median"])
        rows.append(
            (
                "Briefing PNG < 3 s after the first",
                "; ".join(f"{r['view']} {fmt_stats(r['png'])}" for r in s["briefing"])
                + f"; first {fmt_time(first)}",
                f"first / later: {first / worst['png']['median']:.1f}×" if first else "–",
                "met" if worst["png"]["median"] < 3 else "not met",
            )
        )
    return rows


def targets_markdown(s: dict) -> list[str]:
    rows = target_rows(s)
    if not rows:
        return []
    return (
        ["## Targets", "", "| target | measured | peer ratio | status |", "|---|---|---|---|"]
        + [f"| {t} | {m} | {r} | {st} |" for t, m, r, st in rows]
        + [""]
    )


def markdown(results: Results) -> str:
    env = results.environment
    lines = [
        "# Benchmark results",
        "",
        f"{env['when']} · commit {env['commit'] or '?'}"
        + (
            f" (app code and data as of {env['app_commit']})"
            if env.get("app_commit") and env["app_commit"] != env["commit"]
            else ""
        )
        + f" · Python {env['python']} · "
        f"{env['cpus']} CPUs · load average {env['load_average_start'][0]:.1f} at start, "
        f"{env.get('load_average_end', [0])[0]:.1f} at end · pandas {env['pandas']} · "
        f"numpy {env['numpy']} · DuckDB {env['duckdb']} · Streamlit {env['streamlit']} · "
        f"plotly {env['plotly']} · up to {env['repeat']} runs each "
        f"(fewer once a measurement has spent {env['budget_s']:.0f} s).",
        "",
        "Cells: median [interquartile range] (runs). Synthetic corpora from "
        "`bench/generate.py` (seed 0).",
        "",
    ]
    s = results.sections
    lines += targets_markdown(s)
    if "build" in s:
        lines += [
            "## Generating the corpus and building the index",
            "",
            "| findings | reports | generate | FindingsIndex.build | DuckDB ingest | "
            "index arrays | folded search text |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in s["build"]:
            lines.append(
                f"| {r['size']} | {r['reports']:,} | {fmt_time(r['generate_s'])} | "
                f"{fmt_time(r['index_build_s'])} | {fmt_time(r['duckdb_ingest_s'])} | "
                f"{r['index_arrays_mb']:.1f} MB | {r['search_text_mb']:.1f} MB |"
            )
        lines.append("")
    if "loader" in s:
        lines += [
            "## Loading: read + validate + anchor (`load_findings_bytes` on a generated CSV)",
            "",
            "| rows | CSV | time | findings/s (median) | findings/s (range) |",
            "|---:|---:|---:|---:|---:|",
        ]
        for r in s["loader"]:
            lines.append(
                f"| {r['n']:,} | {r['csv_bytes'] / 1e6:.1f} MB | {fmt_stats(r)} | "
                f"{r['findings_per_s']:,.0f} | {r['findings_per_s_min']:,.0f}–"
                f"{r['findings_per_s_max']:,.0f} |"
            )
        lines.append("")
    if "filter" in s:
        lines += [
            "## Filter + aggregate by region and theme",
            "",
            "Each implementation returns the filtered findings, the count of findings "
            "naming each region code and the count per theme; all the answers are "
            "checked equal. (a)-(d) and (e') build the frame of every passing row; (e) is "
            "what a page rerun does: the mask, the counts and the frame of the 10 rows a "
            "page of cards shows (the whole frame is built only for a download). The "
            "index's search is timed as a first search (its remembered terms are dropped "
            "before every run), answered by its word index.",
            "",
        ]
        sizes = list(dict.fromkeys(r["size"] for r in s["filter"]))
        for size in sizes:
            rows = [r for r in s["filter"] if r["size"] == size]
            peers = [p for p in PEERS if p in rows[0]]
            lines += [
                f"### {size} findings",
                "",
                "| filter state | rows | "
                + " | ".join(PEERS[p] for p in peers)
                + " | "
                + " | ".join(
                    f"(e) vs {PEERS[p][:3]}" for p in peers if p not in ("index", "index_frame")
                )
                + " |",
                "|---|---:|" + "---:|" * (2 * len(peers) - 2),
            ]
            for r in rows:
                lines.append(
                    f"| {r['state']} | {r['matches']:,} | "
                    + " | ".join(fmt_stats(r[p]) for p in peers)
                    + " | "
                    + " | ".join(
                        fmt_ratio(r[p], r["index"])
                        for p in peers
                        if p not in ("index", "index_frame")
                    )
                    + " |"
                )
            lines.append("")
    if "rerun-work" in s:
        lines += [
            "## Filter work of one rerun (view + sidebar facets + region picker counts + "
            "map counts)",
            "",
            "What `ui.frame` and the map page computed on every rerun before the index "
            "(`filters.apply` five times over, the region picker's counts as "
            "`ui._region_scope_counts` made them, kept in bench/run.py, "
            "`maps.region_counts`) against what they compute now with the index "
            "(`facets`, `region_scope_counts`, `mask`, `region_counts`, and the frame of "
            "the page of rows shown), the search term remembered as it is on a rerun.",
            "",
            "| findings | filter state | pre-index (pandas) | FindingsIndex | speed-up |",
            "|---:|---|---:|---:|---:|",
        ]
        for r in s["rerun-work"]:
            lines.append(
                f"| {r['size']} | {r['state']} | {fmt_stats(r['current'])} | "
                f"{fmt_stats(r['index'])} | {fmt_ratio(r['current'], r['index'])} |"
            )
        lines.append("")
    if "map" in s:
        prep = s.get("map-prepare", [{}])[0].get("seconds")
        lines += [
            "## Map figure",
            "",
            f"`maps.prepare` (once, cached): {fmt_time(prep)}. The payload is "
            "`len(fig.to_json())`: it does not grow with the findings, only with the "
            "digits of the counts in labels and hover texts.",
            "",
            "| findings | selected | build_map | build_map + to_json | JSON payload |",
            "|---:|---|---:|---:|---:|",
        ]
        for r in s["map"]:
            lines.append(
                f"| {r['size']} | {r['selected'] or '–'} | {fmt_stats(r['build'])} | "
                f"{fmt_stats(r['build_and_json'])} | {r['json_chars']:,} chars |"
            )
        lines.append("")
    if "apptest" in s:
        first = s.get("apptest-first", [{}])[0].get("seconds")
        floor = next(r for r in s["apptest"] if r["page"] == "empty page")
        lines += [
            "## Server-side rerun (`AppTest`, bundled data)",
            "",
            f"First run of `app.py` in the process (loads and caches the corpus): "
            f"{fmt_time(first)}.",
            "",
            "| script | rerun | vs empty page |",
            "|---|---:|---:|",
        ]
        for r in s["apptest"]:
            lines.append(f"| {r['page']} | {fmt_stats(r)} | {fmt_ratio(r, floor)} |")
        lines.append("")
    if "apptest-sizes" in s:
        rows = s["apptest-sizes"]
        lines += [
            "## Server-side rerun on generated corpora (`AppTest`, a fresh process per size)",
            "",
            "Each corpus is written as a data folder (`generate.write_data_dir` plus the "
            'bundled map geometry and icon) and served to `AppTest.from_file("app.py")` in '
            "a child process started with `DASHBOARD_DATA` pointing at it and "
            "`DASHBOARD_STORE` at a fresh temporary store. *Cold* is the first run of the "
            "map page in that process (load + validate + anchor the CSV, build the index, "
            "prepare the map). A second session sets one theme on the map page and then "
            "switches to the table page (its first run). Warm reruns change the theme "
            f"filter (`w_themes`) between {THEME_B} and {THEME_A} on both pages, one run "
            "of each page and of the empty page in turn.",
            "",
            "| findings | CSV | cold: map page first run | load_corpus | "
            "FindingsIndex.build | maps.prepare | table page first run | max RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            parts = {p["what"].split(" ")[0]: p["seconds"] for p in r["cold_parts"]}
            lines.append(
                f"| {r['size']} | {r['csv_bytes'] / 1e6:.0f} MB in "
                f"{r.get('csv_files', 1)} file(s) | "
                f"{fmt_time(r['map_first_run_s'])} | {fmt_time(parts.get('load_corpus'))} "
                f"| {fmt_time(parts.get('FindingsIndex.build'))} | "
                f"{fmt_time(parts.get('maps.prepare'))} | "
                f"{fmt_time(r.get('table_first_run_s'))} | "
                f"{r['max_rss_mb']:,.0f} MB |"
            )
        lines += [
            "",
            "Warm rerun after a filter change (the first change of each page shown apart):",
            "",
            "| findings | map page | table page | empty page | map vs empty | "
            "first change: map | first change: table |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in rows:
            rr, fc = r["reruns"], r["first_change_s"]
            lines.append(
                f"| {r['size']} | {fmt_stats(rr['map page (explorer)'])} | "
                f"{fmt_stats(rr['table page']) if 'table page' in rr else 'not run'} | "
                f"{fmt_stats(rr['empty page'])} | "
                f"{fmt_ratio(rr['map page (explorer)'], rr['empty page'])} | "
                f"{fmt_time(fc['map page (explorer)'])} | "
                f"{fmt_time(fc['table page']) if 'table page' in fc else 'not run'} |"
            )
        states = list(rows[0]["payload"])
        lines += [
            "",
            'Map payload: `len(at.get("plotly_chart")[0].proto.spec)` (the figure JSON '
            "the browser receives), in UTF-8 bytes:",
            "",
            "| findings | " + " | ".join(states) + " |",
            "|---:|" + "---:|" * len(states),
        ]
        for r in rows:
            lines.append(
                f"| {r['size']} | "
                + " | ".join(f"{r['payload'][st]['bytes'] / 1000:.1f} KB" for st in states)
                + " |"
            )
        biggest = rows[-1]
        lines += [
            "",
            f"Largest parts of the payload at {biggest['size']} (one theme, PK "
            "selected): "
            + "; ".join(
                f"`{p['part']}` {p['chars'] / 1000:.1f} KB" for p in biggest["payload_parts"][:6]
            )
            + ".",
            "",
            "Where a warm rerun's time goes (instrumented reruns, separate from the timed "
            "ones; inclusive times, so nested entries overlap; entries under 1 ms left "
            "out):",
            "",
            "| findings | page | rerun | largest parts |",
            "|---:|---|---:|---|",
        ]
        for r in rows:
            for page, x in r["rerun_parts"].items():
                parts = [p for p in x["parts"] if p["seconds"] >= 1e-3][:8]
                lines.append(
                    f"| {r['size']} | {page} | {fmt_time(x['rerun_s'])} | "
                    + "; ".join(f"{p['what']} {fmt_time(p['seconds'])}" for p in parts)
                    + " |"
                )
        lines.append("")
    if "heap" in s:
        r = s["heap"][0]
        lines += [
            "## Python heap over repeated filter changes (`tracemalloc`, AppTest)",
            "",
            f"{r['reruns']} reruns toggling the theme filter on the map page: heap "
            f"{r['growth_bytes'] / 1024:+,.0f} KiB after all of them (linear fit "
            f"{(r['per_rerun_bytes_fit'] or 0):+,.0f} bytes per rerun; checkpoints "
            + ", ".join(f"{n}: {b / 1024:+,.0f} KiB" for n, b in r["checkpoints"])
            + f"); peak {r['peak_bytes'] / 1024:+,.0f} KiB. A rerun under tracemalloc: "
            f"{fmt_stats(r['rerun_under_tracemalloc'])}.",
            "",
            "Largest growth by line: "
            + "; ".join(
                f"`{t['where'].replace(str(ROOT), '.')}` {t['bytes'] / 1024:+,.0f} KiB"
                for t in r["top_growth"][:3]
            )
            + ".",
            "",
        ]
    if "browser-sizes" in s:
        lines += [
            "## A filter change in Chromium on generated corpora",
            "",
            "`streamlit run` on a generated corpus (DASHBOARD_DATA), the explorer opened in "
            "headless Chromium; a click on Pakistan until the URL says so, the page has "
            "rerun and MapLibre has redrawn, then a click on it again to clear the choice "
            "(all findings back). The bundled data (23 findings) is the floor: the "
            "server's work is next to nothing there.",
            "",
            "| findings | streamlit run -> map drawn | click -> Pakistan chosen, redrawn | "
            "click -> cleared, redrawn |",
            "|---:|---:|---:|---:|",
        ]
        for r in s["browser-sizes"]:
            lines.append(
                f"| {r['size']} | {fmt_time(r['first_map_s'])} | "
                f"{fmt_stats(r['choose'])} | {fmt_stats(r['clear'])} |"
            )
        lines.append("")
    if "browser" in s:
        lines += [
            "## Cold start and a map click in headless Chromium",
            "",
            "| from -> to | time |",
            "|---|---:|",
        ]
        for r in s["browser"]:
            lines.append(f"| {r['what']} | {fmt_stats(r)} |")
        frame = s.get("browser-frame", [{}])[0]
        if frame:
            lines += [
                "",
                f"The largest websocket frame of the first run (the map figure): "
                f"{frame['largest_frame_bytes'] / 1e3:,.0f} KB. Largest scripts the page "
                "fetched (size decoded; received, after the page was opened): "
                + "; ".join(
                    f"`{x['name']}` {x['bytes'] / 1e6:.1f} MB at "
                    f"{fmt_time(x['received'].get('median'))}"
                    for x in frame.get("largest_scripts", [])
                )
                + ". Long tasks per start: "
                + ", ".join(map(str, frame.get("long_task_counts", [])))
                + ".",
            ]
        lines.append("")
    if "briefing" in s:
        first = s.get("briefing-first", [{}])[0].get("seconds")
        lines += [
            "## Briefing exports (`briefing.to_png` / `to_pdf`, bundled data)",
            "",
            f"First PNG in the process (starts kaleido's Chromium): {fmt_time(first)}. "
            "Later runs: `compose` (the Briefing from the filtered frame), "
            "`briefing_figure` (the plotly slide), `to_png` (figure + kaleido render at "
            "2x, 3200x1800) and `to_pdf` (a new headless Chromium prints the HTML).",
            "",
            "| view | findings | compose | figure | PNG | PDF | PNG size | PDF size |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in s["briefing"]:
            lines.append(
                f"| {r['view']} | {r['findings']} | {fmt_stats(r['compose'])} | "
                f"{fmt_stats(r['figure'])} | {fmt_stats(r['png'])} | "
                f"{fmt_stats(r['pdf'])} | {r['png_bytes'] / 1e3:,.0f} KB | "
                f"{r['pdf_bytes'] / 1e3:,.0f} KB |"
            )
        parts = s.get("briefing-parts", [{}])[0]
        if parts:
            lines += [
                "",
                "What a PNG's time is made of: kaleido rendering a blank figure of the "
                "slide's size at 2x (its floor): "
                f"{fmt_stats(parts['floor|blank slide, 2x'])}; the propaganda slide "
                "already built, rendered only: "
                f"{fmt_stats(parts['render|propaganda'])} at 2x, "
                f"{fmt_stats(parts['1x|propaganda'])} at 1x; the slide's map alone "
                "(`maps.build_map` at the map's size on the slide, no text), 2x: "
                f"{fmt_stats(parts['map only|propaganda'])}; a map of one point on a "
                "white background (no region shapes, no layers) of that size, 2x: "
                f"{fmt_stats(parts['plain map|one point'])}.",
            ]
        lines.append("")
    if results.notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in results.notes] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
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
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument(
        "--render",
        action="store_true",
        help="only rewrite latest.md from latest.json (after a format change)",
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
    if args.apptest_child:  # the child process of the apptest-sizes section
        apptest_child(
            args.apptest_child, args.repeat, args.budget, with_table=not args.apptest_no_table
        )
        return 0
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
    # No section touches the analyst's real store: AppTest and the server get a fresh one.
    store_dir = tempfile.TemporaryDirectory(prefix="bench-store-")
    os.environ["DASHBOARD_STORE"] = str(Path(store_dir.name) / "store.sqlite3")
    tmp = args.out / "logs.tmp"  # server logs of the browser section (git-ignored: *.tmp)
    if "browser" in wanted or "browser-sizes" in wanted:
        tmp.mkdir(exist_ok=True)
    results = Results(environment(args))
    began = time.perf_counter()
    built: list[Sized] = []
    if {"build", "filter", "rerun-work", "map"} & set(wanted):
        log("Generating corpora and building indexes")
        built = bench_build(sizes, results, with_duckdb="filter" in wanted)
        results.environment["duckdb_threads"] = (
            built[0].duck.threads if built and built[0].duck else None
        )
    steps = [
        ("loader", "Loader throughput", lambda: bench_loader(results, args.repeat, args.budget)),
        (
            "filter",
            "Filter + aggregate",
            lambda: bench_filter(built, results, args.repeat, args.budget),
        ),
        (
            "rerun-work",
            "Filter work of one rerun",
            lambda: bench_rerun_work(built, results, args.repeat, args.budget),
        ),
        ("map", "Map figure", lambda: bench_map(built, results, args.repeat, args.budget)),
        ("apptest", "AppTest reruns", lambda: bench_apptest(results, args.repeat, args.budget)),
        (
            "apptest-sizes",
            "AppTest reruns on generated corpora (a child process each)",
            lambda: bench_apptest_sizes(
                sizes, built, results, args.repeat, args.budget, generate.parse_size(args.table_max)
            ),
        ),
        ("heap", "Heap growth", lambda: bench_heap(results)),
        (
            "browser",
            "Cold start and click in Chromium",
            lambda: bench_browser(results, args.starts, 2, tmp),
        ),
        (
            "browser-sizes",
            "A filter change in Chromium on generated corpora",
            lambda: bench_browser_sizes(sizes, built, results, 3, tmp),
        ),
        (
            "briefing",
            "Briefing exports (bundled data)",
            lambda: bench_briefing(results, args.repeat, args.budget),
        ),
    ]
    for name, title, step in steps:
        if name in wanted:
            log(f"{title}  (load average {os.getloadavg()[0]:.2f})")
            results.environment.setdefault("load_average_by_section", {})[name] = os.getloadavg()
            results.environment.setdefault("section_started", {})[name] = time.strftime("%H:%M:%S")
            step()
    built.clear()
    store_dir.cleanup()
    results.environment["load_average_end"] = os.getloadavg()
    app_commit, dirty = code_state()
    if (app_commit, dirty) != (
        results.environment["app_commit"],
        results.environment["uncommitted"],
    ):
        results.notes.append(
            f"THE APP'S CODE CHANGED DURING THIS RUN (last commit of {', '.join(APP_PATHS)}: "
            f"{results.environment['app_commit']} "
            f"{results.environment['uncommitted'] or 'clean'} at the start, {app_commit} "
            f"{dirty or 'clean'} at the end; sections started at "
            + ", ".join(f"{k} {v}" for k, v in results.environment["section_started"].items())
            + "): run it again."
        )
        log(results.notes[-1])
    elif dirty:
        results.notes.append(f"Uncommitted changes to the app's code during the run: {dirty}.")
    results.environment["total_s"] = time.perf_counter() - began
    if results.environment.get("duckdb_threads"):
        results.notes.append(
            f"DuckDB ran with {results.environment['duckdb_threads']} threads; "
            "everything else is single-threaded Python/numpy."
        )
    results.notes.append(
        "Peers (a), (b) and (d) fold the search text on every call, as the "
        "pre-index code did; (c) and (e) search a folded text prepared once "
        "(DuckDB ingests the index's folded column)."
    )
    results.notes.append(f"Whole run: {results.environment['total_s']:.0f} s.")
    payload = {
        "environment": results.environment,
        "sections": results.sections,
        "notes": results.notes,
    }
    (args.out / "latest.json").write_text(json.dumps(payload, indent=1, default=str) + "\n")
    (args.out / "latest.md").write_text(markdown(results))
    log(
        f"Wrote {args.out / 'latest.json'} and {args.out / 'latest.md'} "
        f"in {results.environment['total_s']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
