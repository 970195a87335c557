"""The team set-up on one machine, from its real parts: ``make team`` (``python -m dashboard
team``).

It starts a PostgreSQL 15 cluster (Debian's), sets the store up as its owner with an app role
that may not rewrite the audit log (:mod:`dashboard.io.store_roles`), starts two replicas of the
app on that store with one secrets file (the same cookie secret, and the public URL as the
redirect URI), HAProxy in front of them with ``deploy/haproxy.cfg``, and an OpenID Connect test
provider (oidc-provider-mock) with three users of different clearances. :class:`Team` is what the
browser tests and the benchmark start too.

Nothing here is for production: the cluster trusts local connections and the provider signs in
whoever types a name. docs/team.md says how a desk runs the same parts.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from dashboard.team import replicas as replica_processes
from dashboard.team.postgres import PostgresServer
from dashboard.team.processes import free_port
from dashboard.team.proxy import Proxy
from dashboard.team.settings import new_cookie_secret, secrets_toml

#: The role the replicas connect to PostgreSQL as.
APP_ROLE = "dashboard_app"

#: The demonstration's users: who they are at the provider, and the claims it puts in their token.
DEMO_USERS: tuple[tuple[str, dict[str, object]], ...] = (
    ("una@desk", {"name": "Una", "clearance": "OFFICIAL", "groups": ["desk"]}),
    ("sam@desk", {"name": "Sam", "clearance": "SECRET", "groups": ["desk"]}),
    (
        "ada@desk",
        {"name": "Ada", "clearance": "OFFICIAL-SENSITIVE", "groups": ["desk", "dashboard-admins"]},
    ),
)


def as_role(url: str, role: str) -> str:
    """*url* with its user changed to *role* (and no password).

    >>> as_role("postgresql://app@127.0.0.1:5432/team?options=-cx", "dashboard_app")
    'postgresql://dashboard_app@127.0.0.1:5432/team?options=-cx'
    """
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role)}@{host}"))


@dataclass
class Team:
    """Two replicas on one PostgreSQL store behind HAProxy, signing in at *provider_url*.

    *owner_url* is a PostgreSQL database to own (the tests give one of theirs); without it the
    team starts a throwaway cluster of its own. Logs and the secrets file are in *folder*.
    """

    folder: Path
    provider_url: str
    owner_url: str | None = None
    port: int | None = None
    cookie_secret: str = field(default_factory=new_cookie_secret)
    access: Mapping[str, object] | None = None
    postgres: PostgresServer | None = None
    replicas: dict[str, replica_processes.Replica] = field(default_factory=dict)
    proxy: Proxy | None = None

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    @property
    def store_url(self) -> str:
        """The URL the replicas connect with: the app role's."""
        assert self.owner_url is not None
        return as_role(self.owner_url, APP_ROLE)

    @property
    def secrets(self) -> Path:
        return self.folder / "secrets.toml"

    def start(self) -> Team:
        from dashboard.io import store_roles

        self.folder.mkdir(parents=True, exist_ok=True)
        if self.owner_url is None:
            # A folder of its own: the cluster belongs to the postgres user (initdb refuses root).
            self.postgres = PostgresServer().start()
            self.owner_url = self.postgres.url
        store_roles.set_up(self.owner_url, APP_ROLE)
        self.port = self.port or free_port()
        public = f"http://localhost:{self.port}"
        self.secrets.write_text(
            secrets_toml(public, self.provider_url, self.cookie_secret, access=self.access),
            encoding="utf-8",
        )
        self.secrets.chmod(0o600)
        for name in ("a", "b"):
            self.start_replica(name)
        self.proxy = Proxy(
            self.folder, {n: r.port for n, r in self.replicas.items()}, port=self.port
        )
        self.proxy.start()
        return self

    def start_replica(self, name: str, port: int | None = None) -> replica_processes.Replica:
        """Start replica *name*; again after it was stopped or killed, on its old port by
        default."""
        old = self.replicas.get(name)
        self.replicas[name] = replica_processes.start(
            self.folder,
            port=port or (old.port if old else None),
            options=("--secrets.files", str(self.secrets)),
            env={"DASHBOARD_STORE": self.store_url},
        )
        return self.replicas[name]

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for replica in self.replicas.values():
            replica.stop()
        if self.postgres is not None:
            self.postgres.remove()


@contextlib.contextmanager
def provider(port: int = 0, users=DEMO_USERS) -> Iterator[str]:
    """The OpenID Connect test provider, in a thread, knowing *users*: its URL."""
    import oidc_provider_mock  # type: ignore[import-untyped]

    known = [oidc_provider_mock.User(sub=sub, claims=dict(claims)) for sub, claims in users]
    with oidc_provider_mock.run_server_in_thread(port, user_claims=known) as server:
        yield f"http://localhost:{server.server_port}"


def main(port: int = 8600, provider_port: int = 8610, folder: Path | None = None) -> int:
    """Start the team set-up, print where it is, and keep it up until Ctrl-C."""
    keep = folder is not None
    folder = folder or Path(tempfile.mkdtemp(prefix="dashboard-team-"))
    print(f"Starting the team set-up in {folder} ...", flush=True)
    with provider(provider_port) as provider_url:
        team = Team(folder, provider_url, port=port)
        try:
            team.start()
            _describe(team, provider_url)
            # Ctrl-C, and a plain kill, stop everything (even when started in the background,
            # where a shell has SIGINT ignored).
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, _interrupt)
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            print("\nStopping ...", flush=True)
        finally:
            team.stop()
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _admin(claims: Mapping[str, object]) -> bool:
    from dashboard.core.access import AccessPolicy

    return AccessPolicy().reader(claims).admin


def _describe(team: Team, provider_url: str) -> None:
    assert team.proxy is not None and team.postgres is not None
    lines = [
        "",
        f"The dashboard, through HAProxy:   {team.url}",
        *(
            f"  replica {name}:                       {r.url}  (log: {r.log})"
            for name, r in team.replicas.items()
        ),
        f"PostgreSQL 15 (owner):            {team.owner_url}",
        f"The replicas connect as:          {team.store_url}",
        f"OpenID Connect test provider:     {provider_url}",
        f"HAProxy's log:                    {team.proxy.log}",
        "",
        "Sign in with one of these (type it in the provider's 'sub' field, then Authorize):",
        *(
            f"  {sub:<10} {claims['name']}, cleared to {claims['clearance']}"
            + (", administrator (Audit log page)" if _admin(claims) else "")
            for sub, claims in DEMO_USERS
        ),
        "",
        "Need-to-know: sign in as sam@desk, import a findings file of your own on the Import page",
        "with the marking SECRET; una@desk (in another browser profile) does not see it.",
        "Stop with Ctrl-C.",
    ]
    print("\n".join(lines), flush=True)
