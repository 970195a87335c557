"""renderers: the map's renderer chosen by measurement. The app's map (``maps.build_map``, plotly's
geo subplot drawn as SVG, with ``maps.CHART_CONFIG``) against the MapLibre (WebGL) map it replaced
(bench/renderers/maplibre_map.py, the same map from the same ``MapData``), on the real map with
everything it draws, for a sequence of filter states of the bundled corpus and of a generated
1k corpus (which names every province).

* **A filter change in Chromium.** Streamlit 1.67 puts the figure into the chart element's
  identity, so every filter change remounts ``st.plotly_chart``: the browser parses the figure's
  JSON and builds the plot from nothing (for MapLibre: a new WebGL context and style). One offline
  page (bench/renderers/page.html, served from a temporary folder on 127.0.0.1 with the installed
  plotly package's plotly.min.js; MapLibre's worker needs http) times per state
  ``JSON.parse`` + ``Plotly.purge`` + ``Plotly.newPlot`` until drawn, then two frames more.
  Each kind of plot has its own div, so a remount purges the same kind's last plot (a MapLibre
  teardown counts for MapLibre). The renderers run interleaved (one state of each in turn, the
  order rotated every pass), with a floor (``newPlot`` of an empty scatter) in the same turns.
  After the timed passes, on each renderer: a hover over Pakistan (ms from the mouse move to the
  hover label) and a click on it (the ``plotly_click`` event's location). Every request of the
  page is recorded: none may leave 127.0.0.1.
* **The PNG.** kaleido (one server, Debian's Chromium) renders each renderer's figure of the
  first state at 1600x900, scale 2, a few runs each after one warm-up; a blank figure of the same
  size is kaleido's floor.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import plotly
import plotly.graph_objects as go

from bench import BENCH, generate
from bench.measures.base import Context
from bench.renderers import maplibre_map
from bench.report import Column, Table
from bench.serving import CHROMIUM, chromium_args, raster
from bench.timing import fmt_ratio, fmt_stats, fmt_time, log, summary
from dashboard import DATA_DIR
from dashboard.core.corpus import load_corpus
from dashboard.core.regions import load_gazetteer
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex
from dashboard.views import map_data, maps

NAME = "renderers"
TITLE = "Map renderers: geo (SVG) against MapLibre (WebGL), remount in Chromium and PNG"

GEO, MAPLIBRE, FLOOR = "geo", "maplibre", "floor"
RENDERERS = (GEO, MAPLIBRE)
DESCRIBED = {
    GEO: "geo subplot, SVG (the app's)",
    MAPLIBRE: "MapLibre, WebGL (the baseline)",
    FLOOR: "floor: newPlot of an empty scatter",
}
BUILD = {GEO: maps.build_map, MAPLIBRE: maplibre_map.build_map}
#: The plotly.js configuration of each on the page (the old map's was the app's of then).
CONFIG = {
    GEO: maps.CHART_CONFIG,
    MAPLIBRE: {"displaylogo": False, "modeBarButtonsToRemove": ["select", "lasso"]},
    FLOOR: {"displaylogo": False},
}
#: The plot's size on the page: the map column's width on a laptop, the map's height.
WIDTH, HEIGHT = maps.TYPICAL_WIDTH, 620
PNG = {"format": "png", "width": 1600, "height": 900, "scale": 2}
PAGE = BENCH / "renderers" / "page.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
#: Where the hover and the click land: Pakistan's label point (inside Pakistan, in view).
TARGET = "PK"
#: A point of the map where nothing is drawn (the sea south of Karachi): the hover label goes
#: when the mouse moves there (MapLibre keeps it when the mouse leaves the plot).
BLANK = (66.0, 24.2)
#: Milliseconds the page is left idle before each remount (the analyst's click comes later).
IDLE_MS = 300


@dataclass(frozen=True)
class State:
    """A filter state: what the map is given (region counts and the chosen area)."""

    label: str
    counts: Mapping[str, int]
    selected: str | None
    findings: int


def filter_states() -> list[State]:
    """The filter states, in the order a pass goes through them (each a change from the last)."""
    bundled = load_corpus(cache=False)
    synthetic = generate.generate(1_000)
    wanted = (
        ("bundled", bundled, Filters()),
        ("bundled", bundled, Filters(themes=("violence",))),
        ("bundled", bundled, Filters(themes=("recruitment",), region="PK")),
        ("bundled", bundled, Filters(themes=("propaganda",))),
        ("bundled", bundled, Filters(region="AF")),
        ("bundled", bundled, Filters(themes=("international-policy",), region="PK-KP")),
        ("synthetic 1k", synthetic, Filters()),
        ("synthetic 1k", synthetic, Filters(themes=("violence",), region="AF-KAB")),
    )
    indexes = {}
    states = []
    for corpus_label, corpus, filters in wanted:
        if id(corpus) not in indexes:
            indexes[id(corpus)] = FindingsIndex.build(
                corpus.findings, corpus.gazetteer, words="never", cache=False
            )
        index = indexes[id(corpus)]
        mask = index.mask(filters)
        said = [f"theme {', '.join(filters.themes)}"] if filters.themes else []
        said += [f"area {filters.region}"] if filters.region else []
        label = f"{corpus_label}: {'; '.join(said) or 'no filter'}"
        states.append(State(label, index.region_counts(mask), filters.region, int(mask.sum())))
    return states


def drawn_parts(figure: go.Figure) -> dict:
    """What a figure draws: areas (choropleth locations), line sets, names (text points)."""
    areas = sum(len(t.locations) for t in figure.data if t.type.startswith("choropleth"))
    names = sum(len(t.text) for t in figure.data if getattr(t, "mode", None) == "text")
    lines = sum(1 for t in figure.data if getattr(t, "mode", None) == "lines")
    if figure.layout.map.layers:
        lines += len(figure.layout.map.layers)
    return {"areas": areas, "lines": lines, "names": names}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def served(folder: Path):
    """*folder* over http on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, name="renderers-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def write_page(folder: Path, figures: Mapping[str, str]) -> list[str]:
    """The page, plotly.min.js and every figure's JSON in *folder*; the figures' names."""
    page = PAGE.read_text()
    for key, value in (
        ("__WIDTH__", str(WIDTH)),
        ("__HEIGHT__", str(HEIGHT)),
        ("__CONFIG__", json.dumps(CONFIG)),
    ):
        page = page.replace(key, value)
    (folder / "index.html").write_text(page)
    shutil.copy(PLOTLY_JS, folder / "plotly.min.js")
    (folder / "fig").mkdir()
    for name, text in figures.items():
        (folder / "fig" / f"{name}.json").write_text(text)
    return list(figures)


def _browser_run(ctx: Context, states: list[State], figures: dict[str, str], target) -> dict:
    """The timed remounts, hover and click in Chromium: samples (ms) per kind and state."""
    from playwright.sync_api import sync_playwright

    samples: dict[tuple[str, int], list[dict]] = {}
    requests: list[str] = []
    errors: list[str] = []
    checks: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-renderers-") as tmp:
        names = write_page(Path(tmp), figures)
        with served(Path(tmp)) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
            # The three plots side by side (page.html), all in view.
            page = browser.new_page(viewport={"width": 3 * WIDTH + 40, "height": HEIGHT + 40})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(url + "index.html")
            plotly_js = page.evaluate("names => preload(names)", names)
            kinds = (FLOOR, *RENDERERS)
            last = len(states) - 1  # warm-up, not counted: the first plot of each in the page
            for kind in kinds:
                page.evaluate("([n, k]) => remount(n, k)", [f"{kind}-{last}", kind])
            for turn in range(max(ctx.repeat, 1)):
                for i in range(len(states)):
                    # Rotated, and every other turn reversed: each kind follows each other.
                    order = kinds if (turn + i) % 2 == 0 else kinds[::-1]
                    for j in range(len(kinds)):
                        kind = order[(turn + i + j) % len(kinds)]
                        page.wait_for_timeout(IDLE_MS)
                        result = page.evaluate("([n, k]) => remount(n, k)", [f"{kind}-{i}", kind])
                        samples.setdefault((kind, i), []).append(result)
                log(f"  pass {turn + 1}: {_pass_line(samples, turn)}")
            for kind in RENDERERS:
                checks[kind] = _hover_and_click(ctx, page, kind, target)
            version = browser.version
            browser.close()
        local = url.rstrip("/")
    away = [u for u in requests if not u.startswith((local + "/", "data:", "blob:"))]
    return {
        "samples": samples,
        "checks": checks,
        "plotly_js": plotly_js,
        "chromium": version,
        "requests": len(requests),
        "data_or_blob_requests": sum(u.startswith(("data:", "blob:")) for u in requests),
        "off_localhost": away,
        "console_errors": dict(Counter(errors).most_common(10)),
    }


def _pass_line(samples, turn: int) -> str:
    parts = []
    for kind in (FLOOR, *RENDERERS):
        ms = [runs[turn]["drawn"] for (k, _), runs in samples.items() if k == kind]
        parts.append(f"{kind} {statistics.median(ms):.0f} ms")
    return ", ".join(parts)


def _hover_and_click(ctx: Context, page, kind: str, target: tuple[float, float]) -> dict:
    """Draw state 0 on *kind*, hover over Pakistan a few times and click it once."""
    page.evaluate("([n, k]) => remount(n, k)", [f"{kind}-0", kind])
    page.wait_for_timeout(500)
    x, y = page.evaluate("([k, lon, lat]) => pixel(k, lon, lat)", [kind, *target])
    blank = page.evaluate("([k, lon, lat]) => pixel(k, lon, lat)", [kind, *BLANK])
    hovers, text = [], None
    for _ in range(max(ctx.repeat, 3)):
        page.mouse.move(*blank)  # onto empty map: the hover label goes
        page.wait_for_function("() => !hoverShown()", timeout=5_000)
        page.wait_for_timeout(200)
        page.mouse.move(x - 4, y)
        page.mouse.move(x, y)
        shown = page.evaluate("() => hoverAfterMove()")
        if shown["ms"] is not None:
            hovers.append(shown["ms"] / 1e3)
            text = shown["text"]
    page.evaluate("() => { events.length = 0; }")
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    events = page.evaluate("() => events")
    clicked = [code for what, code in events if what == "click"]
    return {
        "hover": summary(hovers),
        "hover_text": (text or "")[:80],
        "clicked": clicked[0] if clicked else None,
    }


def _png_run(ctx: Context, state: State, gaz, data) -> dict[str, dict]:
    """kaleido's PNG of each renderer's figure of *state* (and of a blank one): seconds, bytes."""
    import kaleido

    os.environ.setdefault("BROWSER_PATH", CHROMIUM)
    size = {"width": PNG["width"], "height": PNG["height"]}
    figures = {
        kind: BUILD[kind](data, gaz, state.counts, state.selected, **size).update_layout(**size)
        for kind in RENDERERS
    }
    figures[FLOOR] = go.Figure(layout=size)
    topojson = {GEO: maps.TOPOJSON_URL, MAPLIBRE: None, FLOOR: None}
    # One server for the run; one another section started is used and left running.
    mine = not kaleido._global_server.is_running()
    kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
    seconds: dict[str, list[float]] = {kind: [] for kind in figures}
    png_bytes: dict[str, int] = {}
    try:
        for turn in range(max(ctx.repeat, 3) + 1):  # the first turn is the warm-up
            for kind, figure in figures.items():
                started = time.perf_counter()
                png = kaleido.calc_fig_sync(figure, topojson=topojson[kind], opts=PNG)
                took = time.perf_counter() - started
                if turn:
                    seconds[kind].append(took)
                png_bytes[kind] = len(png)
    finally:
        if mine:
            kaleido.stop_sync_server(silence_warnings=True)
    return {kind: {"png": summary(seconds[kind]), "png_bytes": png_bytes[kind]} for kind in figures}


def run(ctx: Context) -> None:
    # The figures as the app builds them: importing Streamlit makes its plotly template the
    # default (what every figure of the app carries), whichever sections ran before.
    import streamlit  # noqa: F401

    states = filter_states()
    gaz = load_gazetteer()
    data = map_data.prepare_files(
        DATA_DIR / "regions" / "afpak.geojson", DATA_DIR / "regions" / "context.geojson", gaz
    )
    figures: dict[str, str] = {}
    parts: dict[tuple[str, int], dict] = {}
    for i, state in enumerate(states):
        for kind in RENDERERS:
            figure = BUILD[kind](data, gaz, state.counts, state.selected, width=WIDTH)
            figures[f"{kind}-{i}"] = figure.to_json()
            parts[kind, i] = {**drawn_parts(figure), "json_chars": len(figures[f"{kind}-{i}"])}
        figures[f"{FLOOR}-{i}"] = go.Figure(go.Scatter(x=[], y=[]), {"height": HEIGHT}).to_json()
        parts[FLOOR, i] = {
            "areas": 0,
            "lines": 0,
            "names": 0,
            "json_chars": len(figures[f"{FLOOR}-{i}"]),
        }
    log(f"  {len(states)} filter states, {max(ctx.repeat, 1)} passes, interleaved")
    page = _browser_run(ctx, states, figures, data.label_points[TARGET])
    samples = page.pop("samples")
    for kind in (FLOOR, *RENDERERS):
        every = []
        for i, state in enumerate(states):
            runs = samples[kind, i]
            every += runs
            ctx.results.add(
                NAME,
                renderer=kind,
                state=state.label,
                findings=state.findings,
                selected=state.selected,
                **_timings(runs),
                **parts[kind, i],
                paths=runs[-1]["paths"],
                canvases=runs[-1]["canvases"],
            )
        chars = [parts[kind, i]["json_chars"] for i in range(len(states))]
        record = ctx.results.add(
            "renderers-all",
            renderer=kind,
            **_timings(every),
            json_chars_min=min(chars),
            json_chars_max=max(chars),
            **page["checks"].get(kind, {}),
        )
        log(
            f"  {DESCRIBED[kind]:<36} remount {fmt_stats(record['drawn'])}, "
            f"{_range(record['drawn'])}"
        )
    log(f"  requests: {page['requests']}, off 127.0.0.1: {len(page['off_localhost'])}")
    ctx.results.add("renderers-page", **page)
    for kind, record in _png_run(ctx, states[0], gaz, data).items():
        ctx.results.add("renderers-png", renderer=kind, state=states[0].label, **record)
        log(f"  PNG {DESCRIBED[kind]:<32} {fmt_stats(record['png'])}, {record['png_bytes']:,} B")


def _timings(runs: list[dict]) -> dict[str, dict]:
    """The summaries (seconds) of what the page timed (ms): parse, newPlot resolved, drawn,
    and MapLibre's idle (its names faded in; the others have none)."""
    return {
        what: summary([r[what] / 1e3 for r in runs if r[what] is not None])
        for what in ("drawn", "newplot", "parse", "idle")
    }


def _range(s: dict) -> str:
    if not s.get("runs"):
        return "–"
    return f"{fmt_time(s['min'])}–{fmt_time(s['max'])}"


def _chars(n: int) -> str:
    return f"{n / 1000:.1f} k"


def tables(s: dict) -> list[Table]:
    every = s["renderers-all"]
    floor = next(r for r in every if r["renderer"] == FLOOR)
    by_state = {}
    for r in s[NAME]:
        by_state.setdefault(r["state"], {})[r["renderer"]] = r
    page = s.get("renderers-page", [{}])[0]
    errors = page.get("console_errors", {})
    pngs = s.get("renderers-png", [])
    png_floor = next((r for r in pngs if r["renderer"] == FLOOR), None)
    geo = next(r for r in every if r["renderer"] == GEO)
    tables = [
        Table(
            title="Map renderers: a filter change in Chromium (the chart remounted)",
            intro=(
                "What a filter change costs the browser: Streamlit 1.67 remounts `st.plotly_chart` "
                "on every change (the figure is part of the element's id), so the figure's JSON "
                "is parsed and the plot built from nothing: `JSON.parse` + `Plotly.purge` + "
                "`Plotly.newPlot` until drawn (geo: the promise resolved and the "
                "`.choroplethlocation` paths there; MapLibre: `map.loaded()` and not "
                "`isMoving()`), then two frames. Every filter state below, on both renderers "
                f"and the floor, one state of each in turn; {WIDTH}x{HEIGHT} px plot, WebGL on "
                f"SwiftShader, Chromium drawing {raster()} (bench/serving.py), plotly.js "
                f"{page.get('plotly_js', '?')} from the plotly "
                f"package (Streamlit bundles its own), Chromium {page.get('chromium', '?')}. "
                "Each remount starts on a quiet page: after the last one was drawn and, for "
                "MapLibre, its `idle` event (names faded in: the *MapLibre idle* column, from "
                f"the start of the remount), and {IDLE_MS} ms. Hover: from the mouse move onto "
                "Pakistan to the hover label (an upper bound: it includes the round trip from "
                "Playwright); click: the location `plotly_click` reported.",
            ),
            columns=(
                Column("renderer", lambda r: DESCRIBED[r["renderer"]], left=True),
                Column("remount to drawn", "drawn", fmt_stats),
                Column("min–max", "drawn", _range),
                Column("newPlot resolved", "newplot", fmt_stats),
                Column("JSON.parse", "parse", fmt_stats),
                Column("MapLibre idle", "idle", fmt_stats),
                Column("vs floor", lambda r: fmt_ratio(r["drawn"], floor["drawn"])),
                Column("vs geo", lambda r: fmt_ratio(r["drawn"], geo["drawn"])),
                Column(
                    "JSON payload",
                    lambda r: f"{_chars(r['json_chars_min'])}–{_chars(r['json_chars_max'])} chars",
                ),
                Column("hover", lambda r: fmt_stats(r["hover"]) if "hover" in r else "–"),
                Column("click", lambda r: r.get("clicked") or "–", left=True),
            ),
            rows=every,
            notes=(
                f"Requests of the page: {page.get('requests', '?')} "
                f"({page.get('data_or_blob_requests', '?')} of them data: or blob: URLs), "
                f"{len(page.get('off_localhost', []))} off 127.0.0.1"
                + (f": {', '.join(page['off_localhost'][:5])}" if page.get("off_localhost") else "")
                + ". Console errors of the page: "
                + (
                    "; ".join(f"{n}× “{text[:100]}”" for text, n in errors.items())
                    if errors
                    else "none"
                )
                + ". (MapLibre asks for its glyphs at the style's `data:` URL, which is no "
                "valid URL: it draws the names with a local font instead, as the old app did.)",
            ),
        ),
        Table(
            title="Map renderers, by filter state",
            level=3,
            intro=(
                "Remount to drawn, median of the passes, and what each figure draws: areas "
                "(choropleth locations), line sets (line traces or MapLibre line layers: "
                "province borders, disputed boundaries, wider-region and chosen-area outlines), "
                "names (text points given; the geo map drops in Python the names that would "
                "collide, MapLibre on the page).",
            ),
            columns=(
                Column("filter state", "state", left=True),
                Column("findings", "findings"),
                Column("floor", lambda r: fmt_time(r[FLOOR]["drawn"]["median"])),
                Column("geo (SVG)", lambda r: fmt_time(r[GEO]["drawn"]["median"])),
                Column("MapLibre", lambda r: fmt_time(r[MAPLIBRE]["drawn"]["median"])),
                Column(
                    "MapLibre / geo", lambda r: fmt_ratio(r[MAPLIBRE]["drawn"], r[GEO]["drawn"])
                ),
                Column("areas / lines / names: geo", lambda r: _parts(r[GEO])),
                Column("MapLibre", lambda r: _parts(r[MAPLIBRE])),
                Column(
                    "payload geo / MapLibre",
                    lambda r: (
                        f"{_chars(r[GEO]['json_chars'])} / {_chars(r[MAPLIBRE]['json_chars'])}"
                    ),
                ),
            ),
            rows=[
                {"state": state, "findings": kinds[GEO]["findings"], **kinds}
                for state, kinds in by_state.items()
            ],
        ),
    ]
    if pngs:
        tables.append(
            Table(
                title="Map renderers: the PNG (kaleido)",
                level=3,
                intro=(
                    f"`kaleido.calc_fig_sync` of the map figure of “{pngs[0]['state']}” at "
                    f"{PNG['width']}x{PNG['height']}, scale {PNG['scale']}, one kaleido server "
                    "(Debian's Chromium, no MathJax); geo with `topojson=maps.TOPOJSON_URL`. "
                    "One warm-up each, then the runs, one of each in turn.",
                ),
                columns=(
                    Column(
                        "renderer",
                        lambda r: DESCRIBED[r["renderer"]].replace(
                            "newPlot of an empty scatter", "a blank figure"
                        ),
                        left=True,
                    ),
                    Column("PNG", "png", fmt_stats),
                    Column("min–max", "png", _range),
                    Column(
                        "vs blank",
                        lambda r: fmt_ratio(r["png"], png_floor["png"]) if png_floor else "–",
                    ),
                    Column("bytes", "png_bytes", lambda n: f"{n:,}"),
                ),
                rows=pngs,
            )
        )
    return tables


def _parts(r: dict) -> str:
    return f"{r['areas']} / {r['lines']} / {r['names']}"
