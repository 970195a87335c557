"""Findings: reading them from CSV or JSON, validating every field, anchoring every excerpt.

The loader never raises on bad input. It returns the findings it could accept and a list of
:class:`~dashboard.problems.Problem` values, each naming file, row, column, what is wrong and the
likely fix. A row with any problem is left out of the accepted findings; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from dashboard.problems import Problem, errors
from dashboard.readers import MAX_FIELD_CHARS, read_table
from dashboard.regions import Gazetteer
from dashboard.reports import AnchorError, Report, anchor_excerpt
from dashboard.taxonomy import Taxonomy
from dashboard.text import fold, nfc

#: Columns of a findings frame, in order. List fields hold tuples of strings.
COLUMNS = ("id", "report_id", "kind", "title", "summary", "excerpt", "start", "end", "prefix",
           "suffix", "themes", "regions", "actors", "page", "source")
LIST_COLUMNS = ("themes", "regions", "actors")
REQUIRED = ("id", "kind", "title", "excerpt", "themes")
OPTIONAL = ("report_id", "summary", "start", "end", "regions", "actors", "page")
INPUT_COLUMNS = REQUIRED + OPTIONAL

#: Other names analysts give these columns, matched after case and spacing are folded.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("finding id", "finding_id", "identifier", "ref", "reference"),
    "report_id": ("report", "report id", "document", "source report"),
    "kind": ("type", "finding type", "category", "kind of finding"),
    "title": ("headline", "heading", "name"),
    "summary": ("description", "note", "notes", "analyst summary"),
    "excerpt": ("quote", "quotation", "verbatim", "passage", "extract", "text"),
    "start": ("start offset", "offset", "begin", "char start"),
    "end": ("end offset", "stop", "char end"),
    "themes": ("theme", "topic", "topics", "tags"),
    "regions": ("region", "place", "places", "location", "locations", "geography"),
    "actors": ("actor", "groups", "organisations", "organizations", "entities"),
    "page": ("page number", "pages", "p", "pp"),
}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_LIST_SPLIT = re.compile(r"\s*[;|]\s*")
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
    """A findings frame with no rows and every column."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in COLUMNS}).astype(
        {"start": "int64", "end": "int64", "page": "Int64"})


# --- reading ----------------------------------------------------------------------------------


def match_columns(columns: Iterable[str]) -> dict[str, str]:
    """Map the file's column names to ours: exact, then folded, then known synonyms.

    >>> match_columns(["ID", "Quote", "Theme", "Headline", "Type"])
    {'ID': 'id', 'Quote': 'excerpt', 'Theme': 'themes', 'Headline': 'title', 'Type': 'kind'}
    """
    lookup: dict[str, str] = {}
    for ours in INPUT_COLUMNS:
        lookup[_col_key(ours)] = ours
        for other in SYNONYMS.get(ours, ()):
            lookup.setdefault(_col_key(other), ours)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        ours = lookup.get(_col_key(str(column)))
        if ours and ours not in taken:
            mapping[str(column)] = ours
            taken.add(ours)
    return mapping


def _col_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", fold(name)).strip()


# --- validating -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a findings file is checked against."""

    reports: Mapping[str, Report]
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    existing_ids: frozenset[str] = frozenset()
    default_report: str | None = None


def load_findings_bytes(data: bytes, file: str, context: Context,
                        column_map: Mapping[str, str] | None = None,
                        source: str = "bundled", sheet: str | None = None) -> LoadResult:
    """Read, validate and anchor the findings in *data* (the bytes of a file named *file*).

    *column_map* maps the file's column names to ours, over what is matched automatically.
    """
    table = read_table(data, file, sheet=sheet)
    records, numbers, problems = table.records, table.numbers, table.problems
    if not records:
        return LoadResult(empty_findings(), problems)
    columns = table.columns
    mapping = dict(match_columns(columns))
    if column_map:
        mapping.update(column_map)
    header_problems = _check_header(columns, mapping, file, context)
    if header_problems:
        return LoadResult(empty_findings(), problems + header_problems)
    rows, row_problems = _validate_rows(records, numbers, mapping, file, context, source)
    frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else empty_findings()
    if rows:
        frame = frame.astype({"start": "int64", "end": "int64", "page": "Int64"})
    return LoadResult(frame, problems + row_problems)


def load_findings(path: Path, context: Context, source: str = "bundled") -> LoadResult:
    path = Path(path)
    return load_findings_bytes(path.read_bytes(), str(path), context, source=source)


def _check_header(columns: Sequence[str], mapping: Mapping[str, str], file: str,
                  context: Context) -> list[Problem]:
    present = set(mapping.values())
    needed = list(REQUIRED) + ([] if context.default_report else ["report_id"])
    unmatched = [c for c in columns if c not in mapping]
    problems = []
    for column in needed:
        if column in present:
            continue
        near = process.extractOne(column, unmatched, scorer=fuzz.WRatio, score_cutoff=75,
                                  processor=_col_key) if unmatched else None
        hint = (f"is the column {near[0]!r} meant to be {column!r}? rename it"
                if near else f"add a column named {column!r}")
        problems.append(Problem(file, 1, column, f"required column {column!r} is missing", hint))
    return problems


def _validate_rows(records, numbers, mapping, file, context, source):
    rows, problems = [], []
    seen: dict[str, int] = {}
    for record, number in zip(records, numbers):
        values = {ours: record.get(theirs) for theirs, ours in mapping.items()}
        row, row_problems = _validate_row(values, number, file, context, source)
        if row is not None:
            previous = seen.get(row["id"])
            if previous is not None:
                row_problems.append(Problem(file, number, "id",
                                            f"duplicate id {row['id']!r} (also row {previous})",
                                            "give each finding its own id"))
            elif row["id"] in context.existing_ids:
                row_problems.append(Problem(file, number, "id",
                                            f"id {row['id']!r} is already in use by a loaded finding",
                                            "choose a new id, or remove the earlier finding first"))
            else:
                seen[row["id"]] = number
        problems.extend(row_problems)
        if row is not None and not errors(row_problems):
            rows.append(row)
    return rows, problems


def _validate_row(values: dict[str, object], number: int, file: str, context: Context,
                  source: str) -> tuple[dict[str, object] | None, list[Problem]]:
    problems: list[Problem] = []

    def problem(column: str, message: str, suggestion: str = "") -> None:
        problems.append(Problem(file, number, column, message, suggestion))

    text = {}
    for column in ("id", "report_id", "kind", "title", "summary", "excerpt"):
        value, error = _scalar_text(values.get(column))
        if error:
            problem(column, error, "put plain text in this cell")
        elif len(value) > MAX_FIELD_CHARS:
            problem(column, f"text is {len(value):,} characters; the limit is {MAX_FIELD_CHARS:,}",
                    "shorten it: an excerpt is a passage, not the whole report")
            value = ""
        elif column in ("title", "summary") and value.lstrip().startswith(FORMULA_STARTS):
            problems.append(Problem(file, number, column,
                                    f"text begins with {value.lstrip()[0]!r}, as a spreadsheet "
                                    "formula does", "it is kept as text, and CSV downloads "
                                    "mark it so that no spreadsheet runs it",
                                    severity="warning"))
        text[column] = value

    finding_id = text["id"].strip()
    if not finding_id:
        problem("id", "id is empty", "give each finding a short unique id like 'hjs2017-ko-01'")
    elif not _ID.match(finding_id):
        problem("id", f"id {finding_id!r} has characters that cannot go in a link",
                "use letters, digits, '.', '_' or '-', starting with a letter or digit")

    report_id = text["report_id"].strip() or (context.default_report or "")
    report = context.reports.get(report_id)
    if not report_id:
        problem("report_id", "report_id is empty", "name the report this finding quotes")
    elif report is None:
        known = ", ".join(sorted(context.reports)) or "none loaded"
        problem("report_id", f"unknown report {report_id!r}", f"known reports: {known}")

    kind = context.taxonomy.resolve_kind(text["kind"])
    if kind is None:
        near = context.taxonomy.suggest_kind(text["kind"])
        problem("kind", f"unknown kind {text['kind']!r}" if text["kind"].strip() else "kind is empty",
                f"did you mean {near!r}?" if near else
                "use one of: " + ", ".join(context.taxonomy.kind_keys))

    title = nfc(text["title"]).strip()
    if not title:
        problem("title", "title is empty", "write a short headline for the finding")

    themes = []
    for value in _split_list(values.get("themes"), "themes", problem):
        key = context.taxonomy.resolve_theme(value)
        if key is None:
            near = context.taxonomy.suggest_theme(value)
            problem("themes", f"unknown theme {value!r}",
                    f"did you mean {near!r}?" if near else
                    "use one of: " + ", ".join(context.taxonomy.theme_keys))
        elif key not in themes:
            themes.append(key)
    if not themes and not any(p.column == "themes" for p in problems):
        problem("themes", "no theme given", "give at least one theme, separated by ';'")

    regions = []
    for value in _split_list(values.get("regions"), "regions", problem):
        code = context.gazetteer.resolve(value)
        if code is None:
            near = context.gazetteer.suggest(value, limit=1)
            problem("regions", f"unknown region {value!r}",
                    f"did you mean {context.gazetteer.name(near[0])!r} ({near[0]})?"
                    if near else "use a country, province or region name from the gazetteer")
        elif code not in regions:
            regions.append(code)

    actors = []
    for value in _split_list(values.get("actors"), "actors", problem):
        value = nfc(value)
        if value not in actors:
            actors.append(value)

    start = _integer(values.get("start"), "start", problem)
    end = _integer(values.get("end"), "end", problem)
    page = _integer(values.get("page"), "page", problem)
    if page is not None and page < 1:
        problem("page", f"page {page} is not a page number", "use a page number from 1, or leave blank")
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
    }, problems


def _scalar_text(value: object) -> tuple[str, str]:
    """A cell as text, or an error for values that are not text (lists, objects)."""
    if value is None:
        return "", ""
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet
        return "", ""
    if isinstance(value, (dict, list, tuple)):
        return "", f"expected text, got a {type(value).__name__}"
    return str(value), ""


def _split_list(value: object, column: str, problem) -> list[str]:
    """A list cell: a JSON list of strings, or text separated by ';' or '|'."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (dict, list, tuple)) or item is None:
                problem(column, f"list items must be text, got {type(item).__name__}",
                        'write ["a", "b"]')
                continue
            items.append(str(item).strip())
        return [i for i in items if i]
    if isinstance(value, dict):
        problem(column, "expected a list of names, got an object", 'write ["a", "b"] or "a; b"')
        return []
    text = str(value).strip()
    if ";" not in text and "|" not in text:  # one item or none: no need for the pattern
        return [text] if text else []
    return [part for part in _LIST_SPLIT.split(text) if part]


def _integer(value: object, column: str, problem) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        problem(column, f"expected a whole number, got {value!r}", "")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            return int(value)
    elif isinstance(value, str) and value.strip().isdecimal():  # = fullmatch(r"\s*\d+\s*")
        return int(value)
    problem(column, f"expected a whole number, got {value!r}", "leave blank to have it computed"
            if column in ("start", "end") else "")
    return None
