"""The audit log as the admin page shows it and as its CSV export holds it."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

import pandas as pd

from dashboard.exports.files import neutralise_cell
from dashboard.io.store_audit import ACTIONS, AuditLine

#: The log's columns, in the order shown and exported.
COLUMNS = ("at", "who", "action", "format", "file", "findings", "link", "detail")
#: Details shown in columns of their own; the rest go in ``detail``, as JSON.
_OWN = ("format", "file", "findings", "link")


def audit_frame(lines: Sequence[AuditLine]) -> pd.DataFrame:
    """One row per line, newest first as given: when (UTC), who, what they did in words, and for
    an export its format, file, findings and the view's link; anything else in ``detail``."""
    rows = []
    for line in lines:
        rest = {k: v for k, v in line.detail.items() if k not in _OWN}
        rows.append(
            {
                "at": line.at,
                "who": line.who,
                "action": ACTIONS.get(line.action, line.action),
                "format": str(line.detail.get("format", "")),
                "file": str(line.detail.get("file", "")),
                "findings": _count(line.detail.get("findings")),
                "link": str(line.detail.get("link", "")),
                "detail": json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _count(value: object) -> str:
    """A count as shown and exported: digits, blank when the line has none."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def audit_csv(lines: Sequence[AuditLine]) -> bytes:
    """The lines as CSV for a spreadsheet: UTF-8 with a BOM, CRLF lines, and every cell that a
    spreadsheet would run as a formula neutralised (a name or a file name is the user's text)."""
    frame = audit_frame(lines)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for row in frame.itertuples(index=False):
        writer.writerow([neutralise_cell(str(v)) for v in row])
    return buffer.getvalue().encode("utf-8-sig")
