"""loader: the real loader's throughput (read + validate + anchor) on a generated CSV."""

from __future__ import annotations

from functools import partial

import pandas as pd

from bench import generate
from bench.measures.base import Context
from bench.report import Column, Table, count
from bench.timing import fmt_stats, interleaved, log, summary
from dashboard.core.findings import load_findings_bytes

NAME = "loader"
TITLE = "Loader throughput"
#: Rows of the CSV the loader reads.
ROWS = 10_000


def run(ctx: Context) -> None:
    n = ROWS
    corpus = generate.generate(n, seed=1)
    data = generate.csv_bytes(corpus.findings)
    load = partial(
        load_findings_bytes,
        data,
        "synthetic.csv",
        generate.context(corpus),
        source=generate.SOURCE,
    )
    samples, first = interleaved({"load_findings_bytes": load}, ctx.repeat, ctx.budget)
    result = first["load_findings_bytes"]
    assert not result.problems, result.problems[:3]
    pd.testing.assert_frame_equal(result.findings, corpus.findings, check_exact=True)
    s = summary(samples["load_findings_bytes"])
    record = ctx.results.add(
        NAME,
        size=generate.size_label(n),
        n=n,
        csv_bytes=len(data),
        **s,
        findings_per_s=n / s["median"],
        findings_per_s_min=n / s["max"],
        findings_per_s_max=n / s["min"],
    )
    log(f"  {n:,} rows: {fmt_stats(s)} -> {record['findings_per_s']:,.0f} findings/s")


def tables(s: dict) -> list[Table]:
    return [
        Table(
            title="Loading: read + validate + anchor (`load_findings_bytes` on a generated CSV)",
            columns=(
                Column("rows", "n", count),
                Column("CSV", "csv_bytes", lambda b: f"{b / 1e6:.1f} MB"),
                Column("time", fmt_stats),
                Column("findings/s (median)", "findings_per_s", lambda v: f"{v:,.0f}"),
                Column(
                    "findings/s (range)",
                    lambda r: f"{r['findings_per_s_min']:,.0f}–{r['findings_per_s_max']:,.0f}",
                ),
            ),
            rows=s[NAME],
        )
    ]
