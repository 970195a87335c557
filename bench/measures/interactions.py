"""interactions: what an analyst waits for in the browser, at 23 findings (the bundled data) and
on a generated corpus of 100k, each beside the same kind of interaction on an empty Streamlit
page (bench/empty_page.py) measured in the same run, one of each in turn.

Per corpus: cold starts (`streamlit run` to the map drawn, beside `streamlit run` of the empty
page to its first element), then one server of the app and one of the empty page, each with its
own Chromium page, and for each interaction ``reps`` repetitions that alternate between two
states, so that every one is a real change:

* filter change: a word typed into the sidebar's "Search text" and Enter (then the box emptied
  and Enter), until the summary line says the new view and the new map is drawn; floor: a word
  typed into the empty page's text input and Enter, until the page echoes it;
* map click: a click on Pakistan (69.3, 27.5) until the summary line names the region chosen
  ("region = Pakistan" on the bundled data; on a generated corpus, whose findings name every
  province, the area drawn there is Sindh), the new map is drawn and the script run is over
  (the cards are the new ones); then the same click to clear it; floor: a click on the empty
  page's button until it shows the new count;
* page switch: the sidebar's "Findings table" until that page's table is shown, and "Map
  explorer" back until its map is drawn; floor: the empty page's sidebar link to its second
  page, and back;
* reader open: the first card's "Open in report" until the reader shows that finding
  (``#f-<id>``, marked as the focus) in the viewport; floor: the empty page's link with a query
  parameter to its second page;
* PNG export: on the briefing page, "Prepare the briefing files" until the PNG download button is
  there (it shows while the PDF is still being printed; the whole run's time is kept as
  ``run_seconds``), the first time in the server (it starts kaleido) and then warm (the title
  changed in between, so that the exports of the earlier title are gone); floor: the empty
  page's button.

Every time is taken on the page's own clock (bench/serving.py, ``arm``): from the input event
(the click's ``pointerdown``, the Enter ``keydown``) to the first frame from which the page is
settled; with it, when the script run started and finished, when the summary line and the map
were new, and the main thread's long tasks (> 50 ms) in between.
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench import generate
from bench.measures.base import Context
from bench.report import Column, Table
from bench.serving import (
    CHROMIUM,
    EMPTY_PAGE,
    EMPTY_PAGE_WIDGETS,
    LONG_TASKS,
    PAKISTAN,
    arm,
    chromium_args,
    settled,
    streamlit_server,
    wait_healthy,
    write_app_data,
)
from bench.timing import fmt_time, log, summary
from tests.browser.support import APP_IDLE, MAP_LOADED, click_map

NAME = "interactions"
TITLE = "Interactions in Chromium beside an empty page (bundled data and 100k)"
BUNDLED = "bundled"
VIEWPORT = {"width": 1440, "height": 1000}
#: The empty page's bold lines (bench/empty_page.py).
BOLD = '[data-testid="stMarkdown"] strong'
#: Repetitions of the warm PNG export (each takes seconds), at most.
PNG_REPS = 5
SETTLE_MS = 120_000
#: Seconds between two measured interactions (see ``_pair``).
PAUSE = 1.0
#: A search that leaves a few findings of a generated corpus in view (20 of 100k): the warm
#: PNG exports' view when the first, of every finding, failed.
SMALL_VIEW = "synthetic finding 4242"
#: JavaScript: the summary line's text ("9 findings · theme = Propaganda"), or null.
SUMMARY_LINE = r"""() => {
    const s = [...document.querySelectorAll('[data-testid="stMarkdown"] strong')]
        .find(e => /^[\d,]+ findings? · /.test(e.textContent));
    return s ? s.textContent : null;
}"""
LOAD_MS = 900_000
#: The empty page drawn (its first page's echo of the text input).
EMPTY_DRAWN = f"""() => [...document.querySelectorAll('{BOLD}')]
    .some(e => e.textContent.startsWith('Typed:'))"""


@dataclass(frozen=True)
class Kind:
    key: str
    what: str
    floor: str
    #: The target on the median, in seconds (None: the issue sets none).
    target: float | None = None


KINDS = (
    Kind(
        "filter",
        "filter change (Search text + Enter) -> new map drawn",
        "text input + Enter -> echoed",
        0.25,
    ),
    Kind(
        "click",
        "map click on Pakistan -> cards and map updated",
        "button click -> new count shown",
        0.30,
    ),
    Kind(
        "switch",
        "page switch: sidebar link -> findings table shown",
        "sidebar link -> second page shown",
    ),
    Kind(
        "back",
        "page switch: sidebar link -> map explorer, map drawn",
        "sidebar link -> first page shown",
    ),
    Kind(
        "reader",
        "Open in report -> the finding in view in the reader",
        "link with a parameter -> second page shown",
    ),
    Kind("cold", "streamlit run -> map drawn", "streamlit run -> empty page drawn", 5.0),
    Kind(
        "png_first",
        "Prepare the briefing files, first in the server -> PNG button",
        "button click -> new count shown",
        2.0,
    ),
    Kind(
        "png",
        "Prepare the briefing files, warm -> PNG button",
        "button click -> new count shown",
        2.0,
    ),
)
BY_KEY = {k.key: k for k in KINDS}


class Samples:
    """What one corpus's interactions measured: per kind, the app's and the floor's samples
    (each what ``settled`` returns, or a dict with at least ``seconds``)."""

    def __init__(self) -> None:
        self.app: dict[str, list[dict]] = {k.key: [] for k in KINDS}
        self.floor: dict[str, list[dict]] = {k.key: [] for k in KINDS}
        self.warmup: dict[str, list[float]] = {}
        #: The region the click on Pakistan chose (its code in the URL).
        self.clicked = ""
        #: The exceptions in the server's log when the first PNG failed.
        self.png_errors: list[str] = []
        #: The summary line of the view each PNG kind was exported from.
        self.png_view: dict[str, str] = {}
        #: One profiled run of some kinds (see ``_profiled``).
        self.profiles: dict[str, dict] = {}

    def add(self, key: str, got: dict, floor: bool = False) -> dict:
        (self.floor if floor else self.app)[key].append(got)
        return got


# -- the pages ------------------------------------------------------------------------------


def _open(page, url: str, process, drawn: str, timeout: float = LOAD_MS) -> None:
    """Open *url* (retrying while the server starts) and wait until *drawn* holds."""
    deadline = time.perf_counter() + timeout / 1000
    while True:
        try:
            page.goto(url, timeout=10_000)
            break
        except Exception:
            if time.perf_counter() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)
    page.wait_for_function(drawn, timeout=timeout, polling=20)


def _idle(page) -> None:
    page.wait_for_function(APP_IDLE, timeout=SETTLE_MS, polling=20)
    page.wait_for_timeout(200)


class App:
    """The app's page and its interactions; each returns what ``settled`` measured."""

    def __init__(self, page) -> None:
        self.page = page
        self.sidebar = page.get_by_test_id("stSidebar")
        self.text = ""
        self.pakistan = False
        self.region = ""

    def filter(self) -> dict:
        self.text = "" if self.text else "radio"
        box = self.sidebar.get_by_role("textbox", name="Search text")
        box.fill(self.text)
        has = {"has": ["text contains"]} if self.text else {"not": ["text contains"]}
        arm(self.page, new_map=True, summary=has)
        box.press("Enter")
        return settled(self.page, SETTLE_MS)

    def click(self) -> dict:
        self.pakistan = not self.pakistan
        # The area drawn there is chosen: Pakistan on the bundled data, Sindh on a generated
        # corpus (its findings name every province, so every province is drawn).
        if self.pakistan:
            arm(self.page, new_map=True, summary={"has": ["region = "]})
        else:
            arm(self.page, new_map=True, summary={"not": ["region ="]})
        click_map(self.page, *PAKISTAN)
        got = settled(self.page, SETTLE_MS)
        if self.pakistan:
            found = re.search(r"region=([^&]+)", self.page.url)
            self.region = found.group(1) if found else "?"
        return got

    def _link(self, name: str, **spec) -> dict:
        arm(self.page, **spec)
        self.sidebar.get_by_role("link", name=name, exact=True).click()
        return settled(self.page, SETTLE_MS)

    def switch(self) -> dict:
        return self._link("Findings table", path="/table", visible='[data-testid="stDataFrame"]')

    def back(self) -> dict:
        return self._link("Map explorer", new_map=True, summary={})

    def reader(self) -> dict:
        link = self.page.get_by_role("link", name="Open in report").first
        found = re.search(r"finding=([^&]+)", link.get_attribute("href") or "")
        assert found, "the card's link names no finding"
        arm(self.page, path="/reader", visible=f"#f-{found.group(1)}.rd-focus")
        link.click()
        return settled(self.page, SETTLE_MS)

    def to_briefing(self) -> dict:
        return self._link("Briefing export", path="/briefing", summary={})

    def png(self, title: str | None) -> dict:
        if title is not None:  # a new title: the exports made for the earlier one are gone
            box = self.page.get_by_role("textbox", name="Title", exact=True)
            box.fill(title)
            arm(self.page, summary={})
            box.press("Enter")
            settled(self.page, SETTLE_MS)
        arm(self.page, text=('[data-testid="stDownloadButton"]', "PNG"), fail=True)
        before = _pdf_chromiums()
        self.page.get_by_role("button", name="Prepare the briefing files").click()
        got = settled(self.page, 300_000, errors="keep")
        got["left_behind"] = _left_behind(before)
        # The PNG's button shows as soon as the PNG is made; the run goes on to print the PDF.
        # The time is to the button; the whole run's (the PDF's button too) is kept beside it.
        got["run_seconds"] = got["seconds"]
        if not got["failed"] and "text" in got["first"]:
            got["seconds"] = got["first"]["text"]
        return got

    def search(self, text: str) -> str:
        """Search for *text* from the sidebar (on any page); returns the summary line."""
        box = self.sidebar.get_by_role("textbox", name="Search text")
        box.fill(text)
        arm(self.page, summary={"has": ["text contains"]})
        box.press("Enter")
        settled(self.page, SETTLE_MS)
        return self.page.evaluate(SUMMARY_LINE)


class Floor:
    """The empty page's interactions (bench/empty_page.py)."""

    def __init__(self, page) -> None:
        self.page = page
        self.sidebar = page.get_by_test_id("stSidebar")
        self.typed = 0
        self.clicks = 0

    def text(self) -> dict:
        self.typed += 1
        box = self.page.get_by_role("textbox", name="Text")
        box.fill(f"word{self.typed}")
        arm(self.page, text=(BOLD, f"Typed: word{self.typed}"))
        box.press("Enter")
        return settled(self.page, SETTLE_MS)

    def button(self) -> dict:
        self.clicks += 1
        arm(self.page, text=(BOLD, f"Clicks: {self.clicks}"))
        self.page.get_by_role("button", name="Count").click()
        return settled(self.page, SETTLE_MS)

    def link(self) -> dict:
        arm(self.page, path="/second", text=(BOLD, "Second page: no item"))
        self.sidebar.get_by_role("link", name="Second page").click()
        return settled(self.page, SETTLE_MS)

    def back(self) -> dict:
        arm(self.page, text=(BOLD, "Typed:"))
        self.sidebar.get_by_role("link", name="First page").click()
        return settled(self.page, SETTLE_MS)

    def param_link(self) -> dict:
        arm(self.page, path="/second", text=(BOLD, "Second page: x"))
        self.page.get_by_role("link", name="Open the second page").click()
        return settled(self.page, SETTLE_MS)


_TICK = os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of process *pid* and all its descendants so far (the
    server, and for a PNG the Chromium kaleido starts)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = {pid}, True
    while grew:
        more = {p for p, (parent, _) in stats.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(stats[p][1] for p in tree if p in stats) / _TICK


def _pdf_chromiums() -> dict[int, float]:
    """The Chromium processes the app's PDF export starts (``exports/pdf.py``: a profile in a
    ``briefing-*`` temporary folder), with their CPU seconds so far."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
                if b"--user-data-dir=" in command and b"/briefing-" in command:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICK
            except OSError:
                continue
    return found


def _left_behind(before: dict[int, float]) -> dict:
    """The PDF's Chromium processes still running once an export is over (started since
    *before*): when the export's 60 s timeout stops Chromium, its renderer goes on printing,
    orphaned. They are stopped here (this run's server started them), so that they do not take
    the CPU from what is measured next; returns how many there were and their CPU so far."""
    left = {p: cpu for p, cpu in _pdf_chromiums().items() if p not in before}
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    return {"processes": len(left), "cpu": sum(left.values())}


def _machine() -> tuple[float, float]:
    """The machine's CPU time (busy, all), in seconds, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / _TICK, sum(values) / _TICK


def _timed(action: Callable[[], dict], pid: int) -> dict:
    """*action*, with the server's CPU time meanwhile and how busy the machine was."""
    cpu, (busy, total) = _tree_cpu(pid), _machine()
    got = action()
    busy_after, total_after = _machine()
    got["server_cpu"] = _tree_cpu(pid) - cpu
    got["machine_busy"] = (busy_after - busy) / max(total_after - total, 1e-9)
    return got


def _pair(
    got: Samples,
    key: str,
    app: Callable[[], dict],
    floor: Callable[[], dict] | None,
    floor_key: str | None = None,
    pids: tuple[int, int] = (0, 0),
) -> None:
    """One run of the app's interaction, then one of the floor's (interleaved), each after a
    pause: the empty page's button clicked at once after a map click took 585-676 ms, a second
    later 172-178 ms (and 108-196 ms alone), so an interaction's after-effects on the machine
    would be counted in the next one's time."""
    time.sleep(PAUSE)
    gc.collect()
    got.add(key, _timed(app, pids[0]))
    if floor is not None:
        time.sleep(PAUSE)
        gc.collect()
        got.add(floor_key or key, _timed(floor, pids[1]), floor=True)


# -- where the main thread's time goes ------------------------------------------------------

#: A script's name without the hash of its build ("PlotlyChart.D9Z0_fxz.js" -> "PlotlyChart.js").
_HASHED = re.compile(r"\.[A-Za-z0-9_-]{8}\.js$")
#: The profiler's own nodes: "(program)" is the browser's work outside JavaScript (style,
#: layout, paint, parsing HTML, its own tasks).
_NATIVE = {"(program)", "(garbage collector)", "(idle)", "(root)"}


def _script(url: str) -> str:
    if not url:
        return "(no script)"
    name = url.split("?")[0].rstrip("/").rsplit("/", 1)[-1] or url
    return _HASHED.sub(".js", name)


def _profile_summary(profile: dict, top: int = 6) -> dict:
    """Self time by script and by function of a V8 CPU profile (``Profiler.stop``), in ms."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    by_script: dict[str, float] = {}
    by_function: dict[str, float] = {}
    for node_id, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = nodes[node_id]
        name = frame["functionName"] or "(anonymous)"
        script = name if name in _NATIVE else _script(frame["url"])
        by_script[script] = by_script.get(script, 0.0) + delta / 1000
        if name not in _NATIVE:
            key = f"{name} ({script}:{frame['lineNumber'] + 1})"
            by_function[key] = by_function.get(key, 0.0) + delta / 1000
    idle = by_script.get("(idle)", 0.0)
    return {
        "wall_ms": (profile["endTime"] - profile["startTime"]) / 1000,
        "busy_ms": sum(by_script.values()) - idle,
        "by_script": sorted(
            ([k, v] for k, v in by_script.items() if k != "(idle)"), key=lambda x: -x[1]
        )[:top],
        "by_function": sorted(([k, v] for k, v in by_function.items()), key=lambda x: -x[1])[:top],
    }


#: The categories of the Performance trace of a profiled run (those of DevTools' timeline).
TRACE_CATEGORIES = [
    "toplevel",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "v8.execute",
    "blink",
    "gpu",
    "viz",
]
#: The threads outside the page's main thread whose work a frame waits for: the renderer's
#: compositor, and the GPU process's threads (where pages are rastered and composited: raster
#: workers on the CPU, or SwiftShader with ``--raster swiftshader-gl``).
OTHER_THREADS = ("CompositorTileWorker", "Compositor", "CrGpuMain", "VizCompositorThread")


def _thread_times(spans: list[dict], start: float, end: float) -> dict:
    """The complete events of one thread clipped to [start, end] (µs): its tasks' wall and CPU
    time (``tdur``, the thread's own clock), and each event name's self wall and CPU time (its
    time less its children's: events nest on a thread)."""
    spans = sorted(spans, key=lambda e: (e["ts"], -e["dur"]))
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    totals = {"wall": 0.0, "cpu": 0.0}
    stack: list[list] = []  # [event, clipped wall, its CPU share, children's wall, children's CPU]

    def close(item: list) -> None:
        name = item[0]["name"]
        wall[name] = wall.get(name, 0.0) + item[1] - item[3]
        cpu[name] = cpu.get(name, 0.0) + item[2] - item[4]

    for e in spans:
        while stack and stack[-1][0]["ts"] + stack[-1][0]["dur"] <= e["ts"]:
            close(stack.pop())
        clipped = max(0.0, min(e["ts"] + e["dur"], end) - max(e["ts"], start))
        share = clipped / e["dur"] if e["dur"] else 0.0
        own_cpu = e.get("tdur", e["dur"]) * share
        if stack:
            stack[-1][3] += clipped
            stack[-1][4] += own_cpu
        else:  # a task of its own
            totals["wall"] += clipped
            totals["cpu"] += own_cpu
        stack.append([e, clipped, own_cpu, 0.0, 0.0])
    while stack:
        close(stack.pop())
    return {**totals, "self_wall": wall, "self_cpu": cpu}


def _trace_summary(raw: bytes, url: str, seconds: float, top: int = 8) -> dict:
    """From a Chromium trace (``browser.stop_tracing()``) of one interaction: its window (from
    the first ``pointerdown``/``keydown`` dispatched on the page's main thread, *seconds*
    long); the main thread's tasks in it, their wall time and their CPU time (the difference:
    time the thread waited for a CPU, or inside a task); its self CPU time by trace event
    (FunctionCall = JavaScript, Document::recalcStyle / UpdateLayoutTree = style, Layout,
    Paint, V8.GC_* = garbage collection, ...); and the CPU time of the compositor and GPU
    process threads (where the page is rastered and composited; bench/serving.py, RASTER_ARGS)."""
    import json

    loaded = json.loads(raw)
    events = [e for e in (loaded["traceEvents"] if isinstance(loaded, dict) else loaded)]
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    pids = {  # the renderer of the page's frame
        frame["processId"]
        for e in events
        for frame in ((e.get("args") or {}).get("data") or {}).get("frames") or []
        if str(frame.get("url", "")).startswith(url) and frame.get("processId")
    }
    main = {k for k, v in names.items() if v == "CrRendererMain" and (not pids or k[0] in pids)}
    inputs = sorted(
        e["ts"]
        for e in events
        if e.get("name") == "EventDispatch"
        and (e["pid"], e["tid"]) in main
        and ((e.get("args") or {}).get("data") or {}).get("type") in ("pointerdown", "keydown")
    )
    if not inputs:
        return {}
    start = inputs[0]
    end = start + seconds * 1e6
    by_thread: dict[tuple, list[dict]] = {}
    for e in events:
        if e.get("ph") == "X" and "dur" in e and e["ts"] < end and e["ts"] + e["dur"] > start:
            by_thread.setdefault((e["pid"], e["tid"]), []).append(e)
    thread = max(main, key=lambda k: sum(e["dur"] for e in by_thread.get(k, [])))
    times = _thread_times(by_thread.get(thread, []), start, end)
    others: dict[str, float] = {}
    for key, spans in by_thread.items():
        name = names.get(key, "")
        kind = next((t for t in OTHER_THREADS if name.startswith(t)), None)
        if kind and key != thread:
            others[kind] = others.get(kind, 0.0) + _thread_times(spans, start, end)["cpu"]
    return {
        "window_ms": seconds * 1000,
        "main_tasks_ms": times["wall"] / 1000,
        "main_cpu_ms": times["cpu"] / 1000,
        "main_self_cpu": sorted(
            ([k, v / 1000] for k, v in times["self_cpu"].items()), key=lambda x: -x[1]
        )[:top],
        "other_threads_cpu": sorted(
            ([k, v / 1000] for k, v in others.items()), key=lambda x: -x[1]
        ),
    }


def _profiled(browser, page, url: str, action: Callable[[], dict]) -> dict:
    """*action* under Chromium's JavaScript sampling profiler (every 200 µs) and a Performance
    trace (DevTools' timeline categories): its time (slowed a little by both), where the main
    thread's JavaScript time went by script (``_profile_summary``) and what the trace says of
    the interaction's window (``_trace_summary``)."""
    client = page.context.new_cdp_session(page)
    client.send("Profiler.enable")
    client.send("Profiler.setSamplingInterval", {"interval": 200})
    browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
    client.send("Profiler.start")
    try:
        got = action()
    finally:
        profile = client.send("Profiler.stop")["profile"]
        trace = browser.stop_tracing()
        client.detach()
    return {
        "seconds": got["seconds"],
        **_profile_summary(profile),
        "trace": _trace_summary(trace, url, got["seconds"]),
    }


# -- cold starts ----------------------------------------------------------------------------


def _cold_start(browser, ctx: Context, env: dict, label: str, empty: bool) -> dict:
    """`streamlit run` (the app, or the empty page) until its page is drawn in a fresh browser
    context opened as soon as the server answers its health check."""
    script = EMPTY_PAGE if empty else None
    name = f"interactions-{label}-{'empty' if empty else 'app'}-cold.log"
    with streamlit_server(ctx.tmp / name, env, script) as (process, url, started, log_name):
        health = wait_healthy(process, url, started, log_name)
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(LONG_TASKS)
        page = context.new_page()
        opened = time.perf_counter()
        _open(page, url, process, EMPTY_DRAWN if empty else MAP_LOADED)
        drawn = time.perf_counter()
        tasks = page.evaluate("() => (window.__longTasks || []).map(t => t.duration)")
        context.close()
    return {
        "seconds": drawn - started,
        "health": health,
        "opened_to_drawn": drawn - opened,
        "tasks": [(0.0, d / 1000) for d in tasks],
    }


# -- one corpus -----------------------------------------------------------------------------


def _environ(folder: Path, data: Path | None, cache: Path, empty: bool = False) -> dict:
    env = {
        **os.environ,
        "DASHBOARD_STORE": str(folder / "store.sqlite3"),
        "DASHBOARD_CACHE_DIR": str(cache),
    }
    if data is not None:
        env["DASHBOARD_DATA"] = str(data)
    if empty:
        env[EMPTY_PAGE_WIDGETS] = "1"
    return env


def _cold_starts(browser, ctx: Context, label: str, app_env: dict, floor_env: dict, got) -> None:
    for k in range(ctx.starts):
        first = got.add("cold", _cold_start(browser, ctx, app_env, label, empty=False))
        first["corpus_cache"] = "empty" if k == 0 else "warm"
        floor = got.add("cold", _cold_start(browser, ctx, floor_env, label, empty=True), True)
        log(
            f"  {label} cold start {k + 1}: map drawn {first['seconds']:.2f} s (health "
            f"{first['health']:.2f} s; corpus cache {first['corpus_cache']}); empty page "
            f"{floor['seconds']:.2f} s"
        )


def _interactions(browser, ctx: Context, n: int, label: str, app_env, floor_env, got) -> None:
    reps = ctx.interaction_reps
    logs = ctx.tmp / f"interactions-{label}.log"
    with (
        streamlit_server(logs, app_env) as (process, url, _, app_log),
        streamlit_server(logs.with_stem(f"{logs.stem}-empty"), floor_env, EMPTY_PAGE) as (
            empty_process,
            empty_url,
            _,
            _,
        ),
    ):
        app_context = browser.new_context(viewport=VIEWPORT)
        floor_context = browser.new_context(viewport=VIEWPORT)
        for context in (app_context, floor_context):
            context.add_init_script(LONG_TASKS)
        app_page, floor_page = app_context.new_page(), floor_context.new_page()
        _open(app_page, url, process, MAP_LOADED)
        _open(floor_page, empty_url, empty_process, EMPTY_DRAWN)
        # Let the word index finish in the server's background thread (as browser-sizes).
        app_page.wait_for_timeout(min(30_000, n // 30))
        _idle(app_page)
        app, floor = App(app_page), Floor(floor_page)
        pids = (process.pid, empty_process.pid)
        # One of each first, not counted: the first search, the first chart mounted again, the
        # first table and reader, each page's scripts compiled.
        for warm in (app.filter, app.filter, app.click, app.click, app.switch, app.back):
            got.warmup.setdefault(warm.__name__, []).append(warm()["seconds"])
            app_page.wait_for_timeout(200)
        got.warmup["reader"] = [app.reader()["seconds"]]
        app.back()
        for warm in (floor.text, floor.button, floor.link, floor.back):
            warm()
        for _ in range(reps):
            _pair(got, "filter", app.filter, floor.text, pids=pids)
        if app.text:
            app.filter()  # back to no search
        for _ in range(reps):
            _pair(got, "click", app.click, floor.button, pids=pids)
        got.clicked = app.region
        if app.pakistan:
            app.click()
        for _ in range(reps):
            _pair(got, "switch", app.switch, floor.link, pids=pids)
            _pair(got, "back", app.back, floor.back, pids=pids)
            _pair(got, "reader", app.reader, floor.param_link, pids=pids)
            _pair(got, "back", app.back, floor.back, pids=pids)
        # One more of each under the JavaScript profiler (not counted): where the main thread's
        # time goes, by script.
        for key, action, undo in (
            ("filter", app.filter, app.filter),
            ("click", app.click, app.click),
            ("switch", app.switch, None),
            ("back", app.back, None),
            ("reader", app.reader, app.back),
        ):
            got.profiles[key] = _profiled(browser, app_page, url, action)
            if undo is not None:
                undo()
        log(
            f"  {label}: filter {_median(got.app['filter'])}, click "
            f"{_median(got.app['click'])}, page switch {_median(got.app['switch'])} / back "
            f"{_median(got.app['back'])}, reader {_median(got.app['reader'])}"
        )
        app.to_briefing()
        _idle(app_page)
        got.png_view = {"png_first": app_page.evaluate(SUMMARY_LINE)}
        _pair(got, "png_first", lambda: app.png(None), floor.button, pids=pids)
        if got.app["png_first"][-1]["failed"]:
            # Not with every finding in view: the warm exports on a view of a few findings.
            # The page shows Streamlit's redacted message; the server's log says what failed.
            got.png_errors = [
                line.strip()
                for line in Path(app_log).read_text(errors="replace").splitlines()
                if re.match(r"^[\w.]+(Error|Exception)\b", line)
            ][-4:]
            log(f"  {label}: the first PNG failed: {got.png_errors}")
            app.search(SMALL_VIEW)
            app_page.wait_for_timeout(300)
        got.png_view["png"] = app_page.evaluate(SUMMARY_LINE)
        for i in range(min(reps, PNG_REPS)):
            _pair(
                got,
                "png",
                lambda i=i: app.png(f"Benchmark briefing {i + 1}"),
                floor.button,
                pids=pids,
            )
        log(f"  {label}: PNG first {_median(got.app['png_first'])}, warm {_median(got.app['png'])}")
        app_context.close()
        floor_context.close()


def _median(samples: list[dict]) -> str:
    return fmt_time(float(np.median([s["seconds"] for s in samples]))) if samples else "–"


def measure(browser, ctx: Context, n: int, data: Path | None, folder: Path, label: str) -> None:
    cache = folder / "cache"
    cache.mkdir()
    app_env = _environ(folder, data, cache)
    floor_env = _environ(folder, None, cache, empty=True)
    got = Samples()
    loads: dict[str, tuple[float, float, float]] = {"start": os.getloadavg()}
    _cold_starts(browser, ctx, label, app_env, floor_env, got)
    loads["after cold starts"] = os.getloadavg()
    _interactions(browser, ctx, n, label, app_env, floor_env, got)
    loads["end"] = os.getloadavg()
    for kind in KINDS:
        app, floor = got.app[kind.key], got.floor[kind.key]
        if not app:
            continue
        ctx.results.add(
            NAME,
            size=label,
            n=n,
            kind=kind.key,
            what=kind.what,
            floor_what=kind.floor,
            target=kind.target,
            app=_stats([s["seconds"] for s in app]),
            floor=_stats([s["seconds"] for s in floor]),
            steps={
                step: _stats([s["first"][step] for s in app if step in s.get("first", {})])
                for step in sorted({k for s in app for k in s.get("first", {})})
            },
            long_tasks=_stats([sum(d for _, d in s["tasks"]) for s in app]),
            server_cpu=_stats([s["server_cpu"] for s in app if "server_cpu" in s]),
            floor_server_cpu=_stats([s["server_cpu"] for s in floor if "server_cpu" in s]),
            machine_busy=_stats([s["machine_busy"] for s in app + floor if "machine_busy" in s]),
            longest_task=_stats([max((d for _, d in s["tasks"]), default=0.0) for s in app]),
            floor_long_tasks=_stats([sum(d for _, d in s["tasks"]) for s in floor]),
            samples=[s["seconds"] for s in app],
            floor_samples=[s["seconds"] for s in floor],
            extra=[
                {k: v for k, v in s.items() if k in ("health", "opened_to_drawn", "corpus_cache")}
                for s in app
            ]
            if kind.key == "cold"
            else [],
            warmup=got.warmup.get(kind.key, []),
            clicked=got.clicked if kind.key == "click" else None,
            view=got.png_view.get(kind.key),
            failed=[s["failed"] for s in app if s.get("failed")],
            server_errors=got.png_errors if kind.key == "png_first" else [],
            left_behind=[s["left_behind"] for s in app if (s.get("left_behind") or {}).get("cpu")],
            profile=got.profiles.get(kind.key),
            load_average=loads,
        )


def _stats(samples: list[float]) -> dict:
    """The summary of *samples* with their 10th and 90th percentiles."""
    s = summary(samples)
    if samples:
        s["p10"], s["p90"] = (float(x) for x in np.percentile(samples, [10, 90]))
    return s


def _sizes(ctx: Context) -> list[int]:
    """0 (the bundled data), then every generated size of 100k and more; with none, the
    largest asked for (so that --quick runs the generated path too)."""
    big = [n for n in ctx.sizes if n >= 100_000]
    return [0, *(big or ([max(ctx.sizes)] if ctx.sizes else []))]


def run(ctx: Context) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=chromium_args())
        for n in _sizes(ctx):
            label = generate.size_label(n) if n else BUNDLED
            with tempfile.TemporaryDirectory(prefix=f"bench-interactions-{label}-") as tmp:
                folder = Path(tmp)
                data = None
                if n:
                    corpus = ctx.corpus_of(n) or generate.generate(n, seed=0)
                    data = write_app_data(corpus, folder / "data")
                    corpus = None  # the server reads the folder; free the frame meanwhile
                    gc.collect()
                log(f"  {label}: load average {os.getloadavg()[0]:.2f}")
                measure(browser, ctx, n, data, folder, label)
        browser.close()


# -- the report -----------------------------------------------------------------------------


def fmt_spread(s: dict) -> str:
    """``median [min–max] (n)``."""
    if not s.get("runs"):
        return "–"
    if s["runs"] == 1:
        return f"{fmt_time(s['median'])} (1)"
    return f"{fmt_time(s['median'])} [{fmt_time(s['min'])}–{fmt_time(s['max'])}] ({s['runs']})"


def status(r: dict) -> str:
    if r.get("failed"):
        return f"failed ({len(r['failed'])} of {r['app']['runs']}; see the notes)"
    if r.get("target") is None:
        return "no target"
    return "met" if r["app"]["median"] <= r["target"] else "not met"


def _steps(r: dict) -> str:
    names = {
        "started": "run started",
        "summary": "summary new",
        "map": "map drawn",
        "visible": "shown",
        "text": "shown",
        "run": "run over",
    }
    parts = [
        f"{label} {fmt_time(r['steps'][step]['median'])}"
        for step, label in names.items()
        if r["steps"].get(step, {}).get("runs")
    ]
    return "; ".join(parts) or "–"


def _cold_note(rows: list[dict]) -> str:
    parts = []
    for r in rows:
        if r["kind"] != "cold" or not r["extra"]:
            continue
        starts = ", ".join(
            f"{t:.2f} s (health {e['health']:.2f} s, cache {e['corpus_cache']})"
            for t, e in zip(r["samples"], r["extra"])
        )
        parts.append(f"{r['size']}: {starts}")
    return "Cold starts one by one (`streamlit run` -> map drawn): " + "; ".join(parts) + "."


def _ms(pairs: list, n: int) -> str:
    return "; ".join(f"{name} {ms:,.0f} ms" for name, ms in pairs[:n]) or "–"


def _trace(r: dict) -> dict:
    return r["profile"].get("trace") or {}


def _profile_table(rows: list[dict]) -> Table:
    profiled = [r for r in rows if r.get("profile")]
    return Table(
        title="Where an interaction's time goes (one traced and profiled run of each)",
        level=3,
        intro=(
            "One more run of each interaction (not counted above) under a Performance trace "
            "(DevTools' timeline categories) and Chromium's JavaScript sampling profiler "
            "(every 200 µs). From the trace, over the interaction's window (the input event "
            "to the page settled): the page's main thread's tasks, their wall time and their "
            "CPU time (the thread's own clock: the difference is time the thread waited for "
            "a CPU, or for something inside a task), its self CPU time by trace event "
            "(`FunctionCall`, `RunMicrotasks`: JavaScript; `Document::recalcStyle`: style; "
            "`LocalFrameView::performLayout`: layout; `Paint`; `V8.GC_*`: garbage "
            "collection), and the CPU time of the compositor and the GPU process "
            "threads (raster and compositing, bench/serving.py RASTER_ARGS). What remains "
            "of the window is the main thread idle: "
            "waiting for the server's messages or for a frame. From the profiler, over the "
            "whole profiled span (from before the input to the end of the 300 ms hold): "
            "JavaScript self time by script (the build's hash left out; `PlotlyChart.js` is "
            "Streamlit's chunk holding plotly.js, `react-dom.js` React; `(program)` is the "
            "browser outside JavaScript, and samples of a thread waiting for a CPU land "
            "there too). Beside it, the server's CPU time (its process and children) in the "
            "counted runs, median.",
        ),
        columns=(
            Column("interaction", lambda r: BY_KEY[r["kind"]].what, left=True),
            Column("findings", "size"),
            Column("time (traced)", lambda r: fmt_time(r["profile"]["seconds"])),
            Column(
                "main thread: tasks / CPU",
                lambda r: (
                    f"{_trace(r).get('main_tasks_ms', 0):,.0f} / "
                    f"{_trace(r).get('main_cpu_ms', 0):,.0f} ms"
                ),
            ),
            Column(
                "main thread CPU by event",
                lambda r: _ms(_trace(r).get("main_self_cpu", []), 4),
                left=True,
            ),
            Column(
                "GPU and compositor CPU",
                lambda r: _ms(_trace(r).get("other_threads_cpu", []), 3),
                left=True,
            ),
            Column(
                "JavaScript by script (profiler)",
                lambda r: _ms(r["profile"]["by_script"], 4),
                left=True,
            ),
            Column("server CPU", lambda r: fmt_time((r.get("server_cpu") or {}).get("median"))),
        ),
        rows=profiled,
    )


def tables(s: dict) -> list[Table]:
    rows = s[NAME]
    loads = {r["size"]: r["load_average"] for r in rows}
    return [
        Table(
            title="Interactions in Chromium, beside an empty page",
            intro=(
                "Each interaction on the explorer (and its other pages) in headless Chromium, "
                "timed on the page's clock from the input event (the click's `pointerdown`, "
                "the Enter `keydown`) to the first frame from which the page is settled: the "
                "script run that the input started is over and what the interaction shows "
                "is there (the summary line of the new view, the new map drawn, the table, "
                "the focused finding in view, the PNG button). Beside it, in the same run and "
                "one of each in turn, the same kind of interaction on an empty Streamlit page "
                "(`bench/empty_page.py`: a text input, a button, links to a second page). "
                "Cells: median [min–max] (runs). Steps: medians from the input. Long tasks: "
                "the median total of the main thread's tasks over 50 ms within the "
                "interaction. Cold starts: from `streamlit run` to the map drawn (the page "
                "opened when the server answers), the browser already running.",
            ),
            columns=(
                Column("interaction", lambda r: BY_KEY[r["kind"]].what, left=True),
                Column("findings", "size"),
                Column("median [min–max] (runs)", "app", fmt_spread),
                Column("empty page", "floor", fmt_spread),
                Column("target", "target", lambda t: "–" if t is None else f"≤ {fmt_time(t)}"),
                Column("status", status, left=True),
                Column("steps (medians)", _steps, left=True),
                Column("long tasks", "long_tasks", lambda x: fmt_time(x.get("median"))),
                Column("server CPU", "server_cpu", lambda x: fmt_time(x.get("median"))),
            ),
            rows=rows,
            notes=(
                _cold_note(rows),
                "The PNG exports' views (the summary line): "
                + "; ".join(
                    f"{r['size']} {'first' if r['kind'] == 'png_first' else 'warm'}: "
                    f"“{r['view']}”"
                    + (
                        f", failed: {r['failed'][0]} (the server's log: "
                        f"{' / '.join(r.get('server_errors', [])) or 'no exception'})"
                        if r.get("failed")
                        else ""
                    )
                    + "".join(
                        f"; the PDF's Chromium still running after it: {x['processes']} "
                        f"processes, {x['cpu']:.1f} s of CPU so far (stopped by the bench)"
                        for x in r.get("left_behind", [])
                    )
                    for r in rows
                    if r["kind"].startswith("png")
                )
                + ". “Prepare the briefing files” offers the PNG, then the PDF, PPTX, DOCX.",
                "Load average (1, 5, 15 min) as each corpus started and ended: "
                + "; ".join(
                    f"{size}: {v['start'][0]:.1f} -> {v['end'][0]:.1f}" for size, v in loads.items()
                )
                + ". The machine's CPUs were busy "
                + "; ".join(
                    f"{r['size']} {r['kind']} {r['machine_busy']['median']:.0%}"
                    for r in rows
                    if r.get("machine_busy", {}).get("runs")
                )
                + " of the time during the interactions (median; /proc/stat, every process, "
                "this run's browser and servers included).",
            ),
        ),
        _profile_table(rows),
    ]
