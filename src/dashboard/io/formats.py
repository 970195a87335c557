"""Reading what analysts bring: findings tables (CSV, TSV, JSON, Excel) and report texts (.txt,
.pdf), whatever their encoding, with a located problem for everything that cannot be read.

Nothing here raises on bad input; every function returns what it could read and a list of
:class:`~dashboard.core.problems.Problem`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field

from dashboard.core.problems import Problem
from dashboard.core.text import fold

#: Limits of one import. The upload limit in .streamlit/config.toml matches MAX_UPLOAD_MB.
MAX_UPLOAD_MB = 50
MAX_ROWS = 50_000
MAX_FIELD_CHARS = 20_000
#: Encodings a text file may be in: what Excel, Word and text editors write.
ENCODINGS = ("UTF-8", "UTF-16", "Windows-1252")
_CODECS = {"UTF-8": "utf_8", "UTF-16": "utf_16", "Windows-1252": "cp1252"}
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".xlsx")
REPORT_SUFFIXES = (".txt", ".pdf")
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Column names that mark a header row (used to find it below title rows in a spreadsheet).
_HEADER_WORDS = {
    "id",
    "excerpt",
    "quote",
    "title",
    "theme",
    "themes",
    "kind",
    "type",
    "regions",
    "region",
    "report",
    "report id",
    "report_id",
    "summary",
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


def _suffix(file: str) -> str:
    name = file.lower()
    return name[name.rfind(".") :] if "." in name else ""


def decode_text(data: bytes, file: str) -> tuple[str | None, str | None, list[Problem]]:
    """Decode text bytes: a byte-order mark decides; then strict UTF-8; then the most coherent of
    the other encodings analysts' tools write. Returns the text, the encoding's name, problems."""
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
            [
                Problem(
                    file,
                    None,
                    None,
                    "this looks like a binary file, not text",
                    "export the findings as CSV (UTF-8), JSON or .xlsx",
                )
            ],
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


def read_table(data: bytes, file: str, *, sheet: str | None = None) -> Table:
    """Read a findings table from the bytes of *file* (format from its name's ending)."""
    suffix = _suffix(file)
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    f"the file is larger than {MAX_UPLOAD_MB} MB",
                    f"split it into files of at most {MAX_ROWS:,} rows",
                )
            ]
        )
    if suffix == ".xlsx":
        return _read_xlsx(data, file, sheet)
    if suffix not in TABLE_SUFFIXES:
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    f"cannot read {suffix or 'this'} files",
                    "use CSV, JSON or Excel (.xlsx)",
                )
            ]
        )
    text, encoding, problems = decode_text(data, file)
    if text is None:
        return Table(problems=problems)
    if not text.strip():
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    "the file is empty",
                    "export the findings with a header row and one row per finding",
                )
            ],
            encoding=encoding,
        )
    table = _read_json(text, file) if suffix == ".json" else _read_csv(text, file)
    table.encoding = encoding
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
    return table


def _sniff_delimiter(text: str) -> str:
    """The delimiter of a delimited text: comma unless the header has none and another one."""
    first = text.split("\n", 1)[0]
    if "," in first:
        return ","
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _read_csv(text: str, file: str) -> Table:
    csv.field_size_limit(MAX_UPLOAD_MB * 1024 * 1024)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as err:
        return Table(
            problems=[
                Problem(
                    file,
                    reader.line_num,
                    None,
                    f"not readable as CSV: {err}",
                    "check for an unclosed quotation mark",
                )
            ]
        )
    table = Table()
    if delimiter != ",":
        table.problems.append(
            Problem(
                file,
                1,
                None,
                f"read as {_DELIMITERS[delimiter]}-separated values",
                "nothing to do if that is right",
                severity="warning",
            )
        )
    header = [h.strip() for h in rows[0]]
    table.columns = header
    _check_header_cells(header, file, table.problems)
    # Rows are numbered as a spreadsheet shows them: the header is row 1, and a cell with line
    # breaks in it is still one row.
    width = len(header)
    records, numbers = table.records, table.numbers
    for line, row in enumerate(rows[1:], start=2):
        if not "".join(row).strip():  # no cell with anything but white space in it
            continue
        if len(row) > width and "".join(row[width:]).strip():
            table.problems.append(
                Problem(
                    file,
                    line,
                    None,
                    f"row has {len(row)} cells but the header has {width}",
                    "quote cells that contain commas",
                )
            )
            continue
        records.append(
            dict(zip(header, row if len(row) >= width else row + [""] * (width - len(row))))
        )
        numbers.append(line)
    if not table.records and not any(p.severity == "error" for p in table.problems):
        table.problems.append(
            Problem(
                file,
                None,
                None,
                "the file has a header but no findings",
                "add one row per finding below the header",
            )
        )
    return table


def _check_header_cells(header: list[str], file: str, problems: list[Problem]) -> None:
    for number, name in enumerate(header, start=1):
        if not name and number < len(header):
            problems.append(
                Problem(
                    file,
                    1,
                    f"column {number}",
                    "this column has no name (merged header cells?)",
                    "unmerge the header cells and give each column its own name",
                    severity="warning",
                )
            )
    seen: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        key = fold(name)
        if key and key in seen:
            problems.append(
                Problem(
                    file,
                    1,
                    name,
                    f"two columns are named {name!r} (columns {seen[key]} and {number})",
                    "rename one of them",
                    severity="warning",
                )
            )
        seen.setdefault(key, number)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


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
        data = json.loads(text)
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
    if isinstance(data, dict) and isinstance(data.get("findings"), list):
        data = data["findings"]
    if not isinstance(data, list):
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    "JSON must be a list of findings or an object with a 'findings' list",
                    'write [{"id": ..., "excerpt": ...}, ...]',
                )
            ]
        )
    if not data:
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    "the file has no findings",
                    "add at least one finding object to the list",
                )
            ]
        )
    table = Table()
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
        table.records.append(item)
        table.numbers.append(number)
    table.columns = list(dict.fromkeys(str(k) for r in table.records for k in r))
    return table


def _read_xlsx(data: bytes, file: str, sheet: str | None) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        return Table(
            problems=[
                Problem(
                    file,
                    None,
                    None,
                    f"not a readable Excel workbook ({err})",
                    "save it again from Excel as .xlsx",
                )
            ]
        )
    try:
        names = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
        table = Table(sheets=names)
        if sheet is None:
            candidates = [n for n in names if _header_row(_rows(workbook[n], 10)) is not None]
            if len(candidates) == 1 or (candidates and len(names) == 1):
                sheet = candidates[0]
            elif not candidates:
                table.problems.append(
                    Problem(
                        file,
                        None,
                        None,
                        "no sheet has a header row with finding columns",
                        "put a header row (id, title, excerpt, themes, "
                        "...) at the top of the sheet",
                    )
                )
                return table
            else:
                table.problems.append(
                    Problem(
                        file,
                        None,
                        None,
                        "the workbook has several sheets of findings: " + ", ".join(candidates),
                        "choose the sheet to import",
                    )
                )
                return table
        if sheet not in names:
            table.problems.append(
                Problem(
                    file, None, None, f"there is no sheet {sheet!r}", "sheets: " + ", ".join(names)
                )
            )
            return table
        table.sheet = sheet
        if len(names) > 1:
            others = ", ".join(n for n in names if n != sheet)
            table.problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"read sheet {sheet!r}",
                    f"other sheets were not read: {others}",
                    severity="warning",
                )
            )
        rows = _rows(workbook[sheet], MAX_ROWS + 20)
        at = _header_row(rows[:10])
        if at is None:
            table.problems.append(
                Problem(
                    file, None, None, "no header row found", "put the column names in the first row"
                )
            )
            return table
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
        header = ["" if v is None else str(v).strip() for v in rows[at]]
        while header and not header[-1]:
            header.pop()
        table.columns = header
        _check_header_cells(header, file, table.problems)
        for offset, row in enumerate(rows[at + 1 :], start=at + 2):
            cells = ["" if v is None else v for v in row[: len(header)]]
            if not any(str(c).strip() for c in cells):
                continue
            table.records.append(dict(zip(header, cells + [""] * (len(header) - len(cells)))))
            table.numbers.append(offset)
        if not table.records:
            table.problems.append(
                Problem(
                    file,
                    None,
                    None,
                    "the sheet has a header but no findings",
                    "add one row per finding below the header",
                )
            )
        return _limit(table, file)
    finally:
        workbook.close()


def _rows(worksheet, limit: int) -> list[tuple]:
    rows = []
    for row in worksheet.iter_rows(values_only=True):
        rows.append(row)
        if len(rows) >= limit:
            break
    return rows


def _header_row(rows: list[tuple]) -> int | None:
    """Index of the first row with at least two cells that are finding column names."""
    for index, row in enumerate(rows):
        words = {fold(str(v)).strip() for v in row if v is not None}
        if len(words & _HEADER_WORDS) >= 2:
            return index
    return None


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
    text, _, problems = decode_text(data, file)
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
                unlocked = reader.decrypt("")
            except Exception:  # pypdf raises several types for unsupported encryption
                unlocked = 0
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
