"""Errors as values with a place: which file, row and column, what is wrong, and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

PROBLEM_COLUMNS = ("severity", "file", "row", "column", "message", "suggestion")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows.

    ``row`` is the row number a person sees: in a CSV or spreadsheet the header is row 1 and the
    first finding row 2; in a JSON file, the 1-based position of the record. ``None`` means the
    problem concerns the whole file (or the whole column). An ``"error"`` keeps its row (or file)
    out; a ``"warning"`` only tells.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    suggestion: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        text = f"{where}: {self.message}"
        if self.suggestion:
            text += f" ({self.suggestion})"
        return text


def problems_frame(problems: Iterable[Problem]) -> pd.DataFrame:
    """The problems as a table for display; an empty list gives an empty table with the columns."""
    rows = [asdict(p) for p in problems]
    frame = pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    # A problem about the whole file has no column: show it blank, not "None".
    frame["column"] = frame["column"].fillna("")
    return frame


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that keep data out (not the warnings)."""
    return [p for p in problems if p.severity == "error"]
