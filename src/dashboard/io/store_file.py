"""The store's database: where it is, opening it, its transactions, and checking, creating or
upgrading its schema; and the look-ups of import records every part of the store uses.

The store is a SQLite file (the default) or a PostgreSQL database (``DASHBOARD_STORE`` set to a
``postgresql://`` URL); :mod:`~dashboard.io.store_engine` holds what differs between the two.
Every write is one transaction: an error, or a process killed half-way, leaves the store exactly
as it was, and writes from several processes at the same moment all land, one after the other.

Each method opens its own short-lived connection, so one store may be shared between threads (as
Streamlit's ``st.cache_resource`` shares it between sessions).
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard import DATA_DIR
from dashboard.core.access import _login_name
from dashboard.io.store_engine import (
    ENV_VAR,
    Engine,
    PostgresEngine,
    SqliteEngine,
    is_postgres_url,
    redacted,
)
from dashboard.io.store_records import ImportRecord, NotFound, StoreError
from dashboard.io.store_schema import (
    IMPORT_FIELDS,
    SCHEMA,
    SCHEMA_VERSION,
    STEPS,
    import_record,
)

__all__ = ["ENV_VAR", "StoreFile", "default_store", "default_store_path", "utc_now"]

APP_DIR_NAME = "iskp-dashboard"
STORE_FILE_NAME = "store.sqlite3"
#: How long a write waits for another process's write to finish, in seconds.
DEFAULT_TIMEOUT = 15.0

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: A URL (``postgresql://...``, ``sqlite:///...``), not a path: a scheme of two or more
#: letters then ``://`` (so ``C:\\...`` stays a path).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")

# --- where the store lives ---------------------------------------------------------------------


def default_store() -> Path | str:
    """The store to open: the PostgreSQL URL in ``$DASHBOARD_STORE`` when it holds one, else the
    file of :func:`default_store_path`."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if is_postgres_url(configured):
        return configured
    return default_store_path()  # any other URL is refused there


def default_store_path() -> Path:
    """Where the store file is: ``$DASHBOARD_STORE`` when set, else the user's data folder.

    The data folder is ``$XDG_DATA_HOME/iskp-dashboard/`` (``~/.local/share/iskp-dashboard/`` when
    that is unset; ``%LOCALAPPDATA%\\iskp-dashboard\\`` on Windows). The store is never inside
    the package or the bundled ``data/`` folder: such a path raises :class:`StoreError`. A URL
    other than PostgreSQL's raises it too, with one line that never shows its password.
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured and _URL.match(configured):
        # Read as a path, a URL would quietly become a folder named after its scheme.
        scheme = configured.split(":", 1)[0]
        raise StoreError(
            f"{ENV_VAR} is set to a {scheme}:// address ({redacted(configured)}), which the "
            f"dashboard cannot use. Set {ENV_VAR} to a file path (e.g. "
            f"~/iskp-dashboard/store.sqlite3) or to a PostgreSQL address "
            f"(postgresql://USER@HOST:PORT/DATABASE)."
        )
    if configured:
        path = Path(configured).expanduser()
    else:
        path = _user_data_dir() / APP_DIR_NAME / STORE_FILE_NAME
    path = path.absolute()
    for forbidden, what in ((DATA_DIR, "the bundled data folder"), (_PACKAGE_DIR, "the program")):
        if _is_within(path, forbidden):
            raise StoreError(
                f"The store cannot be kept at {str(path)!r}: that is inside {what} "
                f"({str(forbidden)!r}), which updates of the dashboard replace. Set {ENV_VAR} to a "
                f"file in your own folders, e.g. ~/iskp-dashboard/store.sqlite3."
            )
    return path


def _user_data_dir() -> Path:
    if os.name == "nt":
        local = os.environ.get("LOCALAPPDATA", "").strip()
        if local:
            return Path(local)
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg)
    return Path.home() / ".local" / "share"


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class StoreFile:
    """The store in *target*: a SQLite file (a path; created, with its folders, if missing) or a
    PostgreSQL database (a ``postgresql://`` URL; its tables created if it has none)."""

    def __init__(self, target: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT):
        self.timeout = float(timeout)
        #: Test hook: called with ``"begun"`` right after a write's transaction starts and
        #: ``"written"`` just before its ``COMMIT``, to stop a process inside a transaction.
        self._hook: Callable[[str], None] | None = None
        self.engine: Engine
        #: The SQLite file, or None for a PostgreSQL store.
        self.path: Path | None = None
        if isinstance(target, str) and is_postgres_url(target.strip()):
            self.engine = PostgresEngine(target.strip(), self.timeout)
        elif isinstance(target, str) and _URL.match(target.strip()):
            scheme = target.strip().split(":", 1)[0]
            raise StoreError(
                f"A {scheme}:// store ({redacted(target)}) cannot be used: the store is a "
                f"SQLite file or a PostgreSQL database (postgresql://USER@HOST:PORT/DATABASE)."
            )
        else:
            self.path = Path(target).expanduser().absolute()
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise StoreError(
                    f"Cannot create the folder for the store {str(self.path)!r}: "
                    f"{err.strerror or err}. Set {ENV_VAR} to a file in a folder you "
                    f"can write to."
                ) from err
            self.engine = SqliteEngine(self.path, self.timeout)
        self.where = self.engine.where()
        #: What the store was opened from, as text (the path, or the URL): a cache key.
        self.target = str(self.path) if self.path is not None else str(target).strip()
        with self.engine.connect() as con:
            version = self._check_version(con)
            if version == 0:
                self._check_no_foreign_tables(con)
            else:
                self._check_ours(con)
            self.engine.prepare(con)
        self._create_or_upgrade()

    def __repr__(self) -> str:
        return f"Store({self.where})"

    @property
    def local_name(self) -> str:
        """Who the audit log names when the caller names no one: the login name."""
        return f"local:{_login_name()}"

    @property
    def journal_mode(self) -> str:
        """SQLite's journal mode (``"wal"``); empty for PostgreSQL."""
        return getattr(self.engine, "journal_mode", "")

    # --- connections and transactions ------------------------------------------------------

    def _execute(self, con: Any, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.engine.execute(con, sql, params)

    def _executemany(self, con: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.engine.executemany(con, sql, rows)

    @contextmanager
    def _write(self, *, changes: bool = True) -> Iterator[Any]:
        """One write transaction; any error rolls back. The change counter is bumped in it,
        unless *changes* is false (a line of the audit log alone changes nothing shown)."""
        with self.engine.connect() as con:
            self.engine.begin_write(con)
            try:
                self._call_hook("begun")
                yield con
                if changes:
                    self._execute(
                        con,
                        "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                        "WHERE key = 'changes'",
                    )
                self._call_hook("written")
                self.engine.commit(con)
            except BaseException:
                self.engine.rollback(con)
                raise

    @contextmanager
    def _read(self) -> Iterator[Any]:
        """One read transaction: every query in it sees the same state of the store."""
        with self.engine.connect() as con:
            self.engine.begin_read(con)
            try:
                yield con
            finally:
                self.engine.rollback(con)

    def _call_hook(self, stage: str) -> None:
        if self._hook is not None:
            self._hook(stage)

    # --- schema ------------------------------------------------------------------------------

    def _check_version(self, con: Any) -> int:
        version = self.engine.version(con)
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.where} was written by a newer version of the dashboard "
                f"(store format {version}; this version reads format {SCHEMA_VERSION} and older). "
                f"Nothing was changed. Update the dashboard, or set {ENV_VAR} to another store."
            )
        return version

    def _check_no_foreign_tables(self, con: Any) -> None:
        """Refuse an unversioned database that already has tables: another program's."""
        tables = self.engine.tables(con)
        if tables:
            raise StoreError(
                f"{self.where} is a {self.engine.name} database of another program (it has "
                f"tables {', '.join(sorted(tables)[:5])}), not a dashboard store. Nothing was "
                f"changed. Set {ENV_VAR} to another "
                + ("file." if self.path is not None else "database or schema.")
            )

    def _check_ours(self, con: Any) -> None:
        """Refuse a versioned database that lacks what every format of our store has: its
        ``meta`` table with ``store_id`` and ``changes``, and the ``imports`` and ``findings``
        tables."""
        tables = self.engine.tables(con)
        missing = sorted({"meta", "imports", "findings"} - tables)
        keys: set[str] = set()
        if "meta" in tables:
            try:
                keys = {row[0] for row in self._execute(con, "SELECT key FROM meta")}
            except StoreError:
                keys = set()
        missing += sorted({"store_id", "changes"} - keys) if "meta" in tables else []
        if missing:
            raise StoreError(
                f"{self.where} is not a dashboard store this version can use: it lacks "
                f"{', '.join(missing)}. Nothing was changed. Set {ENV_VAR} to another store"
                + (" (or move this file away to start a new store there)." if self.path else ".")
            )

    def _create_or_upgrade(self) -> None:
        """Bring the store to :data:`SCHEMA_VERSION`: create it when empty, else apply each
        step of :data:`~dashboard.io.store_schema.STEPS` from its version on, all in one
        transaction (and by one process at a time)."""
        with self.engine.connect() as con:
            version = self._check_version(con)
            if version == SCHEMA_VERSION:
                return
            self.engine.begin_schema(con)
            try:
                version = self._check_version(con)  # another process may have done it
                if version == 0:
                    self._check_no_foreign_tables(con)
                    for statement in SCHEMA:
                        self._execute(con, self.engine.ddl(statement))
                    self._execute(
                        con,
                        "INSERT INTO meta (key, value) VALUES ('store_id', ?), "
                        "('changes', '0'), ('created_at', ?)",
                        (uuid.uuid4().hex, utc_now()),
                    )
                else:
                    for step in range(version, SCHEMA_VERSION):
                        for statement in STEPS[step]:
                            self._execute(con, self.engine.ddl(statement))
                if version != SCHEMA_VERSION:
                    self.engine.set_version(con, SCHEMA_VERSION)
                self.engine.commit(con)
            except StoreError as err:
                self.engine.rollback(con)
                if not self.engine.denied(err):
                    raise
                raise StoreError(
                    f"The store {self.where} is at format {version} and this version of the "
                    f"dashboard needs format {SCHEMA_VERSION}, but the role it connects as may "
                    "not change the schema (the app's role never may). Nothing was changed. "
                    "The store's owner upgrades it with: python -m dashboard store-setup "
                    "OWNER_URL --app-role ROLE (see docs/team.md)."
                ) from err
            except BaseException:
                self.engine.rollback(con)
                raise

    # --- import records ----------------------------------------------------------------------

    def _get_import(self, con: Any, import_id: int) -> ImportRecord:
        row = self._execute(
            con, f"SELECT {IMPORT_FIELDS} FROM imports WHERE id = ?", (int(import_id),)
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no import #{import_id} in the store; it may have been "
                f"removed already (perhaps in another window). Reload the page."
            )
        return import_record(row)

    def _import_by_sha(self, con: Any, kind: str, sha256: str) -> ImportRecord | None:
        row = self._execute(
            con,
            f"SELECT {IMPORT_FIELDS} FROM imports WHERE kind = ? AND sha256 = ?",
            (kind, sha256),
        ).fetchone()
        return None if row is None else import_record(row)

    def _holders(self, con: Any, table: str, ids: list[str]) -> dict[str, ImportRecord]:
        """Of *ids*, those already in *table*, each with the import that holds it."""
        found: dict[str, int] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                self._execute(
                    con, f"SELECT id, import_id FROM {table} WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        records = {i: self._get_import(con, i) for i in set(found.values())}
        return {finding_id: records[i] for finding_id, i in found.items()}

    def _insert_import(
        self,
        con: Any,
        file_name: str,
        sha256: str,
        kind: str,
        rows_total: int,
        rows_imported: int,
        rows_rejected: int,
        note: str,
        settings: str = "{}",
        replaces: int | None = None,
        marking: str = "",
        groups: Sequence[str] = (),
    ) -> ImportRecord:
        row = self._execute(
            con,
            "INSERT INTO imports (file_name, sha256, kind, imported_at, rows_total, "
            "rows_imported, rows_rejected, note, settings, replaces, marking, groups) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                file_name,
                str(sha256),
                kind,
                utc_now(),
                int(rows_total),
                int(rows_imported),
                int(rows_rejected),
                str(note),
                settings,
                replaces,
                str(marking),
                json.dumps(list(groups), ensure_ascii=False),
            ),
        ).fetchone()
        return self._get_import(con, int(row[0]))

    def _audit(self, con: Any, who: str, action: str, detail: dict[str, Any]) -> None:
        """One line of the audit log, in the transaction of *con*."""
        self._execute(
            con,
            "INSERT INTO audit (at, who, action, detail) VALUES (?, ?, ?, ?)",
            (utc_now(), str(who), str(action), json.dumps(detail, ensure_ascii=False)),
        )
