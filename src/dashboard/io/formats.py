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
"""

from __future__ import annotations

import csv
import io
import json
import re
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
#: Encodings a text file may be in: what Excel, Word and text editors write.
ENCODINGS = ("UTF-8", "UTF-16", "Windows-1252")
_CODECS = {"UTF-8": "utf_8", "UTF-16": "utf_16", "Windows-1252": "cp1252"}
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx", ".xlsm", ".ods")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods")
REPORT_SUFFIXES = (".txt", ".pdf")
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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


def _suffix(file: str) -> str:
    name = file.lower()
    return name[name.rfind(".") :] if "." in name else ""


def decode_text(
    data: bytes, file: str, *, advice: str = "export the findings as CSV (UTF-8), JSON or .xlsx"
) -> tuple[str | None, str | None, list[Problem]]:
    """Decode text bytes: a byte-order mark decides; then strict UTF-8; then the most coherent of
    the other encodings analysts' tools write. Returns the text, the encoding's name, problems.
    *advice* is the fix offered for a binary file."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "UTF-8", file)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "UTF-16", file)
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        return (
            None,
            None,
            [Problem(file, None, None, "this looks like a binary file, not text", advice)],
        )
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=[_CODECS[e] for e in ENCODINGS[1:]]).best()
    if best is None:
        return (
            None,
            None,
            [
                Problem(
                    file,
                    None,
                    None,
                    "cannot tell which encoding this text is in (tried "
                    + ", ".join(ENCODINGS)
                    + ")",
                    "save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
                )
            ],
        )
    name = {"utf_16": "UTF-16", "cp1252": "Windows-1252"}.get(best.encoding, best.encoding)
    return str(best), name, []


def _decode(data: bytes, encoding: str, file: str) -> tuple[str | None, str | None, list[Problem]]:
    try:
        return data.decode(_CODECS[encoding]), encoding, []
    except UnicodeDecodeError as err:
        return (
            None,
            None,
            [
                Problem(
                    file,
                    None,
                    None,
                    f"the file says it is {encoding} but byte {err.start} is not",
                    "save it again as UTF-8",
                )
            ],
        )


def _refused(file: str, message: str, suggestion: str, **kwargs) -> Table:
    return Table(problems=[Problem(file, None, None, message, suggestion)], **kwargs)


def read_table(data: bytes, file: str, *, sheet: str | None = None) -> Table:
    """Read a findings table from the bytes of *file* (format from its name's ending)."""
    suffix = _suffix(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return _refused(
            file,
            f"the file is larger than {MAX_UPLOAD_MB} MB",
            f"split it into files of at most {MAX_ROWS:,} rows",
        )
    if suffix in WORKBOOK_SUFFIXES:
        from dashboard.io import workbooks

        reader = workbooks.read_ods if suffix == ".ods" else workbooks.read_xlsx
        return _limit(reader(data, file, sheet), file)
    if suffix not in TABLE_SUFFIXES:
        return _refused(
            file,
            f"cannot read {suffix or 'this'} files",
            "use CSV, JSON, Excel (.xlsx) or LibreOffice (.ods)",
        )
    text, encoding, problems = decode_text(data, file)
    if text is None:
        return Table(problems=problems)
    if not text.strip():
        return _refused(
            file,
            "the file is empty",
            "export the findings with a header row and one row per finding",
            encoding=encoding,
        )
    table = _read_json(text, file) if suffix == ".json" else _read_csv(text, file, suffix)
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


# --- delimited text ------------------------------------------------------------------------------


def sniff_delimiter(text: str, suffix: str = ".csv") -> str:
    """The delimiter of a delimited text: of comma, semicolon, tab and pipe, the one that cuts
    the first lines into the same number (above one) of cells most often; comma when none does.

    >>> sniff_delimiter('id;quote;themes\\nx;"a, b";c\\n')
    ';'
    """
    sample = text[:65536]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_score = ("\t" if suffix == ".tsv" else ","), (0.0, 0)
    for delimiter in _DELIMITERS:
        widths = []
        try:
            for cells in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
                if "".join(cells).strip():
                    widths.append(len(cells))
                if len(widths) >= 50:
                    break
        except csv.Error:
            continue
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        if modal < 2:
            continue
        score = (widths.count(modal) / len(widths), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(text: str, file: str, suffix: str) -> Table:
    csv.field_size_limit(MAX_UPLOAD_MB * 1024 * 1024)
    delimiter = sniff_delimiter(text, suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
                return _too_wide(file, len(cells), reader.line_num)
            rows.append(cells)
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS + 1:
                return _refused(
                    file,
                    f"the file has more than {MAX_ROWS:,} findings; the limit is {MAX_ROWS:,} "
                    "per file",
                    "split it into several files",
                )
    except csv.Error as err:
        return _refused(
            file,
            f"not readable as CSV (line {reader.line_num}): {err}",
            "check for an unclosed quotation mark",
        )
    at = find_header(rows)
    if at is None:
        at = next((i for i, cells in enumerate(rows) if "".join(cells).strip()), 0)
    table = Table(
        read_as=ReadAs("CSV", delimiter=_DELIMITERS[delimiter], header_row=at + 1),
    )
    if delimiter != ",":
        table.problems.append(
            Problem(
                file,
                at + 1,
                None,
                f"read as {_DELIMITERS[delimiter]}-separated values",
                "nothing to do if that is right",
                severity="warning",
            )
        )
    _above_header(table, file, at)
    build_table(table, rows, at, file, strict_width=True)
    return table


def _too_wide(file: str, width: int, row: int | None = None) -> Table:
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


def _above_header(table: Table, file: str, at: int) -> None:
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


def build_table(
    table: Table,
    rows: Sequence[Sequence[object]],
    at: int,
    file: str,
    *,
    strict_width: bool = False,
) -> None:
    """Fill *table* from the grid *rows* with the header at index *at* (rows numbered from 1).

    Header cells are tidied (line breaks to spaces); an unnamed column with values is read as
    ``"[column N]"`` and a repeated name as ``"Name [column N]"``, each with a warning, so that no
    column's values are lost; a column with neither name nor values is left out. With
    *strict_width* (delimited text) a row with more non-blank cells than the header is refused:
    it usually means an unquoted delimiter.
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
        last = len(cells) if bound is None else min(len(cells), bound)
        while last > width and _blank(cells[last - 1]):
            last -= 1
        width = max(width, last)
    if width > MAX_COLUMNS:
        table.problems.extend(_too_wide(file, width, at + 1).problems)
        return
    header = header[:width] + [""] * (width - len(header))
    used = [bool(header[i]) for i in range(width)]
    for cells in body:
        for i in range(min(width, len(cells))):
            if not used[i] and not _blank(cells[i]):
                used[i] = True
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
    for offset, cells in enumerate(body, start=at + 2):
        if all(_blank(c) for c in cells):
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


# --- JSON ----------------------------------------------------------------------------------------

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _Object(dict):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, object]]) -> dict:
    result = _Object(pairs)
    if len(result) != len(pairs):
        counts: dict[str, int] = {}
        for key, _ in pairs:
            counts[key] = counts.get(key, 0) + 1
        result.duplicates = tuple(k for k, n in counts.items() if n > 1)
    return result


def _nested_duplicates(value: object) -> tuple[str, ...]:
    if isinstance(value, dict):
        found = tuple(getattr(value, "duplicates", ()))
        for item in value.values():
            found += _nested_duplicates(item)
        return found
    if isinstance(value, list):
        return tuple(k for item in value for k in _nested_duplicates(item))
    return ()


def _plain(value: object) -> object:
    """A JSON value with its objects as plain dicts."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return [_plain(v) for v in value]
    return value


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _read_json(text: str, file: str) -> Table:
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except (ValueError, RecursionError) as err:  # JSONDecodeError is a ValueError
        where = getattr(err, "lineno", None)
        if isinstance(err, json.JSONDecodeError):
            message = f"not valid JSON: {err}"
        elif isinstance(err, RecursionError):
            message = "not readable JSON: nested too deeply"
        else:  # Python refuses integers of more than 4,300 digits
            message = "not readable JSON: a number in it has thousands of digits"
        return Table(
            problems=[Problem(file, where, None, message, "check the file in a JSON validator")]
        )
    if isinstance(data, dict):
        repeated: tuple[str, ...] = getattr(data, "duplicates", ())
        if repeated:
            return _refused(
                file,
                f"the key {repeated[0]!r} is given twice in the file's top object",
                "keep one of them: a second value would silently replace the first",
            )
        if isinstance(data.get("findings"), list):
            data = data["findings"]
    if not isinstance(data, list):
        return _refused(
            file,
            "JSON must be a list of findings or an object with a 'findings' list",
            'write [{"id": ..., "excerpt": ...}, ...]',
        )
    if not data:
        return _refused(
            file, "the file has no findings", "add at least one finding object to the list"
        )
    table = Table(read_as=ReadAs("JSON"))
    # "\ud800"-style escapes can leave half of a UTF-16 pair in a string, which no text column
    # can hold: such records are refused, with the field named.
    halves = _SURROGATE_ESCAPE.search(text) is not None
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            table.problems.append(
                Problem(
                    file,
                    number,
                    None,
                    f"record is a {type(item).__name__}, not an object",
                    'each finding is an object: {"id": ..., ...}',
                )
            )
            continue
        repeated = _nested_duplicates(item)
        if repeated:
            table.problems.append(
                Problem(
                    file,
                    number,
                    repeated[0],
                    f"the key {repeated[0]!r} is given twice in this record",
                    "keep one of them: the second value would silently replace the first",
                )
            )
            continue
        broken = (
            [
                str(k).encode("utf-8", "backslashreplace").decode("utf-8")
                for k, v in item.items()
                if _has_lone_surrogate(v) or _has_lone_surrogate(k)
            ]
            if halves
            else []
        )
        if broken:
            table.problems.append(
                Problem(
                    file,
                    number,
                    broken[0],
                    "the text has half of a UTF-16 character pair (a lone \\ud800-\\udfff escape)",
                    "write the character itself, or drop it",
                )
            )
            continue
        table.records.append({k: _plain(v) for k, v in item.items()})
        table.numbers.append(number)
    columns = list(dict.fromkeys(str(k) for r in table.records for k in r))
    if len(columns) > MAX_COLUMNS:
        return _too_wide(file, len(columns))
    table.columns = columns
    for record in table.records:  # every record has every column ("" when absent)
        for column in columns:
            record.setdefault(column, None)
    return table


def rows_of(values: Iterable[Sequence[object]], limit: int) -> list[Sequence[object]]:
    """At most *limit* rows of an iterator of rows."""
    rows = []
    for row in values:
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


# --- report texts -------------------------------------------------------------------------------


def read_report_text(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """The text of a report file: a .txt in any of :data:`ENCODINGS`, or a PDF's text layer."""
    suffix = _suffix(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return None, [Problem(file, None, None, f"the file is larger than {MAX_UPLOAD_MB} MB", "")]
    if suffix == ".pdf":
        return _read_pdf(data, file)
    if suffix != ".txt":
        return None, [
            Problem(
                file,
                None,
                None,
                f"cannot read {suffix or 'this'} files as a report",
                "use a .txt file (UTF-8) or a PDF with a text layer",
            )
        ]
    text, _, problems = decode_text(
        data, file, advice="a report is a .txt file (UTF-8) or a PDF with a text layer"
    )
    if text is not None and not text.strip():
        return None, [Problem(file, None, None, "the report text is empty", "")]
    return text, problems


def _read_pdf(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                unlocked = bool(reader.decrypt(""))
            except Exception:  # pypdf raises several types for unsupported encryption
                unlocked = False
            if not unlocked:
                return None, [
                    Problem(
                        file,
                        None,
                        None,
                        "the PDF is password-protected",
                        "save an unprotected copy, or export its text to .txt",
                    )
                ]
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        return None, [
            Problem(
                file,
                None,
                None,
                f"not a readable PDF ({err})",
                "save it again as PDF, or export its text to .txt",
            )
        ]
    text = "\n\n".join(p.strip("\n") for p in pages)
    if not text.strip():
        return None, [
            Problem(
                file,
                None,
                None,
                "the PDF has no text layer (it is a scan or an image)",
                "run it through OCR first, or paste its text into a .txt file",
            )
        ]
    return text, [
        Problem(
            file,
            None,
            None,
            f"text taken from {len(pages)} PDF page(s)",
            "check line breaks and hyphenation: excerpts must match this text",
            severity="warning",
        )
    ]
