"""Findings: reading them from CSV or JSON, validating every field, anchoring every excerpt.

The loader never raises on bad input. It returns the findings it could accept and a list of
:class:`~dashboard.core.problems.Problem` values, each naming file, row, column, what is wrong
and the
likely fix. A row with any problem is left out of the accepted findings; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import repeat
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from dashboard.core.problems import Problem, errors
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import AnchorError, Report, anchor_excerpt, at_offsets
from dashboard.core.taxonomy import Taxonomy
from dashboard.core.text import fold, nfc
from dashboard.io.columns import EXTRA, FIELDS, build_mapping, split_list_text
from dashboard.io.formats import MAX_FIELD_CHARS, FormulaCell, read_table

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
    "source",
    "extra",
    "derived",
)
LIST_COLUMNS = ("themes", "regions", "actors")
REQUIRED = ("id", "kind", "title", "excerpt", "themes")
OPTIONAL = ("report_id", "summary", "start", "end", "regions", "actors", "page")
INPUT_COLUMNS = REQUIRED + OPTIONAL
#: Longest title derived from an excerpt's opening words, in characters (the ellipsis included).
DERIVED_TITLE_CHARS = 72

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: First characters that make a spreadsheet run a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass
class LoadResult:
    """What a load gives: the accepted findings and the problems found."""

    findings: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)

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
    """
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}).astype(
        {"start": "int64", "end": "int64", "page": "Int64"}
    )


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
    {'ID': 'id', 'Quote': 'excerpt', 'Theme(s)': 'themes', 'Headline': 'title', 'Type': 'kind'}
    """
    mapping, _ = build_mapping([str(c) for c in columns])
    return {c: f for c, f in mapping.items() if f in FIELDS}


def _col_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", fold(name)).strip()


def derive_title(excerpt: str, limit: int = DERIVED_TITLE_CHARS) -> str:
    """A title from an excerpt's opening words: whole when short, else cut at a word, with "…".

    >>> derive_title("ISKP has deployed mobile radio broadcasting and social media to reach "
    ...              "the young")
    'ISKP has deployed mobile radio broadcasting and social media to reach…'
    """
    words = " ".join(str(excerpt).split())
    if len(words) <= limit:
        return words
    cut = words[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.–—-") + "…"


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
        records, numbers, table.columns, mapping, file, context, source, problems
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
) -> LoadResult:
    """Validate and anchor *records* (rows read from *file*), their columns sent by *mapping* to
    fields, to :data:`~dashboard.io.columns.EXTRA` (kept with each finding) or left out.

    *problems* (from reading the file) come first in the result.
    """
    header_problems = _check_header(columns, mapping, file, context)
    if header_problems:
        return LoadResult(empty_findings(), [*problems, *header_problems])
    rows, row_problems = _validate_rows(records, numbers, mapping, file, context, source)
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS)) if rows else empty_findings()
    if rows:
        frame = frame.astype({"start": "int64", "end": "int64", "page": "Int64"})
    return LoadResult(frame, [*problems, *row_problems])


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


def _validate_rows(records, numbers, mapping, file, context, source):
    """Validate every record: the accepted rows (tuples in :data:`COLUMNS` order) and the problems.

    The rows whose every cell is plain and right (the common case by far) are accepted column by
    column by :func:`_plain_rows`, which looks each distinct list cell and kind up once; any
    other row goes through :func:`_validate_row`, which finds and words its problems. Both give
    the same row (``tests/test_findings.py`` checks them against each other).
    """
    rows, problems = [], []
    seen: dict[str, int] = {}
    columns = [(ours, theirs) for theirs, ours in mapping.items() if ours in FIELDS]
    extras = [theirs for theirs, ours in mapping.items() if ours == EXTRA]
    plain = _plain_rows(records, mapping, context, source)
    for record, number, row in zip(records, numbers, plain):
        if row is None:
            values = {ours: record.get(theirs) for ours, theirs in columns}
            extra = [(theirs, record.get(theirs)) for theirs in extras]
            checked, row_problems = _validate_row(values, extra, number, file, context, source)
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
    return rows, problems


def _resolved(cell: str, resolve) -> tuple[str, ...] | None:
    """The distinct keys of a list cell's items, in order; None if any item is not known."""
    keys = []
    for value in _list_items(cell, "", None, resolve):
        key = resolve(value)
        if key is None:
            return None
        if key not in keys:
            keys.append(key)
    return tuple(keys)


_CHECKED_COLUMNS = (
    "id",
    "report_id",
    "kind",
    "title",
    "summary",
    "excerpt",
    *LIST_COLUMNS,
    "start",
    "end",
    "page",
)


def _plain_rows(records, mapping, context: Context, source: str) -> list[tuple | None]:
    """For each record, its accepted row when nothing in it calls for a problem (not even a
    warning), else None: then :func:`_validate_row` decides, and says why.

    Works a column at a time (a list comprehension per check) rather than a row at a time: at a
    million findings that is most of the difference between a minute and seconds.
    """
    n = len(records)
    ok = [True] * n
    ours_to_theirs = {ours: theirs for theirs, ours in mapping.items() if ours in FIELDS}
    extras = [theirs for theirs, ours in mapping.items() if ours == EXTRA]

    def column(name: str) -> list:
        theirs = ours_to_theirs.get(name)
        if theirs is None:
            return [""] * n
        return their_column(theirs)

    def their_column(theirs: str) -> list:
        cells = list(map(dict.get, records, repeat(theirs)))
        if not (
            set(map(type, cells)) <= {str}
            and max((len(c) for c in cells if isinstance(c, str)), default=0) <= MAX_FIELD_CHARS
        ):
            # Only text cells within the size limit are plain; None counts as an empty cell.
            for i, c in enumerate(cells):
                if c is None:
                    cells[i] = ""
                elif type(c) is not str or len(c) > MAX_FIELD_CHARS:
                    ok[i] = False
                    cells[i] = ""
        return cells

    def refuse(flags) -> None:
        if all(flags):  # the common case: nothing to mark
            return
        for i, good in enumerate(flags):
            if not good:
                ok[i] = False

    cells = {name: column(name) for name in _CHECKED_COLUMNS}
    # Each distinct kind and list cell resolved once: a file repeats them on every row.
    kind_of = cache(context.taxonomy.resolve_kind)
    themes_of = cache(lambda cell: _resolved(cell, context.taxonomy.resolve_theme) or None)
    regions_of = cache(partial(_resolved, resolve=context.gazetteer.resolve))
    actors_of = cache(lambda cell: tuple(dict.fromkeys(map(nfc, _split_list(cell, "", None)))))
    extra_cells = [[nfc(c).strip() for c in their_column(theirs)] for theirs in extras]
    extra_rows = (
        [tuple((c, v) for c, v in zip(extras, values) if v) for values in zip(*extra_cells)]
        if extras
        else [()] * n
    )
    ids = [c.strip() for c in cells["id"]]
    refuse([_ID.match(i) is not None for i in ids])
    default = context.default_report or ""
    given_reports = [c.strip() for c in cells["report_id"]]
    report_ids = [c or default for c in given_reports]
    reports = [context.reports.get(r) for r in report_ids]
    refuse([r is not None for r in reports])
    default_kind = context.default_kind or ""
    given_kinds = [c.strip() for c in cells["kind"]]
    kinds = [kind_of(c or default_kind) for c in given_kinds]
    refuse([k is not None for k in kinds])
    refuse([not c.lstrip().startswith(FORMULA_STARTS) for c in cells["title"]])
    refuse([not c.lstrip().startswith(FORMULA_STARTS) for c in cells["summary"]])
    titles = [nfc(c).strip() for c in cells["title"]]
    if not context.derive_titles:
        refuse(titles)
    themes = [themes_of(c) for c in cells["themes"]]
    refuse([t is not None for t in themes])
    regions = [regions_of(c) for c in cells["regions"]]
    refuse([r is not None for r in regions])
    actors = [actors_of(c) for c in cells["actors"]]
    numbers = {}
    for name in ("start", "end", "page"):
        # -1 marks a cell that is not a whole number (int() of decimal digits is never < 0).
        values = [
            int(c) if _whole_number(c) else (None if not c else -1)
            for c in map(str.strip, cells[name])
        ]
        refuse([v != -1 for v in values])
        numbers[name] = [None if v == -1 else v for v in values]
    refuse([p is None or p >= 1 for p in numbers["page"]])
    refuse([c.strip() for c in cells["excerpt"]])
    summaries = [nfc(c).strip() for c in cells["summary"]]
    rows: list[tuple | None] = [None] * n
    starts, ends, excerpts = numbers["start"], numbers["end"], cells["excerpt"]
    for i in range(n):
        if not ok[i]:
            continue
        report = reports[i]
        assert report is not None  # ok[i] holds only for rows of a known report
        text, start, end = report.text, starts[i], ends[i]
        right = at_offsets(text, nfc(excerpts[i]), start, end)  # anchor_excerpt's own check
        if right is not None:
            exact, prefix, suffix = right  # without building an Anchor per row
        else:
            anchor = anchor_excerpt(text, excerpts[i], start, end)
            if isinstance(anchor, AnchorError):
                continue
            exact, start, end, prefix, suffix = (
                anchor.exact,
                anchor.start,
                anchor.end,
                anchor.prefix,
                anchor.suffix,
            )
        derived: tuple[str, ...] = ()
        title = titles[i]
        if not title:
            title, derived = derive_title(exact), ("title",)
        if not given_reports[i]:
            derived = ("report_id", *derived)
        if not given_kinds[i]:
            derived = ("kind", *derived)
        rows[i] = (
            ids[i],
            report_ids[i],
            kinds[i],
            title,
            summaries[i],
            exact,
            start,
            end,
            prefix,
            suffix,
            themes[i],
            regions[i],
            actors[i],
            numbers["page"][i],
            source,
            extra_rows[i],
            _derived_order(derived),
        )
    return rows


def _derived_order(fields: Iterable[str]) -> tuple[str, ...]:
    present = set(fields)
    return tuple(f for f in ("report_id", "kind", "title") if f in present)


def _validate_row(
    values: dict[str, object],
    extra: Sequence[tuple[str, object]],
    number: int,
    file: str,
    context: Context,
    source: str,
) -> tuple[dict[str, object] | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, message: str, suggestion: str = "") -> None:
        problems.append(Problem(file, number, column, message, suggestion))

    values = dict(values)
    for column, value in list(values.items()):
        if isinstance(value, FormulaCell):
            problem(
                column,
                f"the cell holds the formula {value.formula!r} with no stored value",
                "open the file in Excel or LibreOffice and save it again (the value is then "
                "stored), or paste the cells as values",
            )
            values[column] = None
    kept: list[tuple[str, str]] = []
    for column, value in extra:
        if isinstance(value, FormulaCell):
            problem(
                column,
                f"the cell holds the formula {value.formula!r} with no stored value",
                "open the file in Excel or LibreOffice and save it again, or paste values",
            )
            continue
        cell = _extra_text(value)
        if len(cell) > MAX_FIELD_CHARS:
            problem(
                column,
                f"text is {len(cell):,} characters; the limit is {MAX_FIELD_CHARS:,}",
                "shorten it, or ignore this column",
            )
        elif cell.strip():
            kept.append((column, cell))

    text = {}
    for column in ("id", "report_id", "kind", "title", "summary", "excerpt"):
        value, error = _scalar_text(values.get(column))
        if error:
            problem(column, error, "put plain text in this cell")
        elif len(value) > MAX_FIELD_CHARS:
            problem(
                column,
                f"text is {len(value):,} characters; the limit is {MAX_FIELD_CHARS:,}",
                "shorten it: an excerpt is a passage, not the whole report",
            )
            value = ""
        elif column in ("title", "summary") and value.lstrip().startswith(FORMULA_STARTS):
            problems.append(
                Problem(
                    file,
                    number,
                    column,
                    f"text begins with {value.lstrip()[0]!r}, as a spreadsheet formula does",
                    "it is kept as text, and CSV downloads mark it so that no spreadsheet runs it",
                    severity="warning",
                )
            )
        text[column] = value

    finding_id = text["id"].strip()
    if not finding_id:
        problem("id", "id is empty", "give each finding a short unique id like 'hjs2017-ko-01'")
    elif not _ID.match(finding_id):
        problem(
            "id",
            f"id {finding_id!r} has characters that cannot go in a link",
            "use letters, digits, '.', '_' or '-', starting with a letter or digit",
        )

    derived = []
    report_id = text["report_id"].strip()
    if not report_id and context.default_report:
        report_id = context.default_report
        derived.append("report_id")
    report = context.reports.get(report_id)
    if not report_id:
        problem("report_id", "report_id is empty", "name the report this finding quotes")
    elif report is None:
        known = ", ".join(sorted(context.reports)) or "none loaded"
        problem("report_id", f"unknown report {report_id!r}", f"known reports: {known}")

    if not text["kind"].strip() and context.default_kind:
        text["kind"] = context.default_kind
        derived.append("kind")
    kind = context.taxonomy.resolve_kind(text["kind"])
    if kind is None:
        near = context.taxonomy.suggest_kind(text["kind"])
        problem(
            "kind",
            f"unknown kind {text['kind']!r}" if text["kind"].strip() else "kind is empty",
            f"did you mean {near!r}?"
            if near
            else "use one of: " + ", ".join(context.taxonomy.kind_keys),
        )

    title = nfc(text["title"]).strip()
    if not title and not context.derive_titles:
        problem("title", "title is empty", "write a short headline for the finding")

    themes = []
    for value in _list_items(
        values.get("themes"), "themes", problem, context.taxonomy.resolve_theme
    ):
        key = context.taxonomy.resolve_theme(value)
        if key is None:
            near = context.taxonomy.suggest_theme(value)
            problem(
                "themes",
                f"unknown theme {value!r}",
                f"did you mean {near!r}?"
                if near
                else "use one of: " + ", ".join(context.taxonomy.theme_keys),
            )
        elif key not in themes:
            themes.append(key)
    if not themes and not any(p.column == "themes" for p in problems):
        problem("themes", "no theme given", "give at least one theme, separated by ';'")

    regions = []
    for value in _list_items(values.get("regions"), "regions", problem, context.gazetteer.resolve):
        code = context.gazetteer.resolve(value)
        if code is None:
            nearest = context.gazetteer.suggest(value, limit=1)
            problem(
                "regions",
                f"unknown region {value!r}",
                f"did you mean {context.gazetteer.name(nearest[0])!r} ({nearest[0]})?"
                if nearest
                else "use a country, province or region name from the gazetteer",
            )
        elif code not in regions:
            regions.append(code)

    actors = []
    for value in _list_items(values.get("actors"), "actors", problem):
        value = nfc(value)
        if value not in actors:
            actors.append(value)

    start = _integer(values.get("start"), "start", problem)
    end = _integer(values.get("end"), "end", problem)
    page = _integer(values.get("page"), "page", problem)
    if page is not None and page < 1:
        problem(
            "page", f"page {page} is not a page number", "use a page number from 1, or leave blank"
        )
        page = None

    anchor = None
    if report is not None and text["excerpt"].strip():
        anchor = anchor_excerpt(report.text, text["excerpt"], start, end)
        if isinstance(anchor, AnchorError):
            problem(anchor.column, anchor.message, anchor.suggestion)
    elif not text["excerpt"].strip():
        problem("excerpt", "excerpt is empty", "copy the report's own words into the excerpt")

    if errors(problems) or anchor is None or isinstance(anchor, AnchorError):
        return (None if not finding_id else {"id": finding_id}), problems
    if not title:
        title = derive_title(anchor.exact)
        derived.append("title")
    return {
        "id": finding_id,
        "report_id": report_id,
        "kind": kind,
        "title": title,
        "summary": nfc(text["summary"]).strip(),
        "excerpt": anchor.exact,
        "start": anchor.start,
        "end": anchor.end,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "themes": tuple(themes),
        "regions": tuple(regions),
        "actors": tuple(actors),
        "page": page,
        "source": source,
        "extra": tuple(kept),
        "derived": _derived_order(derived),
    }, problems


def _extra_text(value: object) -> str:
    """An extra attribute's cell as text (a JSON list or object as JSON)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, (dict, list, tuple)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return nfc(str(value)).strip()


def _scalar_text(value: object) -> tuple[str, str]:
    """A cell as text, or an error for values that are not text (lists, objects)."""
    if value is None:
        return "", ""
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet
        return "", ""
    if isinstance(value, (dict, list, tuple)):
        return "", f"expected text, got a {type(value).__name__}"
    return str(value), ""


def _list_items(value: object, column: str, problem, resolve=None) -> list[str]:
    """A list cell's items (see :func:`_split_list`). With *resolve*, a cell split only at
    commas is first tried whole, so that a name with a comma in it (``"Iran, Islamic Republic
    of"``) is still one item."""
    if resolve is not None and isinstance(value, str) and "," in value:
        whole = value.strip()
        if not any(sep in whole for sep in ";|\n\r") and resolve(whole) is not None:
            return [whole]
    return _split_list(value, column, problem)


def _split_list(value: object, column: str, problem) -> list[str]:
    """A list cell: a JSON list of strings, or text separated by ';', '|' or line breaks (when
    it has any of them), else by commas."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (dict, list, tuple)) or item is None:
                problem(
                    column,
                    f"list items must be text, got {type(item).__name__}",
                    'write ["a", "b"]',
                )
                continue
            # One line per item: a line break separates items in a sheet's cell.
            items.append(
                " ".join(str(item).split()) if _BREAKS.search(str(item)) else str(item).strip()
            )
        return [i for i in items if i]
    if isinstance(value, dict):
        problem(column, "expected a list of names, got an object", 'write ["a", "b"] or "a; b"')
        return []
    return split_list_text(str(value))


#: More digits than any offset or page number has (Python refuses int() of over 4,300 digits).
MAX_NUMBER_DIGITS = 18


def _whole_number(text: str) -> bool:
    """*text* (stripped) is decimal digits, and not absurdly many of them."""
    return text.isdecimal() and len(text) <= MAX_NUMBER_DIGITS


def _integer(value: object, column: str, problem) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problem(column, f"expected a whole number, got {value!r}", "")
        return None
    number = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            number = int(value)
    elif isinstance(value, str) and _whole_number(value.strip()):
        number = int(value.strip())
    if number is not None and abs(number) < 10**MAX_NUMBER_DIGITS:  # fits the int64 columns
        return number
    problem(
        column,
        f"expected a whole number, got {value!r}",
        "leave blank to have it computed" if column in ("start", "end") else "",
    )
    return None
