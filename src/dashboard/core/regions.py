"""The gazetteer of regions: codes, names, aliases, levels and hierarchy (the map geometry is in
:mod:`dashboard.core.region_geometry`).

A *region* is anything a finding can be located in: a country (``AF``, ``PK`` and the
neighbours drawn for orientation), a province (ISO 3166-2, e.g. ``AF-NAN``), a
supra-region drawn as the union of its member countries (``AFPAK``, ``SOUTH-ASIA``) or a
non-spatial region listed beside the map (``GLOBAL``, ``CYBERSPACE``, ...).

The gazetteer lives in ``data/regions/gazetteer.csv`` (hand-curated); see
``data/regions/README.md``.

This module is over 400 lines because :class:`Gazetteer` alone is about 400: one index whose
checks, name resolution, suggestions and hierarchy all read the same tables built in its
constructor. Split across files, one look-up would have to be followed through several.

Nothing here is cached: callers cache the loader (it is cheap and returns a fresh object on
each call).

>>> gazetteer = load_gazetteer()
>>> gazetteer.resolve("Ningarhar")
'AF-NAN'
>>> gazetteer.name("PK-KP")
'Khyber Pakhtunkhwa'
"""

from __future__ import annotations

import csv
import functools
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas
from rapidfuzz import fuzz, process

from dashboard import DATA_DIR

from .text import fold, name_key

__all__ = [
    "COLUMNS",
    "LEVELS",
    "Gazetteer",
    "GazetteerError",
    "Region",
    "load_gazetteer",
]

#: The levels of a region, coarsest spatial first.
LEVELS = ("country", "province", "supra", "nonspatial")

#: The columns of ``gazetteer.csv`` (and of :meth:`Gazetteer.frame`), in order.
COLUMNS = ("code", "name", "level", "parents", "country", "spatial", "aliases", "note")

REGIONS_DIR = DATA_DIR / "regions"
GAZETTEER_PATH = REGIONS_DIR / "gazetteer.csv"

_CODE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)*$")
#: An ISO 3166-2 code written with a space, underscore, dot or nothing for its hyphen.
_LOOSE_SUBDIVISION = re.compile(r"^([A-Z]{2})[\s_.]?([A-Z0-9]{1,3})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PROVINCE_SUFFIX = "province"


@dataclass(frozen=True)
class Region:
    """One row of the gazetteer.

    Parameters
    ----------
    code
        Unique upper-case code: ISO 3166-1 alpha-2 for countries (``"AF"``), ISO 3166-2
        for provinces (``"AF-NAN"``), the project's own for the rest (``"AFPAK"``).
    name
        Preferred display name.
    level
        One of :data:`LEVELS`.
    parents
        Codes of the regions this one lies in (direct parents only).
    country
        ISO 3166-1 alpha-2 code of the country for countries and provinces, else ``None``.
    spatial
        Whether the region is drawn on the map (``False`` only for ``"nonspatial"``).
    aliases
        Other names of the same region (true synonyms only: variant spellings, old names).
    note
        Free text shown beside the region (e.g. "historical: merged ... in 2018").

    Examples
    --------
    >>> Region("AF", "Afghanistan", "country", (), "AF", True).level
    'country'
    """

    code: str
    name: str
    level: str
    parents: tuple[str, ...]
    country: str | None
    spatial: bool
    aliases: tuple[str, ...] = ()
    note: str = ""


class GazetteerError(ValueError):
    """A gazetteer that is not consistent; ``codes`` names the offending regions.

    ``column`` names the gazetteer column at fault (used by :func:`load_gazetteer` to
    point at the line and column of the file).
    """

    def __init__(self, message: str, codes: Iterable[str] = (), column: str | None = None):
        super().__init__(message)
        self.codes = tuple(codes)
        self.column = column


class Gazetteer:
    """A validated, immutable collection of :class:`Region` objects.

    Parameters
    ----------
    regions
        The regions, in display order.

    Raises
    ------
    GazetteerError
        (a :class:`ValueError`) for a duplicate code, an unknown level, a parent that is not
        in the gazetteer, a cycle of parents, an inconsistent ``spatial`` flag or
        ``country``, or a name/alias key (see :func:`dashboard.core.text.name_key`) shared by
        two codes. The message names the codes concerned.

    Examples
    --------
    >>> g = Gazetteer([
    ...     Region("AF", "Afghanistan", "country", (), "AF", True),
    ...     Region("AF-NAN", "Nangarhar", "province", ("AF",), "AF", True, ("Ningarhar",)),
    ... ])
    >>> len(g), g.resolve("ningarhar"), g.children("AF")
    (2, 'AF-NAN', ('AF-NAN',))
    """

    def __init__(self, regions: Iterable[Region]):
        self._regions: dict[str, Region] = {}
        for region in regions:
            if region.code in self._regions:
                raise GazetteerError(
                    f"duplicate region code {region.code!r}", [region.code], "code"
                )
            self._regions[region.code] = region
        for region in self._regions.values():
            self._check_region(region)
        self._keys = self._build_keys()
        self._children: dict[str, list[str]] = {code: [] for code in self._regions}
        for region in self._regions.values():
            for parent in region.parents:
                self._children[parent].append(region.code)
        self._check_cycles()
        self._ancestors = {code: self._closure(code, self._parents_of) for code in self._regions}
        self._descendants = {
            code: self._closure(code, self._children.__getitem__) for code in self._regions
        }

    # -- validation -------------------------------------------------------------------------

    def _check_region(self, region: Region) -> None:
        code = region.code
        if not isinstance(code, str) or not _CODE.match(code):
            raise GazetteerError(
                f"bad region code {code!r}: expected upper-case letters, digits and '-'",
                [str(code)],
                "code",
            )
        if not region.name or not region.name.strip():
            raise GazetteerError(f"region {code} has an empty name", [code], "name")
        if region.level not in LEVELS:
            raise GazetteerError(
                f"region {code} has unknown level {region.level!r} (expected one of {LEVELS})",
                [code],
                "level",
            )
        if region.spatial != (region.level != "nonspatial"):
            raise GazetteerError(
                f"region {code}: level {region.level!r} requires spatial="
                f"{'false' if region.level == 'nonspatial' else 'true'}",
                [code],
                "spatial",
            )
        if region.level == "country" and region.country != code:
            raise GazetteerError(
                f"country {code} must have country={code!r}, not {region.country!r}",
                [code],
                "country",
            )
        if region.level == "province" and (
            region.country is None or region.country not in region.parents
        ):
            raise GazetteerError(
                f"province {code} must name its country and have it among its parents",
                [code],
                "country",
            )
        if region.level in ("supra", "nonspatial") and region.country is not None:
            raise GazetteerError(
                f"{region.level} region {code} must not have a country", [code], "country"
            )
        for parent in region.parents:
            if parent not in self._regions:
                raise GazetteerError(
                    f"region {code} has unknown parent {parent!r}", [code], "parents"
                )
            if parent == code:
                raise GazetteerError(f"region {code} is its own parent", [code], "parents")
        if len(set(region.parents)) != len(region.parents):
            raise GazetteerError(f"region {code} repeats a parent", [code], "parents")

    def _build_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for region in self._regions.values():
            labels = [(region.name, "name")] + [(alias, "aliases") for alias in region.aliases]
            for label, column in labels:
                key = name_key(label)
                if not key:
                    raise GazetteerError(
                        f"region {region.code}: {label!r} ({column}) has no letters or digits",
                        [region.code],
                        column,
                    )
                other = keys.get(key)
                if other is None and label.strip().upper() in self._regions:
                    other = label.strip().upper()  # a label spelling another code is shadowed
                if other is not None and other != region.code:
                    raise GazetteerError(
                        f"name/alias {label!r} (key {key!r}) is shared by {other} and "
                        f"{region.code}",
                        [region.code, other],
                        column,
                    )
                keys[key] = region.code
        return keys

    def _check_cycles(self) -> None:
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done

        for start in self._regions:
            if state.get(start):
                continue
            stack: list[tuple[str, Iterator[str]]] = [(start, iter(self._regions[start].parents))]
            path = [start]
            state[start] = 1
            while stack:
                code, parents = stack[-1]
                parent = next(parents, None)
                if parent is None:
                    state[code] = 2
                    stack.pop()
                    path.pop()
                elif state.get(parent) == 1:
                    cycle = [*path[path.index(parent) :], parent]
                    raise GazetteerError(
                        "cycle of parents: " + " -> ".join(cycle), cycle[:-1], "parents"
                    )
                elif not state.get(parent):
                    state[parent] = 1
                    path.append(parent)
                    stack.append((parent, iter(self._regions[parent].parents)))

    def _parents_of(self, code: str) -> Iterable[str]:
        return self._regions[code].parents

    @staticmethod
    def _closure(code: str, step) -> frozenset[str]:
        seen: set[str] = set()
        queue = deque(step(code))
        while queue:
            current = queue.popleft()
            if current not in seen:
                seen.add(current)
                queue.extend(step(current))
        seen.discard(code)
        return frozenset(seen)

    # -- container protocol -----------------------------------------------------------------

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._regions

    def __getitem__(self, code: str) -> Region:
        try:
            return self._regions[code]
        except KeyError:
            raise KeyError(f"unknown region code {code!r}") from None

    def __iter__(self) -> Iterator[Region]:
        return iter(self._regions.values())

    def __len__(self) -> int:
        return len(self._regions)

    def __repr__(self) -> str:
        return f"<Gazetteer of {len(self)} regions>"

    @property
    def codes(self) -> tuple[str, ...]:
        """All codes, in gazetteer order.

        >>> load_gazetteer().codes[:2]
        ('AFPAK', 'SOUTH-ASIA')
        """
        return tuple(self._regions)

    # -- lookup -----------------------------------------------------------------------------

    def resolve(self, text: str) -> str | None:
        """The code *text* names, or ``None`` when it names no known region.

        Tried in order: an exact code (case-insensitive: ``"af-nan"``); a name or alias
        compared with :func:`dashboard.core.text.name_key` (case, diacritics, punctuation and
        spaces ignored: ``"Nangarhār"``, ``"N.W.F.P."``); the same with a trailing word
        "province" dropped, for provinces only (``"Nangarhar Province"``).

        Examples
        --------
        >>> g = load_gazetteer()
        >>> g.resolve("af-nan"), g.resolve("NWFP"), g.resolve("Sari Pul"), g.resolve("Atlantis")
        ('AF-NAN', 'PK-KP', 'AF-SAR', None)
        """
        if not isinstance(text, str) or not text.strip():
            return None
        code = text.strip().upper()
        if code in self._regions:
            return code
        key = name_key(text)
        if not key:
            return None
        found = self._keys.get(key)
        if found is not None:
            return found
        if key.endswith(_PROVINCE_SUFFIX) and len(key) > len(_PROVINCE_SUFFIX):
            found = self._keys.get(key[: -len(_PROVINCE_SUFFIX)])
            if found is not None and self._regions[found].level == "province":
                return found
        return self._resolve_code(code)

    def _resolve_code(self, code: str) -> str | None:
        """An ISO 3166-1 alpha-3 code (``AFG``) or an ISO 3166-2 code with its hyphen written
        otherwise (``AF_HEL``, ``AF HEL``) for a region of the gazetteer."""
        if len(code) == 3 and code.isalpha():
            country = _alpha3().get(code)
            if country in self._regions:
                return country
        loose = _LOOSE_SUBDIVISION.match(code)
        if loose:
            candidate = f"{loose.group(1)}-{loose.group(2)}"
            if candidate in self._regions:
                return candidate
        return None

    def spellings(self, code: str) -> tuple[str, ...]:
        """Every way of writing *code* that :meth:`resolve` reads: the code, the name, the
        aliases and, for a country, its ISO 3166-1 alpha-3 code.

        >>> load_gazetteer().spellings("AF-HEL")
        ('AF-HEL', 'Helmand', 'Hilmand')
        >>> load_gazetteer().spellings("PK")[:3]
        ('PK', 'PAK', 'Pakistan')
        """
        region = self[code]
        alpha3 = [a for a, c in _alpha3().items() if c == code and region.level == "country"]
        return tuple(dict.fromkeys([code, *alpha3, region.name, *region.aliases]))

    def search(self, text: str, limit: int = 10) -> list[str]:
        """The codes a person typing *text* may mean, best first: the region it names exactly
        (:meth:`resolve`), then those with a name, alias or code starting with it, then those
        containing it, then near spellings (:meth:`suggest`). For a picker that finds a region
        by any of its spellings: typing ``Hilmand`` finds Helmand.

        >>> load_gazetteer().search("Hilmand")[0], load_gazetteer().search("baluch")[0]
        ('AF-HEL', 'PK-BA')
        >>> load_gazetteer().search("AFG")[0], load_gazetteer().search("")
        ('AF', [])
        """
        if not isinstance(text, str) or limit <= 0:
            return []
        key = name_key(text)
        if not key:
            return []
        found: list[str] = []
        exact = self.resolve(text)
        if exact is not None:
            found.append(exact)
        starts, contains = [], []
        for code in self._regions:
            keys = [name_key(s) for s in self.spellings(code)]
            if any(k.startswith(key) for k in keys):
                starts.append(code)
            elif any(key in k for k in keys):
                contains.append(code)
        for code in [*starts, *contains, *self.suggest(text, limit=limit)]:
            if code not in found:
                found.append(code)
        return found[:limit]

    def label_with_spellings(self, code: str) -> str:
        """The name with the other spellings a picker should match, e.g. for a searchable
        select box: ``"Helmand (Hilmand, AF-HEL)"``.

        >>> load_gazetteer().label_with_spellings("AF-HEL")
        'Helmand (Hilmand, AF-HEL)'
        """
        region = self[code]
        others = [s for s in self.spellings(code) if s != region.name]
        others = others[1:] + others[:1]  # aliases first, the code last
        return f"{region.name} ({', '.join(others)})" if others else region.name

    def suggest(self, text: str, limit: int = 3, *, cutoff: float = 60.0) -> list[str]:
        """The codes whose names or aliases are nearest to *text*, best first.

        Similarity is :func:`rapidfuzz.fuzz.ratio` on :func:`dashboard.core.text.name_key`
        (0-100); matches below *cutoff* are dropped. Each code appears once; ties are
        broken by code. Blank text gives ``[]``.

        Examples
        --------
        >>> load_gazetteer().suggest("Nangahar")[0]
        'AF-NAN'
        >>> load_gazetteer().suggest("  ")
        []
        """
        if limit <= 0 or not isinstance(text, str):
            return []
        key = name_key(text)
        if not key:
            return []
        best: dict[str, float] = {}
        exact = self.resolve(text)
        if exact is not None:
            best[exact] = 101.0
        matches = process.extract(
            key, self._keys.keys(), scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
        )
        for choice, score, _ in matches:
            code = self._keys[choice]
            if score > best.get(code, -1.0):
                best[code] = score
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return [code for code, _ in ranked[:limit]]

    def name(self, code: str) -> str:
        """The preferred name of *code*.

        >>> load_gazetteer().name("AF-NAN")
        'Nangarhar'
        """
        return self[code].name

    def ancestors(self, code: str) -> frozenset[str]:
        """All regions *code* lies in, transitively, excluding *code* itself.

        >>> sorted(load_gazetteer().ancestors("AF-NAN"))
        ['AF', 'AFPAK', 'GLOBAL', 'SOUTH-ASIA']
        """
        self[code]
        return self._ancestors[code]

    def descendants(self, code: str) -> frozenset[str]:
        """All regions lying in *code*, transitively, excluding *code* itself.

        >>> sorted(load_gazetteer().descendants("PK"))[:3]
        ['PK-BA', 'PK-GB', 'PK-IS']
        """
        self[code]
        return self._descendants[code]

    def children(self, code: str) -> tuple[str, ...]:
        """The direct children of *code*, sorted by name (diacritics and case ignored).

        >>> load_gazetteer().children("AFPAK")
        ('AF', 'PK')
        """
        self[code]
        return tuple(
            sorted(
                self._children[code],
                key=lambda c: (fold(self._regions[c].name), c),
            )
        )

    def frame(self) -> pandas.DataFrame:
        """One row per region, columns :data:`COLUMNS`; ``parents``/``aliases`` stay tuples.

        >>> load_gazetteer().frame().columns.tolist()
        ['code', 'name', 'level', 'parents', 'country', 'spatial', 'aliases', 'note']
        """
        regions = list(self)
        data = {column: [getattr(r, column) for r in regions] for column in COLUMNS}
        frame = pandas.DataFrame(
            {
                column: pandas.Series(
                    values,
                    dtype=object if column in ("parents", "aliases", "country") else None,
                )
                if column != "spatial"
                else pandas.Series(values, dtype=bool)
                for column, values in data.items()
            },
            columns=list(COLUMNS),
        )
        return frame


@functools.cache
def _alpha3() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code -> alpha-2 code, from pycountry."""
    import pycountry

    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


# -- loaders ----------------------------------------------------------------------------------


def _split(value: str) -> tuple[str, ...] | None:
    """Split a ``|``-separated cell; ``None`` when a part is blank (e.g. ``"a||b"``)."""
    if not value.strip():
        return ()
    parts = tuple(part.strip() for part in value.split("|"))
    return None if any(not part for part in parts) else parts


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read and validate ``gazetteer.csv`` (UTF-8, header :data:`COLUMNS`).

    Parameters
    ----------
    path
        The CSV; default ``DATA_DIR / "regions" / "gazetteer.csv"``.

    Raises
    ------
    ValueError
        For a bad header, row or cross-row inconsistency; the message starts with
        ``"<file>:<line>: column <n> (<name>): "``.

    Examples
    --------
    >>> gazetteer = load_gazetteer()
    >>> gazetteer["AF-DAY"].name, gazetteer["PK-TA"].note
    ('Daykundi', 'historical: merged into Khyber Pakhtunkhwa in 2018')
    """
    path = Path(path) if path is not None else GAZETTEER_PATH
    position = {column: i + 1 for i, column in enumerate(COLUMNS)}

    def fail(line: int, column: str | None, message: str) -> ValueError:
        where = f"{path}:{line}: "
        if column is not None:
            where += f"column {position[column]} ({column}): "
        return ValueError(where + message)

    regions: list[Region] = []
    lines: dict[str, int] = {}
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise fail(1, None, "empty file; expected a header " + ",".join(COLUMNS))
        header = [cell.strip() for cell in header]
        if tuple(header) != COLUMNS:
            raise fail(1, None, f"header {','.join(header)!r}; expected {','.join(COLUMNS)!r}")
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(COLUMNS):
                raise fail(line, None, f"{len(cells)} cells; expected {len(COLUMNS)}")
            row = dict(zip(COLUMNS, (cell.strip() for cell in cells)))
            code = row["code"]
            if not _CODE.match(code):
                raise fail(line, "code", f"bad code {code!r}: upper-case letters, digits, '-'")
            if code in lines:
                raise fail(line, "code", f"duplicate code {code!r} (first on line {lines[code]})")
            if not row["name"]:
                raise fail(line, "name", "empty name")
            if row["level"] not in LEVELS:
                raise fail(line, "level", f"unknown level {row['level']!r}; expected {LEVELS}")
            parents = _split(row["parents"])
            if parents is None:
                raise fail(line, "parents", f"blank entry in {row['parents']!r}")
            country = row["country"] or None
            if country is not None and not _COUNTRY.match(country):
                raise fail(line, "country", f"bad country {country!r}: two upper-case letters")
            spatial = row["spatial"].lower()
            if spatial not in ("true", "false"):
                raise fail(line, "spatial", f"{row['spatial']!r} is not 'true' or 'false'")
            aliases = _split(row["aliases"])
            if aliases is None:
                raise fail(line, "aliases", f"blank entry in {row['aliases']!r}")
            lines[code] = line
            regions.append(
                Region(
                    code=code,
                    name=row["name"],
                    level=row["level"],
                    parents=parents,
                    country=country,
                    spatial=spatial == "true",
                    aliases=tuple(dict.fromkeys(aliases)),
                    note=row["note"],
                )
            )
    try:
        return Gazetteer(regions)
    except GazetteerError as exc:
        line = lines.get(exc.codes[0], 1) if exc.codes else 1
        raise fail(line, exc.column, str(exc)) from exc
