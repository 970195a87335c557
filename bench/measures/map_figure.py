"""map: building the map figure and its JSON payload (``maps.build_map``, ``to_json``) for each
corpus, without and with a selected area."""

from __future__ import annotations

from functools import partial

from bench.measures.base import Context
from bench.report import SIZE, Column, Table
from bench.timing import fmt_stats, fmt_time, interleaved, log, summary, timed
from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.core.regions import load_gazetteer
from dashboard.views import map_data, maps

NAME = "map"
TITLE = "Map figure"


def _figure_json(data, gaz, counts, selected) -> str:
    return maps.build_map(data, gaz, counts, selected).to_json()


def run(ctx: Context) -> None:
    gaz = ctx.built[0].corpus.gazetteer if ctx.built else load_gazetteer()
    prepare_s, data = timed(lambda: map_data.prepare(load_geometry(), load_context(), gaz))
    ctx.results.add("map-prepare", seconds=prepare_s)
    for sized in ctx.built:
        counts = sized.index.region_counts()
        for selected in (None, "PK"):
            samples, first = interleaved(
                {
                    "build_map": partial(maps.build_map, data, gaz, counts, selected),
                    "to_json": partial(_figure_json, data, gaz, counts, selected),
                },
                ctx.repeat,
                ctx.budget,
            )
            payload = len(first["to_json"])
            record = ctx.add(
                NAME,
                sized,
                selected=selected,
                build=summary(samples["build_map"]),
                build_and_json=summary(samples["to_json"]),
                json_chars=payload,
            )
            log(
                f"  {sized.label:>5} selected={selected}: build {fmt_stats(record['build'])}, "
                f"build+to_json {fmt_stats(record['build_and_json'])}, {payload:,} chars"
            )


def tables(s: dict) -> list[Table]:
    prepare = s.get("map-prepare", [{}])[0].get("seconds")
    return [
        Table(
            title="Map figure",
            intro=(
                f"`map_data.prepare` (once, cached): {fmt_time(prepare)}. The payload is "
                "`len(fig.to_json())`: it does not grow with the findings, only with the "
                "digits of the counts in labels and hover texts.",
            ),
            columns=(
                SIZE,
                Column("selected", lambda r: r["selected"] or "–", left=True),
                Column("build_map", "build", fmt_stats),
                Column("build_map + to_json", "build_and_json", fmt_stats),
                Column("JSON payload", "json_chars", lambda n: f"{n:,} chars"),
            ),
            rows=s[NAME],
        )
    ]
