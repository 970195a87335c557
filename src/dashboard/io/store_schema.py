"""The store's schema: its SQL tables, its version (kept in SQLite's ``PRAGMA user_version``, or in
``meta`` on PostgreSQL) and the steps from one version to the next, and the columns the store
reads back. The statements are SQLite's; :meth:`dashboard.io.store_engine.Engine.ddl` gives
them in PostgreSQL's terms.

The code that creates or upgrades a store file from these is
:meth:`dashboard.io.store_file.StoreFile._create_or_upgrade`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.io.store_records import ImportRecord

#: Version of the tables below. Raise it with every change of the schema, and add the step from
#: the version before to :data:`STEPS`.
SCHEMA_VERSION = 5

#: What version 2 added: extra attributes and derived fields of findings, the settings of an
#: import (how the file was read, its mapping and defaults), versions of an import (an earlier
#: version's findings are kept in ``archived_findings``), and mappings remembered per header.
V2_TABLES = (
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
V1_TO_V2 = (
    "ALTER TABLE imports ADD COLUMN settings TEXT NOT NULL DEFAULT '{}'",
    "ALTER TABLE imports ADD COLUMN replaces INTEGER",
    "ALTER TABLE imports ADD COLUMN superseded_by INTEGER",
    "ALTER TABLE findings ADD COLUMN extra TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE findings ADD COLUMN derived TEXT NOT NULL DEFAULT '[]'",
    *V2_TABLES,
)
#: What version 3 added: when each finding holds (``period``, as ``Period.text()`` gives it).
#: Findings stored before it read back undated; :func:`dashboard.core.corpus.merge` gives them
#: their report's year, marked as derived, as the loader does.
V2_TO_V3 = (
    "ALTER TABLE findings ADD COLUMN period TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE archived_findings ADD COLUMN period TEXT NOT NULL DEFAULT ''",
)


@dataclass(frozen=True)
class Dialects:
    """One statement written for each database, where their SQL differs beyond what
    :meth:`~dashboard.io.store_engine.Engine.ddl` translates (triggers)."""

    sqlite: str
    postgresql: str


#: What version 4 added: each import's protective marking (``''``: stored before markings, read
#: as the lowest marking) and the groups allowed to read it (JSON list; empty: anyone cleared),
#: and the audit log, append-only (a trigger refuses every UPDATE, DELETE and TRUNCATE; on
#: PostgreSQL the app's role also lacks those rights, see docs/team.md).
V3_TO_V4 = (
    "ALTER TABLE imports ADD COLUMN marking TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE imports ADD COLUMN groups TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX audit_by_time ON audit (at)",
    "CREATE INDEX audit_by_who ON audit (who, action, id)",
    Dialects(
        sqlite="CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        postgresql="CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    ),
    Dialects(
        sqlite="CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        postgresql="CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    ),
)

#: What version 5 added: where each page of a report begins in its text (JSON list of offsets;
#: empty: no page boundaries), and the history of findings coded in the reader: one row per
#: version of such a finding (``record``: its fields as JSON, with the marking and groups it was
#: kept under), appended when it is created, edited, deleted or brought back, and never changed
#: (triggers refuse every UPDATE and DELETE, as on the audit log; on PostgreSQL the app's role
#: may only read and append to it as well).
V4_TO_V5 = (
    "ALTER TABLE reports ADD COLUMN pages TEXT NOT NULL DEFAULT '[]'",
    """CREATE TABLE finding_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        finding_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        action TEXT NOT NULL,
        record TEXT NOT NULL,
        UNIQUE (finding_id, version)
    )""",
    Dialects(
        sqlite="CREATE TRIGGER finding_history_no_update BEFORE UPDATE ON finding_history "
        "BEGIN SELECT RAISE(ABORT, 'the history of coded findings is append-only'); END",
        postgresql="CREATE FUNCTION finding_history_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
        "'the history of coded findings is append-only'; END $$",
    ),
    Dialects(
        sqlite="CREATE TRIGGER finding_history_no_delete BEFORE DELETE ON finding_history "
        "BEGIN SELECT RAISE(ABORT, 'the history of coded findings is append-only'); END",
        postgresql="CREATE TRIGGER finding_history_append_only BEFORE UPDATE OR DELETE OR "
        "TRUNCATE ON finding_history FOR EACH STATEMENT EXECUTE FUNCTION "
        "finding_history_append_only()",
    ),
)

#: The steps from each version to the next: ``STEPS[v]`` takes a store of version *v* to *v* + 1.
STEPS = {1: V1_TO_V2, 2: V2_TO_V3, 3: V3_TO_V4, 4: V4_TO_V5}

SCHEMA = (
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
        derived TEXT NOT NULL DEFAULT '[]',
        period TEXT NOT NULL DEFAULT ''
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
    *V2_TABLES,
    V2_TO_V3[1],  # archived_findings as version 2 made it, with its period
    *V3_TO_V4,  # applied to the new tables: a new store and an upgraded one are the same
    *V4_TO_V5,
)

FINDING_FIELDS = (
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
    "period",
    "source",
    "extra",
    "derived",
)
#: The columns of ``imports``, in the order of :class:`ImportRecord`'s fields.
IMPORT_COLUMNS = (
    "id",
    "file_name",
    "sha256",
    "kind",
    "imported_at",
    "rows_total",
    "rows_imported",
    "rows_rejected",
    "note",
    "settings",
    "replaces",
    "superseded_by",
    "marking",
    "groups",
)
IMPORT_FIELDS = ", ".join(IMPORT_COLUMNS)


def import_record(row: Sequence[Any]) -> ImportRecord:
    """A row selected with :data:`IMPORT_FIELDS` as an :class:`ImportRecord`, field by name."""
    return ImportRecord(**dict(zip(IMPORT_COLUMNS, row, strict=True)))
