"""Versions of an import: a file imported again as a new version archives the findings of the
one before, and an earlier version can be made current again."""

from __future__ import annotations

from typing import Any

from dashboard.io.store_file import StoreFile
from dashboard.io.store_records import IdConflict, ImportRecord, NotFound, StoreError
from dashboard.io.store_schema import FINDING_FIELDS, IMPORT_FIELDS, import_record


class ImportVersions(StoreFile):
    """The versions of a findings import: archiving, restoring and listing them."""

    def _archive(self, con: Any, import_id: int) -> None:
        """Move an import's findings to ``archived_findings``, keeping their order."""
        fields = ", ".join(f'"{c}"' for c in FINDING_FIELDS)
        self._execute(
            con,
            f"INSERT INTO archived_findings ({fields}, position) "
            f"SELECT {fields}, {self.engine.seq} FROM findings WHERE import_id = ?",
            (import_id,),
        )
        self._execute(con, "DELETE FROM findings WHERE import_id = ?", (import_id,))

    def _unarchive(self, con: Any, import_id: int) -> None:
        fields = ", ".join(f'"{c}"' for c in FINDING_FIELDS)
        self._execute(
            con,
            f"INSERT INTO findings ({fields}) SELECT {fields} FROM archived_findings "
            "WHERE import_id = ? ORDER BY position",
            (import_id,),
        )
        self._execute(con, "DELETE FROM archived_findings WHERE import_id = ?", (import_id,))

    def restore_import(self, import_id: int, *, by: str = "") -> ImportRecord:
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
            restored = self._get_import(con, record.id)
            self._audit(
                con,
                by or self.local_name,
                "restore",
                {
                    "import": restored.id,
                    "file": restored.file_name,
                    "replaced": getattr(current, "id", None),
                },
            )
            return restored

    def _current_version(self, con: Any, record: ImportRecord) -> ImportRecord | None:
        """The current version of the file *record* is a version of (None if removed)."""
        seen = {record.id}
        while record.superseded_by is not None:
            row = self._execute(
                con, f"SELECT {IMPORT_FIELDS} FROM imports WHERE id = ?", (record.superseded_by,)
            ).fetchone()
            if row is None:
                return None
            record = import_record(row)
            if record.id in seen:
                return None
            seen.add(record.id)
        return record

    def versions(self, import_id: int) -> list[ImportRecord]:
        """Every version of the file *import_id* is a version of, oldest first."""
        with self._read() as con:
            records = {
                r[0]: import_record(r)
                for r in self._execute(
                    con, f"SELECT {IMPORT_FIELDS} FROM imports WHERE kind = 'findings'"
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
