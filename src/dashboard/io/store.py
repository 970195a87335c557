"""The analysts' own data: imported findings files, imported reports and saved views, in a SQLite
file or a PostgreSQL database.

The bundled corpus under ``data/`` is read-only. What analysts import lives in one SQLite file
outside the project (see :func:`~dashboard.io.store_file.default_store_path`), so it survives
updates of the dashboard and is never mixed into the bundled files; a team shares one PostgreSQL
database instead (``DASHBOARD_STORE`` set to its ``postgresql://`` URL).

:class:`Store` is put together from parts, one module each: the database, its transactions and
schema checks (:mod:`~dashboard.io.store_file`, the two databases' differences in
:mod:`~dashboard.io.store_engine`, with the tables in :mod:`~dashboard.io.store_schema`),
versions of an import (:mod:`~dashboard.io.store_versions`), findings coded in the reader and
their history (:mod:`~dashboard.io.store_authored`), saved views and remembered mappings
(:mod:`~dashboard.io.store_saved`); its records and errors are in
:mod:`~dashboard.io.store_records`, the conversion of findings to rows and back in
:mod:`~dashboard.io.store_rows`. Here: importing, removing, exporting and reading findings and
reports.

Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.core.access import Rule, group_list, normal_marking
from dashboard.core.findings import COLUMNS
from dashboard.core.reports import Report
from dashboard.core.text import guard_formula
from dashboard.io.store_audit import AuditLog
from dashboard.io.store_authored import AuthoredFindings
from dashboard.io.store_records import (
    DuplicateImport,
    IdConflict,
    ImportRecord,
    ReportInUse,
    StoreError,
    import_source,
)
from dashboard.io.store_rows import csv_cell, file_label, finding_row, findings_frame, list_cell
from dashboard.io.store_saved import SavedViews
from dashboard.io.store_schema import FINDING_FIELDS, IMPORT_FIELDS, import_record
from dashboard.io.store_versions import ImportVersions

__all__ = ["EXPORT_COLUMNS", "Contents", "Rule", "Store"]


@dataclass(frozen=True)
class Contents:
    """What :meth:`Store.contents` reads: findings (the frame of :meth:`Store.findings`),
    reports, and the :data:`~dashboard.core.access.Rule` of each finding (in the frame's row
    order: its import's marking and groups, and its report's when that is stored too) and of
    each stored report."""

    findings: pd.DataFrame
    reports: dict[str, Report]
    finding_rules: tuple[Rule, ...]
    report_rules: dict[str, Rule]


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


class Store(ImportVersions, SavedViews, AuditLog, AuthoredFindings):
    """The analysts' store: a SQLite file at a path (created, with its folders, if missing), or
    a PostgreSQL database at a ``postgresql://`` URL."""

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
        marking: str = "",
        groups: Sequence[str] = (),
        by: str = "",
    ) -> ImportRecord:
        """Store the accepted findings of one file, as the loader gave them, in one transaction.

        *sha256* is the hash of the file's bytes. Each finding's ``source`` becomes
        ``"import #<id>: <file_name>"``. *settings* (how the file was read, its mapping and
        defaults) are kept with the import. With *replaces*, the file is a new version of that
        import: its findings are archived (kept, and restorable with :meth:`restore_import`) and
        this import's take their place, in the same transaction. *marking* and *groups* say who
        may read them (:mod:`dashboard.core.access`); the import is written to the audit log as
        done *by* this user, in the same transaction.

        Raises :class:`DuplicateImport` if the same file was imported before, :class:`IdConflict`
        if any finding id is held by another import; either way nothing is written.
        """
        missing = [c for c in COLUMNS if c not in findings.columns]
        if missing:
            raise ValueError(f"findings frame lacks columns {missing}; pass the loader's frame")
        file_name = file_label(file_name)
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
                if previous.kind != "findings" or not previous.current or previous.authored:
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
            coded = sorted(self._history_ids(con, ids))
            if coded:
                shown = ", ".join(coded[:5]) + (" ..." if len(coded) > 5 else "")
                raise StoreError(
                    f"{file_name!r} was not imported: {len(coded)} of its ids ({shown}) belong "
                    "to findings coded in the reader (kept in their history, perhaps deleted). "
                    "Nothing was changed. Give these rows other ids, or bring the coded "
                    "findings back in the reader instead."
                )
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
                normal_marking(marking) if marking else "",
                group_list(groups),
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
                finding_row({str(k): v for k, v in values.items()}, record.id, source)
                for values in findings.loc[:, list(COLUMNS)].to_dict("records")
            ]
            placeholders = ", ".join("?" * len(FINDING_FIELDS))
            columns = ", ".join(f'"{c}"' for c in FINDING_FIELDS)
            insert = f"INSERT INTO findings ({columns}) VALUES ({placeholders})"
            self._executemany(con, insert, rows)
            self._audit(
                con,
                by or self.local_name,
                "update" if previous is not None else "import",
                _import_detail(record, replaces=previous.id if previous is not None else None),
            )
        return record

    def import_report(
        self,
        report: Report,
        *,
        file_name: str,
        note: str = "",
        marking: str = "",
        groups: Sequence[str] = (),
        by: str = "",
    ) -> ImportRecord:
        """Store one report, its text verbatim. Its ``sha256`` (of the file's bytes; of the text
        when empty) identifies the file: :class:`DuplicateImport` if it was imported before,
        :class:`IdConflict` if a stored report has the same id. *marking* and *groups* say who
        may read it, and so every finding quoting it."""
        file_name = file_label(file_name)
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
            record = self._insert_import(
                con,
                file_name,
                sha256,
                "report",
                1,
                1,
                0,
                note,
                marking=normal_marking(marking) if marking else "",
                groups=group_list(groups),
            )
            self._execute(
                con,
                "INSERT INTO reports (id, import_id, title, author, publisher, year, "
                "text_kind, text_note, text, sha256, pages) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                    json.dumps([int(p) for p in report.page_starts]),
                ),
            )
            self._audit(con, by or self.local_name, "import", _import_detail(record))
        return record

    def holders_of(self, ids: list[str]) -> dict[str, ImportRecord]:
        """Of *ids*, those held by a stored finding, each with its import."""
        with self._read() as con:
            return self._holders(con, "findings", [str(i) for i in ids])

    def import_findings_frame(self, import_id: int) -> pd.DataFrame:
        """The findings an import holds now (its archived ones if it is an earlier version)."""
        with self._read() as con:
            record = self._get_import(con, import_id)
            table = "findings" if record.current else "archived_findings"
            order = self.engine.seq if record.current else "position"
            columns = ", ".join(f'"{c}"' for c in COLUMNS)
            rows = self._execute(
                con,
                f"SELECT {columns} FROM {table} WHERE import_id = ? ORDER BY {order}",
                (record.id,),
            ).fetchall()
        return findings_frame(rows)

    def imports(self) -> list[ImportRecord]:
        """Every import, newest first."""
        with self._read() as con:
            rows = self._execute(con, f"SELECT {IMPORT_FIELDS} FROM imports ORDER BY id DESC")
            return [import_record(row) for row in rows]

    def get_import(self, import_id: int) -> ImportRecord:
        """The import with this id; :class:`NotFound` if there is none."""
        with self._read() as con:
            return self._get_import(con, import_id)

    def remove_import(self, import_id: int, *, by: str = "") -> ImportRecord:
        """Remove an import and everything it brought, in one transaction; returns what it was.

        A report import is refused (:class:`ReportInUse`) while findings of other imports quote
        one of its reports.
        """
        with self._write() as con:
            record = self._get_import(con, import_id)
            if record.authored:
                raise StoreError(
                    f"Import #{record.id} holds the findings coded in the reader; they are "
                    "deleted one at a time in the reader, where each delete can be undone. "
                    "Nothing was removed."
                )
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
            self._audit(con, by or self.local_name, "remove", _import_detail(record))
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
            order = self.engine.seq if record.current else "position"
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
            return csv_cell(text if raw else guard_formula(text))

        lines = [",".join(cell(c) for c in (*EXPORT_COLUMNS, *names))]
        for row, extra in zip(rows, extras):
            values = list(row[:12])
            for i in (8, 9, 10):
                values[i] = list_cell(json.loads(values[i]))
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
                con, f"SELECT {columns} FROM findings ORDER BY import_id, {self.engine.seq}"
            ).fetchall()
        return findings_frame(rows)

    def contents(self) -> Contents:
        """Every stored finding and report with who may read each, in one read (so the three
        agree): what the app shows, masked per reader (:mod:`dashboard.core.access`)."""
        columns = ", ".join(f'f."{c}"' for c in COLUMNS)
        with self._read() as con:
            rows = self._execute(
                con,
                f"SELECT {columns}, i.marking, i.groups, ri.marking, ri.groups "
                "FROM findings AS f JOIN imports AS i ON i.id = f.import_id "
                "LEFT JOIN reports AS r ON r.id = f.report_id "
                "LEFT JOIN imports AS ri ON ri.id = r.import_id "
                f"ORDER BY f.import_id, f.{self.engine.seq}",
            ).fetchall()
            reports = self._reports(con)
            report_rules: dict[str, Rule] = {
                rid: ((marking, tuple(json.loads(groups))),)
                for rid, marking, groups in self._execute(
                    con,
                    "SELECT r.id, i.marking, i.groups FROM reports AS r "
                    "JOIN imports AS i ON i.id = r.import_id",
                ).fetchall()
            }
        n = len(COLUMNS)
        rules = []
        for row in rows:
            rule = [(row[n], tuple(json.loads(row[n + 1])))]
            if row[n + 2] is not None:  # quoting a stored report: its marking applies too
                rule.append((row[n + 2], tuple(json.loads(row[n + 3]))))
            rules.append(tuple(rule))
        return Contents(
            findings=findings_frame([row[:n] for row in rows]),
            reports=reports,
            finding_rules=tuple(rules),
            report_rules=report_rules,
        )

    def reports(self) -> dict[str, Report]:
        """Every stored report by id, in import order, ``source`` naming its import."""
        with self._read() as con:
            return self._reports(con)

    def _reports(self, con: Any) -> dict[str, Report]:
        rows = self._execute(
            con,
            "SELECT r.id, r.title, r.author, r.text, r.text_kind, r.publisher, r.year, "
            "r.text_note, r.sha256, i.id, i.file_name, r.pages FROM reports AS r "
            "JOIN imports AS i ON i.id = r.import_id "
            f"ORDER BY r.import_id, r.{self.engine.seq}",
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
                page_starts=tuple(int(p) for p in json.loads(row[11] or "[]")),
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


def _import_detail(record: ImportRecord, **more: Any) -> dict[str, Any]:
    """What the audit log keeps of an import."""
    detail: dict[str, Any] = {
        "import": record.id,
        "file": record.file_name,
        "kind": record.kind,
        "rows": record.rows_imported,
        "marking": record.marking,
        "groups": record.group_list,
    }
    detail.update({k: v for k, v in more.items() if v is not None})
    return detail
