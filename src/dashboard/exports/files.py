"""Exports of a findings view: CSV, JSON and GeoJSON bytes, and a safe download file name.

Every function is pure: a findings frame (rows of :data:`dashboard.core.findings.COLUMNS`) and the
corpus in, bytes out. The same input always gives the same bytes. Exports are data, not HTML:
text is written as it is, except that CSV cells are neutralised against formula injection.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd
import shapely
import shapely.geometry

from dashboard.core.periods import period_of_text
from dashboard.core.region_geometry import region_geometry
from dashboard.core.text import fold, guard_formula
from dashboard.views.cards import page_of

__all__ = [
    "CSV_FIELDS",
    "JSON_FIELDS",
    "export_rows",
    "neutralise_cell",
    "safe_filename",
    "to_csv",
    "to_geojson",
    "to_json",
]

#: Columns of the CSV export (and keys of :func:`export_rows`), in order.
CSV_FIELDS = (
    "id",
    "report_id",
    "report_title",
    "kind",
    "title",
    "summary",
    "excerpt",
    "start",
    "end",
    "themes",
    "theme_labels",
    "regions",
    "region_names",
    "actors",
    "page",
    "period",
    "period_first",
    "period_last",
    "source",
    "citation",
    "derived",
)
#: Keys of each finding in the JSON export and of each feature's properties in the GeoJSON.
JSON_FIELDS = (
    "id",
    "report_id",
    "report_title",
    "kind",
    "title",
    "summary",
    "excerpt",
    "start",
    "end",
    "prefix",
    "suffix",
    "themes",
    "theme_labels",
    "regions",
    "region_names",
    "actors",
    "page",
    "period",
    "period_first",
    "period_last",
    "source",
    "citation",
    "derived",
    "extra",
)

_SEPARATOR = "; "
_DECIMALS = 3
_FILE_PREFIX = "iskp-findings"
_MAX_FILENAME = 80


def neutralise_cell(value: str) -> str:
    """*value* guarded against spreadsheet formulas (:func:`dashboard.core.text.guard_formula`).

    >>> neutralise_cell("=1+1"), neutralise_cell("a=b"), neutralise_cell("")
    ("'=1+1", 'a=b', '')
    """
    return guard_formula(str(value))


# --- one record per finding --------------------------------------------------------------------


def _text(value: Any) -> str:
    """A text cell as a string; missing values (None, NaN, NA) as ''."""
    if value is None:
        return ""
    if not isinstance(value, str) and pd.isna(value):
        return ""
    return str(value)


def _items(value: Any) -> list[str]:
    """A list cell (a tuple of strings) as a list; missing as []."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Iterable):
        return [str(item) for item in value]
    return [] if pd.isna(value) else [str(value)]


def _pairs(value: Any) -> list[tuple[str, str]]:
    """A finding's extra attributes, ``(column, text)`` pairs in the file's order; missing as []."""
    if value is None or isinstance(value, str):
        return []
    try:
        return [(str(name), _text(text)) for name, text in value]
    except (TypeError, ValueError):
        return []


def extra_columns(findings: pd.DataFrame) -> list[str]:
    """The names of every extra attribute the findings carry, in order of first appearance."""
    if "extra" not in findings.columns:
        return []
    names: dict[str, None] = {}
    for value in findings["extra"]:
        for name, _ in _pairs(value):
            names.setdefault(name, None)
    return list(names)


def extra_header(name: str) -> str:
    """The CSV header of an extra attribute: its own name, unless one of ours has that name."""
    return f"extra: {name}" if name in CSV_FIELDS or name.startswith("extra: ") else name


def _page(value: Any) -> int | None:
    if value is None or pd.isna(value):
        return None
    return int(value)


def _record(finding: pd.Series, corpus) -> dict[str, Any]:
    """Every exported field of one finding, lists as lists and page as int or None."""
    report = corpus.reports.get(_text(finding.get("report_id")))
    page = _page(finding.get("page"))
    themes = _items(finding.get("themes"))
    regions = _items(finding.get("regions"))
    labels = []
    for key in themes:
        try:
            labels.append(corpus.taxonomy.theme(key).label)
        except KeyError:
            labels.append(key)
    gazetteer = corpus.gazetteer
    period = period_of_text(_text(finding.get("period")))
    return {
        "id": _text(finding.get("id")),
        "report_id": _text(finding.get("report_id")),
        "report_title": report.title if report is not None else "",
        "kind": _text(finding.get("kind")),
        "title": _text(finding.get("title")),
        "summary": _text(finding.get("summary")),
        "excerpt": _text(finding.get("excerpt")),
        "start": int(finding["start"]),
        "end": int(finding["end"]),
        "prefix": _text(finding.get("prefix")),
        "suffix": _text(finding.get("suffix")),
        "themes": themes,
        "theme_labels": labels,
        "regions": regions,
        "region_names": [gazetteer.name(c) if c in gazetteer else c for c in regions],
        "actors": _items(finding.get("actors")),
        "page": page,
        "period": _text(finding.get("period")),
        "period_first": period.first.isoformat() if period else "",
        "period_last": period.last.isoformat() if period else "",
        "source": _text(finding.get("source")),
        "citation": report.citation(page_of(finding, report)) if report is not None else "",
        "derived": _items(finding.get("derived")),
        "extra": dict(_pairs(finding.get("extra"))),
    }


def _records(findings: pd.DataFrame, corpus) -> list[dict[str, Any]]:
    return [_record(row, corpus) for _, row in findings.iterrows()]


def export_rows(findings: pd.DataFrame, corpus) -> list[dict[str, Any]]:
    """One flat dict per finding (keys :data:`CSV_FIELDS`), in the frame's order.

    Lists are joined with ``"; "``; a missing page is ``""``. Each extra attribute (a column
    of the analyst's own that the findings carry) follows as a column of its own
    (:func:`extra_header`), empty where a finding lacks it.
    """
    extras = extra_columns(findings)
    rows = []
    for record in _records(findings, corpus):
        row = {}
        for key in CSV_FIELDS:
            value = record[key]
            if isinstance(value, list):
                value = _SEPARATOR.join(value)
            elif value is None:
                value = ""
            row[key] = value
        for name in extras:
            row[extra_header(name)] = record["extra"].get(name, "")
        rows.append(row)
    return rows


# --- formats -----------------------------------------------------------------------------------


def to_csv(findings: pd.DataFrame, corpus) -> bytes:
    """The findings as CSV: UTF-8 with a BOM, a header row, every cell neutralised, CRLF lines."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    header = [*CSV_FIELDS, *(extra_header(n) for n in extra_columns(findings))]
    writer.writerow([neutralise_cell(name) for name in header])
    for row in export_rows(findings, corpus):
        writer.writerow([neutralise_cell(str(row[name])) for name in header])
    return buffer.getvalue().encode("utf-8-sig")


def _dump(data: Any, *, indent: int | None = 2) -> bytes:
    separators = None if indent else (",", ":")
    text = json.dumps(
        data, ensure_ascii=False, indent=indent, separators=separators, allow_nan=False
    )
    return (text + "\n").encode("utf-8")


def to_json(findings: pd.DataFrame, corpus, *, description: str = "") -> bytes:
    """The findings as UTF-8 JSON: ``{"description", "count", "findings": [...]}``.

    Each finding has the keys :data:`JSON_FIELDS`; lists stay JSON lists, page is a number or null.
    """
    records = _records(findings, corpus)
    return _dump({"description": description, "count": len(records), "findings": records})


def _rounded(value: Any) -> Any:
    """GeoJSON coordinates with every number rounded, tuples made lists."""
    if isinstance(value, (list, tuple)):
        return [_rounded(item) for item in value]
    if isinstance(value, float):
        rounded = round(value, _DECIMALS)
        return 0.0 if rounded == 0 else rounded  # no "-0.0"
    return value


def _finding_geometry(codes: list[str], corpus, geometry, cache: dict) -> dict | None:
    """GeoJSON geometry of the union of the spatial regions in *codes*, or None."""
    shapes = []
    for code in codes:
        if code not in corpus.gazetteer:
            continue
        if code not in cache:
            cache[code] = region_geometry(corpus.gazetteer, geometry, code)
        if cache[code] is not None and not cache[code].is_empty:
            shapes.append(cache[code])
    if not shapes:
        return None
    shape = shapes[0] if len(shapes) == 1 else shapely.union_all(shapes)
    shape = shapely.set_precision(shape, 10**-_DECIMALS)
    if shape.is_empty:
        return None
    mapped = shapely.geometry.mapping(shape)
    return {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])}


def to_geojson(findings: pd.DataFrame, corpus, geometry) -> bytes:
    """The findings as a GeoJSON FeatureCollection, one Feature per finding.

    A feature's ``id`` is the finding id; its geometry is the union of the spatial regions the
    finding names (coordinates rounded to 3 decimals), or null when it names none; its properties
    are the fields of :func:`to_json`. Written compactly: indenting the coordinates would triple
    the size.
    """
    cache: dict[str, Any] = {}
    features = []
    for record in _records(findings, corpus):
        features.append(
            {
                "type": "Feature",
                "id": record["id"],
                "geometry": _finding_geometry(record["regions"], corpus, geometry, cache),
                "properties": record,
            }
        )
    return _dump({"type": "FeatureCollection", "features": features}, indent=None)


# --- file names --------------------------------------------------------------------------------


def safe_filename(text: str, suffix: str) -> str:
    """A download file name for a view described by *text*: ASCII letters, digits, hyphens.

    >>> safe_filename("refugees · Pakistan", ".csv")
    'iskp-findings-refugees-pakistan.csv'
    >>> safe_filename("", ".csv")
    'iskp-findings.csv'
    >>> safe_filename("ISKP findings: propaganda", ".png")
    'iskp-findings-propaganda.png'
    """
    suffix = re.sub(r"[^a-z0-9]", "", str(suffix).lower())[:16]
    suffix = "." + suffix if suffix else ""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(str(text or "")).encode("ascii", "ignore").decode())
    slug = slug.strip("-")
    if slug == _FILE_PREFIX or slug.startswith(_FILE_PREFIX + "-"):
        slug = slug[len(_FILE_PREFIX) :]  # a title that already starts with the prefix
    stem = f"{_FILE_PREFIX}-{slug.strip('-')}".strip("-")
    stem = stem[: _MAX_FILENAME - len(suffix)].rstrip("-")
    return stem + suffix
