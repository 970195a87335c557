"""Findings tables in JSON: a list of objects, or ``{"findings": [...]}``, read into a
:class:`~dashboard.io.formats.Table`, with every key repeated in an object and every lone
surrogate named as a problem."""

from __future__ import annotations

import json
import re

from dashboard.core.problems import Problem
from dashboard.io.formats import (
    MAX_COLUMNS,
    ReadAs,
    Table,
    refused,
    too_wide,
)

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


def read_json(text: str, file: str) -> Table:
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
            return refused(
                file,
                f"the key {repeated[0]!r} is given twice in the file's top object",
                "keep one of them: a second value would silently replace the first",
            )
        if isinstance(data.get("findings"), list):
            data = data["findings"]
    if not isinstance(data, list):
        return refused(
            file,
            "JSON must be a list of findings or an object with a 'findings' list",
            'write [{"id": ..., "excerpt": ...}, ...]',
        )
    if not data:
        return refused(
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
        return too_wide(file, len(columns))
    table.columns = columns
    for record in table.records:  # every record has every column ("" when absent)
        for column in columns:
            record.setdefault(column, None)
    return table
