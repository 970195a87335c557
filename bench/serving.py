"""Serving the app to the measures: a data folder of a generated corpus, an ``AppTest`` session,
`streamlit run` in the background, and the page's own clock in Chromium from an input event to
the page settled again (:func:`arm`, :func:`settled`), with the click on Pakistan."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bench import BENCH, ROOT, generate
from dashboard.core.corpus import Corpus
from tests.browser.support import APP_IDLE, MAP, MAP_LOADED, click_map, free_port, streamlit_command

CHROMIUM = "/usr/bin/chromium"
#: How headless Chromium draws the pages it measures, by the name ``bench/run.py --raster`` takes.
#:
#: - ``cpu`` (the default): Chromium's own choice on a machine with no GPU, such as these: pages
#:   rastered by Skia on the CPU and composited in software (the path an analyst's browser takes
#:   when it has no usable GPU; with one it rasters on the GPU, faster still). WebGL would still
#:   run on SwiftShader, but no page of the app uses WebGL: the map and the timeline are SVG.
#: - ``swiftshader-gl``: all drawing forced through ANGLE on SwiftShader, a GPU emulated on the
#:   CPU. The MapLibre map the app once drew needed it; no browser chooses it by itself, and it
#:   rasters stroked SVG paths about ten times slower (a map repaint 210-220 ms instead of one
#:   17 ms frame, bench/README.md). Kept to compare with the figures measured under it.
RASTER_ARGS = {
    "cpu": ["--no-sandbox", "--disable-background-networking"],
    "swiftshader-gl": [
        "--no-sandbox",
        "--use-gl=angle",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--disable-background-networking",
    ],
}
#: The environment variable through which ``bench/run.py --raster`` reaches the measures.
RASTER_VARIABLE = "BENCH_RASTER"


def raster() -> str:
    """The name of the drawing set-up of this run (see :data:`RASTER_ARGS`)."""
    return os.environ.get(RASTER_VARIABLE) or "cpu"


def chromium_args() -> list[str]:
    """Chromium's flags for this run's drawing set-up."""
    return list(RASTER_ARGS[raster()])


#: Streamlit's smallest page: the floor of a rerun. With this variable set to 1 in its server's
#: environment it draws a text input, a button and links to a second page instead (the floor of
#: each interaction in the browser; see bench/empty_page.py).
EMPTY_PAGE = BENCH / "empty_page.py"
EMPTY_PAGE_WIDGETS = "BENCH_EMPTY_PAGE_WIDGETS"
#: The folders of a data folder that hold the corpus itself (generated, not copied).
OWN = ("reports", "findings")
#: A point in Pakistan (Sindh) where no bundled finding names a province, as tests/browser uses.
PAKISTAN = (69.3, 27.5)


def write_app_data(corpus: Corpus, folder: Path) -> Path:
    """A data folder the whole app reads: generate.write_data_dir (reports, findings, gazetteer,
    taxonomy) plus every other file of the bundled data but its reports and findings (the map
    geometry, the page icon, the column names of imports...).

    The loader refuses a findings file of more than ``formats.MAX_ROWS`` (50,000) rows, and
    write_data_dir writes one file: above that size the findings are rewritten as several files
    of at most MAX_ROWS rows, which ``load_corpus`` reads in name order (the same order)."""
    from dashboard import DATA_DIR
    from dashboard.io.formats import MAX_ROWS

    generate.write_data_dir(corpus, folder)
    n = len(corpus.findings)
    if n > MAX_ROWS:
        (folder / "findings" / "synthetic.csv").unlink()
        for part, start in enumerate(range(0, n, MAX_ROWS), start=1):
            chunk = corpus.findings.iloc[start : start + MAX_ROWS]
            (folder / "findings" / f"synthetic-{part:04d}.csv").write_bytes(
                generate.csv_bytes(chunk)
            )
    for path in sorted(DATA_DIR.rglob("*")):
        name = path.relative_to(DATA_DIR)
        if path.is_file() and name.parts[0] not in OWN and not (folder / name).exists():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, folder / name)
    return folder


def apptest(page: str | None = None, script: Path = ROOT / "app.py", timeout: float = 300):
    """An ``AppTest`` of *script* that has run once (and switched to *page*, and run again)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(script), default_timeout=timeout)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@contextmanager
def streamlit_server(log_path: Path, env: dict | None = None, script: Path | None = None):
    """The app served as the browser tests serve it (``streamlit_command``: as `make run`
    does), or `streamlit run` of *script* with the same options, on a free port, its output to
    *log_path*; yields the process, its URL, when it was started and the log's name, and stops
    it afterwards."""
    port = free_port()
    log_name = log_path.with_name(f"{log_path.stem}-{port}{log_path.suffix}")
    command = streamlit_command(port)
    if script is not None:
        options = command[command.index("--server.port") :]
        command = [sys.executable, "-m", "streamlit", "run", str(script), *options]
    with open(log_name, "w") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            yield process, f"http://localhost:{port}", started, str(log_name)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


#: Registered before any page script (``context.add_init_script``): the main thread's long tasks
#: (> 50 ms), on the page's clock.
LONG_TASKS = """(() => {
    window.__longTasks = [];
    try {
        new PerformanceObserver(list => {
            for (const e of list.getEntries()) {
                window.__longTasks.push({start: e.startTime, duration: e.duration});
            }
        }).observe({type: 'longtask', buffered: true});
    } catch (e) {}
})();"""

#: JavaScript of :func:`arm` (its argument: the spec). Everything is timed on the page's own
#: clock, so the time Playwright takes to notice is not counted:
#:
#: * the start is the ``timeStamp`` of the first ``pointerdown`` or ``keydown`` after arming
#:   (when the browser received the click or the Enter key);
#: * the end is the first animation frame from which every condition of the spec holds, and goes
#:   on holding for ``hold`` ms (so a chart mounted and then replaced again, or a second run,
#:   moves the end to the last one); the frame is about to be painted at that moment.
#:
#: "The new map is drawn" needs care. Streamlit mounts a new chart element when the figure
#: changes: the old ``.js-plotly-plot`` is removed and a new one attached, sometimes during the
#: run and sometimes only after the script state is already ``notRunning`` (seen on a map click:
#: the state changed, then the old chart went and the new one came 90 ms later). So neither
#: "the run finished" nor MAP_LOADED alone says the new map is there: the old chart also
#: satisfies MAP_LOADED. Arming tags the chart on the page; the map counts as drawn once the
#: first chart is one that was not tagged, or (should a chart ever be redrawn in place) the
#: tagged one with other data than when armed (its traces' locations and values; the selection
#: plotly marks on a clicked trace is left out), and MAP_LOADED holds for it. Together with the
#: script run seen to start and finish after the input, the summary line saying the new view
#: and the hold, that is the settled map.
_ARM = r"""(spec) => {
    const mapLoaded = __MAP_LOADED__;
    const CHART = '__CHART__ .js-plotly-plot';
    const app = () => document.querySelector('[data-testid="stApp"]');
    const scriptState = () => {
        const a = app();
        return a && a.getAttribute('data-test-script-state');
    };
    const signature = (gd) => JSON.stringify((gd.data || []).map(
        t => [t.type, t.locations, t.z, t.lon, t.lat, t.text]));
    const summaryLine = () => {
        for (const s of document.querySelectorAll('[data-testid="stMarkdown"] strong')) {
            if (/^[\d,]+ findings? · /.test(s.textContent)) return s.textContent;
        }
        return null;
    };
    if (window.__bench && window.__bench.stop) window.__bench.stop();
    const old = document.querySelector(CHART);
    const oldSignature = old ? signature(old) : null;
    if (old) old.__benchOld = true;
    const ERRORS = '[data-testid="stAlertContentError"]';
    for (const e of document.querySelectorAll(ERRORS)) e.__benchOld = true;
    const w = {start: null, done: null, failed: null, first: {}, states: [], stopped: false};
    window.__bench = w;
    const onInput = (e) => { if (w.start === null) w.start = e.timeStamp; };
    window.addEventListener('pointerdown', onInput, true);
    window.addEventListener('keydown', onInput, true);
    // The script runs seen since the input: every change of the app's script state, the ones
    // that come and go between two callbacks too (their old values).
    let sawRun = false;
    const seen = (st) => {
        if (w.start === null) return;
        const last = w.states.length ? w.states[w.states.length - 1][1] : null;
        if (st !== last) w.states.push([performance.now() - w.start, st]);
        if (st === 'running' && !sawRun) {
            sawRun = true;
            w.first.started = performance.now() - w.start;
        }
    };
    const observer = new MutationObserver((records) => {
        for (const r of records) if (r.oldValue) seen(r.oldValue);
        seen(scriptState());
    });
    if (app()) {
        observer.observe(app(), {
            attributes: true, attributeOldValue: true,
            attributeFilter: ['data-test-script-state'],
        });
    }
    const inView = (e) => {
        if (!e) return false;
        const r = e.getBoundingClientRect();
        return r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
    };
    const checks = {};
    if (spec.summary) checks.summary = () => {
        const t = summaryLine();
        return t !== null && (spec.summary.has || []).every(x => t.includes(x))
            && (spec.summary.not || []).every(x => !t.includes(x));
    };
    if (spec.new_map) checks.map = () => {
        const gd = document.querySelector(CHART);
        return !!gd && (!gd.__benchOld || signature(gd) !== oldSignature) && mapLoaded();
    };
    if (spec.visible) checks.visible = () => inView(document.querySelector(spec.visible));
    if (spec.text) checks.text = () => [...document.querySelectorAll(spec.text[0])]
        .some(e => e.getClientRects().length > 0 && e.textContent.includes(spec.text[1]));
    if (spec.path) checks.path = () => location.pathname.endsWith(spec.path);
    if (spec.search) checks.search = () =>
        (spec.search.has || []).every(x => location.search.includes(x))
        && (spec.search.not || []).every(x => !location.search.includes(x));
    // What the page shows that it did not when armed proves a run too: a run of an empty page
    // can be over before React has drawn the state 'running' at all.
    const content = Object.keys(checks).filter(n => n !== 'path' && n !== 'search');
    const shownSince = content.filter(n => !checks[n]());
    // A script run started after the input (or its result is shown), and none is running now.
    checks.run = () => (sawRun || shownSince.some(n => checks[n]()))
        && scriptState() === 'notRunning';
    const hold = spec.hold === undefined ? 300 : spec.hold;
    let candidate = null;
    let overAt = null;
    w.stop = () => {
        w.stopped = true;
        observer.disconnect();
        window.removeEventListener('pointerdown', onInput, true);
        window.removeEventListener('keydown', onInput, true);
    };
    const tick = () => {
        if (w.stopped) return;
        if (w.start !== null) {
            seen(scriptState());
            const t = performance.now();
            let all = true;
            for (const [name, check] of Object.entries(checks)) {
                const ok = check();
                if (ok && !(name in w.first)) w.first[name] = t - w.start;
                all = all && ok;
            }
            const error = spec.fail && [...document.querySelectorAll(ERRORS)]
                .find(e => !e.__benchOld);
            if (error && sawRun && scriptState() === 'notRunning') {
                w.failed = error.textContent;
                w.done = t;
                w.stop();
                return;
            }
            // With fail: the run over for a second and what was asked for still not shown.
            if (spec.fail && !all && w.first.run !== undefined && checks.run()) {
                if (overAt === null) overAt = t;
                if (t - overAt >= 1000) {
                    w.failed = 'the script run ended; the page shows neither what was asked '
                        + 'for nor an error';
                    w.done = overAt;
                    w.stop();
                    return;
                }
            } else {
                overAt = null;
            }
            if (!all) {
                candidate = null;
            } else if (candidate === null) {
                candidate = t;
            } else if (t - candidate >= hold) {
                w.done = candidate;
                w.stop();
                return;
            }
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}""".replace("__MAP_LOADED__", MAP_LOADED).replace("__CHART__", MAP)

_READ = """() => {
    const w = window.__bench;
    const tasks = (window.__longTasks || []).filter(
        t => t.start + t.duration > w.start && t.start < w.done);
    return {
        start: w.start, done: w.done, failed: w.failed, first: w.first, states: w.states,
        tasks: tasks.map(t => [t.start - w.start, t.duration]),
    };
}"""


def arm(
    page,
    *,
    summary: dict | None = None,
    new_map: bool = False,
    visible: str | None = None,
    text: tuple[str, str] | None = None,
    path: str | None = None,
    search: dict | None = None,
    fail: bool = False,
    hold: int = 300,
) -> None:
    """Watch *page* for the next input (a click or a key) and the page settled after it: a
    script run started and finished, and every condition given holds (see ``_ARM``):

    * *summary*: ``{"has": [...], "not": [...]}``, substrings of the summary line
      ("9 findings · theme = Propaganda");
    * *new_map*: the new map drawn (not the chart that was there when armed);
    * *visible*: a CSS selector of an element in the viewport;
    * *text*: ``(selector, substring)``, an element drawn (in view or not) that holds it;
    * *path*: the URL's path ends with it; *search*: ``{"has": [...], "not": [...]}`` of its
      query string;
    * *fail*: an error message that appears ends the wait (:func:`settled` raises it), and so
      does the script run over for a second without the conditions holding.

    Then make the input, and call :func:`settled`."""
    spec = {
        "summary": summary,
        "new_map": new_map,
        "visible": visible,
        "text": text,
        "path": path,
        "search": search,
        "fail": fail,
        "hold": hold,
    }
    page.evaluate(_ARM, json.loads(json.dumps(spec)))


def settled(page, timeout: float = 120_000, *, errors: str = "raise") -> dict:
    """Wait for what :func:`arm` watches; return ``seconds`` (input to settled, page clock),
    ``first`` (seconds from the input to each condition first holding: ``run`` the script run
    finished, ``summary``, ``map``...), the script states seen (seconds, state) and the main
    thread's long tasks meanwhile (start in seconds from the input, duration in seconds).

    An error message the page showed (``arm(fail=True)``) is raised, or with ``errors="keep"``
    returned as ``failed`` (and ``seconds`` is the time until it was shown)."""
    page.wait_for_function(
        "() => window.__bench && window.__bench.done !== null", timeout=timeout, polling=50
    )
    got = page.evaluate(_READ)
    if got["failed"] and errors == "raise":
        raise RuntimeError(f"the page showed an error: {got['failed']}")
    return {
        "failed": got["failed"],
        "seconds": (got["done"] - got["start"]) / 1000,
        "first": {k: v / 1000 for k, v in got["first"].items()},
        "states": [(t / 1000, st) for t, st in got["states"]],
        "tasks": [(t / 1000, d / 1000) for t, d in got["tasks"]],
    }


def toggle_pakistan(page, timeout: int) -> tuple[float, float, float]:
    """Click Pakistan on the map, then again to clear it. Returns the seconds from the first
    click to the URL naming the region chosen and to the page rerun and the new map drawn, and
    from the second click to the choice cleared and the new map drawn (on the page's clock, see
    :func:`arm`).

    The area the click chooses is the one drawn there: Pakistan on the bundled data, where no
    finding names Sindh; Sindh on the generated corpora, which name every province."""
    page.wait_for_function(APP_IDLE, timeout=timeout, polling=20)
    page.wait_for_function(MAP_LOADED, timeout=timeout, polling=20)
    page.wait_for_timeout(300)
    arm(page, new_map=True, search={"has": ["region="]}, summary={"has": ["region = "]})
    click_map(page, *PAKISTAN)
    chosen = settled(page, timeout)
    page.wait_for_timeout(300)
    arm(page, new_map=True, search={"not": ["region="]}, summary={"not": ["region ="]})
    click_map(page, *PAKISTAN)  # the same area again clears the choice
    cleared = settled(page, timeout)
    page.wait_for_timeout(300)
    return chosen["first"]["search"], chosen["seconds"], cleared["seconds"]


def wait_healthy(process, url: str, started: float, log_name: str, limit: float = 120) -> float:
    """Seconds from *started* until the server at *url* answers its health check."""
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early; see {log_name}")
        if time.perf_counter() - started > limit:
            raise RuntimeError(f"no health answer within {limit:.0f} s; see {log_name}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
