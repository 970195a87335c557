"""Reading findings from workbooks: Excel (.xlsx) and LibreOffice (.ods), sheet by sheet.

A workbook is a zip file whose parts can unpack to thousands of times their size, so before any
sheet is parsed the zip directory is checked (:data:`MAX_UNPACKED_MB` in all,
:data:`MAX_SHARED_STRINGS_MB` of Excel's shared strings), and while a sheet is streamed its rows,
columns and repeated cells are counted against the limits of :mod:`dashboard.io.formats`. Nothing
is ever evaluated: a formula is read as the value the file stores, and a formula without one
becomes a :class:`~dashboard.io.formats.FormulaCell`, which the loader reports as such.

.xlsx is read with python-calamine (Rust) when a scan of the workbook's XML proves it safe and
exact: every cell carries its reference, the sheets span at most :data:`MAX_FAST_CELLS` cells (the
Rust reader allocates a sheet's whole rectangle, so two far-apart cells would ask for gigabytes),
and the sheet read holds no formula, error cell or integer too long for a float. Otherwise it is
streamed with openpyxl in read-only mode, as exactly as before. .ods is read by
:mod:`dashboard.io.ods`, with the same zip checks and sheet choice.

At about 490 lines this module is over the project's usual 400: the zip checks, the choice of
sheet and both Excel readers (the fast one and the streaming one it falls back to) are one
reading path whose limits must agree, and ``tests/test_workbooks_speed_equivalence.py`` holds
the two readers to the same tables.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.etree import ElementTree

from dashboard.core.problems import Problem
from dashboard.io.formats import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    FormulaCell,
    ReadAs,
    Table,
    build_table,
    find_header,
    header_fields,
    note_header_row,
)

#: What a workbook may unpack to, in all, and Excel's table of shared strings alone.
MAX_UNPACKED_MB = 160
MAX_SHARED_STRINGS_MB = 64
MAX_PARTS = 10_000
#: Rows a sheet may have in all, blank ones included (real sheets carry some thousands of
#: formatted blank rows below the data).
MAX_SHEET_ROWS = MAX_ROWS + 100_000
#: The largest rectangle of cells (rows x columns) a sheet may span to be read by python-calamine,
#: which holds it whole (32 bytes a cell); a larger sheet is streamed with openpyxl.
MAX_FAST_CELLS = 2_000_000
_MB = 1024 * 1024


class _Refusal(Exception):
    def __init__(self, message: str, suggestion: str):
        super().__init__(message)
        self.message, self.suggestion = message, suggestion


def _check_zip(data: bytes, file: str, what: str) -> zipfile.ZipFile | Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        return _table_refused(
            file, f"not a readable {what} ({err})", f"save it again as {_format_hint(what)}"
        )
    unpacked = sum(p.file_size for p in parts)
    if len(parts) > MAX_PARTS:
        return _table_refused(
            file,
            f"the {what} has {len(parts):,} parts; a workbook of findings has tens",
            "save the findings sheet on its own as a new workbook or as CSV",
        )
    if unpacked > MAX_UNPACKED_MB * _MB:
        return _table_refused(
            file,
            f"the {what} unpacks to {unpacked / _MB:,.0f} MB; at most {MAX_UNPACKED_MB} MB can "
            "be read",
            "save only the findings sheet, without images or other sheets, or save it as CSV",
        )
    shared = sum(p.file_size for p in parts if p.filename.endswith("sharedStrings.xml"))
    if shared > MAX_SHARED_STRINGS_MB * _MB:
        return _table_refused(
            file,
            f"the workbook's text unpacks to {shared / _MB:,.0f} MB; at most "
            f"{MAX_SHARED_STRINGS_MB} MB can be read",
            "look for a cell holding a huge text; findings' cells are at most 20,000 characters",
        )
    return archive


def _format_hint(what: str) -> str:
    return ".ods from LibreOffice" if "OpenDocument" in what else ".xlsx from Excel"


def _table_refused(file: str, message: str, suggestion: str) -> Table:
    return Table(problems=[Problem(file, None, None, message, suggestion)])


# --- choosing the sheet ---------------------------------------------------------------------------


def _filled(row: Sequence[object]) -> bool:
    return any(c not in (None, "") for c in row)


def looks_like_findings(rows: Sequence[Sequence[object]]) -> bool:
    """A sheet's first rows look like findings: a header naming two fields, rows under it."""
    at = find_header(rows)
    if at is None or len(header_fields(rows[at])) < 2:
        return False
    return any(_filled(r) for r in rows[at + 1 :]) or len(rows) >= HEADER_SCAN_ROWS


def _choose(
    table: Table,
    file: str,
    names: Sequence[str],
    heads: dict[str, list[Sequence[object]]],
    sheet: str | None,
) -> str | None:
    """The sheet to read (notes on every sheet in ``table.sheet_notes``), or None with a problem."""
    table.sheets = list(names)
    candidates = []
    for name in names:
        rows = heads.get(name, [])
        at = find_header(rows)
        named = header_fields(rows[at]) if at is not None else set()
        if at is not None and len(named) >= 2:
            if looks_like_findings(rows):
                candidates.append(name)
                table.sheet_notes[name] = (
                    f"looks like findings: header on row {at + 1} names " + ", ".join(sorted(named))
                )
            else:
                table.sheet_notes[name] = "a header row but no rows below it"
        elif not any(_filled(r) for r in rows):
            table.sheet_notes[name] = "empty"
        else:
            table.sheet_notes[name] = (
                f"no row in its first {HEADER_SCAN_ROWS} names two finding columns"
            )
    listing = "; ".join(f"{n!r}: {table.sheet_notes[n]}" for n in names)
    if sheet is not None:
        if sheet not in names:
            table.problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"there is no sheet {sheet!r}",
                    "sheets: " + ", ".join(repr(n) for n in names),
                )
            )
            return None
        return sheet
    if not candidates:
        # A sheet with a header of findings but no rows, or the only sheet there is: read it,
        # and let the reading say what is wrong with it.
        headed = [n for n in names if table.sheet_notes[n] == "a header row but no rows below it"]
        if headed or len(names) == 1:
            return (headed or list(names))[0]
        table.problems.append(
            Problem(
                file,
                None,
                None,
                "no sheet looks like a table of findings (sheets: " + listing + ")",
                "choose the sheet to read, or put a header row (id, excerpt, themes, ...) above "
                "the findings",
            )
        )
        return None
    chosen = candidates[0]
    if len(names) > 1:
        others = [n for n in names if n != chosen]
        table.problems.append(
            Problem(
                file,
                None,
                None,
                f"read sheet {chosen!r}",
                "other sheets were not read: "
                + "; ".join(f"{n!r} ({table.sheet_notes[n]})" for n in others)
                + ". Choose another sheet to read it instead.",
                severity="warning",
            )
        )
    return chosen


def _grid(
    table: Table, rows: Iterable[Sequence[object]], file: str, sheet: str, what: str
) -> Table:
    """Read the chosen sheet's rows (streamed) into *table*, within the limits."""
    grid: list[Sequence[object]] = []
    filled = 0
    for count, row in enumerate(rows, start=1):
        last = len(row)
        while last and row[last - 1] in (None, ""):
            last -= 1
        if last > MAX_COLUMNS:
            table.problems.append(
                Problem(
                    file,
                    count,
                    None,
                    f"sheet {sheet!r} has cells in column {last:,}; at most {MAX_COLUMNS:,} "
                    "columns can be read",
                    "delete the columns you do not need, or save only the findings' columns",
                )
            )
            return table
        if last:
            filled += 1
        if filled > MAX_ROWS + HEADER_SCAN_ROWS or count > MAX_SHEET_ROWS:
            table.problems.append(
                Problem(
                    file,
                    None,
                    None,
                    f"sheet {sheet!r} has more than {MAX_ROWS:,} rows; the limit is "
                    f"{MAX_ROWS:,} per file",
                    "split it into several files",
                )
            )
            return table
        grid.append(row[:last])
    at = find_header(grid)
    if at is None:
        at = next((i for i, r in enumerate(grid) if r), 0)
    table.sheet = sheet
    table.read_as = ReadAs(what, sheet=sheet, header_row=at + 1)
    note_header_row(table, file, at)
    build_table(table, grid, at, file)
    return table


# --- Excel ----------------------------------------------------------------------------------------


def read_xlsx(data: bytes, file: str, sheet: str | None = None) -> Table:
    """The findings table of an Excel workbook (the first sheet that looks like one, or *sheet*)."""
    checked = _check_zip(data, file, "Excel workbook")
    if isinstance(checked, Table):
        return checked
    fast = _read_xlsx_fast(data, checked, file, sheet)
    if fast is not None:
        return fast
    return _read_xlsx_openpyxl(data, checked, file, sheet)


def _read_xlsx_openpyxl(
    data: bytes, checked: zipfile.ZipFile, file: str, sheet: str | None
) -> Table:
    """The workbook streamed with openpyxl: any sheet, however large, formulas included."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many types for a damaged file
        return _table_refused(
            file, f"not a readable Excel workbook ({err})", "save it again from Excel as .xlsx"
        )
    try:
        sheets = {ws.title: ws for ws in workbook.worksheets if ws.sheet_state == "visible"}
        heads = {}
        for name, ws in sheets.items():
            ws.reset_dimensions()  # a sheet's stated size may lie: read the cells there are
            heads[name] = _first_rows(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)
        table = Table()
        chosen = _choose(table, file, list(sheets), heads, sheet)
        if chosen is None:
            return table
        rows: Iterable[Sequence[object]] = sheets[chosen].iter_rows(values_only=True)
        formulas = None
        if _has_formulas(checked, getattr(sheets[chosen], "_worksheet_path", "")):
            formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            other = formulas[chosen]
            other.reset_dimensions()
            rows = _with_formulas(rows, other.iter_rows(values_only=True))
        try:
            return _grid(table, rows, file, chosen, "Excel workbook")
        finally:
            if formulas is not None:
                formulas.close()
    except Exception as err:  # a damaged part found while streaming
        return _table_refused(
            file, f"not a readable Excel workbook ({err})", "save it again from Excel as .xlsx"
        )
    finally:
        workbook.close()


# --- Excel, fast: python-calamine behind a scan of the XML ----------------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_LONG_INTEGER = re.compile(rb"<v>\s*-?[0-9]{16,}")
_SCAN_CHUNK = 4 * _MB


class _Scan:
    """What the scan of one part found: its extent, and what only openpyxl reads exactly."""

    def __init__(self) -> None:
        self.rows = self.columns = 0
        self.exact = True  # no formula, error cell or long integer


def _scan_part(archive: zipfile.ZipFile, name: str) -> _Scan | None:
    """The part's extent, or None when a cell lacks its reference (the extent is then unknown)."""
    scan, tail = _Scan(), b""
    columns: set[bytes] = set()
    with archive.open(name) as part:
        while True:
            chunk = part.read(_SCAN_CHUNK)
            piece = tail + chunk
            if chunk:  # cut after the last '>', so that no tag is split between pieces
                cut = piece.rfind(b">") + 1
                piece, tail = piece[:cut], piece[cut:]
                if len(tail) > _SCAN_CHUNK:
                    return None
            tags = piece.count(b"<c ") + piece.count(b"<c>") + piece.count(b"<c/>")
            rows = _CELL_ROW.findall(piece)
            if len(rows) != tags or b":c " in piece or b":c>" in piece or b":c/" in piece:
                return None  # a cell without a leading reference, or a prefixed element
            if rows:
                columns.update(_CELL_COLUMN.findall(piece))
                scan.rows = max(scan.rows, *map(int, set(rows)))
            if scan.exact and (
                b"<f>" in piece
                or b"<f " in piece
                or b"<f/>" in piece
                or b't="e"' in piece
                or _LONG_INTEGER.search(piece)
            ):
                scan.exact = False
            if not chunk:
                break
    for letters in columns:
        number = 0
        for letter in letters:
            number = number * 26 + letter - 64
        scan.columns = max(scan.columns, number)
    return scan


def _scan_workbook(archive: zipfile.ZipFile) -> dict[str, _Scan] | None:
    """Each visible sheet's scan by name, when every part the workbook points to was scanned and
    spans at most :data:`MAX_FAST_CELLS`; None when the fast reader is not safe here."""
    names = set(archive.namelist())
    try:
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, ElementTree.ParseError, OSError, zipfile.BadZipFile):
        return None
    targets: dict[str, list[str]] = {}
    for rel in rels.iter(_REL_NS):
        target = rel.get("Target", "")
        # Every spelling a reader might resolve the target to; a missing one is simply absent.
        found = {
            t
            for t in (target.lstrip("/"), "xl/" + target, posixpath.normpath("xl/" + target))
            if t in names
        }
        targets[rel.get("Id", "")] = sorted(found)
    scans: dict[str, _Scan] = {}
    for part in sorted({t for found in targets.values() for t in found}):
        scan = _scan_part(archive, part)
        if scan is None or scan.rows > MAX_SHEET_ROWS or scan.columns > MAX_COLUMNS:
            return None
        if scan.rows * scan.columns > MAX_FAST_CELLS:
            return None
        scans[part] = scan
    by_sheet: dict[str, _Scan] = {}
    for entry in book.iter(f"{_MAIN_NS}sheet"):
        parts = targets.get(entry.get(_DOC_REL, ""), [])
        if len(parts) != 1:
            return None
        by_sheet[entry.get("name", "")] = scans[parts[0]]
    return by_sheet


def _read_xlsx_fast(
    data: bytes, archive: zipfile.ZipFile, file: str, sheet: str | None
) -> Table | None:
    """The table read with python-calamine, or None where openpyxl must read it."""
    try:
        scans = _scan_workbook(archive)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError):
        return None
    if scans is None:
        return None
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:  # damaged: openpyxl says how, as it always has
        return None
    try:
        names = [
            m.name
            for m in workbook.sheets_metadata
            if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible
        ]
        if any(n not in scans for n in names):
            return None
        grids = {}
        for name in names:
            grids[name] = _calamine_rows(workbook.get_sheet_by_name(name))
        heads = {n: _first_rows(iter(rows), HEADER_SCAN_ROWS) for n, rows in grids.items()}
        table = Table()
        chosen = _choose(table, file, names, heads, sheet)
        if chosen is None:
            return table
        if not scans[chosen].exact:
            return None  # formulas or error cells: openpyxl tells them apart
        return _grid(table, grids[chosen], file, chosen, "Excel workbook")
    except Exception:
        return None
    finally:
        workbook.close()


def _calamine_rows(ws: Any) -> list[Sequence[object]]:
    """The sheet's rows from row 1 and column A, as openpyxl streams them."""
    if ws.start is None:
        return []
    pad = [None] * ws.start[1]
    return [[*pad, *row] if pad else row for row in ws.iter_rows()]


def _first_rows(rows: Iterator[Sequence[object]], n: int) -> list[Sequence[object]]:
    head = []
    for row in rows:
        last = len(row)
        while last and row[last - 1] in (None, ""):
            last -= 1
        head.append(row[: min(last, MAX_COLUMNS + 1)])
        if len(head) >= n:
            break
    return head


def _has_formulas(archive: zipfile.ZipFile, path: str) -> bool:
    """Whether the sheet's XML has a formula element (streamed, in 1 MB pieces)."""
    path = path.lstrip("/")
    try:
        with archive.open(path) as part:
            tail = b""
            while chunk := part.read(_MB):
                piece = tail + chunk
                if b"<f>" in piece or b"<f " in piece or b":f>" in piece or b":f " in piece:
                    return True
                tail = chunk[-8:]
    except (KeyError, OSError, zipfile.BadZipFile):
        return True  # when unsure, look at the formulas
    return False


def _with_formulas(
    values: Iterable[Sequence[object]], formulas: Iterable[Sequence[object]]
) -> Iterator[Sequence[object]]:
    """Rows of stored values, a formula without a stored value as a FormulaCell."""
    for row, source in zip(values, formulas):
        if None in row:
            cells = list(row)
            for i, value in enumerate(cells):
                formula = source[i] if i < len(source) else None
                if value is None and isinstance(formula, str) and formula.startswith("="):
                    cells[i] = FormulaCell(formula)
            yield cells
        else:
            yield row
