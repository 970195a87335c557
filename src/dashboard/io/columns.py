"""Matching the columns of an analyst's sheet to the fields of a finding, in the analyst's words.

Every column ends up in exactly one of three places, never nowhere:

- a field of the finding (``"excerpt"``, ``"regions"``, ...);
- :data:`EXTRA`: kept with each finding as an extra attribute (the default for a column that
  matches no field, so nothing is dropped without the analyst saying so);
- :data:`IGNORE`: left out, by the analyst's explicit choice, which the import records.

Names are matched through the synonym table ``data/columns.toml``: first the folded name
(:func:`header_key`: case, accents, punctuation, ``(s)`` and plural endings ignored), then
fuzzy similarity (rapidfuzz) for misspellings. :func:`build_mapping` puts the analyst's own
choices (or a mapping remembered for the same headers) over the suggestions and refuses two
columns sent to one field.

>>> header_key("Theme(s)"), header_key("Finding_ID"), header_key("Countries")
('theme', 'finding id', 'country')
>>> suggest_mapping(["Finding ID", "Quote", "Province", "Theme(s)", "Actor"])["Province"].field
'regions'
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from dashboard import DATA_DIR
from dashboard.core.problems import Problem
from dashboard.core.text import fold

#: Targets that are not fields: keep the column with each finding, or leave it out.
EXTRA = "extra"
IGNORE = "ignore"
#: The fields of a finding a column can be mapped to, in the order the page lists them.
FIELDS = (
    "id",
    "report_id",
    "kind",
    "title",
    "summary",
    "excerpt",
    "themes",
    "regions",
    "actors",
    "start",
    "end",
    "page",
    "period",
)
TARGETS = (*FIELDS, EXTRA, IGNORE)
#: Fields whose cells are lists of names.
LIST_FIELDS = ("themes", "regions", "actors")
SYNONYMS_PATH = DATA_DIR / "columns.toml"
#: rapidfuzz ratio (0-100) from which a misspelt name counts as the field's.
FUZZY_CUTOFF = 88.0

_NON_WORD = re.compile(r"[\W_]+")
_OPTIONAL_S = re.compile(r"\(\s*(?:s|es)\s*\)")


def header_key(name: object) -> str:
    """A column name folded for matching: case, accents, punctuation, ``(s)`` and plurals off.

    >>> header_key("  Report_ID "), header_key("Actors / Groups"), header_key("Régions")
    ('report id', 'actor group', 'region')
    """
    text = _NON_WORD.sub(" ", _OPTIONAL_S.sub("", fold(str(name))))
    return " ".join(_singular(word) for word in text.split())


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


@dataclass(frozen=True)
class ColumnMatch:
    """How one column of the file was understood.

    ``how`` is ``"name"`` (the field's own name), ``"synonym"`` (a name from the synonym table),
    ``"fuzzy"`` (a near spelling, with ``score``) or ``""`` (no field: kept as extra).
    """

    column: str
    field: str | None
    how: str = ""
    score: float = 0.0

    def describe(self) -> str:
        if self.field is None:
            return "no field matches this name"
        if self.how == "fuzzy":
            return f"spelt like {self.field!r} ({self.score:.0f}% alike)"
        return "the field's own name" if self.how == "name" else "a usual name for this field"


@cache
def synonyms(path: Path = SYNONYMS_PATH) -> dict[str, tuple[str, ...]]:
    """The synonym table: field -> folded names, best first (the field's own name first)."""
    with open(path, "rb") as handle:
        table = tomllib.load(handle).get("fields", {})
    unknown = set(table) - set(FIELDS)
    if unknown:
        raise ValueError(f"{path}: unknown fields {sorted(unknown)}; fields are {FIELDS}")
    result: dict[str, tuple[str, ...]] = {}
    for field in FIELDS:
        names = [field.replace("_", " "), *table.get(field, [])]
        result[field] = tuple(dict.fromkeys(header_key(n) for n in names if header_key(n)))
    return result


@cache
def _lookup() -> tuple[dict[str, tuple[str, int]], tuple[str, ...]]:
    """Folded name -> (field, rank); a name listed under two fields belongs to the first."""
    lookup: dict[str, tuple[str, int]] = {}
    for field, names in synonyms().items():
        for rank, name in enumerate(names):
            lookup.setdefault(name, (field, rank))
    return lookup, tuple(lookup)


def match_field(name: object) -> ColumnMatch:
    """The field one column name stands for, on its own (without the other columns)."""
    column = str(name)
    key = header_key(column)
    if not key:
        return ColumnMatch(column, None)
    lookup, keys = _lookup()
    found = lookup.get(key)
    if found is not None:
        field, rank = found
        return ColumnMatch(column, field, "name" if rank == 0 else "synonym", 100.0 - rank)
    if len(key) >= 4:
        near = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if near is not None:
            return ColumnMatch(column, lookup[near[0]][0], "fuzzy", float(near[1]))
    return ColumnMatch(column, None)


def suggest_mapping(columns: Sequence[str]) -> dict[str, ColumnMatch]:
    """For every column, the field it is suggested for; each field goes to one column at most,
    the best-named one (the field's name, then the earlier synonym, then the earlier column)."""
    matches = {c: match_field(c) for c in columns}
    best: dict[str, tuple[tuple[int, float, int], str]] = {}
    for position, (column, match) in enumerate(matches.items()):
        if match.field is None:
            continue
        rank = ({"name": 0, "synonym": 1, "fuzzy": 2}[match.how], -match.score, position)
        if match.field not in best or rank < best[match.field][0]:
            best[match.field] = (rank, column)
    winners = {column: field for field, (_, column) in best.items()}
    return {
        column: match if winners.get(column) == match.field else ColumnMatch(column, None)
        for column, match in matches.items()
    }


def parse_target(text: str) -> str | None:
    """A mapping target as an analyst may type it (``"Themes"``, ``"keep"``, ``"skip"``)."""
    key = header_key(text)
    aliases = {"extra": EXTRA, "keep": EXTRA, "keep as extra": EXTRA, "ignore": IGNORE}
    aliases.update({"skip": IGNORE, "drop": IGNORE, "leave out": IGNORE, "none": IGNORE})
    if key in aliases:
        return aliases[key]
    for field in FIELDS:
        if key == header_key(field):
            return field
    match = match_field(text)
    return match.field if match.how in ("name", "synonym") else None


def build_mapping(
    columns: Sequence[str],
    chosen: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
    *,
    file: str = "",
) -> tuple[dict[str, str], list[Problem]]:
    """Every column's target: the analyst's choice, else the remembered one, else the
    suggestion, else :data:`EXTRA`. A suggested field taken by a chosen column goes to
    :data:`EXTRA`. Two chosen columns on one field, or an unknown target, are problems.
    """
    chosen = {str(k): v for k, v in (chosen or {}).items() if v is not None}
    remembered = {str(k): v for k, v in (remembered or {}).items() if str(k) in columns}
    problems: list[Problem] = []
    for column, target in chosen.items():
        if target not in TARGETS:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    f"unknown field {target!r} for column {column!r}",
                    "use one of: " + ", ".join(TARGETS),
                )
            )
    explicit = {**remembered, **{k: v for k, v in chosen.items() if v in TARGETS}}
    suggested = suggest_mapping(columns)
    mapping: dict[str, str] = {}
    taken = {v for k, v in explicit.items() if v in FIELDS and k in columns}
    for column in columns:
        if column in explicit:
            mapping[column] = explicit[column]
            continue
        field = suggested[column].field
        mapping[column] = field if field is not None and field not in taken else EXTRA
    owners: dict[str, list[str]] = {}
    for column, target in mapping.items():
        if target in FIELDS:
            owners.setdefault(target, []).append(column)
    for field, holders in owners.items():
        if len(holders) > 1:
            shown = " and ".join(repr(h) for h in holders)
            problems.append(
                Problem(
                    file,
                    1,
                    holders[1],
                    f"columns {shown} are both mapped to {field!r}",
                    f"map one of them to another field, to {EXTRA!r} (kept with each finding) "
                    f"or to {IGNORE!r}",
                )
            )
    return mapping, problems


def header_signature(columns: Iterable[str]) -> str:
    """A key for "a file with these headers": the same names in any order give the same key.

    >>> header_signature(["b", "a"]) == header_signature(["a", "b"])
    True
    """
    names = "\x1f".join(sorted(str(c) for c in columns))
    return hashlib.sha256(names.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def resolve_column(name: str, columns: Sequence[str]) -> str | None:
    """The column of *columns* an analyst means by *name*: exactly, else by folded name."""
    if name in columns:
        return name
    key = header_key(name)
    found = [c for c in columns if header_key(c) == key]
    return found[0] if len(found) == 1 else None


_STRONG_SEPARATORS = re.compile(r"\s*(?:[;|]|\r\n|\r|\n)\s*")
_COMMAS = re.compile(r"\s*,\s*")


def split_list_text(text: str) -> list[str]:
    """The items of a list cell: split on ``;``, ``|`` and line breaks when it has any, else on
    commas (so ``"Iran, Islamic Republic of; Pakistan"`` keeps its comma). Blank items go.

    >>> split_list_text("Baluchistan, Khyber Pakhtunkhwa")
    ['Baluchistan', 'Khyber Pakhtunkhwa']
    >>> split_list_text("a; b, c|d\\ne")
    ['a', 'b, c', 'd', 'e']
    """
    text = text.strip()
    if not text:
        return []
    if ";" in text or "|" in text or "\n" in text or "\r" in text:
        parts = _STRONG_SEPARATORS.split(text)
    elif "," in text:
        parts = _COMMAS.split(text)
    else:
        return [text]
    return [part for part in (p.strip() for p in parts) if part]
