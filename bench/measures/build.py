"""build: generating each corpus and building its index (and DuckDB's table for the filter
section); the corpora are what filter, rerun-work and map measure on."""

from __future__ import annotations

import gc
from functools import partial

from bench import generate
from bench.measures.base import Context, Sized
from bench.peers import DuckPeer
from bench.report import SIZE, Column, Results, Table, count
from bench.timing import fmt_time, log, timed
from dashboard.query.index import FindingsIndex

NAME = "build"
TITLE = "Generating corpora and building indexes"


def run(ctx: Context, with_duckdb: bool = True) -> None:
    for n in ctx.sizes:
        label = generate.size_label(n)
        gc.collect()
        gen_s, corpus = timed(partial(generate.generate, n, seed=0))
        gc.collect()
        build_s, index = timed(
            partial(FindingsIndex.build, corpus.findings, corpus.gazetteer, words="never")
        )
        # The word index, built in a background thread in the app, here in the foreground.
        words_s, _ = timed(index._index_words)
        sized = Sized(n, label, corpus, index)
        duck_s = None
        if with_duckdb:
            sized.duck = DuckPeer(corpus.findings, index)
            duck_s = sized.duck.ingest_seconds
        ctx.add(
            NAME,
            sized,
            generate_s=gen_s,
            index_build_s=build_s,
            words_build_s=words_s,
            duckdb_ingest_s=duck_s,
            index_arrays_mb=index.nbytes / 1e6,
            search_text_mb=sum(map(len, index.text.tolist())) / 1e6,
            reports=len(corpus.reports),
        )
        log(
            f"  {label}: generated in {gen_s:.2f} s, index built in {build_s:.2f} s "
            f"(+ word index {words_s:.2f} s)"
            + (f", DuckDB ingest {duck_s:.2f} s" if duck_s is not None else "")
        )
        ctx.built.append(sized)
    duck = ctx.built[0].duck if ctx.built else None
    ctx.results.environment["duckdb_threads"] = duck.threads if duck else None


def megabytes(value: float) -> str:
    return f"{value:.1f} MB"


def tables(s: dict) -> list[Table]:
    return [
        Table(
            title="Generating the corpus and building the index",
            columns=(
                SIZE,
                Column("reports", "reports", count),
                Column("generate", "generate_s", fmt_time),
                Column("FindingsIndex.build", "index_build_s", fmt_time),
                Column("DuckDB ingest", "duckdb_ingest_s", fmt_time),
                Column("index arrays", "index_arrays_mb", megabytes),
                Column("folded search text", "search_text_mb", megabytes),
            ),
            rows=s.get(NAME, []),
        )
    ]


def notes(results: Results) -> list[str]:
    threads = results.environment.get("duckdb_threads")
    if not threads:
        return []
    return [f"DuckDB ran with {threads} threads; everything else is single-threaded Python/numpy."]
