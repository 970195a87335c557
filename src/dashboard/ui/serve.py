"""Serving the app with a warm start: ``python -m dashboard serve [STREAMLIT OPTIONS]``.

It is ``streamlit run app.py`` plus one background thread, started with the server, that does
what the first visitor's first run would otherwise wait for: importing pandas, plotly and the
app's modules, loading the corpus and the analysts' store, building the index, preparing the
map's shapes and the figure of the unfiltered view. The caches are the app's own
(``st.cache_resource`` keeps one per process), so the first page finds them filled. While the
browser loads Streamlit's scripts (about a second), the server gets ready in parallel instead of
after. ``make run`` and the browser tests serve this way.

Nothing here changes what a page shows: if warming fails (a corrupt store, say), it is silent,
and the page says what is wrong when it asks for the same thing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parents[3] / "app.py"


def warm_caches() -> None:
    """Fill the caches the first page reads: corpus and index, store, map shapes and figure."""
    from dashboard.ui import data
    from dashboard.ui.explorer import MAP_HEIGHT

    _, index = data.base()
    data.map_data()
    data.map_figure(dict(index.region_counts(None)), None, MAP_HEIGHT)
    # What the other pages import, so that a first visit to them does not pay for it either.
    import dashboard.ui.briefing
    import dashboard.ui.imports
    import dashboard.ui.reader
    import dashboard.ui.table  # noqa: F401


#: Streamlit warns, once per thread, that a cached function runs outside a page's run: here it
#: is meant to.
_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def start_warming() -> threading.Thread:
    def run() -> None:
        logger = logging.getLogger(_CONTEXT_LOGGER)
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            with contextlib.suppress(Exception):
                warm_caches()
        finally:
            logger.setLevel(level)

    thread = threading.Thread(target=run, name="dashboard-warm-up", daemon=True)
    thread.start()
    return thread


def serve(options: Sequence[str] = ()) -> int:
    """Run the app's server in this process (blocks until it stops); *options* are
    ``streamlit run``'s (``--server.port 8600``, ...). A store or secrets it cannot use stop it
    first, with one line on stderr and exit status 2 (:mod:`dashboard.ui.preflight`)."""
    import sys

    from streamlit.web import cli

    from dashboard.ui import preflight

    try:
        preflight.check(options, Path.cwd())
    except preflight.StartError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    start_warming()
    try:
        cli.main(["run", str(APP), *options], standalone_mode=True)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0
