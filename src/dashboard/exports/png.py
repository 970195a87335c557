"""The briefing slide as a PNG: the figure rendered by kaleido with Debian's Chromium.

One kaleido server (one Chromium) is started on first use and kept for the process. It runs
without MathJax (kaleido's default page loads MathJax from a CDN), and the map's base-map topology
is an inline empty one (see :mod:`dashboard.views.maps`).
"""

from __future__ import annotations

import contextlib
import functools
import io
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
    _slide_geometry,
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
_WARM_LOCK = threading.Lock()
_warm_thread: threading.Thread | None = None


def _chromium() -> str:
    path = (
        os.environ.get("DASHBOARD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path or not Path(path).exists():
        raise ExportError(_CHROMIUM_HINT)
    return path


def _start_server() -> None:
    """Start the one kaleido server of the process, if it is not running (hold the lock)."""
    global _kaleido_started
    import kaleido

    if not _kaleido_started:
        os.environ.setdefault("BROWSER_PATH", _chromium())
        # mathjax=False: kaleido's default page loads MathJax from a CDN.
        kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
        _kaleido_started = True


def warm_up() -> threading.Thread:
    """Start kaleido's Chromium in the background (about 3-5 s), so that the first export does
    not wait for it. Safe to call on every rerun: the first call starts the one thread, and
    every call returns it. A failure here is left for :func:`render_png` to report in words."""

    def start() -> None:
        import kaleido

        # A failure is reported by the export itself, in words.
        with contextlib.suppress(Exception), _KALEIDO_LOCK:
            _start_server()
            # kaleido opens its Chromium and page on the first figure: draw a small one.
            kaleido.calc_fig_sync(
                go.Figure(go.Scattergeo()),
                topojson=TOPOJSON_URL,
                opts={"format": "png", "width": 10, "height": 10},
            )

    global _warm_thread
    with _WARM_LOCK:
        if _warm_thread is None:
            _warm_thread = threading.Thread(target=start, name="kaleido-warm-up", daemon=True)
            _warm_thread.start()
        return _warm_thread


def render_png(figure: go.Figure) -> bytes:
    """The figure as a PNG at 2x, through one long-lived kaleido/Chromium (started on first use,
    or ahead of it by :func:`warm_up`)."""
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    _chromium()
    try:
        with _KALEIDO_LOCK:
            _start_server()
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


@functools.lru_cache(maxsize=4)
def map_panel(png: bytes) -> bytes:
    """The map alone (with its colour key), cut out of the slide: the PDF and the Word note
    print title, marking, counts, caveats and source as text, so they are not repeated, too
    small to read, in the picture. Remembered for the last few slides: the PDF and the note
    of one briefing cut the same one (about 0.25 s each time)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    scale = image.height / PNG_HEIGHT
    _, _, margin, map_width, plot_height, _ = _slide_geometry()
    box = tuple(
        round(v * scale)
        for v in (margin["l"], margin["t"], margin["l"] + map_width, margin["t"] + plot_height)
    )
    out = io.BytesIO()
    image.crop(box).save(out, format="PNG", optimize=True)
    return out.getvalue()
