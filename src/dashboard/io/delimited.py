"""Delimited text (CSV, TSV, semicolon- or pipe-separated): decoding the bytes in one of
:data:`ENCODINGS`, sniffing the delimiter, and reading the rows into a
:class:`~dashboard.io.formats.Table`. :func:`decode_text` serves report texts too."""

from __future__ import annotations

import csv
import io
import re

from dashboard.core.problems import Problem
from dashboard.io.formats import (
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_MB,
    ReadAs,
    Table,
    build_table,
    find_header,
    note_header_row,
    refused,
    too_wide,
)

#: Encodings a text file may be in: what Excel, Word and text editors write.
ENCODINGS = ("UTF-8", "UTF-16", "Windows-1252")
_CODECS = {"UTF-8": "utf_8", "UTF-16": "utf_16", "Windows-1252": "cp1252"}
_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


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
        return _undecoded(
            file,
            "cannot tell which encoding this text is in (tried " + ", ".join(ENCODINGS) + ")",
            "save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')",
        )
    name = {"utf_16": "UTF-16", "cp1252": "Windows-1252"}.get(best.encoding, best.encoding)
    return str(best), name, []


def _decode(data: bytes, encoding: str, file: str) -> tuple[str | None, str | None, list[Problem]]:
    try:
        return data.decode(_CODECS[encoding]), encoding, []
    except UnicodeDecodeError as err:
        return _undecoded(
            file,
            f"the file says it is {encoding} but byte {err.start} is not",
            "save it again as UTF-8",
        )


def _undecoded(file: str, message: str, suggestion: str) -> tuple[None, None, list[Problem]]:
    """What :func:`decode_text` gives for bytes it cannot decode: no text, no encoding, why."""
    return None, None, [Problem(file, None, None, message, suggestion)]


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


def read_csv(text: str, file: str, suffix: str) -> Table:
    csv.field_size_limit(MAX_UPLOAD_MB * 1024 * 1024)
    delimiter = sniff_delimiter(text, suffix)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    try:
        for cells in reader:
            if len(cells) > MAX_COLUMNS and any(c.strip() for c in cells[MAX_COLUMNS:]):
                return too_wide(file, len(cells), reader.line_num)
            rows.append(cells)
            if len(rows) > MAX_ROWS + HEADER_SCAN_ROWS + 1:
                return refused(
                    file,
                    f"the file has more than {MAX_ROWS:,} findings; the limit is {MAX_ROWS:,} "
                    "per file",
                    "split it into several files",
                )
    except csv.Error as err:
        return refused(
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
    note_header_row(table, file, at)
    build_table(
        table, rows, at, file, strict_width=True, text_cells=not _may_guard(text, delimiter)
    )
    table.text_cells = True  # the csv module reads text, and cell_value keeps it text
    return table


def _may_guard(text: str, delimiter: str) -> bool:
    """Whether any cell of *text* may begin with the ``'`` that guards a formula in our own CSV
    exports (:func:`dashboard.core.text.guard_formula`): a cell begins at the start of the
    text, after a line break, after the delimiter or after its opening quotation mark."""
    return text.startswith("'") or re.search(f"[\r\n\"{re.escape(delimiter)}]'", text) is not None
