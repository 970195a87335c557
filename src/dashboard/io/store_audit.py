"""The audit log: who signed in, imported, updated, removed or exported what, and when.

Append-only: the store's code only inserts into it, a trigger refuses every UPDATE, DELETE and
TRUNCATE, and on PostgreSQL the app's role lacks those rights too (docs/team.md). A line written
with an import is part of the import's own transaction; a line of its own (a sign-in, an export)
does not change the store's fingerprint, so it never rebuilds a cached corpus.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboard.io.store_file import StoreFile

#: The actions the log knows, in the words the admin page shows.
ACTIONS = {
    "sign-in": "signed in",
    "sign-out": "signed out",
    "import": "imported",
    "update": "imported a new version",
    "restore": "restored a version",
    "remove": "removed",
    "export": "exported",
    "code": "coded a finding in the reader",
    "edit": "edited a coded finding",
    "delete": "deleted a coded finding",
    "undelete": "brought back a coded finding",
}


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: str
    who: str
    action: str
    detail: dict[str, Any]


class AuditLog(StoreFile):
    """Writing to the audit log and reading it back."""

    def audit(self, who: str, action: str, detail: Mapping[str, Any] | None = None) -> None:
        """Append one line: *who* did *action* (one of :data:`ACTIONS`), with *detail*."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}; use one of {sorted(ACTIONS)}")
        with self._write(changes=False) as con:
            self._audit(con, who or self.local_name, action, dict(detail or {}))

    def signed_in_before(self, who: str, auth_time: int) -> bool:
        """Whether the log has *who*'s sign-in of this *auth_time* (the provider's) already."""
        with self._read() as con:
            rows = self._execute(
                con,
                "SELECT detail FROM audit WHERE who = ? AND action = 'sign-in' "
                "ORDER BY id DESC LIMIT 100",
                (who,),
            ).fetchall()
        return any(_detail(r[0]).get("auth_time") == auth_time for r in rows)

    def audit_log(
        self,
        *,
        who: str = "",
        actions: tuple[str, ...] = (),
        since: str = "",
        until: str = "",
        limit: int | None = None,
    ) -> list[AuditLine]:
        """The log's lines, newest first; *who* matches a part of the name (any case),
        *since*/*until* are ISO dates or times (UTC), *until* inclusive of its day."""
        where, params = [], []
        if who.strip():
            where.append("LOWER(who) LIKE ?")
            params.append("%" + who.strip().lower().replace("%", "").replace("_", "") + "%")
        if actions:
            where.append(f"action IN ({', '.join('?' * len(actions))})")
            params.extend(actions)
        if since:
            where.append("at >= ?")
            params.append(since)
        if until:
            where.append("at < ?")
            params.append(until + ("~" if len(until) == 10 else ""))  # all of that day
        sql = "SELECT id, at, who, action, detail FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._read() as con:
            rows = self._execute(con, sql, params).fetchall()
        return [
            AuditLine(id=int(r[0]), at=r[1], who=r[2], action=r[3], detail=_detail(r[4]))
            for r in rows
        ]


def _detail(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
