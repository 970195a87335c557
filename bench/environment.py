"""What a run ran on: the commit and the state of the app's code, the machine, the versions; and
the report's opening sentence that says so."""

from __future__ import annotations

import os
import platform
import subprocess
import time

import numpy as np
import pandas as pd

from bench import ROOT

#: What the app runs and reads: a change there during a run makes the run a mix of two versions.
APP_PATHS = ("src", "pages", "app.py", "data")


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10
        ).stdout
    except OSError:
        return ""


def code_state() -> tuple[str, str]:
    """The last commit that changed the app's code or data (``APP_PATHS``), and the files of
    those paths that differ from it now (uncommitted changes)."""
    commit = _git("log", "-1", "--format=%h", "--", *APP_PATHS).strip()
    dirty = _git("status", "--porcelain", "--", *APP_PATHS)
    return commit, " ".join(line[3:] for line in dirty.splitlines())


def head_commit() -> str:
    return _git("rev-parse", "--short", "HEAD").strip()


def environment(args) -> dict:
    import duckdb
    import plotly
    import streamlit

    app_commit, dirty = code_state()
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": head_commit(),
        "app_commit": app_commit,
        "uncommitted": dirty,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_start": os.getloadavg(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "duckdb": duckdb.__version__,
        "streamlit": streamlit.__version__,
        "plotly": plotly.__version__,
        "raster": args.raster,
        "repeat": args.repeat,
        "budget_s": args.budget,
        "sizes": args.sizes,
    }


def code_changed_note(env: dict) -> str | None:
    """A note when the app's code changed during the run (or was uncommitted throughout)."""
    app_commit, dirty = code_state()
    if (app_commit, dirty) != (env["app_commit"], env["uncommitted"]):
        return (
            f"THE APP'S CODE CHANGED DURING THIS RUN (last commit of {', '.join(APP_PATHS)}: "
            f"{env['app_commit']} {env['uncommitted'] or 'clean'} at the start, {app_commit} "
            f"{dirty or 'clean'} at the end; sections started at "
            + ", ".join(f"{k} {v}" for k, v in env.get("section_started", {}).items())
            + "): run it again."
        )
    if dirty:
        return f"Uncommitted changes to the app's code during the run: {dirty}."
    return None


def describe(env: dict) -> str:
    """The report's opening sentence: when, which code, on what, how many runs."""
    app = (
        f" (app code and data as of {env['app_commit']})"
        if env.get("app_commit") and env["app_commit"] != env["commit"]
        else ""
    )
    return (
        f"{env['when']} · commit {env['commit'] or '?'}{app} · Python {env['python']} · "
        f"{env['cpus']} CPUs · load average {env['load_average_start'][0]:.1f} at start, "
        f"{env.get('load_average_end', [0])[0]:.1f} at end · pandas {env['pandas']} · "
        f"numpy {env['numpy']} · DuckDB {env['duckdb']} · Streamlit {env['streamlit']} · "
        f"plotly {env['plotly']} · Chromium drawing: {env.get('raster', 'swiftshader-gl')} "
        "(bench/serving.py) · "
        f"up to {env['repeat']} runs each "
        f"(fewer once a measurement has spent {env['budget_s']:.0f} s)."
    )
