"""A team's PostgreSQL store set up with two roles: the owner, who creates and upgrades the
schema, and the app's role, which the dashboard's processes connect as.

The app's role may read and write the store's tables, but on the audit log it may only read and
append: it has no UPDATE, DELETE or TRUNCATE there, so even SQL sent by hand as the app cannot
rewrite the log (the log's trigger refuses those too, for every role). Neither may it change the
schema: a dashboard of a newer version, run as the app, says that the owner must upgrade the
store (``python -m dashboard store-setup``) rather than try.

The owner runs :func:`set_up` (or the command) on install and after each upgrade of the
dashboard; it is idempotent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.io.store_engine import ENV_VAR, PostgresEngine, is_postgres_url
from dashboard.io.store_records import StoreError

#: The tables only ever appended to by the app.
APPEND_ONLY = ("audit", "finding_history")
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class SetUp:
    """What :func:`set_up` did, in words for the owner."""

    schema: str
    version: int
    role: str
    tables: tuple[str, ...]

    def lines(self) -> list[str]:
        appended = [t for t in self.tables if t in APPEND_ONLY]
        return [
            f"The store in schema {self.schema!r} is at format {self.version}.",
            f"Role {self.role!r} may read and write {len(self.tables) - len(appended)} "
            f"table(s), and read and append to {', '.join(appended)} (no UPDATE, DELETE or "
            "TRUNCATE); it may not change the schema.",
            f"Give the dashboard's processes {ENV_VAR}=postgresql://{self.role}@HOST:PORT/"
            "DATABASE (with its password, or a .pgpass file).",
        ]


def set_up(owner_url: str, role: str, *, password: str | None = None) -> SetUp:
    """Create or upgrade the store at *owner_url* (connected as its owner), then make *role*
    (created when missing, with *password* when given) the app's role on it."""
    from dashboard.io.store import Store

    if not _ROLE.match(role):
        raise StoreError(
            f"{role!r} is not a role name this set-up will use: write it in lower case letters, "
            "digits and _, e.g. dashboard_app."
        )
    if not is_postgres_url(owner_url):
        raise StoreError(
            "store-setup is for a PostgreSQL store (postgresql://OWNER@HOST:PORT/DATABASE); a "
            "SQLite file needs no set-up (it is created on first use)."
        )
    store = Store(owner_url)  # creates the schema, or upgrades it, as the owner
    engine = store.engine
    assert isinstance(engine, PostgresEngine)
    with engine.connect() as con:
        engine.execute(con, "BEGIN")
        try:
            schema = engine.execute(con, "SELECT current_schema()").fetchone()[0]
            exists = engine.execute(
                con, "SELECT 1 FROM pg_roles WHERE rolname = ?", (role,)
            ).fetchone()
            quoted = _ident(role)
            if exists is None:
                engine.execute(con, f"CREATE ROLE {quoted} LOGIN")
            if password is not None:
                # Parameters cannot stand in DDL: the password is quoted as a literal.
                engine.execute(con, f"ALTER ROLE {quoted} PASSWORD {_literal(password)}")
            tables = sorted(engine.tables(con))
            on = _ident(schema)
            engine.execute(con, f"REVOKE ALL ON ALL TABLES IN SCHEMA {on} FROM {quoted}")
            engine.execute(con, f"REVOKE CREATE ON SCHEMA {on} FROM {quoted}")
            engine.execute(con, f"GRANT USAGE ON SCHEMA {on} TO {quoted}")
            for table in tables:
                rights = (
                    "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
                )
                engine.execute(con, f"GRANT {rights} ON {on}.{_ident(table)} TO {quoted}")
            engine.execute(con, f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {on} TO {quoted}")
            version = engine.version(con)
            engine.commit(con)
        except BaseException:
            engine.rollback(con)
            raise
    return SetUp(schema=schema, version=version, role=role, tables=tuple(tables))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
