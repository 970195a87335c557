"""Findings between a frame and the store's rows: a loader's frame as rows to insert, stored rows
as the loader's frame, and the cells of an exported CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.core.findings import COLUMNS, LIST_COLUMNS, empty_findings
from dashboard.io.store_schema import FINDING_FIELDS

_TEXT_COLUMNS = ("id", "report_id", "kind", "title", "summary", "excerpt", "prefix", "suffix")


def findings_frame(rows: list[tuple]) -> pd.DataFrame:
    """Stored rows (in :data:`COLUMNS` order) as a findings frame, as the loader builds it."""
    if not rows:
        return empty_findings()
    records = []
    for row in rows:
        record = dict(zip(COLUMNS, row))
        for column in (*LIST_COLUMNS, "derived"):
            record[column] = tuple(json.loads(record[column]))
        record["extra"] = tuple((str(k), str(v)) for k, v in json.loads(record["extra"]))
        records.append(record)
    # Built exactly as the loader builds its frame, so dtypes agree on every pandas version.
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "page": "Int64"})


def list_cell(items: list[str]) -> str:
    """A list as one cell that the loader splits back into the same items: joined by ``;``,
    with a ``;`` after a single item that holds a comma (a cell of commas alone is split at
    them).

    >>> list_cell(["a", "b"]), list_cell(["Iran, Islamic Republic of"])
    ('a;b', 'Iran, Islamic Republic of;')
    """
    text = ";".join(items)
    if len(items) == 1 and "," in text:
        text += ";"
    return text


def csv_cell(value: object) -> str:
    r'''One CSV cell, quoted when it holds a comma, a quotation mark or a line break.

    As ``csv.writer(..., lineterminator="\n")`` writes it, except that a lone carriage return is
    quoted too: ``csv.writer`` leaves it bare, and a reader then splits the row there.

    >>> print(csv_cell('a, "b"'), csv_cell(7), csv_cell("plain"))
    "a, ""b""" 7 plain
    >>> csv_cell("a\rb") == '"a\rb"'
    True
    '''
    text = str(value)
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def file_label(file_name: str) -> str:
    """The name an import is listed under: the file's base name, as the analyst sees it."""
    label = str(file_name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    return label or "unnamed file"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _missing_list(value: Any) -> bool:
    return value is None or isinstance(value, (float, str))


def finding_row(values: Mapping[str, Any], import_id: int, source: str) -> tuple:
    row: dict[str, Any] = {"import_id": import_id, "source": source}
    for column in _TEXT_COLUMNS:
        value = values[column]
        row[column] = "" if _missing(value) else str(value)
    for column in LIST_COLUMNS:
        value = values[column]
        items = (
            []
            if value is None or isinstance(value, float)
            else [value]
            if isinstance(value, str)
            else list(value)
        )
        row[column] = json.dumps([str(item) for item in items], ensure_ascii=False)
    row["start"], row["end"] = int(values["start"]), int(values["end"])
    row["page"] = None if _missing(values["page"]) else int(values["page"])
    period = values.get("period")
    row["period"] = "" if _missing(period) else str(period)
    extra = values.get("extra")
    pairs = [] if extra is None or _missing_list(extra) else [[str(k), str(v)] for k, v in extra]
    row["extra"] = json.dumps(pairs, ensure_ascii=False)
    derived = values.get("derived")
    row["derived"] = json.dumps(
        [] if derived is None or _missing_list(derived) else [str(d) for d in derived],
        ensure_ascii=False,
    )
    return tuple(row[c] for c in FINDING_FIELDS)
