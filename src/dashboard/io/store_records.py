"""What the store hands back: its records (:class:`ImportRecord`, :class:`SavedView`) and its
errors (:class:`StoreError` and the kinds of it an analyst can act on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DuplicateImport",
    "IdConflict",
    "ImportRecord",
    "NotFound",
    "ReportInUse",
    "SavedView",
    "StoreError",
    "import_source",
]


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
    #: The protective marking (``''``: imported before markings, read as the lowest) and the
    #: groups allowed to read what it brought (JSON list; empty: anyone cleared for it).
    marking: str = ""
    groups: str = "[]"

    @property
    def group_list(self) -> list[str]:
        try:
            value = json.loads(self.groups or "[]")
        except ValueError:
            return []
        return [str(g) for g in value] if isinstance(value, list) else []

    @property
    def authored(self) -> bool:
        """Whether this import holds findings coded in the reader
        (:mod:`~dashboard.io.store_authored`) rather than a file's."""
        return self.kind == "findings" and self.sha256.startswith("coded:")

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
