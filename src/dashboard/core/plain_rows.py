"""The fast path of validation: rows whose every cell is plain and right (the common case by
far) are accepted a column at a time, each distinct list cell and kind looked up once. Any other
row is left to :func:`~dashboard.core.row_checks.validate_row`, which gives the same row and
words its problems (``tests/test_findings.py`` checks the two against each other).
"""

from __future__ import annotations

from functools import cache, partial
from itertools import repeat
from typing import TYPE_CHECKING

from dashboard.core.reports import AnchorError, anchor_excerpt, at_offsets
from dashboard.core.row_checks import (
    FORMULA_STARTS,
    ID_PATTERN,
    derive_title,
    derived_order,
    list_items,
    period_cell,
    split_list,
    whole_number,
)
from dashboard.core.text import nfc
from dashboard.io.columns import EXTRA, FIELDS
from dashboard.io.formats import MAX_FIELD_CHARS

if TYPE_CHECKING:
    from dashboard.core.findings import Context


def _resolved(cell: str, resolve) -> tuple[str, ...] | None:
    """The distinct keys of a list cell's items, in order; None if any item is not known."""
    keys = []
    for value in list_items(cell, "", None, resolve):
        key = resolve(value)
        if key is None:
            return None
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _periods(records, theirs: str | None, reports, day_first) -> list[tuple[str, bool] | None]:
    """Each record's ``(period text, derived)``, or None when its cell calls for a problem (a
    notice included): :func:`~dashboard.core.row_checks.validate_row` then words it."""
    if theirs is None:
        cells: list = [None] * len(records)
    else:
        cells = list(map(dict.get, records, repeat(theirs)))
    by_year = {}
    out: list[tuple[str, bool] | None] = []
    for cell, report in zip(cells, reports):
        if report is None:
            out.append(None)  # refused for its report already
        elif cell is None or (type(cell) is str and not cell.strip()):
            year = report.year
            if year not in by_year:
                text, derived, _ = period_cell(None, report, day_first)
                by_year[year] = (text, derived)
            out.append(by_year[year])
        else:
            text, _, problems = period_cell(cell, report, day_first)
            out.append(None if problems else (text, False))
    return out


def plain_rows(
    records, mapping, context: Context, source: str, text_cells: bool = False
) -> list[tuple | None]:
    """For each record, its accepted row when nothing in it calls for a problem (not even a
    warning), else None: then :func:`~dashboard.core.row_checks.validate_row` decides, and says why.

    Works a column at a time (a list comprehension per check) rather than a row at a time: at a
    million findings that is most of the difference between a minute and seconds. With
    *text_cells* (every value of every record is text) the cells' types are not looked at.
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
        cells: list = list(map(dict.get, records, repeat(theirs)))
        if not (
            (text_cells or set(map(type, cells)) <= {str})
            and max(map(len, cells), default=0) <= MAX_FIELD_CHARS
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

    # Every field a column can map to; the period's cells are read as they are (a workbook's
    # date cells are dates, not text).
    cells = {name: column(name) for name in FIELDS if name != "period"}
    # Each distinct kind and list cell resolved once: a file repeats them on every row.
    kind_of = cache(context.taxonomy.resolve_kind)
    themes_of = cache(lambda cell: _resolved(cell, context.taxonomy.resolve_theme) or None)
    regions_of = cache(partial(_resolved, resolve=context.gazetteer.resolve))
    actors_of = cache(lambda cell: tuple(dict.fromkeys(map(nfc, split_list(cell, "", None)))))
    extra_cells = [[nfc(c).strip() for c in their_column(theirs)] for theirs in extras]
    extra_rows = (
        [tuple((c, v) for c, v in zip(extras, values) if v) for values in zip(*extra_cells)]
        if extras
        else [()] * n
    )
    ids = [c.strip() for c in cells["id"]]
    refuse([ID_PATTERN.match(i) is not None for i in ids])
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
            int(c) if whole_number(c) else (None if not c else -1)
            for c in map(str.strip, cells[name])
        ]
        refuse([v != -1 for v in values])
        numbers[name] = [None if v == -1 else v for v in values]
    refuse([p is None or p >= 1 for p in numbers["page"]])
    refuse([c.strip() for c in cells["excerpt"]])
    periods = _periods(records, ours_to_theirs.get("period"), reports, context.day_first)
    refuse([p is not None for p in periods])
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
        dated = periods[i]
        assert dated is not None  # a row whose period calls for a problem is not ok
        period, period_derived = dated
        if period_derived:
            derived = (*derived, "period")
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
            period,
            source,
            extra_rows[i],
            derived_order(derived) if derived else derived,
        )
    return rows
