"""Checking one finding's row field by field, with a located problem and a likely fix for
everything wrong (the path for every row that is not plain; see :mod:`dashboard.core.findings`),
and the cell helpers both paths share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from dashboard.core.periods import Period, PeriodProblem, parse_period
from dashboard.core.problems import Problem, errors
from dashboard.core.reports import AnchorError, Report, anchor_excerpt
from dashboard.core.text import nfc
from dashboard.io.columns import split_list_text
from dashboard.io.formats import MAX_FIELD_CHARS, FormulaCell

if TYPE_CHECKING:
    from dashboard.core.findings import Context

#: Longest title derived from an excerpt's opening words, in characters (the ellipsis included).
DERIVED_TITLE_CHARS = 72

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
#: First characters that make a spreadsheet run a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


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


def derived_order(fields: Iterable[str]) -> tuple[str, ...]:
    present = set(fields)
    return tuple(f for f in ("report_id", "kind", "title", "period") if f in present)


def period_cell(
    value: object, report: Report | None, day_first: bool | None
) -> tuple[str, bool, tuple[PeriodProblem, ...]]:
    """A period cell as ``(text, derived, problems)``: the period's canonical text, or (for a
    blank cell) the report's year with *derived* true, or ``""`` when neither is known. On an
    error the text is ``""``; warnings come with an accepted period."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if report is not None and report.year:
            return Period.year(report.year).text(), True, ()
        return "", False, ()
    parsed = parse_period(value, day_first=day_first)
    return (parsed.period.text() if parsed.period else ""), False, parsed.problems


def validate_row(
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
    elif not ID_PATTERN.match(finding_id):
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
    for value in list_items(
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
    for value in list_items(values.get("regions"), "regions", problem, context.gazetteer.resolve):
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
    for value in list_items(values.get("actors"), "actors", problem):
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

    period, period_derived, period_problems = period_cell(
        values.get("period"), report, context.day_first
    )
    problems.extend(p.at(file, number, "period") for p in period_problems)
    if period_derived:
        derived.append("period")

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
        "period": period,
        "source": source,
        "extra": tuple(kept),
        "derived": derived_order(derived),
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


def list_items(value: object, column: str, problem, resolve=None) -> list[str]:
    """A list cell's items (see :func:`_split_list`). With *resolve*, a cell split only at
    commas is first tried whole, so that a name with a comma in it (``"Iran, Islamic Republic
    of"``) is still one item."""
    if resolve is not None and isinstance(value, str) and "," in value:
        whole = value.strip()
        if not any(sep in whole for sep in ";|\n\r") and resolve(whole) is not None:
            return [whole]
    return split_list(value, column, problem)


def split_list(value: object, column: str, problem) -> list[str]:
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


def whole_number(text: str) -> bool:
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
    elif isinstance(value, str) and whole_number(value.strip()):
        number = int(value.strip())
    if number is not None and abs(number) < 10**MAX_NUMBER_DIGITS:  # fits the int64 columns
        return number
    problem(
        column,
        f"expected a whole number, got {value!r}",
        "leave blank to have it computed" if column in ("start", "end") else "",
    )
    return None
