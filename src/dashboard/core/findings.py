"""Findings: reading them from CSV or JSON, validating every field, anchoring every excerpt.

The loader never raises on bad input. It returns the findings it could accept and a list of
:class:`~dashboard.core.problems.Problem` values, each naming file, row, column, what is wrong
and the
likely fix. A row with any problem is left out of the accepted findings; nothing is guessed.

Here: the findings frame (:data:`COLUMNS`), reading a file, checking its header, and
:func:`validate_records`, which sends each row down one of two paths: the column-by-column path
for plain rows (:mod:`~dashboard.core.plain_rows`) or the row-by-row check that words every
problem (:mod:`~dashboard.core.row_checks`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from dashboard.core import plain_rows
from dashboard.core.problems import Problem, errors
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.core.row_checks import validate_row
from dashboard.core.taxonomy import Taxonomy
from dashboard.core.text import fold
from dashboard.io.columns import EXTRA, FIELDS, build_mapping
from dashboard.io.formats import read_table

#: Columns of a findings frame, in order. List fields hold tuples of strings.
COLUMNS = (
    "id",
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
LIST_COLUMNS = ("themes", "regions", "actors")
REQUIRED = ("id", "kind", "title", "excerpt", "themes")
OPTIONAL = ("report_id", "summary", "start", "end", "regions", "actors", "page", "period")
INPUT_COLUMNS = REQUIRED + OPTIONAL


@dataclass
class LoadResult:
    """What a load gives: the accepted findings and the problems found."""

    findings: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    #: The id of every row that gave one, accepted or not, but for the ids refused as already
    #: taken (``Context.existing_ids``): what a check against other files' ids needs.
    row_ids: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True when nothing was kept out (warnings allowed)."""
        return not errors(self.problems)


def empty_findings() -> pd.DataFrame:
    """A findings frame with no rows and every column.

    ``extra`` holds, per finding, the file's columns kept as extra attributes: a tuple of
    ``(column name, text)`` pairs in the file's column order (``dict(row.extra)`` gives them by
    name), empty cells left out. ``derived`` names the fields that did not come from the file
    (a file-wide default or a title taken from the excerpt's opening words), e.g. ``("title",)``.
    ``period`` is when the finding holds, as :meth:`~dashboard.core.periods.Period.text` gives it
    (``2017``, ``2017-Q2``, ``2015–2017``): the file's own when it has one, else the report's
    year (and ``derived`` then names ``"period"``), else empty (undated).
    """
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}).astype(
        {"start": "int64", "end": "int64", "page": "Int64"}
    )


#: Columns that hold text in every accepted row.
TEXT_COLUMNS = (
    "id",
    "report_id",
    "kind",
    "title",
    "summary",
    "excerpt",
    "prefix",
    "suffix",
    "period",
    "source",
)
#: What pandas makes of a column of text (pandas 3: Arrow strings).
_TEXT_DTYPE = pd.Series(["text"]).dtype
_DTYPES = {"start": "int64", "end": "int64", "page": "Int64"}


def findings_frame(rows: Sequence[tuple]) -> pd.DataFrame:
    """The findings frame of accepted *rows* (tuples in :data:`COLUMNS` order): exactly
    ``DataFrame.from_records(rows)`` with the dtypes of :func:`empty_findings`' numbers, built a
    column at a time, the text straight into Arrow strings (pandas would look at every cell
    three more times to find that it is text: 1 s of a million findings' load).
    """
    if not rows:
        return empty_findings()
    if isinstance(_TEXT_DTYPE, pd.StringDtype) and _TEXT_DTYPE.storage == "pyarrow":
        import pyarrow as pa

        columns: dict[str, object] = {}
        try:
            for name, values in zip(COLUMNS, zip(*rows)):
                if name in TEXT_COLUMNS:
                    columns[name] = pd.array(pa.array(values, pa.large_string()), _TEXT_DTYPE)
                elif name in ("start", "end"):
                    columns[name] = np.array(values, dtype=np.int64)
                elif name == "page":
                    columns[name] = pd.array(list(values), dtype="Int64")
                else:
                    columns[name] = pd.Series(values, dtype=object)
        except (pa.ArrowException, TypeError, ValueError, OverflowError):
            pass  # a cell of another type: as pandas would read it
        else:
            return pd.DataFrame(columns, columns=list(COLUMNS))
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype(_DTYPES)


def concat_findings(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Findings frames one after the other, each text column in one contiguous Arrow array.

    ``pd.concat`` keeps each frame's Arrow strings as a chunk of their own, and taking a few rows
    from a many-chunked column copies every chunk first: picking the 10 cards of a page from
    100k findings in two files took 12 ms, from one chunk under 1 ms.
    """
    if not len(frames):
        return empty_findings()
    frame = pd.concat(frames, ignore_index=True)
    for column in frame.columns:
        array = frame[column].array
        chunked = getattr(array, "_pa_array", None)
        if chunked is not None and chunked.num_chunks > 1:
            frame[column] = pd.Series(
                pd.array(chunked.combine_chunks(), dtype=array.dtype),
                index=frame.index,
                name=column,
            )
    return frame


# --- reading ----------------------------------------------------------------------------------


def match_columns(columns: Iterable[str]) -> dict[str, str]:
    """The file's columns that stand for a field, with that field (see
    :mod:`dashboard.io.columns`: synonyms from ``data/columns.toml``, folding, fuzzy match).

    >>> match_columns(["ID", "Quote", "Theme(s)", "Headline", "Type", "Date"])
    {'ID': 'id', 'Quote': 'excerpt', 'Theme(s)': 'themes', 'Headline': 'title', 'Type': 'kind',
     'Date': 'period'}
    """
    mapping, _ = build_mapping([str(c) for c in columns])
    return {c: f for c, f in mapping.items() if f in FIELDS}


def _col_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", fold(name)).strip()


# --- validating -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a findings file is checked against."""

    reports: Mapping[str, Report]
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    #: Ids already taken (any set; the loader only asks whether an id is in it).
    existing_ids: AbstractSet[str] = frozenset()
    default_report: str | None = None
    #: The kind of every finding whose kind cell is missing or empty (a taxonomy key or label).
    default_kind: str | None = None
    #: Take a missing or empty title from the excerpt's opening words (marked as derived).
    derive_titles: bool = False
    #: How the file's slashed dates read: ``True`` day-first (``03/04/2017`` is 3 April),
    #: ``False`` month-first, ``None`` not chosen (an ambiguous one is then refused).
    day_first: bool | None = None


def load_findings_bytes(
    data: bytes,
    file: str,
    context: Context,
    column_map: Mapping[str, str] | None = None,
    source: str = "bundled",
    sheet: str | None = None,
) -> LoadResult:
    """Read, validate and anchor the findings in *data* (the bytes of a file named *file*).

    *column_map* maps the file's column names to ours, over what is matched automatically.
    """
    table = read_table(data, file, sheet=sheet)
    records, numbers, problems = table.records, table.numbers, table.problems
    if not records:
        return LoadResult(empty_findings(), problems)
    mapping, mapping_problems = build_mapping(table.columns, column_map, file=file)
    if mapping_problems:
        return LoadResult(empty_findings(), problems + mapping_problems)
    return validate_records(
        records,
        numbers,
        table.columns,
        mapping,
        file,
        context,
        source,
        problems,
        text_cells=table.text_cells,
    )


def validate_records(
    records: Sequence[Mapping[str, object]],
    numbers: Sequence[int],
    columns: Sequence[str],
    mapping: Mapping[str, str],
    file: str,
    context: Context,
    source: str,
    problems: Sequence[Problem] = (),
    *,
    text_cells: bool = False,
) -> LoadResult:
    """Validate and anchor *records* (rows read from *file*), their columns sent by *mapping* to
    fields, to :data:`~dashboard.io.columns.EXTRA` (kept with each finding) or left out.

    *problems* (from reading the file) come first in the result. *text_cells*: every value of
    every record is known to be text (:attr:`~dashboard.io.formats.Table.text_cells`).
    """
    header_problems = _check_header(columns, mapping, file, context)
    if header_problems:
        return LoadResult(empty_findings(), [*problems, *header_problems])
    rows, row_problems, ids = _validate_rows(
        records, numbers, mapping, file, context, source, text_cells
    )
    return LoadResult(findings_frame(rows), [*problems, *row_problems], frozenset(ids))


def load_findings(path: Path, context: Context, source: str = "bundled") -> LoadResult:
    path = Path(path)
    return load_findings_bytes(path.read_bytes(), str(path), context, source=source)


def _check_header(
    columns: Sequence[str], mapping: Mapping[str, str], file: str, context: Context
) -> list[Problem]:
    present = set(mapping.values())
    needed = [
        f
        for f in REQUIRED
        if not (f == "kind" and context.default_kind)
        and not (f == "title" and context.derive_titles)
    ] + ([] if context.default_report else ["report_id"])
    unmatched = [c for c in columns if mapping.get(c) not in FIELDS]
    problems = []
    if context.default_kind and context.taxonomy.resolve_kind(context.default_kind) is None:
        near = context.taxonomy.suggest_kind(context.default_kind)
        problems.append(
            Problem(
                file,
                None,
                "kind",
                f"unknown kind {context.default_kind!r} given for the whole file",
                f"did you mean {near!r}?"
                if near
                else "use one of: " + ", ".join(context.taxonomy.kind_keys),
            )
        )
    if context.default_report and context.default_report not in context.reports:
        known = ", ".join(sorted(context.reports)) or "none loaded"
        problems.append(
            Problem(
                file,
                None,
                "report_id",
                f"unknown report {context.default_report!r} given for the whole file",
                f"known reports: {known}",
            )
        )
    for column in needed:
        if column in present:
            continue
        match = (
            process.extractOne(
                column, unmatched, scorer=fuzz.WRatio, score_cutoff=75, processor=_col_key
            )
            if unmatched
            else None
        )
        hint = (
            f"is the column {match[0]!r} meant to be {column!r}? map it to {column!r}"
            if match
            else _missing_hint(column)
        )
        problems.append(Problem(file, 1, column, f"required column {column!r} is missing", hint))
    return problems


def _missing_hint(column: str) -> str:
    if column == "kind":
        return "choose a kind for the whole file, or add a 'kind' column"
    if column == "report_id":
        return "choose the report the findings quote, or add a 'report_id' column"
    if column == "title":
        return "add a 'title' column, or let titles be taken from the excerpts' opening words"
    return f"add a column named {column!r}, or map one of the file's columns to it"


def _validate_rows(records, numbers, mapping, file, context, source, text_cells=False):
    """Validate every record: the accepted rows (tuples in :data:`COLUMNS` order), the problems,
    and each id given (see :attr:`LoadResult.row_ids`) with its first row.

    The rows whose every cell is plain and right (the common case by far) are accepted column by
    column by :func:`~dashboard.core.plain_rows.plain_rows`, which looks each distinct list cell
    and kind up once; any other row goes through :func:`~dashboard.core.row_checks.validate_row`,
    which finds and words its problems. Both give the same row (``tests/test_findings.py``
    checks them against each other).
    """
    rows, problems = [], []
    seen: dict[str, int] = {}
    columns = [(ours, theirs) for theirs, ours in mapping.items() if ours in FIELDS]
    extras = [theirs for theirs, ours in mapping.items() if ours == EXTRA]
    plain = plain_rows.plain_rows(records, mapping, context, source, text_cells)
    existing = context.existing_ids
    for record, number, row in zip(records, numbers, plain):
        if row is not None and row[0] not in seen and row[0] not in existing:
            seen[row[0]] = number  # a plain row with a new id: accepted, as below
            rows.append(row)
            continue
        if row is None:
            values = {ours: record.get(theirs) for ours, theirs in columns}
            extra = [(theirs, record.get(theirs)) for theirs in extras]
            checked, row_problems = validate_row(values, extra, number, file, context, source)
            row = (
                None if checked is None or len(checked) == 1 else tuple(checked[c] for c in COLUMNS)
            )
            finding_id = str(checked["id"]) if checked is not None else None
        else:
            row_problems = []
            finding_id = str(row[0])
        if finding_id is not None:
            previous = seen.get(finding_id)
            if previous is not None:
                row_problems.append(
                    Problem(
                        file,
                        number,
                        "id",
                        f"duplicate id {finding_id!r} (also row {previous})",
                        "give each finding its own id",
                    )
                )
            elif finding_id in context.existing_ids:
                row_problems.append(
                    Problem(
                        file,
                        number,
                        "id",
                        f"id {finding_id!r} is already in use by a loaded finding",
                        "choose a new id, or remove the earlier finding first",
                    )
                )
            else:
                seen[finding_id] = number
        if row_problems:
            problems.extend(row_problems)
        if row is not None and (not row_problems or not errors(row_problems)):
            rows.append(row)
    return rows, problems, seen
