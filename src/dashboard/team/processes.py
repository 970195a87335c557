"""Small things every part needs: a free local port, and waiting for a port to answer."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path

#: The repository's root (the team parts run from a checkout: ``deploy/`` and ``app.py``).
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(
    url: str, process: subprocess.Popen | None = None, *, what: str, log: Path, timeout: float = 60
) -> None:
    """Wait until *url* answers 200; fail with *what* and its *log* when *process* exits first or
    *timeout* seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited at start (status {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s; see {log}")


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """Ask *process* to stop (SIGTERM), and kill it after *timeout* seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
