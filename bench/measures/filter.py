"""filter: filter + aggregate by region and theme in six filter states, the index against four
peers (bench/peers.py), all run interleaved and their answers checked equal."""

from __future__ import annotations

from bench import generate
from bench.measures.base import Context, Sized
from bench.peers import (
    PEERS,
    filter_states,
    peer_current,
    peer_index,
    peer_index_frame,
    peer_naive,
    peer_pandas,
    same_answer,
)
from bench.report import Column, Results, Table, count
from bench.timing import fmt_ratio, fmt_stats, fmt_time, interleaved, log, summaries
from bench.watched import page_size
from dashboard.query.filters import Filters

NAME = "filter"
TITLE = "Filter + aggregate"
#: The peers that build the whole filtered frame, which (e) is compared with.
SLOWER = ("naive", "pandas", "duckdb", "current")


def run(ctx: Context) -> None:
    rows = page_size()
    for sized in ctx.built:
        findings, gaz, index = sized.corpus.findings, sized.corpus.gazetteer, sized.index
        peers = {"naive": peer_naive(findings, gaz), "pandas": peer_pandas(findings, gaz)}
        if sized.duck is not None:
            peers["duckdb"] = sized.duck
        peers["current"] = peer_current(findings, gaz)
        peers["index"] = peer_index(index, rows)
        peers["index_frame"] = peer_index_frame(index)
        for state, filters in filter_states(generate.ACTORS[0]).items():
            measure_state(ctx, sized, peers, state, filters, rows)


def measure_state(
    ctx: Context, sized: Sized, peers: dict, state: str, filters: Filters, rows: int
) -> None:
    index = sized.index
    funcs = {name: (lambda p=peer: p(filters)) for name, peer in peers.items()}

    def setup(name: str) -> None:
        if name.startswith("index"):
            index.forget_searches()  # every run is a first search for the term

    samples, first = interleaved(funcs, ctx.repeat, ctx.budget, setup)
    reference = first["current"]
    ours = first.pop("index")
    expected = reference[0]
    if not (
        list(sized.corpus.findings["id"][ours[0]]) == list(expected["id"])
        and ours[1:3] == reference[1:]
        and ours[3].equals(expected.head(rows))
    ):
        raise AssertionError(f"index mask disagrees on {state} at {sized.label}")
    for name, answer in first.items():
        if not same_answer(answer, reference):
            raise AssertionError(f"{name} disagrees with filters.apply on {state} at {sized.label}")
    record = ctx.add(
        NAME,
        sized,
        state=state,
        filters=filters.to_query_params(),
        matches=len(reference[0]),
        agree=True,
        **summaries(samples),
    )
    log(
        f"  {sized.label:>5} {state:<19} {record['matches']:>9,} rows  "
        + "  ".join(f"{name} {fmt_time(record[name].get('median'))}" for name in funcs)
        + f"  | index vs pre-index {fmt_ratio(record['current'], record['index'])}"
    )


def _stats_of(peer: str) -> Column:
    return Column(PEERS[peer], peer, fmt_stats)


def _ratio_to(peer: str) -> Column:
    return Column(f"(e) vs {PEERS[peer][:3]}", lambda r: fmt_ratio(r[peer], r["index"]))


def tables(s: dict) -> list[Table]:
    out = [
        Table(
            title="Filter + aggregate by region and theme",
            intro=(
                "Each implementation returns the filtered findings, the count of findings "
                "naming each region code and the count per theme; all the answers are "
                "checked equal. (a)-(d) and (e') build the frame of every passing row; (e) is "
                "what a page rerun does: the mask, the counts and the frame of the 10 rows a "
                "page of cards shows (the whole frame is built only for a download). The "
                "index's search is timed as a first search (its remembered terms are dropped "
                "before every run), answered by its word index.",
            ),
        )
    ]
    for size in dict.fromkeys(r["size"] for r in s[NAME]):
        rows = [r for r in s[NAME] if r["size"] == size]
        peers = [p for p in PEERS if p in rows[0]]
        out.append(
            Table(
                title=f"{size} findings",
                level=3,
                columns=(
                    Column("filter state", "state", left=True),
                    Column("rows", "matches", count),
                    *map(_stats_of, peers),
                    *(_ratio_to(p) for p in peers if p in SLOWER),
                ),
                rows=rows,
            )
        )
    return out


def notes(results: Results) -> list[str]:
    if NAME not in results.sections:
        return []
    return [
        "Peers (a), (b) and (d) fold the search text on every call, as the pre-index code "
        "did; (c) and (e) search a folded text prepared once (DuckDB ingests the index's "
        "folded column)."
    ]
