"""How the store talks to its database: a SQLite file (the default, one analyst's laptop) or a
PostgreSQL server (a ``postgresql://`` URL in ``DASHBOARD_STORE``: a team sharing one store).

The store's SQL is written once, with ``?`` placeholders and the columns and tables of
:mod:`~dashboard.io.store_schema`; an :class:`Engine` runs it on its database and supplies what
differs between the two:

- opening a connection, and the transactions: SQLite's ``BEGIN IMMEDIATE`` takes the file's one
  write lock; on PostgreSQL a write takes a row lock on the store's change counter
  (``SELECT ... FOR UPDATE``), so writes from any number of processes run one after the other
  exactly as on SQLite, and a read is one ``REPEATABLE READ`` snapshot;
- where the schema's version is kept (SQLite's ``PRAGMA user_version``; a row of ``meta``);
- the column that keeps rows in the order they were written (SQLite's ``rowid``; a ``seq``
  identity column on PostgreSQL);
- the DDL's types, and what a driver's error means to the analyst (:meth:`Engine.explain`).

Each operation opens its own short-lived connection, so a store may be shared between threads.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any

from dashboard.io.store_records import StoreError
from dashboard.io.store_schema import Dialects

#: Environment variable naming the store (a file path, or a PostgreSQL URL).
ENV_VAR = "DASHBOARD_STORE"
#: Key of an advisory lock held while a PostgreSQL store's schema is created or upgraded, so
#: two processes starting at once do it once.
SCHEMA_LOCK = 0x15C9_D5B0
#: Tables whose rows are read back in the order they were written.
ORDERED_TABLES = ("findings", "reports")
#: URL schemes read as PostgreSQL.
POSTGRES_SCHEMES = ("postgresql", "postgres")


class Engine:
    """What differs between the store's databases (see the module's docstring)."""

    #: A name for messages: ``"SQLite"`` or ``"PostgreSQL"``.
    name = ""
    #: The column ordering rows by when they were written (in :data:`ORDERED_TABLES`).
    seq = ""
    #: The driver's exception classes.
    errors: tuple[type[Exception], ...] = ()

    def __init__(self, timeout: float) -> None:
        self.timeout = float(timeout)

    def where(self) -> str:
        """The store for messages, quoted, never with a password."""
        raise NotImplementedError

    @contextmanager
    def connect(self) -> Iterator[Any]:
        raise NotImplementedError
        yield

    def execute(self, con: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return con.execute(self.sql(sql), params)
        except self.errors as err:
            raise self.explain(err) from err

    def executemany(self, con: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            con.cursor().executemany(self.sql(sql), rows)
        except self.errors as err:
            raise self.explain(err) from err

    def sql(self, sql: str) -> str:
        """*sql* in the driver's own placeholders."""
        return sql

    def ddl(self, statement: str | Dialects) -> str:
        """A ``CREATE``/``ALTER`` statement of the schema in this database's terms."""
        return statement.sqlite if isinstance(statement, Dialects) else statement

    def begin_write(self, con: Any) -> None:
        raise NotImplementedError

    def begin_read(self, con: Any) -> None:
        self.execute(con, "BEGIN")

    def begin_schema(self, con: Any) -> None:
        """A transaction in which the schema is created or upgraded, by one process at a time."""
        raise NotImplementedError

    def commit(self, con: Any) -> None:
        self.execute(con, "COMMIT")

    def rollback(self, con: Any) -> None:
        raise NotImplementedError

    def version(self, con: Any) -> int:
        """The schema version the database holds (0: no store yet)."""
        raise NotImplementedError

    def set_version(self, con: Any, version: int) -> None:
        raise NotImplementedError

    def tables(self, con: Any) -> set[str]:
        raise NotImplementedError

    def prepare(self, con: Any) -> None:
        """Once, when the store is opened."""

    def explain(self, err: Exception) -> StoreError:
        raise NotImplementedError

    def denied(self, err: BaseException) -> bool:
        """Whether *err* came from the database refusing the role a right (PostgreSQL)."""
        return False


# --- SQLite -----------------------------------------------------------------------------------


class SqliteEngine(Engine):
    """A SQLite file, in WAL mode with a busy timeout: two processes writing at the same moment
    both succeed, one after the other."""

    name = "SQLite"
    seq = "rowid"
    errors = (sqlite3.Error,)

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(timeout)
        self.path = path
        self.journal_mode = ""

    def where(self) -> str:
        return repr(str(self.path))

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(
                f"Cannot open the store {self.where()}: {err}. Check that the "
                f"folder exists and that you may write to it."
            ) from err
        try:
            self.execute(con, f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self.execute(con, "PRAGMA foreign_keys = ON")
            yield con
        finally:
            con.close()

    def executemany(self, con: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            con.executemany(sql, rows)
        except self.errors as err:
            raise self.explain(err) from err

    def prepare(self, con: Any) -> None:
        self.journal_mode = self.execute(con, "PRAGMA journal_mode=WAL").fetchone()[0]

    def begin_write(self, con: Any) -> None:
        self.execute(con, "BEGIN IMMEDIATE")

    def begin_schema(self, con: Any) -> None:
        self.execute(con, "BEGIN IMMEDIATE")

    def rollback(self, con: Any) -> None:
        if con.in_transaction:
            con.rollback()

    def version(self, con: Any) -> int:
        return int(self.execute(con, "PRAGMA user_version").fetchone()[0])

    def set_version(self, con: Any, version: int) -> None:
        self.execute(con, f"PRAGMA user_version = {int(version)}")

    def tables(self, con: Any) -> set[str]:
        rows = self.execute(con, "SELECT name FROM sqlite_master WHERE type = 'table'")
        return {row[0] for row in rows}

    def explain(self, err: Exception) -> StoreError:
        text = str(err)
        where = self.where()
        if "locked" in text or "busy" in text:
            return StoreError(
                f"The store {where} is busy: another dashboard window or "
                f"process has been writing to it for over {self.timeout:g} seconds. "
                f"Nothing was changed. Try again in a moment."
            )
        if "not a database" in text or "malformed" in text:
            return StoreError(
                f"{where} is not a readable dashboard store ({text}). "
                f"Set {ENV_VAR} to another file, or move this one away; the "
                f"dashboard will then start a new, empty store."
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"The store {where} is read-only. Nothing was changed. "
                f"Check the file's permissions, or set {ENV_VAR} to another file."
            )
        return StoreError(f"The store {where} could not be used: {text}. Nothing was changed.")


# --- PostgreSQL -------------------------------------------------------------------------------


def is_postgres_url(value: str) -> bool:
    scheme = value.split("://", 1)[0].lower() if "://" in value else ""
    return scheme in POSTGRES_SCHEMES


_URL_PARTS = re.compile(r"^(?P<scheme>[^:]+)://(?:(?P<user>[^:@/]*)(?::[^@/]*)?@)?(?P<rest>[^?]*)")


def redacted(url: str) -> str:
    """*url* as it may be shown: user, host, port and database, never a password.

    >>> redacted("postgresql://app:s3cret@db.example:5433/iskp?sslmode=require")
    'postgresql://app@db.example:5433/iskp'
    """
    match = _URL_PARTS.match(url)
    if match is None:
        return "a PostgreSQL address"
    user = match["user"]
    return f"{match['scheme']}://{user + '@' if user else ''}{match['rest']}"


#: The placeholders of the store's SQL (outside its quoted literals), and what else psycopg reads
#: as one (``%``).
_PLACEHOLDER = re.compile(r"\?|%")


@lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    parts = sql.split("'")
    for i in range(0, len(parts), 2):  # outside '...' literals
        parts[i] = _PLACEHOLDER.sub(lambda m: "%s" if m[0] == "?" else "%%", parts[i])
    return "'".join(parts)


class PostgresEngine(Engine):
    """A PostgreSQL database (its current schema) reached with psycopg 3."""

    name = "PostgreSQL"
    seq = "seq"

    def __init__(self, url: str, timeout: float) -> None:
        super().__init__(timeout)
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict, make_conninfo
        except ImportError as err:  # pragma: no cover - psycopg is a dependency of the package
            raise StoreError(
                f"{ENV_VAR} names a PostgreSQL store, but psycopg is not installed. Install "
                f"the dashboard with its dependencies (make install), or set {ENV_VAR} to a file."
            ) from err
        self._psycopg = psycopg
        self.errors = (psycopg.Error,)
        self.url = url
        try:
            params = conninfo_to_dict(url)
        except psycopg.ProgrammingError as err:
            raise StoreError(
                f"{ENV_VAR} is not a PostgreSQL address psycopg can read ({redacted(url)}): "
                f"{_first_line(err)}. Write it as postgresql://USER@HOST:PORT/DATABASE."
            ) from err
        # A write waits this long for another's lock; then it fails as "busy", as on SQLite.
        wait = f"-c lock_timeout={int(self.timeout * 1000)}"
        params["options"] = f"{params.get('options', '')} {wait}".strip()
        params.setdefault("connect_timeout", str(max(2, int(self.timeout))))
        params.setdefault("application_name", "iskp-dashboard")
        self._conninfo = make_conninfo("", **params)
        self._shown = redacted(url)

    def where(self) -> str:
        return repr(self._shown)

    @contextmanager
    def connect(self) -> Iterator[Any]:
        try:
            con = self._psycopg.connect(self._conninfo, autocommit=True)
        except self._psycopg.Error as err:
            raise StoreError(
                f"Cannot reach the store {self.where()}: {_first_line(err)}. Check that the "
                f"PostgreSQL server is running and that {ENV_VAR} names it (user, host, port "
                f"and database)."
            ) from err
        try:
            yield con
        finally:
            con.close()

    def sql(self, sql: str) -> str:
        return _pyformat(sql)

    def ddl(self, statement: str | Dialects) -> str:
        if isinstance(statement, Dialects):
            return statement.postgresql
        statement = statement.replace(
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        )
        statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
        for table in ORDERED_TABLES:
            head = f"CREATE TABLE {table} ("
            if statement.startswith(head):
                seq = f"\n        {self.seq} BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,"
                statement = head + seq + statement[len(head) :]
        return statement

    def begin_write(self, con: Any) -> None:
        self.execute(con, "BEGIN ISOLATION LEVEL READ COMMITTED")
        # The store's one write lock: every write takes it first, so no write is lost.
        self.execute(con, "SELECT value FROM meta WHERE key = 'changes' FOR UPDATE")

    def begin_read(self, con: Any) -> None:
        self.execute(con, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def begin_schema(self, con: Any) -> None:
        self.execute(con, "BEGIN")
        self.execute(con, f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")

    def rollback(self, con: Any) -> None:
        status = con.info.transaction_status
        if status != self._psycopg.pq.TransactionStatus.IDLE:
            with suppress(self._psycopg.Error):  # else the connection is gone, and the transaction
                con.execute("ROLLBACK")

    def version(self, con: Any) -> int:
        if "meta" not in self.tables(con):
            return 0
        row = self.execute(con, "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return 0 if row is None else int(row[0])

    def set_version(self, con: Any, version: int) -> None:
        self.execute(
            con,
            "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(int(version)),),
        )

    def tables(self, con: Any) -> set[str]:
        rows = self.execute(
            con,
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        return {row[0] for row in rows}

    def denied(self, err: BaseException) -> bool:
        """Whether *err* came from the database refusing the role a right."""
        cause = err.__cause__ if isinstance(err, StoreError) else err
        return isinstance(cause, self._psycopg.errors.InsufficientPrivilege)

    def explain(self, err: Exception) -> StoreError:
        errors = self._psycopg.errors
        where = self.where()
        text = _first_line(err)
        if isinstance(err, errors.LockNotAvailable | errors.QueryCanceled):
            return StoreError(
                f"The store {where} is busy: another dashboard window or process has been "
                f"writing to it for over {self.timeout:g} seconds. Nothing was changed. Try "
                f"again in a moment."
            )
        if isinstance(err, errors.InsufficientPrivilege | errors.ReadOnlySqlTransaction):
            return StoreError(
                f"The store {where} refused the change: {text}. Nothing was changed. The "
                f"database role in {ENV_VAR} may lack the right; ask whoever runs the database."
            )
        if isinstance(err, self._psycopg.OperationalError | self._psycopg.InterfaceError):
            return StoreError(
                f"The connection to the store {where} was lost ({text}); the database server "
                f"may have restarted. Nothing was changed. Try again in a moment."
            )
        return StoreError(f"The store {where} could not be used: {text}. Nothing was changed.")


def _first_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else type(err).__name__
