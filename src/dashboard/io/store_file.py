"""The store's SQLite file: where it lives, opening it, its transactions, and checking, creating
or upgrading its schema; and the look-ups of import records every part of the store uses.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): an error, or a process killed
half-way, leaves the store exactly as it was. The file is in WAL mode with a busy timeout, so two
dashboard processes importing at the same moment both succeed, one after the other.

Each method opens its own short-lived connection, so one store may be shared between threads (as
Streamlit's ``st.cache_resource`` shares it between sessions).
"""

from __future__ import annotations

import os
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dashboard import DATA_DIR
from dashboard.io.store_records import ImportRecord, NotFound, StoreError
from dashboard.io.store_schema import (
    IMPORT_FIELDS,
    SCHEMA,
    SCHEMA_VERSION,
    V1_TO_V2,
    V2_TO_V3,
    import_record,
)

#: Environment variable naming the store file.
ENV_VAR = "DASHBOARD_STORE"
APP_DIR_NAME = "iskp-dashboard"
STORE_FILE_NAME = "store.sqlite3"
#: How long a write waits for another process's write to finish, in seconds.
DEFAULT_TIMEOUT = 15.0

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: A URL (``postgresql://...``, ``sqlite:///...``), not a path: a scheme of two or more
#: letters then ``://`` (so ``C:\\...`` stays a path).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")

# --- where the store lives ---------------------------------------------------------------------


def default_store_path() -> Path:
    """Where the store file is: ``$DASHBOARD_STORE`` when set, else the user's data folder.

    The data folder is ``$XDG_DATA_HOME/iskp-dashboard/`` (``~/.local/share/iskp-dashboard/`` when
    that is unset; ``%LOCALAPPDATA%\\iskp-dashboard\\`` on Windows). The store is never inside
    the package or the bundled ``data/`` folder: such a path raises :class:`StoreError`.
    """
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured and _URL.match(configured):
        # Read as a path, a URL would quietly become a folder named after its scheme.
        scheme = configured.split(":", 1)[0]
        raise StoreError(
            f"{ENV_VAR} is set to a {scheme}:// address, but the store is a SQLite file. "
            f"Set {ENV_VAR} to a file path, e.g. ~/iskp-dashboard/store.sqlite3."
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
    """The SQLite file at *path* (created, with its folders, if missing), opened as a store."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = DEFAULT_TIMEOUT):
        self.path = Path(path).expanduser().absolute()
        self.timeout = float(timeout)
        #: Test hook: called with ``"begun"`` right after ``BEGIN IMMEDIATE`` and ``"written"``
        #: just before ``COMMIT`` of every write, to stop a process inside a transaction.
        self._hook: Callable[[str], None] | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"Cannot create the folder for the store {str(self.path)!r}: "
                f"{err.strerror or err}. Set {ENV_VAR} to a file in a folder you "
                f"can write to."
            ) from err
        with self._connection() as con:
            version = self._check_version(con)
            if version == 0:
                self._check_no_foreign_tables(con)
            else:
                self._check_ours(con)
            self.journal_mode = self._execute(con, "PRAGMA journal_mode=WAL").fetchone()[0]
        self._create_or_upgrade()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- connections and transactions ------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            con = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as err:
            raise StoreError(
                f"Cannot open the store {str(self.path)!r}: {err}. Check that the "
                f"folder exists and that you may write to it."
            ) from err
        try:
            self._execute(con, f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            self._execute(con, "PRAGMA foreign_keys = ON")
            yield con
        finally:
            con.close()

    def _execute(self, con: sqlite3.Connection, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return con.execute(sql, params)
        except sqlite3.DatabaseError as err:
            raise self._explain(err) from err

    def _explain(self, err: sqlite3.Error) -> StoreError:
        text = str(err)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"The store {str(self.path)!r} is busy: another dashboard window or "
                f"process has been writing to it for over {self.timeout:g} seconds. "
                f"Nothing was changed. Try again in a moment."
            )
        if "not a database" in text or "malformed" in text:
            return StoreError(
                f"{str(self.path)!r} is not a readable dashboard store ({text}). "
                f"Set {ENV_VAR} to another file, or move this one away; the "
                f"dashboard will then start a new, empty store."
            )
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"The store {str(self.path)!r} is read-only. Nothing was changed. "
                f"Check the file's permissions, or set {ENV_VAR} to another file."
            )
        return StoreError(
            f"The store {str(self.path)!r} could not be used: {text}. Nothing was changed."
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction. The change counter is bumped in it; any error rolls back."""
        with self._connection() as con:
            self._execute(con, "BEGIN IMMEDIATE")
            try:
                self._call_hook("begun")
                yield con
                self._execute(
                    con, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changes'"
                )
                self._call_hook("written")
                self._execute(con, "COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.rollback()
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query in it sees the same state of the store."""
        with self._connection() as con:
            self._execute(con, "BEGIN")
            try:
                yield con
            finally:
                if con.in_transaction:
                    con.rollback()

    def _call_hook(self, stage: str) -> None:
        if self._hook is not None:
            self._hook(stage)

    # --- schema ------------------------------------------------------------------------------

    def _check_version(self, con: sqlite3.Connection) -> int:
        version = self._execute(con, "PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"The store {str(self.path)!r} was written by a newer version of the dashboard "
                f"(store format {version}; this version reads format {SCHEMA_VERSION} and older). "
                f"Nothing was changed. Update the dashboard, or set {ENV_VAR} to another file."
            )
        return version

    def _check_no_foreign_tables(self, con: sqlite3.Connection) -> None:
        """Refuse an unversioned file that already has tables: another program's database."""
        tables = [
            row[0]
            for row in self._execute(con, "SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        if tables:
            raise StoreError(
                f"{str(self.path)!r} is an SQLite database of another program (it has tables "
                f"{', '.join(sorted(tables)[:5])}), not a dashboard store. Nothing was changed. "
                f"Set {ENV_VAR} to another file."
            )

    def _check_ours(self, con: sqlite3.Connection) -> None:
        """Refuse a versioned file that lacks what every format of our store has: its ``meta``
        table with ``store_id`` and ``changes``, and the ``imports`` and ``findings`` tables."""
        tables = {
            row[0]
            for row in self._execute(con, "SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        missing = sorted({"meta", "imports", "findings"} - tables)
        keys: set[str] = set()
        if "meta" in tables:
            try:
                keys = {row[0] for row in con.execute("SELECT key FROM meta")}
            except sqlite3.DatabaseError:
                keys = set()
        missing += sorted({"store_id", "changes"} - keys) if "meta" in tables else []
        if missing:
            raise StoreError(
                f"{str(self.path)!r} is not a dashboard store this version can use: it lacks "
                f"{', '.join(missing)}. Nothing was changed. Set {ENV_VAR} to another file "
                f"(or move this one away to start a new store there)."
            )

    def _create_or_upgrade(self) -> None:
        with self._connection() as con:
            if self._check_version(con) == SCHEMA_VERSION:
                return
            self._execute(con, "BEGIN IMMEDIATE")
            try:
                version = self._check_version(con)  # another process may have created it
                if version == 0:
                    self._check_no_foreign_tables(con)
                    for statement in SCHEMA:
                        self._execute(con, statement)
                    self._execute(
                        con,
                        "INSERT INTO meta (key, value) VALUES ('store_id', ?), "
                        "('changes', '0'), ('created_at', ?)",
                        (uuid.uuid4().hex, utc_now()),
                    )
                    self._execute(con, f"PRAGMA user_version = {SCHEMA_VERSION}")
                else:
                    steps = {1: V1_TO_V2, 2: V2_TO_V3}
                    for step in range(version, SCHEMA_VERSION):
                        for statement in steps[step]:
                            self._execute(con, statement)
                    self._execute(con, f"PRAGMA user_version = {SCHEMA_VERSION}")
                self._execute(con, "COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.rollback()
                raise

    # --- import records ----------------------------------------------------------------------

    def _get_import(self, con: sqlite3.Connection, import_id: int) -> ImportRecord:
        row = self._execute(
            con, f"SELECT {IMPORT_FIELDS} FROM imports WHERE id = ?", (int(import_id),)
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no import #{import_id} in the store; it may have been "
                f"removed already (perhaps in another window). Reload the page."
            )
        return import_record(row)

    def _import_by_sha(
        self, con: sqlite3.Connection, kind: str, sha256: str
    ) -> ImportRecord | None:
        row = self._execute(
            con,
            f"SELECT {IMPORT_FIELDS} FROM imports WHERE kind = ? AND sha256 = ?",
            (kind, sha256),
        ).fetchone()
        return None if row is None else import_record(row)

    def _holders(
        self, con: sqlite3.Connection, table: str, ids: list[str]
    ) -> dict[str, ImportRecord]:
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
        con: sqlite3.Connection,
        file_name: str,
        sha256: str,
        kind: str,
        rows_total: int,
        rows_imported: int,
        rows_rejected: int,
        note: str,
        settings: str = "{}",
        replaces: int | None = None,
    ) -> ImportRecord:
        cursor = self._execute(
            con,
            "INSERT INTO imports (file_name, sha256, kind, imported_at, rows_total, "
            "rows_imported, rows_rejected, note, settings, replaces) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
        )
        return self._get_import(con, int(cursor.lastrowid or 0))
