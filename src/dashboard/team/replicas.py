"""One replica of the app: ``python -m dashboard serve`` (``streamlit run app.py``, warmed at
start) on its own port, with the store and secrets of the team's set-up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from dashboard.team.processes import ROOT, free_port, stop, wait_until_healthy


def command(port: int, options: Sequence[str] = ()) -> list[str]:
    """The app served as ``make run`` serves it, on *port*, headless, no usage statistics, with
    more ``streamlit run`` *options*."""
    return [
        sys.executable,
        "-m",
        "dashboard",
        "serve",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]


class Replica:
    """A running replica: its :attr:`port`, :attr:`url`, :attr:`process` and :attr:`log`."""

    def __init__(self, port: int, process: subprocess.Popen, log: Path) -> None:
        self.port, self.process, self.log = port, process, log
        self.url = f"http://localhost:{port}"

    def stop(self) -> None:
        stop(self.process)

    def kill(self) -> None:
        """Stop it at once, as a crash would."""
        self.process.kill()
        self.process.wait(timeout=10)


def start(
    folder: Path,
    *,
    port: int | None = None,
    options: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> Replica:
    """Start a replica on *port* (a free one by default) and wait for its health check; its log
    is *folder*/streamlit-PORT.log."""
    port = port or free_port()
    log_path = folder / f"streamlit-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 (the server writes to it for its lifetime)
    process = subprocess.Popen(
        command(port, options),
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    try:
        wait_until_healthy(
            f"http://localhost:{port}/_stcore/health",
            process,
            what="the dashboard",
            log=log_path,
            timeout=timeout,
        )
    except RuntimeError:
        process.kill()
        raise
    return Replica(port, process, log_path)
