"""The measures, one module each. Every module has

- ``NAME``: its section (``--only`` / ``--skip``) and the key of its records in latest.json;
- ``TITLE``: what the run prints when it starts;
- ``run(ctx)``: measures and records into ``ctx.results`` (bench/measures/base.py);
- ``tables(sections)``: its part of the report as data (bench/report.py), from the records;
- optionally ``notes(results)``: lines for the report's notes.

``MEASURES`` is the order they run in and appear in the report.
"""

from __future__ import annotations

from bench.measures import (
    apptest,
    apptest_sizes,
    briefing,
    browser,
    browser_sizes,
    build,
    corpus_cache,
    filter,
    heap,
    interactions,
    loader,
    map_figure,
    reader,
    renderers,
    rerun_work,
)

MEASURES = (
    build,
    loader,
    corpus_cache,
    filter,
    rerun_work,
    map_figure,
    renderers,
    apptest,
    apptest_sizes,
    heap,
    browser,
    browser_sizes,
    interactions,
    briefing,
    reader,
)
SECTIONS = tuple(m.NAME for m in MEASURES)
#: The sections that measure on the generated corpora and their indexes (built first).
ON_CORPORA = {build.NAME, filter.NAME, rerun_work.NAME, map_figure.NAME}
