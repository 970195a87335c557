"""The child process of apptest-sizes (``bench/run.py --apptest-child OUT``): the app on one
generated corpus, in a fresh process because ``dashboard.DATA_DIR`` is read when the package is
imported. Cold first runs, warm reruns after a filter change, where their time goes, and the map
payload; written as a JSON document to OUT."""

from __future__ import annotations

import gc
import json
import os
import time
from pathlib import Path

import numpy as np

from bench import ROOT
from bench.serving import EMPTY_PAGE
from bench.stopwatch import Stopwatch
from bench.timing import summary, timed
from bench.watched import COLD_PARTS, RERUN_PARTS

#: The two themes a filter change alternates between (each about a fifth of the findings).
THEME_A, THEME_B = "propaganda", "recruitment"
MAP_PAGE, TABLE_PAGE, EMPTY = "map page (explorer)", "table page", "empty page"
#: The label of the loader's part of a cold start (COLD_PARTS' first entry).
LOAD = COLD_PARTS[0][0]


def _json_breakdown(spec: str, top: int = 12) -> list[dict]:
    """Where the characters of a plotly figure's JSON go: every trace key, every layout key,
    each layer of the map and each key of ``layout.map``; largest first."""
    figure = json.loads(spec)

    def size(value) -> int:
        return len(json.dumps(value, separators=(",", ":")))

    parts = []
    for i, trace in enumerate(figure.get("data", [])):
        named = f", {trace['name']}" if trace.get("name") else ""
        name = f"data[{i}] ({trace.get('type', '?')}{named})"
        parts += [(f"{name}.{key}", size(value)) for key, value in trace.items()]
    for key, value in figure.get("layout", {}).items():
        if key != "map" or not isinstance(value, dict):
            parts.append((f"layout.{key}", size(value)))
            continue
        for sub, subvalue in value.items():
            if sub == "layers":
                parts += [
                    (f"layout.map.layers[{j}] ({layer.get('type', '?')})", size(layer))
                    for j, layer in enumerate(subvalue)
                ]
            else:
                parts.append((f"layout.map.{sub}", size(subvalue)))
    parts.sort(key=lambda p: -p[1])
    return [{"part": part, "chars": chars} for part, chars in parts[:top]]


def _spec_of(at) -> str:
    return at.get("plotly_chart")[0].proto.spec


def _themes(at, values: list[str]) -> float:
    """Set the theme filter of session *at* to *values*; the rerun's seconds."""
    at.sidebar.multiselect(key="w_themes").set_value(values)
    seconds, _ = timed(at.run)
    assert not at.exception, [e.value for e in at.exception]
    return seconds


def _fresh_session(timeout: float = 3600):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)


def _alternate(k: int) -> list[str]:
    return [THEME_B] if k % 2 == 0 else [THEME_A]


def child(out: Path, repeat: int, budget: float, with_table: bool = True) -> None:
    import resource

    import dashboard

    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    import dashboard.ui  # its import time is part of the record

    record: dict = {"data_dir": str(dashboard.DATA_DIR)}
    record["import_s"] = time.perf_counter() - started
    expected = os.environ.get("DASHBOARD_DATA")
    if not expected or Path(expected) != dashboard.DATA_DIR:
        raise RuntimeError(f"DATA_DIR is {dashboard.DATA_DIR}, not DASHBOARD_DATA={expected}")

    # Cold: the first run of the map page in this process loads and validates the corpus,
    # builds the index and prepares the map geometry.
    cold = Stopwatch(COLD_PARTS)
    explorer = _fresh_session()
    with cold:
        record["map_first_run_s"], _ = timed(explorer.run)
    assert not explorer.exception, [e.value for e in explorer.exception]
    loaded = cold.returned[LOAD]
    record["findings_loaded"] = len(loaded.findings)
    record["reports_loaded"] = len(loaded.reports)
    record["problems"] = len(loaded.problems)
    record["cold_parts"] = cold.per_run(1)
    payload = {"none": _spec_of(explorer)}

    # A second session filters by one theme on the map page, then opens the table page (the
    # filters go with it): the table's first run makes its downloads of that theme's findings.
    table = None
    if with_table:
        table = _fresh_session()
        record["map_second_session_first_run_s"], _ = timed(table.run)
        _themes(table, [THEME_A])
        table.switch_page("pages/table.py")
        watch = Stopwatch(RERUN_PARTS)
        with watch:
            record["table_first_run_s"], _ = timed(table.run)
        assert not table.exception, [e.value for e in table.exception]
        record["table_first_run_parts"] = watch.per_run(1)
    empty = AppTest.from_file(str(EMPTY_PAGE), default_timeout=60)
    empty.run()

    # The first filter change of each page, then warm reruns alternating two themes.
    record["first_change_s"] = {MAP_PAGE: _themes(explorer, [THEME_A])}
    if table is not None:
        record["first_change_s"][TABLE_PAGE] = _themes(table, [THEME_B])
        _themes(table, [THEME_A])  # both sessions now show theme A
    payload["one theme"] = _spec_of(explorer)
    sessions = {MAP_PAGE: explorer, TABLE_PAGE: table}
    pages = {name: (lambda v, at=at: _themes(at, v)) for name, at in sessions.items() if at}
    pages[EMPTY] = lambda v: timed(empty.run)[0]
    runs = max(repeat, 5) * 2  # pairs of changes: A -> B -> A ...
    samples: dict[str, list[float]] = {name: [] for name in pages}
    spent = dict.fromkeys(pages, 0.0)
    for k in range(runs):
        for name, rerun in pages.items():
            if len(samples[name]) >= runs or spent[name] >= budget:
                continue
            gc.collect()
            seconds = rerun(_alternate(k))
            spent[name] += seconds
            samples[name].append(seconds)
    record["reruns"] = {name: summary(s) for name, s in samples.items()}

    # Where the time of a warm rerun goes (separate, instrumented reruns).
    record["rerun_parts"] = {}
    for name, rerun in pages.items():
        if name == EMPTY:
            continue
        watch = Stopwatch(RERUN_PARTS)
        count = int(np.clip(budget / 2 / record["reruns"][name]["median"], 1, 4))
        with watch:
            total = sum(rerun(_alternate(k)) for k in range(count))
        record["rerun_parts"][name] = {"rerun_s": total / count, "parts": watch.per_run(count)}

    # The map's payload: no filter, one theme, and one theme with Pakistan selected.
    explorer.sidebar.selectbox(key="w_region").set_value("PK")
    explorer.run()
    assert not explorer.exception, [e.value for e in explorer.exception]
    payload["one theme, PK selected"] = _spec_of(explorer)
    record["payload"] = {
        state: {"chars": len(spec), "bytes": len(spec.encode("utf-8"))}
        for state, spec in payload.items()
    }
    record["payload_parts"] = _json_breakdown(payload["one theme, PK selected"])
    record["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write_text(json.dumps(record, default=str))
