"""Bringing analysts' files in: plan an import (read, match columns, validate, anchor), show the
plan, then commit it to the store in one transaction, or not at all.

Planning never changes anything. Committing either lands every row it was asked to land, or
raises :class:`~dashboard.io.store.StoreError` and leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from dashboard.core.corpus import Corpus
from dashboard.core.findings import (
    INPUT_COLUMNS,
    Context,
    LoadResult,
    load_findings_bytes,
    match_columns,
)
from dashboard.core.problems import Problem, errors
from dashboard.core.reports import Report
from dashboard.core.text import nfc
from dashboard.io.formats import read_report_text, read_table
from dashboard.io.store import ImportRecord, Store

TEXT_KINDS = ("full text", "publisher's summary page", "executive summary", "excerpt")
_REPORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass
class FindingsPlan:
    """What importing one findings file would do."""

    file_name: str
    sha256: str
    result: LoadResult
    columns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    rows_total: int = 0
    duplicate_of: ImportRecord | None = None

    @property
    def rows_valid(self) -> int:
        return len(self.result.findings)

    @property
    def rows_rejected(self) -> int:
        return self.rows_total - self.rows_valid

    @property
    def unmatched(self) -> list[str]:
        return [c for c in self.columns if c not in self.mapping]

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


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_findings(
    data: bytes,
    file_name: str,
    corpus: Corpus,
    store: Store,
    *,
    column_map: Mapping[str, str] | None = None,
    default_report: str | None = None,
    sheet: str | None = None,
) -> FindingsPlan:
    """Read and check a findings file against the corpus (bundled and imported)."""
    digest = sha256(data)
    earlier = next(
        (r for r in store.imports() if r.kind == "findings" and r.sha256 == digest), None
    )
    table = read_table(data, file_name, sheet=sheet)
    mapping = dict(match_columns(table.columns))
    for theirs, ours in (column_map or {}).items():
        mapping = {k: v for k, v in mapping.items() if v != ours or k == theirs}
        if ours:
            mapping[theirs] = ours
        else:
            mapping.pop(theirs, None)
    context = Context(
        corpus.reports,
        corpus.gazetteer,
        corpus.taxonomy,
        existing_ids=frozenset(corpus.findings["id"]),
        default_report=default_report,
    )
    result = load_findings_bytes(
        data,
        file_name,
        context,
        column_map=mapping,
        sheet=table.sheet or sheet,
        source="import (not yet stored)",
    )
    plan = FindingsPlan(
        file_name=file_name,
        sha256=digest,
        result=result,
        columns=list(table.columns),
        mapping=mapping,
        sheets=table.sheets,
        sheet=table.sheet,
        rows_total=len(table.records),
        duplicate_of=earlier,
    )
    if earlier is not None:
        result.problems.insert(
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


def commit_findings(plan: FindingsPlan, store: Store, *, only_valid: bool) -> ImportRecord:
    """Store the plan's accepted findings: all rows (only when every row is valid) or the valid
    ones. One transaction."""
    if not (plan.can_import_valid if only_valid else plan.can_import_all):
        raise ValueError("this plan cannot be imported that way")
    return store.import_findings(
        plan.result.findings,
        file_name=plan.file_name,
        sha256=plan.sha256,
        rows_total=plan.rows_total,
        rows_rejected=plan.rows_rejected,
    )


def plan_report(
    data: bytes, file_name: str, meta: Mapping[str, object], corpus: Corpus, store: Store
) -> tuple[Report | None, list[Problem]]:
    """A report from an uploaded text and the metadata typed in the form, or the problems."""
    text, problems = read_report_text(data, file_name)
    where = "report details"

    def need(key: str, label: str) -> str:
        value = str(meta.get(key) or "").strip()
        if not value:
            problems.append(Problem(where, None, key, f"{label} is empty", f"fill in the {label}"))
        return value

    report_id, title, author = need("id", "id"), need("title", "title"), need("author", "author")
    if report_id and not _REPORT_ID.match(report_id):
        problems.append(
            Problem(
                where,
                None,
                "id",
                f"id {report_id!r} cannot go in a link",
                "use letters, digits, '.', '_' or '-' (at most 64)",
            )
        )
    elif report_id in corpus.reports:
        problems.append(
            Problem(
                where,
                None,
                "id",
                f"a report with id {report_id!r} is already loaded",
                "choose another id",
            )
        )
    text_kind = str(meta.get("text_kind") or "full text")
    if text_kind not in TEXT_KINDS:
        problems.append(
            Problem(
                where,
                None,
                "text_kind",
                f"unknown text kind {text_kind!r}",
                "use one of: " + ", ".join(TEXT_KINDS),
            )
        )
    year = meta.get("year")
    if year not in (None, "", 0):
        try:
            year = int(year)
            if not 1900 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                Problem(
                    where,
                    None,
                    "year",
                    f"year {meta.get('year')!r} is not a year",
                    "write four digits, e.g. 2017, or leave it blank",
                )
            )
            year = None
    else:
        year = None
    digest = sha256(data)
    earlier = next((r for r in store.imports() if r.kind == "report" and r.sha256 == digest), None)
    if earlier is not None:
        problems.insert(
            0,
            Problem(
                file_name,
                None,
                None,
                f"this text was already imported (import #{earlier.id}, {earlier.file_name})",
                "nothing to do",
            ),
        )
    if text is None or errors(problems):
        return None, problems
    return Report(
        id=report_id,
        title=title,
        author=author,
        text=nfc(text),
        text_kind=text_kind,
        publisher=str(meta.get("publisher") or "").strip(),
        year=year,
        text_note=str(meta.get("text_note") or "").strip(),
        sha256=digest,
        source=f"import: {file_name}",
    ), problems


def column_choices() -> list[str]:
    """What an unmatched column can be mapped to ('' leaves it out)."""
    return ["", *list(INPUT_COLUMNS)]
