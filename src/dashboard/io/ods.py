"""Reading findings from LibreOffice (.ods) spreadsheets.

Read with the standard library's incremental XML parser, since the libraries that read .ods build
the whole document in memory and expand repeated rows (a few bytes can ask for a million rows);
the zip checks and the choice of sheet are those of :mod:`dashboard.io.workbooks`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from dashboard.io.formats import HEADER_SCAN_ROWS, MAX_COLUMNS, FormulaCell, Table
from dashboard.io.workbooks import (
    MAX_SHEET_ROWS,
    _check_zip,
    _choose,
    _grid,
    _Refusal,
    _table_refused,
    looks_like_findings,
)

# --- OpenDocument ---------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_T_TABLE, _T_ROW = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
_T_CELL, _T_COVERED = f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell"
_T_NAME = f"{{{_TABLE}}}name"
_ROWS_REPEATED = f"{{{_TABLE}}}number-rows-repeated"
_COLS_REPEATED = f"{{{_TABLE}}}number-columns-repeated"
_FORMULA = f"{{{_TABLE}}}formula"
_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
_ANNOTATION = f"{{{_OFFICE}}}annotation"
_P, _H = f"{{{_TEXT}}}p", f"{{{_TEXT}}}h"
_S, _TAB, _BREAK = f"{{{_TEXT}}}s", f"{{{_TEXT}}}tab", f"{{{_TEXT}}}line-break"


def read_ods(data: bytes, file: str, sheet: str | None = None) -> Table:
    """The findings table of a LibreOffice (.ods) spreadsheet."""
    what = "OpenDocument spreadsheet"
    checked = _check_zip(data, file, what)
    if isinstance(checked, Table):
        return checked
    try:
        with checked.open("content.xml") as part:
            start = part.read(4096)
        if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
            return _table_refused(
                file,
                "the spreadsheet's XML declares entities, which spreadsheets never need",
                "save it again from LibreOffice as .ods",
            )
        with checked.open("content.xml") as part:
            tables = _ods_tables(part, sheet, file)
    except _Refusal as refusal:
        return _table_refused(file, refusal.message, refusal.suggestion)
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError, ValueError) as err:
        return _table_refused(
            file, f"not a readable {what} ({err})", "save it again from LibreOffice as .ods"
        )
    table = Table()
    names = list(tables)
    heads = {n: rows[:HEADER_SCAN_ROWS] for n, rows in tables.items()}
    chosen = _choose(table, file, names, heads, sheet)
    if chosen is None:
        return table
    return _grid(table, tables[chosen], file, chosen, what)


def _cell_text(cell: ElementTree.Element) -> str:
    paragraphs = []
    for child in cell:
        if child.tag in (_P, _H):
            parts: list[str] = []
            _inline(child, parts)
            paragraphs.append("".join(parts))
    return "\n".join(paragraphs)


def _inline(element: ElementTree.Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if child.tag == _S:
            parts.append(" " * int(child.get(f"{{{_TEXT}}}c", "1") or 1))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n")
        elif child.tag != _ANNOTATION:
            _inline(child, parts)
        if child.tail:
            parts.append(child.tail)


def _ods_value(cell: ElementTree.Element) -> object:
    kind = cell.get(_VALUE_TYPE)
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(f"{{{_OFFICE}}}value")
        if raw is not None:
            number = float(raw)
            return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if kind == "date":
        return cell.get(f"{{{_OFFICE}}}date-value", "").removesuffix("T00:00:00")
    if kind == "time":
        return cell.get(f"{{{_OFFICE}}}time-value", "")
    if kind == "boolean":
        return "TRUE" if cell.get(f"{{{_OFFICE}}}boolean-value") == "true" else "FALSE"
    text = _cell_text(cell)
    if not text and kind is None and cell.get(_FORMULA):
        return FormulaCell(cell.get(_FORMULA, "").removeprefix("of:"))
    return text


def _ods_tables(part: Any, sheet: str | None, file: str) -> dict[str, list[Sequence[object]]]:
    """Each table's rows, streamed: the first :data:`HEADER_SCAN_ROWS` of every table, and all of
    the one to be read (*sheet*, else the first whose head looks like findings)."""
    tables: dict[str, list[Sequence[object]]] = {}
    chosen: str | None = sheet
    name = ""
    rows: list[Sequence[object]] = []
    row: list[object] = []
    blank_cells = blank_rows = 0
    keep_all = False
    total_rows = 0

    def wanted() -> bool:
        return keep_all or len(rows) < HEADER_SCAN_ROWS

    def decide() -> None:
        nonlocal keep_all, chosen
        if chosen is None and looks_like_findings(rows):
            chosen = name
        keep_all = chosen == name

    def add_row(values: Sequence[object]) -> None:
        nonlocal total_rows
        total_rows += 1
        if total_rows > MAX_SHEET_ROWS * 2:
            raise _Refusal(
                f"the spreadsheet has more than {MAX_SHEET_ROWS * 2:,} rows",
                "save only the findings sheet, as .ods or CSV",
            )
        if wanted():
            rows.append(values)
            if len(rows) == HEADER_SCAN_ROWS and not keep_all:
                decide()

    for event, element in ElementTree.iterparse(part, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _T_TABLE:
                name, rows, keep_all = element.get(_T_NAME, f"Sheet{len(tables) + 1}"), [], False
                blank_rows = 0
                if chosen == name:
                    keep_all = True
            elif tag == _T_ROW:
                row, blank_cells = [], 0
            continue
        if tag in (_T_CELL, _T_COVERED):
            repeat = int(element.get(_COLS_REPEATED, "1") or 1)
            value = _ods_value(element) if tag == _T_CELL else ""
            element.clear()
            if value in ("", None):
                blank_cells += repeat
                continue
            width = len(row) + blank_cells + repeat
            if width > MAX_COLUMNS:
                raise _Refusal(
                    f"sheet {name!r} has cells in column {width:,}; at most {MAX_COLUMNS:,} "
                    "columns can be read",
                    "delete the columns you do not need, or save only the findings' columns",
                )
            row.extend([""] * blank_cells)
            row.extend([value] * repeat)
            blank_cells = 0
        elif tag == _T_ROW:
            repeat = int(element.get(_ROWS_REPEATED, "1") or 1)
            element.clear()
            if not row:
                blank_rows += repeat
                continue
            if blank_rows:
                if not wanted() and not keep_all:
                    blank_rows = 0
                for _ in range(min(blank_rows, MAX_SHEET_ROWS + 1)):
                    add_row(())
                blank_rows = 0
            for _ in range(min(repeat, MAX_SHEET_ROWS + 1)):
                add_row(tuple(row))
        elif tag == _T_TABLE:
            if not keep_all and len(rows) < HEADER_SCAN_ROWS:
                decide()
            tables[name] = rows
            element.clear()
    return tables
