"""What the browser tests and the benchmarks (bench/) share about driving the app in Chromium:
how `streamlit run` is started, when the page and its map have settled, and where a point of the
map is on the page. Plain functions of a Playwright ``page``; no pytest here, so that bench/ can
import it (with the repository root on ``sys.path``)."""

from __future__ import annotations

import time

from dashboard.team import replicas
from dashboard.team.processes import free_port  # noqa: F401 (the tests and bench/ take it from here)

#: The map's element on the page (plotly's chart; its geo subplot draws the areas as SVG paths).
MAP = '[data-testid="stPlotlyChart"]'


def app_state_is(attribute: str, value: str) -> str:
    """JavaScript for ``wait_for_function``: true once the app's element has *attribute* equal
    to *value* (Streamlit keeps its connection and script states in ``data-test-*`` ones)."""
    return f"""() => {{
    const app = document.querySelector('[data-testid="stApp"]');
    return !!app && app.getAttribute('{attribute}') === '{value}';
}}"""


#: True once the app's script has run and the page waits for the analyst.
APP_IDLE = app_state_is("data-test-script-state", "notRunning")

#: True once plotly has drawn the map's areas and has no drawing left pending.
MAP_LOADED = """() => {
    const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const sub = gd && gd._fullLayout && gd._fullLayout.geo && gd._fullLayout.geo._subplot;
    return !!(sub && gd.querySelector('.choroplethlocation')
              && !(gd._promises && gd._promises.length) && !gd._transitioning);
}"""

#: ``[lon, lat]`` -> ``[x, y]``: where a point of the map is on the page, in CSS pixels.
MAP_PIXEL = """([lon, lat]) => {
    const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const p = gd._fullLayout.geo._subplot.projection([lon, lat]);
    const r = gd.getBoundingClientRect();
    return [r.left + p[0], r.top + p[1]];
}"""

#: The boxes of the names drawn on the map: ``[[text, left, top, right, bottom], ...]``.
MAP_LABELS = """() => {
    const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return [...gd.querySelectorAll('.geo .scattergeo text')]
        .filter(t => t.textContent)
        .map(t => { const b = t.getBoundingClientRect();
                    return [t.textContent, b.left, b.top, b.right, b.bottom]; });
}"""


def streamlit_command(port: int) -> list[str]:
    """The app served as `make run` serves it (`python -m dashboard serve`, which is `streamlit
    run app.py` with its caches warmed at start) on *port*, headless, no usage statistics."""
    return replicas.command(port)


def wait_for_map(page, timeout: float = 30_000, settle: float = 300) -> None:
    """Wait until the map's areas are drawn, then *settle* ms more."""
    page.wait_for_selector(f"{MAP} .choroplethlocation", timeout=timeout)
    page.wait_for_function(MAP_LOADED, timeout=timeout)
    page.wait_for_timeout(settle)


def pixel_of(page, lon: float, lat: float) -> tuple[float, float]:
    """Where a point of the map is on the page."""
    x, y = page.evaluate(MAP_PIXEL, [lon, lat])
    return x, y


def click_map(page, lon: float, lat: float) -> float:
    """Move onto a point of the map, then click it (plotly picks what it last hovered).
    Returns ``time.perf_counter()`` just before the click."""
    x, y = pixel_of(page, lon, lat)
    page.mouse.move(x - 6, y)
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    clicked = time.perf_counter()
    page.mouse.click(x, y)
    return clicked
