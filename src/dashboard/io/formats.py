"""Reading what analysts bring: findings tables (CSV, TSV, pipe-separated text, JSON, Excel
.xlsx, LibreOffice .ods) and report texts (.txt, .pdf), whatever their encoding, with a located
problem for everything that cannot be read.

Nothing here raises on bad input; every function returns what it could read and a list of
:class:`~dashboard.core.problems.Problem`. Every table says how it was read (:class:`ReadAs`:
"semicolon-separated, Windows-1252, 14 rows"), so that an analyst can check it.

Tables are found where analysts put them: the header row may sit below title rows (the first
row within :data:`HEADER_SCAN_ROWS` that names at least two fields, see
:func:`dashboard.io.columns.match_field`), and a workbook's findings may be on any sheet (the
first sheet with such a header is read; :attr:`Table.sheet_notes` says why each was or was not).

This module holds the table every reader fills (:class:`Table`, :class:`ReadAs`), the limits,
:func:`read_table` (which picks the reader by the file name's ending), and the header finding and
grid building every reader shares. The readers: :mod:`~dashboard.io.delimited` (decoding and
delimited text), :mod:`~dashboard.io.json_tables` (JSON), :mod:`~dashboard.io.workbooks` (Excel,
LibreOffice); report texts: :mod:`~dashboard.io.report_files`. They import this module, so
:func:`read_table` imports them when it is called.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dashboard.core.problems import Problem
from dashboard.core.text import fold, unguard_formula
from dashboard.io.columns import match_field

#: Limits of one import. The upload limit in .streamlit/config.toml matches MAX_UPLOAD_MB.
MAX_UPLOAD_MB = 50
MAX_ROWS = 50_000
#: Most columns a findings table may have (a sheet of findings has tens).
MAX_COLUMNS = 200
MAX_FIELD_CHARS = 20_000
#: Rows looked at for the header row (title rows, blank rows and notes may come first).
HEADER_SCAN_ROWS = 30
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".ods")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
REPORT_SUFFIXES = (".txt", ".pdf")


@dataclass(frozen=True)
class FormulaCell:
    """A spreadsheet cell holding a formula whose value the file does not store (it was saved
    by a program that does not calculate, or with calculation off). Never evaluated."""

    formula: str

    def __str__(self) -> str:
        return ""


@dataclass
class ReadAs:
    """How a table was read, for the analyst to check."""

    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    rows: int = 0

    def describe(self) -> str:
        """In words, e.g. ``"semicolon-separated, Windows-1252, 14 rows"``.

        >>> ReadAs("CSV", "Windows-1252", "semicolon", header_row=1, rows=14).describe()
        'semicolon-separated, Windows-1252, 14 rows'
        >>> ReadAs("Excel workbook", sheet="Findings", header_row=3, rows=2).describe()
        "Excel workbook, sheet 'Findings', header on row 3, 2 rows"
        """
        parts = []
        if self.delimiter:
            parts.append(f"{self.delimiter}-separated")
        else:
            parts.append(self.format)
        if self.encoding:
            parts.append(self.encoding)
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        if self.header_row is not None and self.header_row > 1:
            parts.append(f"header on row {self.header_row}")
        noun = "record" if self.format == "JSON" else "row"
        parts.append(f"{self.rows:,} {noun}{'s' if self.rows != 1 else ''}")
        return ", ".join(parts)

    def as_dict(self) -> dict[str, object]:
        return {
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "sheet": self.sheet,
            "header_row": self.header_row,
        }


@dataclass
class Table:
    """Rows read from a file: one dict per row, with the row number a person sees."""

    records: list[dict[str, object]] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    read_as: ReadAs | None = None
    #: For a workbook: each sheet's name and why it was or was not read.
    sheet_notes: dict[str, str] = field(default_factory=dict)
    #: Every value of every record is text (delimited text): the loader need not look.
    text_cells: bool = False


def suffix_of(file: str) -> str:
    name = file.lower()
    return name[name.rfind(".") :] if "." in name else ""


def refused(file: str, message: str, suggestion: str, **kwargs) -> Table:
    """A table with nothing read and one problem saying why."""
    return Table(problems=[Problem(file, None, None, message, suggestion)], **kwargs)


def read_table(data: bytes, file: str, *, sheet: str | None = None) -> Table:
    """Read a findings table from the bytes of *file* (format from its name's ending)."""
    suffix = suffix_of(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return refused(
            file,
            f"the file is larger than {MAX_UPLOAD_MB} MB",
            f"split it into files of at most {MAX_ROWS:,} rows",
        )
    if suffix in WORKBOOK_SUFFIXES:
        from dashboard.io import ods, workbooks

        reader = ods.read_ods if suffix == ".ods" else workbooks.read_xlsx
        return _limit(reader(data, file, sheet), file)
    if suffix not in TABLE_SUFFIXES:
        return refused(
            file,
            f"cannot read {suffix or 'this'} files",
            "use CSV, JSON, Excel (.xlsx) or LibreOffice (.ods)",
        )
    from dashboard.io.delimited import decode_text, read_csv
    from dashboard.io.json_tables import read_json

    text, encoding, problems = decode_text(data, file)
    if text is None:
        return Table(problems=problems)
    if not text.strip():
        return refused(
            file,
            "the file is empty",
            "export the findings with a header row and one row per finding",
            encoding=encoding,
        )
    table = read_json(text, file) if suffix == ".json" else read_csv(text, file, suffix)
    table.encoding = encoding
    if table.read_as is not None:
        table.read_as.encoding = encoding
    return _limit(table, file)


def _limit(table: Table, file: str) -> Table:
    if len(table.records) > MAX_ROWS:
        table.problems.insert(
            0,
            Problem(
                file,
                None,
                None,
                f"the file has {len(table.records):,} findings; the limit is {MAX_ROWS:,} per file",
                "split it into several files",
            ),
        )
        table.records, table.numbers = [], []
    if table.read_as is not None:
        table.read_as.rows = len(table.records)
    return table


def too_wide(file: str, width: int, row: int | None = None) -> Table:
    """A table refused for having more than :data:`MAX_COLUMNS` columns."""
    return Table(
        problems=[
            Problem(
                file,
                row,
                None,
                f"the table has {width:,} columns; at most {MAX_COLUMNS:,} can be read",
                "delete the columns you do not need, or save only the findings' columns",
            )
        ]
    )


# --- the header row and the grid under it --------------------------------------------------------


def header_fields(row: Sequence[object]) -> set[str]:
    """The fields the cells of *row* name (cells longer than a column name are not names)."""
    found = set()
    for cell in row:
        if isinstance(cell, str) and 0 < len(cell) <= 60:
            match = match_field(cell)
            if match.field is not None:
                found.add(match.field)
    return found


def find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """The index of the header row: the first within :data:`HEADER_SCAN_ROWS` naming at least
    two fields; else the first naming one (a sheet of one column); else None."""
    single = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        named = header_fields(row)
        if len(named) >= 2:
            return index
        if named and single is None:
            single = index
    return single


def cell_value(value: object) -> object:
    """A spreadsheet cell as the loader takes it: text; whole numbers without ".0"; dates and
    times as ISO 8601; a formula without a stored value as :class:`FormulaCell`."""
    if value is None:
        return ""
    if isinstance(value, str):
        # A cell of our own formula-safe CSV exports reads back as the text it guards.
        return unguard_formula(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, FormulaCell):
        return value
    return str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def note_header_row(table: Table, file: str, at: int) -> None:
    """Say so when the header is not on the first row (title rows above it are not read)."""
    if at > 0:
        table.problems.append(
            Problem(
                file,
                at + 1,
                None,
                f"the header is on row {at + 1}; rows above it were not read",
                "nothing to do if that is right",
                severity="warning",
            )
        )


def build_table(
    table: Table,
    rows: Sequence[Sequence[object]],
    at: int,
    file: str,
    *,
    strict_width: bool = False,
    text_cells: bool = False,
) -> None:
    """Fill *table* from the grid *rows* with the header at index *at* (rows numbered from 1).

    Header cells are tidied (line breaks to spaces); an unnamed column with values is read as
    ``"[column N]"`` and a repeated name as ``"Name [column N]"``, each with a warning, so that no
    column's values are lost; a column with neither name nor values is left out. With
    *strict_width* (delimited text) a row with more non-blank cells than the header is refused:
    it usually means an unquoted delimiter. *text_cells* says that every cell is text and none
    begins with the ``'`` of a guarded formula, so that :func:`cell_value` would give each cell
    back as it is (delimited text without such a quote: the rows are then taken faster).
    """
    header = [(" ".join(str(cell_value(c)).split())) for c in rows[at]] if rows else []
    body = rows[at + 1 :]
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    # Values under blank header cells count; in delimited text only as far as the header row
    # has cells (a row longer than that is refused below).
    bound = len(header) if strict_width else None
    for cells in body:
        if len(cells) <= width:  # cannot widen the table
            continue
        last = len(cells) if bound is None else min(len(cells), bound)
        while last > width and _blank(cells[last - 1]):
            last -= 1
        width = max(width, last)
    if width > MAX_COLUMNS:
        table.problems.extend(too_wide(file, width, at + 1).problems)
        return
    header = header[:width] + [""] * (width - len(header))
    used = [bool(header[i]) for i in range(width)]
    unused = [i for i in range(width) if not used[i]]
    for cells in body:
        if not unused:
            break
        for i in [i for i in unused if i < len(cells) and not _blank(cells[i])]:
            used[i] = True
            unused.remove(i)
    names: list[str] = []
    keep: list[int] = []
    seen: dict[str, int] = {}
    folded: dict[str, int] = {}
    for i in range(width):
        if not used[i]:
            continue
        name = header[i]
        if not name:
            name = f"[column {i + 1}]"
            table.problems.append(
                Problem(
                    file,
                    at + 1,
                    f"column {i + 1}",
                    f"this column has no name (merged header cells?); its values are read as "
                    f"{name!r}",
                    "unmerge the header cells and give each column its own name",
                    severity="warning",
                )
            )
        elif name in seen:
            renamed = f"{name} [column {i + 1}]"
            table.problems.append(
                Problem(
                    file,
                    at + 1,
                    name,
                    f"two columns are named {name!r} (columns {seen[name]} and {i + 1}); the "
                    f"second is read as {renamed!r}",
                    "rename one of them",
                    severity="warning",
                )
            )
            name = renamed
        else:
            key = fold(name)
            if key in folded:
                table.problems.append(
                    Problem(
                        file,
                        at + 1,
                        name,
                        f"two columns are named alike: {header[folded[key] - 1]!r} (column "
                        f"{folded[key]}) and {name!r} (column {i + 1})",
                        "rename one of them",
                        severity="warning",
                    )
                )
            folded.setdefault(key, i + 1)
            seen[name] = i + 1
        names.append(name)
        keep.append(i)
    table.columns = names
    records, numbers = table.records, table.numbers
    # Text cells taken as they are, every column kept: a row is its cells under their names.
    whole = text_cells and keep == list(range(len(names)))
    for offset, cells in enumerate(body, start=at + 2):
        if whole and cells and str(cells[0]).strip():  # the common row: not blank, every cell
            if len(cells) == width:
                records.append(dict(zip(names, cells)))
                numbers.append(offset)
                continue
        elif all(_blank(c) for c in cells):
            continue
        if strict_width and len(cells) > width and any(not _blank(c) for c in cells[width:]):
            table.problems.append(
                Problem(
                    file,
                    offset,
                    None,
                    f"row has {len(cells)} cells but the header has {width}",
                    "quote cells that contain the delimiter",
                )
            )
            continue
        n = len(cells)
        records.append(
            {name: (cell_value(cells[i]) if i < n else "") for name, i in zip(names, keep)}
        )
        numbers.append(offset)
    if not records and not any(p.severity == "error" for p in table.problems):
        table.problems.append(
            Problem(
                file,
                None,
                None,
                "the file has a header but no findings",
                "add one row per finding below the header",
            )
        )


def rows_of(values: Iterable[Sequence[object]], limit: int) -> list[Sequence[object]]:
    """At most *limit* rows of an iterator of rows."""
    rows = []
    for row in values:
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows
