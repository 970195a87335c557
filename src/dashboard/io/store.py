"""The analysts' own data: imported findings files, imported reports and saved views, in SQLite.

The bundled corpus under ``data/`` is read-only. What analysts import lives in one SQLite file
outside the project (see :func:`default_store_path`), so it survives updates of the dashboard and
is never mixed into the bundled files.

Every write is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): an error, or a process killed
half-way, leaves the store exactly as it was. The file is in WAL mode with a busy timeout, so two
dashboard processes importing at the same moment both succeed, one after the other.

Each method opens its own short-lived connection, so one :class:`Store` may be shared between
threads (as Streamlit's ``st.cache_resource`` shares it between sessions).

Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard import DATA_DIR
from dashboard.core.findings import COLUMNS, LIST_COLUMNS, empty_findings
from dashboard.core.reports import Report
from dashboard.core.text import guard_formula, nfc
from dashboard.query.filters import Filters

__all__ = [
    "ENV_VAR",
    "EXPORT_COLUMNS",
    "SCHEMA_VERSION",
    "DuplicateImport",
    "IdConflict",
    "ImportRecord",
    "NotFound",
    "ReportInUse",
    "SavedView",
    "Store",
    "StoreError",
    "default_store_path",
]

#: Version of the tables below, kept in ``PRAGMA user_version``. Raise it with every change of
#: the schema, and teach :meth:`Store._create_or_upgrade` the step from the version before.
SCHEMA_VERSION = 2
#: Environment variable naming the store file.
ENV_VAR = "DASHBOARD_STORE"
APP_DIR_NAME = "iskp-dashboard"
STORE_FILE_NAME = "store.sqlite3"
#: Columns of :meth:`Store.export_import`, the layout of the bundled findings file.
EXPORT_COLUMNS = (
    "id",
    "report_id",
    "kind",
    "title",
    "summary",
    "excerpt",
    "start",
    "end",
    "themes",
    "regions",
    "actors",
    "page",
)
#: Longest name of a saved view, in characters.
MAX_VIEW_NAME = 80
#: How long a write waits for another process's write to finish, in seconds.
DEFAULT_TIMEOUT = 15.0

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_TEXT_COLUMNS = ("id", "report_id", "kind", "title", "summary", "excerpt", "prefix", "suffix")

#: What version 2 added: extra attributes and derived fields of findings, the settings of an
#: import (how the file was read, its mapping and defaults), versions of an import (an earlier
#: version's findings are kept in ``archived_findings``), and mappings remembered per header.
_V2_TABLES = (
    """CREATE TABLE archived_findings (
        id TEXT NOT NULL,
        import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        report_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        prefix TEXT NOT NULL,
        suffix TEXT NOT NULL,
        themes TEXT NOT NULL,
        regions TEXT NOT NULL,
        actors TEXT NOT NULL,
        page INTEGER,
        source TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '[]',
        derived TEXT NOT NULL DEFAULT '[]',
        position INTEGER NOT NULL,
        PRIMARY KEY (import_id, id)
    )""",
    """CREATE TABLE mappings (
        signature TEXT PRIMARY KEY,
        columns TEXT NOT NULL,
        mapping TEXT NOT NULL,
        defaults TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
)
_V1_TO_V2 = (
    "ALTER TABLE imports ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE imports ADD COLUMN replaces INTEGER",
    "ALTER TABLE imports ADD COLUMN superseded_by INTEGER",
    "ALTER TABLE findings ADD COLUMN extra TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE findings ADD COLUMN derived TEXT NOT NULL DEFAULT '[]'",
    *_V2_TABLES,
)

_SCHEMA = (
    """CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE imports (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('findings', 'report')),
        imported_at TEXT NOT NULL,
        rows_total INTEGER NOT NULL,
        rows_imported INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        settings TEXT NOT NULL DEFAULT '{}',
        replaces INTEGER,
        superseded_by INTEGER,
        UNIQUE (kind, sha256)
    )""",
    """CREATE TABLE reports (
        id TEXT PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        author TEXT NOT NULL,
        publisher TEXT NOT NULL,
        year INTEGER,
        text_kind TEXT NOT NULL,
        text_note TEXT NOT NULL,
        text TEXT NOT NULL,
        sha256 TEXT NOT NULL
    )""",
    """CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
        report_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        summary TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        prefix TEXT NOT NULL,
        suffix TEXT NOT NULL,
        themes TEXT NOT NULL,
        regions TEXT NOT NULL,
        actors TEXT NOT NULL,
        page INTEGER,
        source TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '[]',
        derived TEXT NOT NULL DEFAULT '[]'
    )""",
    "CREATE INDEX findings_by_import ON findings (import_id)",
    "CREATE INDEX findings_by_report ON findings (report_id)",
    "CREATE INDEX reports_by_import ON reports (import_id)",
    """CREATE TABLE views (
        name TEXT PRIMARY KEY,
        params TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    *_V2_TABLES,
)

_FINDING_FIELDS = (
    "id",
    "import_id",
    "report_id",
    "kind",
    "title",
    "summary",
    "excerpt",
    "start",
    "end",
    "prefix",
    "suffix",
    "themes",
    "regions",
    "actors",
    "page",
    "source",
    "extra",
    "derived",
)
_IMPORT_FIELDS = (
    "id, file_name, sha256, kind, imported_at, rows_total, rows_imported, rows_rejected, note, "
    "settings, replaces, superseded_by"
)


# --- errors ------------------------------------------------------------------------------------


class StoreError(Exception):
    """Something the analyst can act on went wrong with the store. ``str()`` says what and how."""


class NotFound(StoreError):
    """The import or saved view named does not exist (any more)."""


class DuplicateImport(StoreError):
    """The same file (same SHA-256) was imported before; ``earlier`` is that import."""

    def __init__(self, earlier: ImportRecord, file_name: str):
        self.earlier = earlier
        self.file_name = file_name
        what = "findings file" if earlier.kind == "findings" else "report"
        super().__init__(
            f"{file_name!r} was not imported: the same {what} (identical content) is already in "
            f"the store as import #{earlier.id} ({earlier.file_name!r}, imported "
            f"{earlier.imported_at}). Nothing was changed. To import it again, remove import "
            f"#{earlier.id} first."
        )


class IdConflict(StoreError):
    """Ids in the file are already in the store (or repeated in the file); nothing was imported.

    ``ids`` are the clashing ids, sorted; ``holders`` maps each id held by an earlier import to it.
    """

    def __init__(
        self,
        ids: list[str] | tuple[str, ...],
        file_name: str,
        *,
        what: str = "finding",
        holders: Mapping[str, ImportRecord] | None = None,
        repeated: bool = False,
    ):
        self.ids = tuple(sorted(set(ids)))
        self.file_name = file_name
        self.holders = dict(holders or {})
        shown = ", ".join(repr(i) for i in self.ids[:10])
        if len(self.ids) > 10:
            shown += f" and {len(self.ids) - 10} more"
        plural = "s" if len(self.ids) != 1 else ""
        if repeated:
            where = "appear more than once in the file"
        else:
            imports = sorted({r.id: r for r in self.holders.values()}.values(), key=lambda r: r.id)
            where = "already in the store" + (
                " (in " + ", ".join(f"import #{r.id} {r.file_name!r}" for r in imports) + ")"
                if imports
                else ""
            )
        super().__init__(
            f"{file_name!r} was not imported: {len(self.ids)} {what} id{plural} {where}: {shown}. "
            f"Nothing was changed. Give these {what}s new ids in the file, or remove the earlier "
            f"import that holds them, and import the file again."
        )


class ReportInUse(StoreError):
    """A report import cannot be removed while findings of other imports quote the report."""

    def __init__(self, record: ImportRecord, users: list[tuple[str, ImportRecord, int]]):
        self.record = record
        self.users = users
        listed = "; ".join(
            f"{count} finding{'s' if count != 1 else ''} of import #{imp.id} "
            f"({imp.file_name!r}) quote report {report_id!r}"
            for report_id, imp, count in users
        )
        first = ", ".join(sorted({f"#{imp.id}" for _, imp, _ in users}))
        super().__init__(
            f"Import #{record.id} ({record.file_name!r}) was not removed: {listed}. Those findings "
            f"would be left without their report. Remove import {first} first, then this one."
        )


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRecord:
    """One imported file: a findings file (``kind='findings'``) or a report (``kind='report'``)."""

    id: int
    file_name: str
    sha256: str
    kind: str
    imported_at: str
    rows_total: int
    rows_imported: int
    rows_rejected: int
    note: str = ""
    #: JSON: how the file was read, its mapping (column -> field, "extra" or "ignore"), the
    #: columns kept as extra attributes and those ignored, the defaults used.
    settings: str = "{}"
    #: The import this one is a new version of, and the one that replaced it (None: current).
    replaces: int | None = None
    superseded_by: int | None = None

    @property
    def current(self) -> bool:
        """Whether this is the version of its file whose findings are shown."""
        return self.superseded_by is None

    def settings_dict(self) -> dict[str, Any]:
        try:
            value = json.loads(self.settings or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    @property
    def source(self) -> str:
        """What the findings and reports of this import carry in their ``source``."""
        return import_source(self.id, self.file_name)


@dataclass(frozen=True)
class SavedView:
    """A named set of filters, kept as the query parameters of :meth:`Filters.to_query_params`."""

    name: str
    params: dict[str, list[str]] = field(default_factory=dict)
    created_at: str = ""
    updated_at: str = ""


def import_source(import_id: int, file_name: str) -> str:
    """The ``source`` of whatever an import brought.

    >>> import_source(3, "kp-findings.csv")
    'import #3: kp-findings.csv'
    """
    return f"import #{import_id}: {file_name}"


# --- where the store lives ---------------------------------------------------------------------


def default_store_path() -> Path:
    """Where the store file is: ``$DASHBOARD_STORE`` when set, else the user's data folder.

    The data folder is ``$XDG_DATA_HOME/iskp-dashboard/`` (``~/.local/share/iskp-dashboard/`` when
    that is unset; ``%LOCALAPPDATA%\\iskp-dashboard\\`` on Windows). The store is never inside
    the package or the bundled ``data/`` folder: such a path raises :class:`StoreError`.
    """
    configured = os.environ.get(ENV_VAR, "").strip()
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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the store ---------------------------------------------------------------------------------


class Store:
    """The analysts' store in the SQLite file at *path* (created, with its folders, if missing)."""

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
                    for statement in _SCHEMA:
                        self._execute(con, statement)
                    self._execute(
                        con,
                        "INSERT INTO meta (key, value) VALUES ('store_id', ?), "
                        "('changes', '0'), ('created_at', ?)",
                        (uuid.uuid4().hex, _now()),
                    )
                    self._execute(con, f"PRAGMA user_version = {SCHEMA_VERSION}")
                elif version == 1:
                    for statement in _V1_TO_V2:
                        self._execute(con, statement)
                    self._execute(con, "PRAGMA user_version = 2")
                self._execute(con, "COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.rollback()
                raise

    # --- imports -----------------------------------------------------------------------------

    def import_findings(
        self,
        findings: pd.DataFrame,
        *,
        file_name: str,
        sha256: str,
        rows_total: int,
        rows_rejected: int,
        note: str = "",
        settings: Mapping[str, Any] | None = None,
        replaces: int | None = None,
    ) -> ImportRecord:
        """Store the accepted findings of one file, as the loader gave them, in one transaction.

        *sha256* is the hash of the file's bytes. Each finding's ``source`` becomes
        ``"import #<id>: <file_name>"``. *settings* (how the file was read, its mapping and
        defaults) are kept with the import. With *replaces*, the file is a new version of that
        import: its findings are archived (kept, and restorable with :meth:`restore_import`) and
        this import's take their place, in the same transaction.

        Raises :class:`DuplicateImport` if the same file was imported before, :class:`IdConflict`
        if any finding id is held by another import; either way nothing is written.
        """
        missing = [c for c in COLUMNS if c not in findings.columns]
        if missing:
            raise ValueError(f"findings frame lacks columns {missing}; pass the loader's frame")
        file_name = _file_label(file_name)
        if findings.empty:
            raise StoreError(
                f"{file_name!r} was not imported: it has no accepted findings. Fix "
                f"the problems listed for the file and import it again."
            )
        ids = [str(i) for i in findings["id"]]
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise IdConflict(repeated, file_name, repeated=True)
        settings_text = json.dumps(dict(settings or {}), ensure_ascii=False, sort_keys=True)
        with self._write() as con:
            earlier = self._import_by_sha(con, "findings", sha256)
            if earlier is not None:
                raise DuplicateImport(earlier, file_name)
            previous = None
            if replaces is not None:
                previous = self._get_import(con, replaces)
                if previous.kind != "findings" or not previous.current:
                    raise StoreError(
                        f"{file_name!r} was not imported: import #{previous.id} is "
                        + ("a report" if previous.kind != "findings" else "not the current version")
                        + ", so it cannot be replaced. Nothing was changed. Reload the page."
                    )
            holders = {
                i: r
                for i, r in self._holders(con, "findings", ids).items()
                if previous is None or r.id != previous.id
            }
            if holders:
                raise IdConflict(list(holders), file_name, holders=holders)
            record = self._insert_import(
                con,
                file_name,
                sha256,
                "findings",
                rows_total,
                len(ids),
                rows_rejected,
                note,
                settings_text,
                replaces,
            )
            if previous is not None:
                self._archive(con, previous.id)
                self._execute(
                    con,
                    "UPDATE imports SET superseded_by = ? WHERE id = ?",
                    (record.id, previous.id),
                )
            source = record.source
            rows = [
                _finding_row({str(k): v for k, v in values.items()}, record.id, source)
                for values in findings.loc[:, list(COLUMNS)].to_dict("records")
            ]
            placeholders = ", ".join("?" * len(_FINDING_FIELDS))
            columns = ", ".join(f'"{c}"' for c in _FINDING_FIELDS)
            try:
                con.executemany(f"INSERT INTO findings ({columns}) VALUES ({placeholders})", rows)
            except sqlite3.DatabaseError as err:
                raise self._explain(err) from err
        return record

    def import_report(self, report: Report, *, file_name: str, note: str = "") -> ImportRecord:
        """Store one report, its text verbatim. Its ``sha256`` (of the file's bytes; of the text
        when empty) identifies the file: :class:`DuplicateImport` if it was imported before,
        :class:`IdConflict` if a stored report has the same id."""
        file_name = _file_label(file_name)
        if not str(report.id).strip():
            raise ValueError("report has no id")
        sha256 = report.sha256 or hashlib.sha256(report.text.encode("utf-8")).hexdigest()
        with self._write() as con:
            earlier = self._import_by_sha(con, "report", sha256)
            if earlier is not None:
                raise DuplicateImport(earlier, file_name)
            holders = self._holders(con, "reports", [report.id])
            if holders:
                raise IdConflict(list(holders), file_name, what="report", holders=holders)
            record = self._insert_import(con, file_name, sha256, "report", 1, 1, 0, note)
            self._execute(
                con,
                "INSERT INTO reports (id, import_id, title, author, publisher, year, "
                "text_kind, text_note, text, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report.id,
                    record.id,
                    report.title,
                    report.author,
                    report.publisher,
                    None if report.year is None else int(report.year),
                    report.text_kind,
                    report.text_note,
                    report.text,
                    sha256,
                ),
            )
        return record

    def _archive(self, con: sqlite3.Connection, import_id: int) -> None:
        """Move an import's findings to ``archived_findings``, keeping their order."""
        fields = ", ".join(f'"{c}"' for c in _FINDING_FIELDS)
        self._execute(
            con,
            f"INSERT INTO archived_findings ({fields}, position) "
            f"SELECT {fields}, rowid FROM findings WHERE import_id = ?",
            (import_id,),
        )
        self._execute(con, "DELETE FROM findings WHERE import_id = ?", (import_id,))

    def _unarchive(self, con: sqlite3.Connection, import_id: int) -> None:
        fields = ", ".join(f'"{c}"' for c in _FINDING_FIELDS)
        self._execute(
            con,
            f"INSERT INTO findings ({fields}) SELECT {fields} FROM archived_findings "
            "WHERE import_id = ? ORDER BY position",
            (import_id,),
        )
        self._execute(con, "DELETE FROM archived_findings WHERE import_id = ?", (import_id,))

    def restore_import(self, import_id: int) -> ImportRecord:
        """Make an earlier version of a file current again, in one transaction: the version that
        replaced it is archived in its turn (and can itself be restored). Returns the restored
        import. :class:`IdConflict` if another import has since taken one of its ids."""
        with self._write() as con:
            record = self._get_import(con, import_id)
            if record.kind != "findings" or record.current:
                raise StoreError(
                    f"Import #{record.id} ({record.file_name!r}) is "
                    + ("a report" if record.kind != "findings" else "already the current version")
                    + "; there is nothing to restore. Nothing was changed."
                )
            current = self._current_version(con, record)
            ids = [
                row[0]
                for row in self._execute(
                    con, "SELECT id FROM archived_findings WHERE import_id = ?", (record.id,)
                )
            ]
            holders = {
                i: r
                for i, r in self._holders(con, "findings", ids).items()
                if current is None or r.id != current.id
            }
            if holders:
                raise IdConflict(list(holders), record.file_name, holders=holders)
            if current is not None:
                self._archive(con, current.id)
                self._execute(
                    con,
                    "UPDATE imports SET superseded_by = ? WHERE id = ?",
                    (record.id, current.id),
                )
            self._unarchive(con, record.id)
            self._execute(con, "UPDATE imports SET superseded_by = NULL WHERE id = ?", (record.id,))
            return self._get_import(con, record.id)

    def _current_version(
        self, con: sqlite3.Connection, record: ImportRecord
    ) -> ImportRecord | None:
        """The current version of the file *record* is a version of (None if removed)."""
        seen = {record.id}
        while record.superseded_by is not None:
            row = self._execute(
                con, f"SELECT {_IMPORT_FIELDS} FROM imports WHERE id = ?", (record.superseded_by,)
            ).fetchone()
            if row is None:
                return None
            record = ImportRecord(*row)
            if record.id in seen:
                return None
            seen.add(record.id)
        return record

    def versions(self, import_id: int) -> list[ImportRecord]:
        """Every version of the file *import_id* is a version of, oldest first."""
        with self._read() as con:
            records = {
                r[0]: ImportRecord(*r)
                for r in self._execute(
                    con, f"SELECT {_IMPORT_FIELDS} FROM imports WHERE kind = 'findings'"
                )
            }
        if import_id not in records:
            raise NotFound(f"There is no import #{import_id} in the store. Reload the page.")
        links: dict[int, set[int]] = {i: set() for i in records}
        for record in records.values():
            for other in (record.replaces, record.superseded_by):
                if other is not None and other in records:
                    links[record.id].add(other)
                    links[other].add(record.id)
        group, queue = set(), [import_id]
        while queue:
            current = queue.pop()
            if current not in group:
                group.add(current)
                queue.extend(links[current])
        return [records[i] for i in sorted(group)]

    def holders_of(self, ids: list[str]) -> dict[str, ImportRecord]:
        """Of *ids*, those held by a stored finding, each with its import."""
        with self._read() as con:
            return self._holders(con, "findings", [str(i) for i in ids])

    def import_findings_frame(self, import_id: int) -> pd.DataFrame:
        """The findings an import holds now (its archived ones if it is an earlier version)."""
        with self._read() as con:
            record = self._get_import(con, import_id)
            table = "findings" if record.current else "archived_findings"
            order = "rowid" if record.current else "position"
            columns = ", ".join(f'"{c}"' for c in COLUMNS)
            rows = self._execute(
                con,
                f"SELECT {columns} FROM {table} WHERE import_id = ? ORDER BY {order}",
                (record.id,),
            ).fetchall()
        return _frame(rows)

    # --- remembered mappings -----------------------------------------------------------------

    def save_mapping(
        self,
        signature: str,
        columns: list[str],
        mapping: Mapping[str, str],
        defaults: Mapping[str, Any],
    ) -> None:
        """Remember the mapping and defaults confirmed for files with these headers."""
        with self._write() as con:
            self._execute(
                con,
                "INSERT INTO mappings (signature, columns, mapping, defaults, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (signature) DO UPDATE SET "
                "columns = excluded.columns, mapping = excluded.mapping, "
                "defaults = excluded.defaults, updated_at = excluded.updated_at",
                (
                    str(signature),
                    json.dumps(list(columns), ensure_ascii=False),
                    json.dumps(dict(mapping), ensure_ascii=False, sort_keys=True),
                    json.dumps(dict(defaults), ensure_ascii=False, sort_keys=True),
                    _now(),
                ),
            )

    def mapping_for(self, signature: str) -> tuple[dict[str, str], dict[str, Any]] | None:
        """The mapping and defaults remembered for headers of this signature, or None."""
        with self._read() as con:
            row = self._execute(
                con, "SELECT mapping, defaults FROM mappings WHERE signature = ?", (signature,)
            ).fetchone()
        if row is None:
            return None
        mapping, defaults = json.loads(row[0]), json.loads(row[1])
        if not isinstance(mapping, dict) or not isinstance(defaults, dict):
            return None
        return {str(k): str(v) for k, v in mapping.items()}, defaults

    def imports(self) -> list[ImportRecord]:
        """Every import, newest first."""
        with self._read() as con:
            rows = self._execute(con, f"SELECT {_IMPORT_FIELDS} FROM imports ORDER BY id DESC")
            return [ImportRecord(*row) for row in rows]

    def get_import(self, import_id: int) -> ImportRecord:
        """The import with this id; :class:`NotFound` if there is none."""
        with self._read() as con:
            return self._get_import(con, import_id)

    def remove_import(self, import_id: int) -> ImportRecord:
        """Remove an import and everything it brought, in one transaction; returns what it was.

        A report import is refused (:class:`ReportInUse`) while findings of other imports quote
        one of its reports.
        """
        with self._write() as con:
            record = self._get_import(con, import_id)
            users = []
            for report_id, user_id, count in self._execute(
                con,
                "SELECT f.report_id, f.import_id, COUNT(*) FROM findings AS f "
                "JOIN reports AS r ON r.id = f.report_id "
                "WHERE r.import_id = ? AND f.import_id != ? "
                "GROUP BY f.report_id, f.import_id ORDER BY f.import_id, f.report_id",
                (record.id, record.id),
            ).fetchall():
                users.append((report_id, self._get_import(con, user_id), count))
            if users:
                raise ReportInUse(record, users)
            self._execute(con, "DELETE FROM imports WHERE id = ?", (record.id,))
        return record

    def export_import(self, import_id: int, *, raw: bool = False) -> bytes:
        """The findings of a findings import as UTF-8 CSV in the bundled file's layout
        (:data:`EXPORT_COLUMNS`, lists joined by ``;``, blank page when none), then one column
        per extra attribute the import kept, ready to re-import.

        Every cell that a spreadsheet would run as a formula is guarded with a leading ``'``
        (:func:`~dashboard.core.text.guard_formula`); the importer reads such a cell back as the
        text it guards, so the file re-imports to exactly what was stored. *raw* writes the cells
        as stored, unguarded: for tools that are not spreadsheets.
        """
        with self._read() as con:
            record = self._get_import(con, import_id)
            if record.kind != "findings":
                raise StoreError(
                    f"Import #{record.id} ({record.file_name!r}) is a report, not a "
                    f"findings file; there are no findings to export from it."
                )
            table = "findings" if record.current else "archived_findings"
            order = "rowid" if record.current else "position"
            rows = self._execute(
                con,
                'SELECT id, report_id, kind, title, summary, excerpt, start, "end", themes, '
                f"regions, actors, page, extra FROM {table} WHERE import_id = ? ORDER BY {order}",
                (record.id,),
            ).fetchall()
        extras = [dict((str(k), str(v)) for k, v in json.loads(row[12])) for row in rows]
        names = list(dict.fromkeys(name for pairs in extras for name in pairs))
        names = [n for n in names if n not in EXPORT_COLUMNS]

        def cell(value: object) -> str:
            text = str(value)
            return _csv_cell(text if raw else guard_formula(text))

        lines = [",".join(cell(c) for c in (*EXPORT_COLUMNS, *names))]
        for row, extra in zip(rows, extras):
            values = list(row[:12])
            for i in (8, 9, 10):
                values[i] = _list_cell(json.loads(values[i]))
            values[11] = "" if values[11] is None else values[11]
            values += [extra.get(name, "") for name in names]
            lines.append(",".join(cell(value) for value in values))
        return ("\n".join(lines) + "\n").encode("utf-8")

    # --- reading the data ------------------------------------------------------------------

    def findings(self) -> pd.DataFrame:
        """Every stored finding, in import order and file order within an import: a frame with
        exactly :data:`~dashboard.core.findings.COLUMNS` and the loader's dtypes (list columns hold
        tuples of str; ``page`` is ``Int64``)."""
        columns = ", ".join(f'"{c}"' for c in COLUMNS)
        with self._read() as con:
            rows = self._execute(
                con, f"SELECT {columns} FROM findings ORDER BY import_id, rowid"
            ).fetchall()
        return _frame(rows)

    def reports(self) -> dict[str, Report]:
        """Every stored report by id, in import order, ``source`` naming its import."""
        with self._read() as con:
            rows = self._execute(
                con,
                "SELECT r.id, r.title, r.author, r.text, r.text_kind, r.publisher, r.year, "
                "r.text_note, r.sha256, i.id, i.file_name FROM reports AS r "
                "JOIN imports AS i ON i.id = r.import_id ORDER BY r.import_id, r.rowid",
            )
            return {
                row[0]: Report(
                    id=row[0],
                    title=row[1],
                    author=row[2],
                    text=row[3],
                    text_kind=row[4],
                    publisher=row[5],
                    year=row[6],
                    text_note=row[7],
                    sha256=row[8],
                    source=import_source(row[9], row[10]),
                )
                for row in rows
            }

    def ids(self) -> frozenset[str]:
        """The ids of every stored finding."""
        with self._read() as con:
            return frozenset(row[0] for row in self._execute(con, "SELECT id FROM findings"))

    def fingerprint(self) -> str:
        """A short string that changes whenever anything in the store changes, whichever process
        changed it, and not otherwise: a key for caches of :meth:`findings` and :meth:`reports`."""
        with self._read() as con:
            meta = dict(
                self._execute(
                    con, "SELECT key, value FROM meta WHERE key IN ('store_id', 'changes')"
                ).fetchall()
            )
        return f"{meta['store_id']}-{meta['changes']}"

    # --- saved views -------------------------------------------------------------------------

    def save_view(self, name: str, filters: Filters) -> SavedView:
        """Save *filters* under *name*, replacing a view of that name (its creation time kept)."""
        name = _view_name(name)
        if not isinstance(filters, Filters):
            raise TypeError(f"expected Filters, got {type(filters).__name__}")
        params = json.dumps(filters.to_query_params(), ensure_ascii=False, sort_keys=True)
        now = _now()
        with self._write() as con:
            self._execute(
                con,
                "INSERT INTO views (name, params, created_at, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                "params = excluded.params, updated_at = excluded.updated_at",
                (name, params, now, now),
            )
            return self._get_view(con, name)

    def views(self) -> list[SavedView]:
        """Every saved view, sorted by name ignoring case."""
        with self._read() as con:
            rows = self._execute(con, "SELECT name, params, created_at, updated_at FROM views")
            views = [
                SavedView(name, json.loads(params), created, updated)
                for name, params, created, updated in rows
            ]
        return sorted(views, key=lambda v: (v.name.casefold(), v.name))

    def rename_view(self, old: str, new: str) -> SavedView:
        """Rename a saved view. :class:`NotFound` if *old* is missing; :class:`StoreError` if
        another view is already called *new*."""
        old_name, new_name = nfc(str(old)).strip(), _view_name(new)
        with self._write() as con:
            self._get_view(con, old_name)
            if new_name != old_name:
                if self._execute(con, "SELECT 1 FROM views WHERE name = ?", (new_name,)).fetchone():
                    raise StoreError(
                        f"The view {old_name!r} was not renamed: a saved view called "
                        f"{new_name!r} already exists. Choose another name, or "
                        f"delete that view first."
                    )
                self._execute(
                    con,
                    "UPDATE views SET name = ?, updated_at = ? WHERE name = ?",
                    (new_name, _now(), old_name),
                )
            return self._get_view(con, new_name)

    def delete_view(self, name: str) -> None:
        """Delete a saved view; :class:`NotFound` if there is none of that name."""
        name = nfc(str(name)).strip()
        with self._write() as con:
            self._get_view(con, name)
            self._execute(con, "DELETE FROM views WHERE name = ?", (name,))

    def view_filters(self, name: str) -> dict[str, list[str]]:
        """The query parameters saved under *name*. Read them back with
        ``Filters.from_query_params`` so that values no longer known are dropped with a notice."""
        with self._read() as con:
            return self._get_view(con, nfc(str(name)).strip()).params

    # --- helpers -----------------------------------------------------------------------------

    def _get_import(self, con: sqlite3.Connection, import_id: int) -> ImportRecord:
        row = self._execute(
            con, f"SELECT {_IMPORT_FIELDS} FROM imports WHERE id = ?", (int(import_id),)
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no import #{import_id} in the store; it may have been "
                f"removed already (perhaps in another window). Reload the page."
            )
        return ImportRecord(*row)

    def _import_by_sha(
        self, con: sqlite3.Connection, kind: str, sha256: str
    ) -> ImportRecord | None:
        row = self._execute(
            con,
            f"SELECT {_IMPORT_FIELDS} FROM imports WHERE kind = ? AND sha256 = ?",
            (kind, sha256),
        ).fetchone()
        return None if row is None else ImportRecord(*row)

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
                _now(),
                int(rows_total),
                int(rows_imported),
                int(rows_rejected),
                str(note),
                settings,
                replaces,
            ),
        )
        return self._get_import(con, int(cursor.lastrowid or 0))

    def _get_view(self, con: sqlite3.Connection, name: str) -> SavedView:
        row = self._execute(
            con, "SELECT name, params, created_at, updated_at FROM views WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise NotFound(
                f"There is no saved view called {name!r}; it may have been renamed or "
                f"deleted (perhaps in another window). Reload the page."
            )
        return SavedView(row[0], json.loads(row[1]), row[2], row[3])


def _frame(rows: list[tuple]) -> pd.DataFrame:
    """Stored rows (in :data:`COLUMNS` order) as a findings frame, as the loader builds it."""
    if not rows:
        return empty_findings()
    records = []
    for row in rows:
        record = dict(zip(COLUMNS, row))
        for column in (*LIST_COLUMNS, "derived"):
            record[column] = tuple(json.loads(record[column]))
        record["extra"] = tuple((str(k), str(v)) for k, v in json.loads(record["extra"]))
        records.append(record)
    # Built exactly as the loader builds its frame, so dtypes agree on every pandas version.
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "page": "Int64"})


def _list_cell(items: list[str]) -> str:
    """A list as one cell that the loader splits back into the same items: joined by ``;``,
    with a ``;`` after a single item that holds a comma (a cell of commas alone is split at
    them).

    >>> _list_cell(["a", "b"]), _list_cell(["Iran, Islamic Republic of"])
    ('a;b', 'Iran, Islamic Republic of;')
    """
    text = ";".join(items)
    if len(items) == 1 and "," in text:
        text += ";"
    return text


def _csv_cell(value: object) -> str:
    r'''One CSV cell, quoted when it holds a comma, a quotation mark or a line break.

    As ``csv.writer(..., lineterminator="\n")`` writes it, except that a lone carriage return is
    quoted too: ``csv.writer`` leaves it bare, and a reader then splits the row there.

    >>> print(_csv_cell('a, "b"'), _csv_cell(7), _csv_cell("plain"))
    "a, ""b""" 7 plain
    >>> _csv_cell("a\rb") == '"a\rb"'
    True
    '''
    text = str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _view_name(name: object) -> str:
    if not isinstance(name, str):
        raise ValueError("a view's name must be text")
    name = nfc(name).strip()
    if not name:
        raise ValueError("Give the view a name.")
    if len(name) > MAX_VIEW_NAME:
        raise ValueError(
            f"The view's name has {len(name)} characters; use at most {MAX_VIEW_NAME}."
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValueError("The view's name may not contain line breaks or control characters.")
    return name


def _file_label(file_name: str) -> str:
    """The name an import is listed under: the file's base name, as the analyst sees it."""
    label = str(file_name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return label or "unnamed file"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _missing_list(value: Any) -> bool:
    return value is None or isinstance(value, (float, str))


def _finding_row(values: Mapping[str, Any], import_id: int, source: str) -> tuple:
    row: dict[str, Any] = {"import_id": import_id, "source": source}
    for column in _TEXT_COLUMNS:
        value = values[column]
        row[column] = "" if _missing(value) else str(value)
    for column in LIST_COLUMNS:
        value = values[column]
        items = (
            []
            if value is None or isinstance(value, float)
            else [value]
            if isinstance(value, str)
            else list(value)
        )
        row[column] = json.dumps([str(item) for item in items], ensure_ascii=False)
    row["start"], row["end"] = int(values["start"]), int(values["end"])
    row["page"] = None if _missing(values["page"]) else int(values["page"])
    extra = values.get("extra")
    pairs = [] if extra is None or _missing_list(extra) else [[str(k), str(v)] for k, v in extra]
    row["extra"] = json.dumps(pairs, ensure_ascii=False)
    derived = values.get("derived")
    row["derived"] = json.dumps(
        [] if derived is None or _missing_list(derived) else [str(d) for d in derived],
        ensure_ascii=False,
    )
    return tuple(row[c] for c in _FINDING_FIELDS)
