"""HAProxy in front of the app's replicas, with ``deploy/haproxy.cfg`` as it is shipped.

The config takes its addresses from the environment (``DASHBOARD_BIND``,
``DASHBOARD_REPLICA_A``, ``DASHBOARD_REPLICA_B``), so the tests, ``make team`` and a desk's
own deployment run the very same file. It keeps each browser on one replica (HAProxy's ``SRV``
cookie) and moves it to the other when its replica stops answering, and it adds the headers
Streamlit does not send: a Content-Security-Policy, framing, ``nosniff`` and a referrer policy.

Streamlit's page has one inline script (``window.prerenderReady = false``); the policy allows
that script by its hash, not every inline script. :func:`inline_script_hashes` computes the
hashes of the installed Streamlit, and a test checks that the shipped config allows exactly
those: a Streamlit upgrade that changes the script fails it, with the hash to put in.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

from dashboard.team.processes import ROOT, free_port, stop, wait_until_healthy

CONFIG = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = "/usr/sbin/haproxy"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def inline_script_hashes(index_html: str | None = None) -> list[str]:
    """The CSP sources (``'sha256-...'``) of the inline scripts in Streamlit's page."""
    if index_html is None:
        # Found, not imported: only dashboard.ui imports Streamlit.
        spec = importlib.util.find_spec("streamlit")
        assert spec is not None and spec.origin is not None, "Streamlit is not installed"
        index_html = (Path(spec.origin).parent / "static" / "index.html").read_text(
            encoding="utf-8"
        )
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(index_html)
    ]


def header(name: str, config: str | None = None) -> str:
    """The value the config sets for response header *name*."""
    text = CONFIG.read_text(encoding="utf-8") if config is None else config
    found = re.search(rf'http-response set-header {re.escape(name)} "([^"]*)"', text)
    if found is None:
        raise LookupError(f"{CONFIG} sets no {name} header")
    return found.group(1)


def _binary() -> str:
    """HAProxy's program: the one on the PATH, else Debian's."""
    return shutil.which("haproxy") or HAPROXY


def available() -> str | None:
    """Why HAProxy cannot be started here, or ``None`` when it can."""
    if not Path(_binary()).exists():
        return "haproxy is missing: install Debian's haproxy (make test and make team do)"
    return None


class Proxy:
    """HAProxy on *port* in front of the replicas at *replicas* (``{"a": port, "b": port}``),
    logging to *folder*/haproxy.log."""

    def __init__(self, folder: Path, replicas: dict[str, int], port: int | None = None) -> None:
        if sorted(replicas) != ["a", "b"]:
            raise ValueError("deploy/haproxy.cfg names two replicas, a and b")
        self.folder, self.replicas = folder, replicas
        self.port = port or free_port()
        self.log = folder / "haproxy.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DASHBOARD_BIND": f"127.0.0.1:{self.port}",
            "DASHBOARD_REPLICA_A": f"127.0.0.1:{self.replicas['a']}",
            "DASHBOARD_REPLICA_B": f"127.0.0.1:{self.replicas['b']}",
        }

    def check(self) -> None:
        """``haproxy -c``: the config is valid with these addresses."""
        done = subprocess.run(
            [_binary(), "-c", "-f", str(CONFIG)],
            env=self.environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"{CONFIG} does not check: {done.stdout}{done.stderr}")

    def start(self, timeout: float = 60) -> Proxy:
        self.check()
        log = open(self.log, "w")  # noqa: SIM115 (HAProxy writes to it until stop())
        self.process = subprocess.Popen(
            [_binary(), "-db", "-f", str(CONFIG)],
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until_healthy(
            f"{self.url}/_stcore/health",
            self.process,
            what="haproxy",
            log=self.log,
            timeout=timeout,
        )
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
