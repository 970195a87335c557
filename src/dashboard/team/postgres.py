"""A real PostgreSQL server: a fresh cluster in a folder, started with Debian's own binaries, as
the tests and ``make team`` run it.

``initdb`` refuses to run as root, so the cluster belongs to the ``postgres`` user (``runuser``)
when the tests run as root; it listens on 127.0.0.1 at a free port, with its socket in the
cluster's folder, and trusts local connections (a throwaway cluster: nothing else can reach
it). ``make test`` and ``make team`` install Debian's ``postgresql`` when ``initdb`` is
missing. A desk's own server is set up by its administrators; see docs/team.md.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from dashboard.team.processes import free_port

#: Where Debian puts the server's programs (``postgresql-15``).
BIN = Path("/usr/lib/postgresql/15/bin")
#: The cluster's superuser and the database the tests use.
USER = "app"
DATABASE = "postgres"


def available() -> str | None:
    """Why a server cannot be started here, or ``None`` when it can."""
    if not (BIN / "initdb").exists():
        return f"{BIN / 'initdb'} is missing: install Debian's postgresql (make test does)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "runuser is missing: initdb refuses to run as root"
    return None


def _as_owner(command: list[str]) -> list[str]:
    """*command* as the cluster's owner: ``postgres`` when we are root, else ourselves."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """One cluster: :meth:`start`, :meth:`stop`, :meth:`restart`, and its :attr:`url`."""

    def __init__(self, root: Path | None = None) -> None:
        self._made = root is None
        self.root = Path(tempfile.mkdtemp(prefix="dashboard-pg-")) if root is None else root
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, command: list[str], timeout: float = 60) -> None:
        done = subprocess.run(
            _as_owner(command), capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode:
            raise RuntimeError(
                f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}"
                + (f"\n{self.log.read_text()[-2000:]}" if self.log.exists() else "")
            )

    def start(self) -> PostgresServer:
        if not self.data.exists():
            if os.geteuid() == 0:
                shutil.chown(self.root, "postgres", "postgres")
            initdb = [str(BIN / "initdb"), "-D", str(self.data), "-U", USER]
            self._run([*initdb, "--auth=trust", "-E", "UTF8"])
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"
        pg_ctl = [str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
        self._run([*pg_ctl, "-o", options, "-w", "-t", "60", "start"])
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def restart(self) -> None:
        """Stop the server at once (open connections are cut) and start it again."""
        self.stop("immediate")
        time.sleep(0.1)
        self.start()

    def remove(self) -> None:
        self.stop()
        if self._made:
            shutil.rmtree(self.root, ignore_errors=True)
