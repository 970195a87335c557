"""rerun-work: the filter work of one rerun of the shared frame (the view's findings, the
sidebar's facet counts, the region picker's counts, the map's counts), before the index and with
it."""

from __future__ import annotations

import numpy as np

from bench import generate
from bench.measures.base import Context, Sized
from bench.peers import region_scope_counts_pandas
from bench.report import SIZE, Column, Table
from bench.timing import fmt_ratio, fmt_stats, interleaved, log, summaries
from bench.watched import page_size
from dashboard.query import filters as flt
from dashboard.query.filters import Filters
from dashboard.views import maps

NAME = "rerun-work"
TITLE = "Filter work of one rerun"


def states() -> dict[str, Filters]:
    return {
        "none": Filters(),
        "theme+region+actor": Filters(
            themes=("recruitment",), region="AF", actors=(generate.ACTORS[0],)
        ),
        "text search": Filters(text="radio"),
    }


def run(ctx: Context) -> None:
    rows = page_size()
    for sized in ctx.built:
        for state, filters in states().items():
            measure_state(ctx, sized, state, filters, rows)


def measure_state(ctx: Context, sized: Sized, state: str, filters: Filters, rows: int) -> None:
    corpus, index = sized.corpus, sized.index
    findings, gaz = corpus.findings, corpus.gazetteer

    def current():
        facets = flt.facets(findings, filters, gaz)
        scope = region_scope_counts_pandas(corpus, filters)
        view = flt.apply(findings, filters, gaz)
        return view, facets, scope, maps.region_counts(view)

    def indexed():
        facets = index.facets(filters)
        scope = index.region_scope_counts(filters)
        mask = index.mask(filters)
        page = index.findings.iloc[np.flatnonzero(mask)[:rows]]  # View.rows of the first page
        return mask, facets, scope, index.region_counts(mask), page

    index.term_mask("radio")  # a rerun finds the term remembered from the first run
    samples, first = interleaved({"current": current, "index": indexed}, ctx.repeat, ctx.budget)
    a, b = first["current"], first["index"]
    assert (
        list(findings["id"][b[0]]) == list(a[0]["id"])
        and a[1:] == b[1:4]
        and b[4].equals(a[0].head(rows))
    ), state
    record = ctx.add(
        NAME,
        sized,
        state=state,
        **summaries(samples),
    )
    log(
        f"  {sized.label:>5} {state:<19} current {fmt_stats(record['current'])}  "
        f"index {fmt_stats(record['index'])}"
    )


def tables(s: dict) -> list[Table]:
    return [
        Table(
            title="Filter work of one rerun (view + sidebar facets + region picker counts + "
            "map counts)",
            intro=(
                "What the shared frame and the map page computed on every rerun before the "
                "index (`filters.apply` five times over, the region picker's counts as "
                "`ui._region_scope_counts` made them, kept in bench/peers.py, "
                "`maps.region_counts`) against what they compute now with the index "
                "(`facets`, `region_scope_counts`, `mask`, `region_counts`, and the frame of "
                "the page of rows shown), the search term remembered as it is on a rerun.",
            ),
            columns=(
                SIZE,
                Column("filter state", "state", left=True),
                Column("pre-index (pandas)", "current", fmt_stats),
                Column("FindingsIndex", "index", fmt_stats),
                Column("speed-up", lambda r: fmt_ratio(r["current"], r["index"])),
            ),
            rows=s[NAME],
        )
    ]
