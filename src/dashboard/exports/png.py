"""The briefing slide as a PNG: the figure rendered by kaleido with Debian's Chromium.

One kaleido server (one Chromium) is started on first use and kept for the process. It runs
without MathJax (kaleido's default page loads MathJax from a CDN), and the map's base-map topology
is an inline empty one (see :mod:`dashboard.views.maps`).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import plotly.graph_objects as go

from dashboard.core.regions import Gazetteer
from dashboard.exports.briefing import (
    PNG_HEIGHT,
    PNG_SCALE,
    PNG_WIDTH,
    Briefing,
    ExportError,
    briefing_figure,
)
from dashboard.views.map_data import MapData
from dashboard.views.maps import TOPOJSON_URL

_CHROMIUM_HINT = (
    "Chromium was not found: install the chromium package "
    "(apt-get install chromium; `make run` installs it)"
)


_KALEIDO_LOCK = threading.Lock()
_kaleido_started = False


def _chromium() -> str:
    path = (
        os.environ.get("DASHBOARD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path or not Path(path).exists():
        raise ExportError(_CHROMIUM_HINT)
    return path


def render_png(figure: go.Figure) -> bytes:
    """The figure as a PNG at 2x, through one long-lived kaleido/Chromium (started on first use)."""
    global _kaleido_started
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    chromium = _chromium()
    os.environ.setdefault("BROWSER_PATH", chromium)
    try:
        with _KALEIDO_LOCK:
            if not _kaleido_started:
                # mathjax=False: kaleido's default page loads MathJax from a CDN.
                kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
                _kaleido_started = True
            return kaleido.calc_fig_sync(
                figure,
                # The geo subplot's base-map topology, empty and inline: nothing is fetched.
                topojson=TOPOJSON_URL,
                opts={
                    "format": "png",
                    "width": figure.layout.width or PNG_WIDTH,
                    "height": figure.layout.height or PNG_HEIGHT,
                    "scale": PNG_SCALE,
                },
            )
    except ChromeNotFoundError as err:
        raise ExportError(_CHROMIUM_HINT) from err


def to_png(
    briefing: Briefing, data: MapData, gazetteer: Gazetteer, selected: str | None = None
) -> bytes:
    return render_png(briefing_figure(briefing, data, gazetteer, selected))
