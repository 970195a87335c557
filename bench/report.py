"""The results of a run and the one writer of its report.

Every measure records plain dicts in :class:`Results` (saved as they are in latest.json) and
declares its part of the report as data: :class:`Table` s, each a heading, paragraphs before, the
columns (a header and how a row's cell is written), the rows, and paragraphs after. A table
without columns is prose only. :func:`markdown` writes every table to Markdown (latest.md) and
:func:`as_json` to JSON (the ``tables`` of latest.json), the cells as they appear in Markdown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Results:
    """Everything measured, in the order it was measured."""

    environment: dict
    sections: dict[str, list[dict]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, section: str, **record) -> dict:
        self.sections.setdefault(section, []).append(record)
        return record


@dataclass(frozen=True)
class Column:
    """A column of a table: its header, and its cell in a row: ``fmt(row[value])`` when *value*
    is a key, ``fmt(value(row))`` when it is a function. Numbers are right-aligned."""

    header: str
    value: str | Callable[[dict], object]
    fmt: Callable[[object], str] = str
    left: bool = False

    def cell(self, row: dict) -> str:
        raw = row[self.value] if isinstance(self.value, str) else self.value(row)
        return self.fmt(raw)


@dataclass(frozen=True)
class Table:
    """One part of the report. *title* is a heading of *level* (``##`` by default)."""

    columns: Sequence[Column] = ()
    rows: Sequence[dict] = ()
    title: str = ""
    level: int = 2
    intro: Sequence[str] = ()
    notes: Sequence[str] = ()

    def cells(self) -> list[list[str]]:
        return [[column.cell(row) for column in self.columns] for row in self.rows]


#: The first column of most tables: the corpus size ("10k"), or "bundled".
SIZE = Column("findings", "size")


def count(value: object) -> str:
    """A whole number with thousands separators."""
    return f"{value:,}"


def or_dash(fmt: Callable[[object], str]) -> Callable[[object], str]:
    """*fmt*, and "–" for a missing value."""
    return lambda value: "–" if value is None else fmt(value)


def markdown(tables: Sequence[Table]) -> list[str]:
    """The lines of *tables* in Markdown."""
    lines: list[str] = []
    for table in tables:
        if table.title:
            lines += ["#" * table.level + " " + table.title, ""]
        for paragraph in table.intro:
            lines += [paragraph, ""]
        if table.columns:
            lines.append("| " + " | ".join(c.header for c in table.columns) + " |")
            lines.append("|" + "".join("---|" if c.left else "---:|" for c in table.columns))
            lines += ["| " + " | ".join(row) + " |" for row in table.cells()]
            lines.append("")
        for paragraph in table.notes:
            lines += [paragraph, ""]
    return lines


def as_json(tables: Sequence[Table]) -> list[dict]:
    """*tables* as JSON-ready dicts: title, paragraphs, headers and the cells as written."""
    return [
        {
            "title": table.title,
            "intro": list(table.intro),
            "columns": [c.header for c in table.columns],
            "rows": table.cells(),
            "notes": list(table.notes),
        }
        for table in tables
    ]
