"""Findings coded in the reader: kept with who made them and when, every version kept.

A finding an analyst codes in the reader is stored like an imported one, in ``findings``, so it
shows on every page, is masked like the others and exported like them. It belongs to an import
of its own kind: one per protective marking and group list, named :data:`AUTHORED_FILE`, with
``{"authored": true}`` in its settings; such an import grows and shrinks one finding at a time
and is never removed whole.

Every change appends a version to ``finding_history`` in the same transaction: the finding's
fields after it was created, edited or brought back, or as it was when deleted. Nothing is
overwritten: an edit keeps the version before it, a deleted finding can be brought back from
its last version, and :meth:`AuthoredFindings.finding_history` lists them all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.core.access import group_list, normal_marking
from dashboard.core.findings import COLUMNS, LIST_COLUMNS
from dashboard.io.store_file import StoreFile, utc_now
from dashboard.io.store_records import IdConflict, ImportRecord, NotFound, StoreError
from dashboard.io.store_rows import finding_row
from dashboard.io.store_schema import FINDING_FIELDS, IMPORT_FIELDS, import_record

#: The file name of the imports that hold findings coded in the reader.
AUTHORED_FILE = "Coded in the reader"
#: What the ``sha256`` of a coded-findings import begins with (a file's is 64 hex digits).
_CODED = "coded:"
_JSON_COLUMNS = (*LIST_COLUMNS, "extra", "derived")
#: What each kind of change is called in the history, and in the audit log.
ACTIONS = {"created": "code", "edited": "edit", "deleted": "delete", "restored": "undelete"}


@dataclass(frozen=True)
class Version:
    """One version of a finding coded in the reader."""

    finding_id: str
    #: 1 for the first, one more at each change.
    version: int
    at: str
    who: str
    #: ``created``, ``edited``, ``deleted`` (the finding as it was when deleted) or ``restored``.
    action: str
    #: Its fields (:data:`~dashboard.core.findings.COLUMNS`; lists as tuples).
    finding: dict[str, Any]
    marking: str = ""
    groups: tuple[str, ...] = ()

    @property
    def deleted(self) -> bool:
        return self.action == "deleted"


def _record_json(finding: Mapping[str, Any], marking: str, groups: Sequence[str]) -> str:
    values = dict(zip(FINDING_FIELDS, finding_row(finding, 0, str(finding.get("source", "")))))
    record: dict[str, Any] = {}
    for column in COLUMNS:
        value = values[column]
        record[column] = json.loads(value) if column in _JSON_COLUMNS else value
    record["marking"], record["groups"] = marking, list(groups)
    return json.dumps(record, ensure_ascii=False, sort_keys=True)


def _version(row: Sequence[Any]) -> Version:
    finding_id, version, at, who, action, text = row
    record = json.loads(text)
    marking, groups = str(record.pop("marking", "")), tuple(record.pop("groups", ()))
    for column in (*LIST_COLUMNS, "derived"):
        record[column] = tuple(str(v) for v in record.get(column) or ())
    record["extra"] = tuple((str(k), str(v)) for k, v in record.get("extra") or ())
    return Version(str(finding_id), int(version), at, who, action, record, marking, groups)


def authored_source(who: str) -> str:
    """The ``source`` of a finding coded in the reader.

    >>> authored_source("una")
    'coded in the reader by una'
    """
    return f"coded in the reader by {who}"


class AuthoredFindings(StoreFile):
    """Coding findings in the reader: adding, editing, deleting and bringing them back."""

    def add_authored(
        self,
        finding: Mapping[str, Any],
        *,
        by: str = "",
        marking: str = "",
        groups: Sequence[str] = (),
    ) -> Version:
        """Store a new finding coded *by* this user (a row of the loader's frame: validated and
        anchored already), readable under *marking* and *groups*. :class:`IdConflict` if its id
        is held by another finding or was ever used by a finding coded here."""
        who = by or self.local_name
        finding_id = str(finding["id"])
        with self._write() as con:
            holders = self._holders(con, "findings", [finding_id])
            if holders:
                raise IdConflict(list(holders), AUTHORED_FILE, holders=holders)
            if self._versions(con, finding_id):
                raise StoreError(
                    f"The id {finding_id!r} was used by a finding coded earlier (it has a "
                    "history, perhaps deleted). Nothing was saved. Choose another id."
                )
            values = {**dict(finding), "source": authored_source(who)}
            return self._put(con, values, who, "created", 1, marking, groups)

    def edit_authored(
        self,
        finding: Mapping[str, Any],
        *,
        by: str = "",
        marking: str | None = None,
        groups: Sequence[str] | None = None,
        expected: int | None = None,
    ) -> Version:
        """Replace the fields of a coded finding (the one with ``finding["id"]``) with these,
        keeping the version before in its history. *marking* and *groups* default to its own.
        *expected* is the version the edit was made from: if another edit has been saved since,
        nothing is changed and :class:`StoreError` says so."""
        who = by or self.local_name
        finding_id = str(finding["id"])
        with self._write() as con:
            last = self._last(con, finding_id)
            if expected is not None and last.version != expected:
                raise StoreError(
                    f"Finding {finding_id!r} was changed by {last.who} since you opened it "
                    f"(version {last.version}, you edited version {expected}). Nothing was "
                    "saved: reload the page to see their version, then edit again."
                )
            if last.deleted:
                raise StoreError(
                    f"Finding {finding_id!r} was deleted; bring it back before editing it. "
                    "Nothing was changed."
                )
            self._execute(con, "DELETE FROM findings WHERE id = ?", (finding_id,))
            values = {**dict(finding), "source": last.finding["source"]}
            return self._put(
                con,
                values,
                who,
                "edited",
                last.version + 1,
                last.marking if marking is None else marking,
                last.groups if groups is None else groups,
            )

    def delete_authored(self, finding_id: str, *, by: str = "") -> Version:
        """Take a coded finding off every page, keeping it in its history: it can be brought
        back with :meth:`restore_authored`."""
        who = by or self.local_name
        with self._write() as con:
            last = self._last(con, finding_id)
            if last.deleted:
                raise StoreError(f"Finding {finding_id!r} is deleted already. Nothing was changed.")
            self._execute(con, "DELETE FROM findings WHERE id = ?", (finding_id,))
            self._append(con, last.finding, who, "deleted", last.version + 1, last)
            self._recount(con)
            return self._last(con, finding_id)

    def restore_authored(self, finding_id: str, *, by: str = "") -> Version:
        """Bring back a deleted coded finding as it was when deleted. :class:`IdConflict` if
        another finding has taken its id since."""
        who = by or self.local_name
        with self._write() as con:
            last = self._last(con, finding_id)
            if not last.deleted:
                raise StoreError(f"Finding {finding_id!r} is not deleted. Nothing was changed.")
            holders = self._holders(con, "findings", [finding_id])
            if holders:
                raise IdConflict(list(holders), AUTHORED_FILE, holders=holders)
            return self._put(
                con, last.finding, who, "restored", last.version + 1, last.marking, last.groups
            )

    def finding_history(self, finding_id: str) -> list[Version]:
        """Every version of a coded finding, the first first; empty for any other finding."""
        with self._read() as con:
            return self._versions(con, finding_id)

    def history_ids(self, ids: Sequence[str]) -> set[str]:
        """Of *ids*, those a finding coded in the reader has ever had (deleted ones included)."""
        with self._read() as con:
            return self._history_ids(con, [str(i) for i in ids])

    def _history_ids(self, con: Any, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                row[0]
                for row in self._execute(
                    con,
                    "SELECT DISTINCT finding_id FROM finding_history "
                    f"WHERE finding_id IN ({marks})",
                    chunk,
                ).fetchall()
            )
        return found

    def authored(self) -> list[Version]:
        """The latest version of every finding coded in the reader, deleted ones included, in
        the order they were first coded."""
        with self._read() as con:
            rows = self._execute(
                con,
                "SELECT h.finding_id, h.version, h.at, h.who, h.action, h.record "
                "FROM finding_history AS h JOIN (SELECT finding_id, MAX(version) AS last, "
                "MIN(id) AS first FROM finding_history GROUP BY finding_id) AS m "
                "ON m.finding_id = h.finding_id AND m.last = h.version ORDER BY m.first",
            ).fetchall()
        return [_version(row) for row in rows]

    # --- parts ---------------------------------------------------------------------------------

    def _versions(self, con: Any, finding_id: str) -> list[Version]:
        rows = self._execute(
            con,
            "SELECT finding_id, version, at, who, action, record FROM finding_history "
            "WHERE finding_id = ? ORDER BY version",
            (str(finding_id),),
        ).fetchall()
        return [_version(row) for row in rows]

    def _last(self, con: Any, finding_id: str) -> Version:
        versions = self._versions(con, finding_id)
        if not versions:
            raise NotFound(
                f"Finding {finding_id!r} was not coded in the reader, so it cannot be changed "
                "here; an imported finding is changed by importing a new version of its file."
            )
        return versions[-1]

    def _put(
        self,
        con: Any,
        values: Mapping[str, Any],
        who: str,
        action: str,
        version: int,
        marking: str,
        groups: Sequence[str],
    ) -> Version:
        """Insert the finding into the coded-findings import of its marking, and its version."""
        marking = normal_marking(marking) if marking else ""
        groups = group_list(groups)
        record = self._authored_import(con, marking, groups)
        row = finding_row(values, record.id, str(values["source"]))
        columns = ", ".join(f'"{c}"' for c in FINDING_FIELDS)
        placeholders = ", ".join("?" * len(FINDING_FIELDS))
        self._execute(con, f"INSERT INTO findings ({columns}) VALUES ({placeholders})", row)
        self._append(con, values, who, action, version, None, marking, groups)
        self._recount(con)
        return self._last(con, str(values["id"]))

    def _append(
        self,
        con: Any,
        values: Mapping[str, Any],
        who: str,
        action: str,
        version: int,
        like: Version | None,
        marking: str = "",
        groups: Sequence[str] = (),
    ) -> None:
        if like is not None:
            marking, groups = like.marking, like.groups
        at = utc_now()
        self._execute(
            con,
            "INSERT INTO finding_history (finding_id, version, at, who, action, record) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (str(values["id"]), version, at, who, action, _record_json(values, marking, groups)),
        )
        self._audit(
            con,
            who,
            ACTIONS[action],
            {
                "finding": str(values["id"]),
                "report": str(values.get("report_id", "")),
                "version": version,
                "marking": marking,
                "groups": list(groups),
            },
        )

    def _authored_import(self, con: Any, marking: str, groups: Sequence[str]) -> ImportRecord:
        """The import holding coded findings under this marking and these groups (made when
        there is none yet)."""
        key = json.dumps([marking, list(groups)], ensure_ascii=False)
        sha256 = _CODED + hashlib.sha256(key.encode("utf-8")).hexdigest()
        earlier = self._import_by_sha(con, "findings", sha256)
        if earlier is not None:
            return earlier
        return self._insert_import(
            con,
            AUTHORED_FILE,
            sha256,
            "findings",
            0,
            0,
            0,
            "findings coded in the reader",
            json.dumps({"authored": True}),
            None,
            marking,
            groups,
        )

    def _recount(self, con: Any) -> None:
        """Keep each coded-findings import's counts to the findings it holds now."""
        for (import_id,) in self._execute(
            con,
            "SELECT id FROM imports WHERE kind = 'findings' AND sha256 LIKE ?",
            (_CODED + "%",),
        ).fetchall():
            (count,) = self._execute(
                con, "SELECT COUNT(*) FROM findings WHERE import_id = ?", (import_id,)
            ).fetchone()
            self._execute(
                con,
                "UPDATE imports SET rows_total = ?, rows_imported = ? WHERE id = ?",
                (count, count, import_id),
            )

    def authored_imports(self) -> list[ImportRecord]:
        """The imports holding coded findings."""
        with self._read() as con:
            rows = self._execute(
                con,
                f"SELECT {IMPORT_FIELDS} FROM imports WHERE kind = 'findings' "
                "AND sha256 LIKE ? ORDER BY id",
                (_CODED + "%",),
            ).fetchall()
        return [import_record(row) for row in rows]
