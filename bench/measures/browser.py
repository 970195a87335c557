"""browser: cold start of `streamlit run` until the map is drawn in headless Chromium, with the
steps on the way (health, websocket, script run, frames, the map's SVG areas), what the page's
main thread spent, the page opened again warm, and a click on the map."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict

from bench import ROOT
from bench.measures.base import Context
from bench.report import Column, Table
from bench.serving import (
    CHROMIUM,
    LONG_TASKS,
    chromium_args,
    streamlit_server,
    toggle_pakistan,
    wait_healthy,
)
from bench.timing import fmt_stats, fmt_time, log, summary
from bench.watched import MAP_PAGE_IMPORTS
from tests.browser.support import APP_IDLE, MAP, MAP_LOADED, app_state_is

NAME = "browser"
TITLE = "Cold start and click in Chromium"

PAGE_TIMELINE = """() => {
    const scripts = performance.getEntriesByType('resource')
        .filter(e => e.initiatorType === 'script' || e.name.endsWith('.js'))
        .map(e => ({name: e.name.split('/').pop(), end: e.responseEnd,
                    bytes: e.decodedBodySize || e.encodedBodySize || 0}))
        .sort((a, b) => b.bytes - a.bytes);
    return {now: performance.now(), scripts: scripts, tasks: window.__longTasks || []};
}"""
CONNECTED = app_state_is("data-test-connection-state", "CONNECTED")
SCRIPT_STARTED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app && app.getAttribute('data-test-script-state');
    return !!state && state !== 'initial';
}"""
#: Run in a fresh interpreter: the import time of Streamlit, then of what the map page imports.
IMPORTS = f"""import time
t = time.perf_counter()
import streamlit
u = time.perf_counter()
import {", ".join(MAP_PAGE_IMPORTS)}
print(u - t, time.perf_counter() - u)
"""
#: What each start records, in the order of the report (then the main thread's figures).
STEPS = (
    "streamlit run -> /_stcore/health",
    "streamlit run -> map drawn in Chromium",
    "page opened -> map drawn",
    "page opened -> page loaded (goto returns)",
    "page opened -> websocket connected",
    "page opened -> first script run started",
    "page opened -> first websocket frame received",
    "page opened -> largest frame (the map figure) received",
    "page opened -> last frame of the first run received",
    "page opened -> chart element attached",
    "page opened -> first script run finished",
    "page opened -> map areas attached (SVG paths)",
    "fresh Python: import streamlit",
    "fresh Python, after streamlit: import the map page's modules",
    "click on Pakistan -> URL names the region",
    "click on Pakistan -> rerun over, new map drawn",
    "main thread: long tasks (> 50 ms) until the map is drawn, total",
    "main thread: long tasks after the server's last frame, total",
    "main thread: longest single task",
    "page opened again (server warm, scripts cached) -> map drawn",
    "  its main thread: long tasks until the map is drawn, total",
)
WAIT = 120_000  # ms


def _fresh_import_seconds() -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", IMPORTS], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1])


def _record_frames(frames: list[tuple[float, int]], ws) -> None:
    ws.on("framereceived", lambda payload: frames.append((time.perf_counter(), len(payload))))


def one_start(browser, ctx: Context, got: dict[str, list], scripts: dict, counts: list) -> None:
    """One cold start of the server and its page; appends to *got* under the STEPS labels."""
    with streamlit_server(ctx.tmp / "streamlit.log") as (process, url, started, log_name):
        got[STEPS[0]].append(wait_healthy(process, url, started, log_name))
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        frames: list[tuple[float, int]] = []
        page.on("websocket", lambda ws: _record_frames(frames, ws))
        opened = time.perf_counter()

        def since_opened(label: str) -> float:
            got[label].append(time.perf_counter() - opened)
            return got[label][-1]

        page.goto(url)
        since_opened(STEPS[3])
        page.wait_for_function(CONNECTED, timeout=WAIT, polling=10)
        since_opened(STEPS[4])
        page.wait_for_function(SCRIPT_STARTED, timeout=WAIT, polling=10)
        since_opened(STEPS[5])
        page.wait_for_selector(MAP, state="attached", timeout=WAIT)
        since_opened(STEPS[9])
        page.wait_for_function(APP_IDLE, timeout=WAIT, polling=10)
        done = since_opened(STEPS[10])
        # The frames of the first run as the network saw them (not held up by the page's busy
        # main thread): the first, and the largest (the map figure).
        run_frames = [(t - opened, n) for t, n in frames if t - opened <= done]
        last_frame = None
        if run_frames:
            got[STEPS[6]].append(run_frames[0][0])
            got[STEPS[7]].append(max(run_frames, key=lambda x: x[1])[0])
            got["largest frame bytes"].append(max(n for _, n in run_frames))
            last_frame = run_frames[-1][0]
            got[STEPS[8]].append(last_frame)
        page.wait_for_selector(f"{MAP} .choroplethlocation", state="attached", timeout=WAIT)
        since_opened(STEPS[11])
        # The first chart of the page: no earlier one to tell apart (see serving.arm).
        page.wait_for_function(MAP_LOADED, timeout=WAIT, polling=10)
        now = time.perf_counter()
        got[STEPS[1]].append(now - started)
        got[STEPS[2]].append(now - opened)
        # The page's own clock (ms since navigation start): the largest scripts it fetched and
        # the main thread's long tasks up to the map drawn.
        seen = page.evaluate(PAGE_TIMELINE)
        offset = (now - opened) - seen["now"] / 1000  # page clock -> seconds since goto
        for item in seen["scripts"][:2]:
            scripts[item["name"]].append((item["end"] / 1000 + offset, item["bytes"]))
        tasks = seen["tasks"]
        counts.append(len(tasks))
        got[STEPS[16]].append(sum(t["duration"] for t in tasks) / 1000)
        got[STEPS[17]].append(
            sum(t["duration"] for t in tasks if t["start"] / 1000 + offset >= last_frame) / 1000
            if last_frame is not None
            else 0.0
        )
        got[STEPS[18]].append(max((t["duration"] for t in tasks), default=0) / 1000)
        for _ in range(ctx.clicks):
            to_url, chosen, _ = toggle_pakistan(page, 60_000)
            got[STEPS[14]].append(to_url)
            got[STEPS[15]].append(chosen)
        # The same page opened again in a new tab: the server and its caches are warm, the
        # browser has the scripts cached; what remains is the browser's own work.
        again = context.new_page()
        opened = time.perf_counter()
        again.goto(url)
        again.wait_for_function(MAP_LOADED, timeout=WAIT, polling=10)
        since_opened(STEPS[19])
        seen = again.evaluate(PAGE_TIMELINE)
        got[STEPS[20]].append(sum(t["duration"] for t in seen["tasks"]) / 1000)
        again.close()
        context.close()
    streamlit_s, modules_s = _fresh_import_seconds()
    got[STEPS[12]].append(streamlit_s)
    got[STEPS[13]].append(modules_s)


def run(ctx: Context) -> None:
    from playwright.sync_api import sync_playwright

    got: dict[str, list] = defaultdict(list)
    scripts: dict[str, list[tuple[float, int]]] = defaultdict(list)
    task_counts: list[int] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        for k in range(ctx.starts):
            one_start(browser, ctx, got, scripts, task_counts)
            log(
                f"  start {k + 1}: health {got[STEPS[0]][-1]:.2f} s, "
                f"map drawn {got[STEPS[1]][-1]:.2f} s"
            )
        browser.close()
    for name in STEPS:
        record = ctx.results.add(NAME, what=name, **summary(got[name]))
        log(f"  {name:<40} {fmt_stats(record)}")
    if got["largest frame bytes"]:
        ctx.results.add(
            "browser-frame",
            largest_frame_bytes=max(got["largest frame bytes"]),
            long_task_counts=task_counts,
            largest_scripts=[
                {
                    "name": name,
                    "bytes": max(b for _, b in v),
                    "received": summary([t for t, _ in v]),
                }
                for name, v in scripts.items()
            ],
        )
        for name, v in scripts.items():
            log(
                f"  script {name}: {max(b for _, b in v) / 1e6:.1f} MB, received "
                f"{fmt_stats(summary([t for t, _ in v]))} after the page was opened"
            )


def _frame_note(frame: dict) -> str:
    return (
        "The largest websocket frame of the first run (the map figure): "
        f"{frame['largest_frame_bytes'] / 1e3:,.0f} KB. Largest scripts the page "
        "fetched (size decoded; received, after the page was opened): "
        + "; ".join(
            f"`{x['name']}` {x['bytes'] / 1e6:.1f} MB at {fmt_time(x['received'].get('median'))}"
            for x in frame.get("largest_scripts", [])
        )
        + ". Long tasks per start: "
        + ", ".join(map(str, frame.get("long_task_counts", [])))
        + "."
    )


def tables(s: dict) -> list[Table]:
    frame = s.get("browser-frame", [{}])[0]
    return [
        Table(
            title="Cold start and a map click in headless Chromium",
            columns=(Column("from -> to", "what", left=True), Column("time", fmt_stats)),
            rows=s[NAME],
            notes=(_frame_note(frame),) if frame else (),
        )
    ]
