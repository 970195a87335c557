"""apptest: warm reruns of the map and table pages on the bundled data (``AppTest``), beside
Streamlit's empty page."""

from __future__ import annotations

from bench.measures.base import Context
from bench.report import Column, Table
from bench.serving import EMPTY_PAGE, apptest
from bench.timing import fmt_ratio, fmt_stats, fmt_time, interleaved, log, summary, timed

NAME = "apptest"
TITLE = "AppTest reruns"
EMPTY = "empty page"


def run(ctx: Context) -> None:
    first_s, explorer = timed(apptest)
    table = apptest("pages/table.py")
    empty = apptest(script=EMPTY_PAGE)
    samples, _ = interleaved(
        {"map page (explorer)": explorer.run, "table page": table.run, EMPTY: empty.run},
        max(ctx.repeat, 5),
        ctx.budget,
    )
    for at in (explorer, table):
        assert not at.exception, [e.value for e in at.exception]
    floor = summary(samples[EMPTY])
    ctx.results.add("apptest-first", seconds=first_s)
    for name, s in samples.items():
        record = ctx.results.add(NAME, page=name, **summary(s))
        log(f"  {name:<22} {fmt_stats(record)}  ({fmt_ratio(record, floor)} the empty page)")


def tables(s: dict) -> list[Table]:
    first = s.get("apptest-first", [{}])[0].get("seconds")
    floor = next(r for r in s[NAME] if r["page"] == EMPTY)
    return [
        Table(
            title="Server-side rerun (`AppTest`, bundled data)",
            intro=(
                "First run of `app.py` in the process (loads and caches the corpus): "
                f"{fmt_time(first)}.",
            ),
            columns=(
                Column("script", "page", left=True),
                Column("rerun", fmt_stats),
                Column("vs empty page", lambda r: fmt_ratio(r, floor)),
            ),
            rows=s[NAME],
        )
    ]
