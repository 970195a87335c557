"""Bringing analysts' files in: plan an import (read, match columns, validate, anchor), show the
plan, then commit it to the store in one transaction, or not at all.

Planning never changes anything. Committing either lands every row it was asked to land, or
raises :class:`~dashboard.io.store_records.StoreError` and leaves the store as it was.

Here: findings files. A report text is planned in :mod:`~dashboard.io.report_plans`; the
difference a new version makes is :mod:`~dashboard.io.import_diff`. This module is a little over
400 lines because :class:`FindingsPlan` and :func:`plan_findings`, which fills it, are read
together: the plan's fields are what planning sets, step by step.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from dashboard.core.corpus import Corpus
from dashboard.core.findings import (
    Context,
    LoadResult,
    empty_findings,
    validate_records,
)
from dashboard.core.periods import DayOrder, day_order
from dashboard.core.problems import Problem, errors
from dashboard.core.text import fold
from dashboard.io.columns import (
    EXTRA,
    FIELDS,
    IGNORE,
    TARGETS,
    ColumnMatch,
    build_mapping,
    header_signature,
    split_list_text,
    suggest_mapping,
)
from dashboard.io.formats import ReadAs, read_table
from dashboard.io.import_diff import Diff, diff_findings
from dashboard.io.store import Store
from dashboard.io.store_records import ImportRecord

#: The defaults a file may be given for fields it lacks, what the title default means, and how
#: its slashed dates read (``dates``: ``day-first`` for 03/04/2017 = 3 April, ``month-first``).
DEFAULT_FIELDS = ("kind", "report_id", "title", "dates")
DERIVE = "derive"
DAY_ORDERS = {"day-first": True, "month-first": False}
#: Values shown for each column in the mapping step.
PREVIEW_VALUES = 3


@dataclass
class FindingsPlan:
    """What importing one findings file would do. Nothing is written until it is committed."""

    file_name: str
    sha256: str
    result: LoadResult
    columns: list[str] = field(default_factory=list)
    #: Each column's target: a field, "extra" (kept with each finding) or "ignore".
    mapping: dict[str, str] = field(default_factory=dict)
    #: How each column was matched by name (before the analyst's choices).
    suggested: dict[str, ColumnMatch] = field(default_factory=dict)
    #: The mapping and defaults came from the store (the same headers were confirmed before).
    remembered: bool = False
    #: File-wide defaults used: kind, report_id, title ("derive": from the excerpt), dates
    #: (the order of its slashed dates: "day-first" or "month-first").
    defaults: dict[str, str] = field(default_factory=dict)
    #: What the period column's slashed dates say about their order (None: no such column).
    day_order: DayOrder | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    sheet_notes: dict[str, str] = field(default_factory=dict)
    read_as: ReadAs | None = None
    #: The first few non-empty values of each column, for the mapping step.
    previews: dict[str, list[str]] = field(default_factory=dict)
    rows_total: int = 0
    duplicate_of: ImportRecord | None = None
    #: The earlier import this file is a new version of (its ids are in it), and the difference.
    previous: ImportRecord | None = None
    diff: Diff | None = None
    signature: str = ""

    @property
    def rows_valid(self) -> int:
        return len(self.result.findings)

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - self.rows_valid

    @property
    def extra_columns(self) -> list[str]:
        return [c for c in self.columns if self.mapping.get(c) == EXTRA]

    @property
    def ignored_columns(self) -> list[str]:
        return [c for c in self.columns if self.mapping.get(c) == IGNORE]

    @property
    def unmatched(self) -> list[str]:
        """Columns that no field took (kept as extra unless ignored)."""
        return [c for c in self.columns if self.mapping.get(c) not in FIELDS]

    @property
    def problems(self) -> list[Problem]:
        return self.result.problems

    @property
    def can_import_all(self) -> bool:
        return (
            self.duplicate_of is None
            and self.rows_valid > 0
            and self.rows_valid == self.rows_total
            and not errors(self.problems)
        )

    @property
    def can_import_valid(self) -> bool:
        return self.duplicate_of is None and self.rows_valid > 0

    def settings(self) -> dict[str, object]:
        """What the import record keeps: how the file was read, the mapping, the defaults."""
        return {
            "read_as": self.read_as.as_dict() if self.read_as else None,
            "mapping": dict(self.mapping),
            "extra_columns": self.extra_columns,
            "ignored_columns": self.ignored_columns,
            "defaults": dict(self.defaults),
            "signature": self.signature,
        }

    def rejected(self) -> list[dict[str, object]]:
        """Every error, with the value of its cell when the row and column are known."""
        return [
            {
                "row": p.row,
                "column": p.column,
                "value": self.value_at(p.row, p.column),
                "message": p.message,
                "suggestion": p.suggestion,
            }
            for p in errors(self.problems)
        ]

    def value_at(self, row: int | None, column: str | None) -> str | None:
        """The file's cell at a problem's row and column (a field's name finds its column)."""
        if row is None or column is None:
            return None
        record = self._records.get(row)
        if record is None:
            return None
        theirs = (
            column
            if column in record
            else next((c for c, t in self.mapping.items() if t == column), None)
        )
        if theirs is None or theirs not in record:
            return None
        value = record[theirs]
        return "" if value is None else str(value)[:500]

    def to_json(self) -> dict[str, object]:
        """The plan as one JSON object (the command line's ``--json``)."""
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "read_as": {
                **(self.read_as.as_dict() if self.read_as else {}),
                "rows": self.rows_total,
            },
            "sheets": self.sheets,
            "rows": self.rows_total,
            "importable": self.rows_valid,
            "rejected": self.rejected(),
            "warnings": [
                {"row": p.row, "column": p.column, "message": p.message, "suggestion": p.suggestion}
                for p in self.problems
                if p.severity != "error"
            ],
            "mapping": {c: t for c, t in self.mapping.items() if t in FIELDS},
            "extra_columns": self.extra_columns,
            "ignored_columns": self.ignored_columns,
            "defaults": dict(self.defaults),
            "remembered_mapping": self.remembered,
            "duplicate_of": self.duplicate_of.id if self.duplicate_of else None,
            "new_version_of": self.previous.id if self.previous else None,
            "diff": self.diff.as_dict() if self.diff else None,
        }

    _records: dict[int, dict[str, object]] = field(default_factory=dict, repr=False)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_findings(
    data: bytes,
    file_name: str,
    corpus: Corpus,
    store: Store,
    *,
    column_map: Mapping[str, str] | None = None,
    defaults: Mapping[str, str | None] | None = None,
    default_report: str | None = None,
    sheet: str | None = None,
    remember: bool = True,
) -> FindingsPlan:
    """Read and check a findings file against the corpus (bundled and imported); write nothing.

    *column_map* maps the file's columns to fields, :data:`EXTRA` or :data:`IGNORE`, over the
    mapping remembered for the same headers (when *remember*) and the suggested one.
    *defaults* gives ``kind`` and ``report_id`` for rows without them, and ``title``:
    :data:`DERIVE` (the default) takes a missing title from the excerpt's opening words, ``""``
    requires titles. The report is chosen automatically when only one is loaded.
    """
    digest = sha256(data)
    earlier = next(
        (r for r in store.imports() if r.kind == "findings" and r.sha256 == digest), None
    )
    table = read_table(data, file_name, sheet=sheet)
    signature = header_signature(table.columns) if table.columns else ""
    remembered_map: dict[str, str] = {}
    given = {k: v for k, v in (defaults or {}).items() if k in DEFAULT_FIELDS and v is not None}
    remembered = False
    if remember and signature and not column_map:
        found = store.mapping_for(signature)
        if found is not None:
            remembered_map, remembered_defaults = found
            remembered = True
            for key, value in remembered_defaults.items():
                if key in DEFAULT_FIELDS and key not in given and value is not None:
                    given[key] = str(value)
    if default_report and "report_id" not in given:
        given["report_id"] = default_report
    if "report_id" not in given and len(corpus.reports) == 1:
        given["report_id"] = next(iter(corpus.reports))
    given.setdefault("title", DERIVE)
    used = {k: str(v) for k, v in given.items() if v}
    mapping, mapping_problems = build_mapping(
        table.columns, column_map, remembered_map, file=file_name
    )
    if used.get("dates") and used["dates"] not in DAY_ORDERS:
        mapping_problems.append(
            Problem(
                file_name,
                None,
                "period",
                f"unknown order of dates {used['dates']!r} given for the whole file",
                "use day-first (03/04/2017 is 3 April) or month-first (it is 4 March)",
            )
        )
    previews = _previews(table.records, table.columns)
    plan = FindingsPlan(
        file_name=file_name,
        sha256=digest,
        result=LoadResult(empty_findings(), list(table.problems)),
        columns=list(table.columns),
        mapping=mapping,
        suggested=suggest_mapping(table.columns),
        remembered=remembered,
        defaults=used,
        sheets=table.sheets,
        sheet=table.sheet,
        sheet_notes=dict(table.sheet_notes),
        read_as=table.read_as,
        previews=previews,
        rows_total=len(table.records),
        duplicate_of=earlier,
        signature=signature,
    )
    plan._records = dict(zip(table.numbers, table.records))
    period_column = next((c for c, t in mapping.items() if t == "period"), None)
    if period_column is not None:
        plan.day_order = day_order(r.get(period_column) for r in table.records)
    existing: AbstractSet[str] = frozenset(corpus.findings["id"])
    id_column = next((c for c, t in mapping.items() if t == "id"), None)
    if id_column is not None and table.records:
        ids = [str(r.get(id_column) or "").strip() for r in table.records]
        holders = store.holders_of([i for i in ids if i])
        owners = {r.id: r for r in holders.values() if r.kind == "findings"}
        if len(owners) == 1 and earlier is None:
            plan.previous = next(iter(owners.values()))
            held = set(store.import_findings_frame(plan.previous.id)["id"])
            existing = _Without(existing, held)
    if mapping_problems:
        plan.result = LoadResult(empty_findings(), [*table.problems, *mapping_problems])
    elif table.records:
        context = Context(
            corpus.reports,
            corpus.gazetteer,
            corpus.taxonomy,
            existing_ids=existing,
            default_report=used.get("report_id"),
            default_kind=used.get("kind"),
            derive_titles=used.get("title") == DERIVE,
            day_first=DAY_ORDERS.get(used.get("dates", "")),
        )
        plan.result = validate_records(
            table.records,
            table.numbers,
            table.columns,
            mapping,
            file_name,
            context,
            "import (not yet stored)",
            table.problems,
        )
        plan.result.problems.extend(_look_alike_warnings(table.records, mapping, file_name, corpus))
    if plan.previous is not None:
        plan.diff = diff_findings(
            store.import_findings_frame(plan.previous.id), plan.result.findings
        )
        plan.result.problems.insert(
            0,
            Problem(
                file_name,
                None,
                None,
                f"this is a new version of import #{plan.previous.id} "
                f"({plan.previous.file_name}): {plan.diff.describe()}",
                "importing replaces that version; it is kept and can be restored",
                severity="warning",
            ),
        )
    if earlier is not None:
        plan.result.problems.insert(
            0,
            Problem(
                file_name,
                None,
                None,
                f"this file was already imported (import #{earlier.id}, {earlier.file_name}, "
                f"{earlier.imported_at})",
                "nothing to do; remove that import first to import it again",
            ),
        )
    return plan


class _Without(AbstractSet[str]):
    """*ids* less *held* (the ids of the version a file replaces), without copying *ids*."""

    def __init__(self, ids: AbstractSet[str], held: AbstractSet[str]):
        self._ids, self._held = ids, held

    def __contains__(self, item: object) -> bool:
        return item in self._ids and item not in self._held

    def __iter__(self):
        return (i for i in self._ids if i not in self._held)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _previews(records: list[dict[str, object]], columns: list[str]) -> dict[str, list[str]]:
    previews: dict[str, list[str]] = {c: [] for c in columns}
    pending = set(columns)
    for record in records[:200]:
        for column in list(pending):
            value = record.get(column)
            text = "" if value is None else str(value).strip()
            if text:
                previews[column].append(text[:80] + ("…" if len(text) > 80 else ""))
                if len(previews[column]) >= PREVIEW_VALUES:
                    pending.discard(column)
        if not pending:
            break
    return previews


def _look_alike_warnings(
    records: list[dict[str, object]], mapping: Mapping[str, str], file: str, corpus: Corpus
) -> list[Problem]:
    """A warning for each column kept as extra whose values look like regions, themes or
    actors: most of its first non-empty cells name known ones."""
    if not records:
        return []
    actors = {fold(a) for items in corpus.findings["actors"] for a in items}
    checks = {
        "regions": lambda v: corpus.gazetteer.resolve(v) is not None,
        "themes": lambda v: corpus.taxonomy.resolve_theme(v) is not None,
        "actors": lambda v: fold(v) in actors,
    }
    problems = []
    for column, target in mapping.items():
        if target != EXTRA:
            continue
        cells = [str(r.get(column) or "").strip() for r in records[:200]]
        cells = [c for c in cells if c and len(c) <= 500][:50]
        if not cells:
            continue
        for field_name, known in checks.items():
            pieces = [p for c in cells for p in split_list_text(c)]
            hits = sum(1 for p in pieces if known(p))
            if pieces and hits / len(pieces) >= 0.6:
                problems.append(
                    Problem(
                        file,
                        None,
                        column,
                        f"column {column!r} looks like {field_name} ({hits} of {len(pieces)} "
                        f"values are known {field_name}) but is kept as an extra attribute",
                        f"map it to {field_name!r} if these are the {field_name} the findings "
                        "name, or ignore it",
                        severity="warning",
                    )
                )
                break
    return problems


def commit_findings(
    plan: FindingsPlan,
    store: Store,
    *,
    only_valid: bool,
    marking: str = "",
    groups: Sequence[str] = (),
    by: str = "",
) -> ImportRecord:
    """Store the plan's accepted findings: all rows (only when every row is valid) or the valid
    ones, in one transaction, with their protective *marking* and the *groups* allowed to read
    them, done *by* this user (the audit log). A new version of an earlier import replaces it
    (the earlier one is kept, restorable). The mapping and defaults are remembered for files
    with the same headers."""
    if not (plan.can_import_valid if only_valid else plan.can_import_all):
        raise ValueError("this plan cannot be imported that way")
    record = store.import_findings(
        plan.result.findings,
        file_name=plan.file_name,
        sha256=plan.sha256,
        rows_total=plan.rows_total,
        rows_rejected=plan.rows_rejected,
        settings=plan.settings(),
        replaces=plan.previous.id if plan.previous else None,
        marking=marking,
        groups=groups,
        by=by,
    )
    if plan.signature:
        store.save_mapping(plan.signature, plan.columns, plan.mapping, plan.defaults)
    return record


def problems_csv(plan: FindingsPlan) -> bytes:
    """Every problem of a plan as CSV (UTF-8 with BOM, for Excel), with the cell's value:
    row, column, value, severity, message, suggestion. Cells that a spreadsheet would run as
    formulas are prefixed with an apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["row", "column", "value", "severity", "message", "suggestion"])
    for p in plan.problems:
        value = plan.value_at(p.row, p.column)
        writer.writerow(
            [
                "" if p.row is None else p.row,
                *(
                    _guard(v)
                    for v in (p.column or "", value or "", p.severity, p.message, p.suggestion)
                ),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _guard(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def column_choices() -> list[str]:
    """What a column can be mapped to: a field, kept as extra, or ignored."""
    return list(TARGETS)
