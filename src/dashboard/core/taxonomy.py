"""The taxonomy of findings (themes and kinds), read from ``data/taxonomy.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from dashboard import DATA_DIR
from dashboard.core.text import fold, name_key

_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_KEY = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Term:
    """A theme or a kind: a stable key, a label for people, a one-line definition.

    A theme's *keywords* are the words and short phrases a passage about it would contain
    (:mod:`dashboard.core.passages` suggests themes by them); kinds have none.

    >>> Term("refugees", "Refugees", "Forced movement.", "#DDCC77", ("refugee",)).keywords
    ('refugee',)
    """

    key: str
    label: str
    definition: str
    colour: str | None = None
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    themes: tuple[Term, ...]
    kinds: tuple[Term, ...]

    def __post_init__(self) -> None:
        for group, terms in (("themes", self.themes), ("kinds", self.kinds)):
            keys = [t.key for t in terms]
            if len(set(keys)) != len(keys):
                raise ValueError(f"taxonomy {group}: duplicate keys in {keys}")
            for term in terms:
                if not _KEY.match(term.key):
                    raise ValueError(f"taxonomy {group}: bad key {term.key!r}")
                if not term.label or not term.definition:
                    raise ValueError(
                        f"taxonomy {group}: {term.key!r} needs a label and a definition"
                    )
                if not isinstance(term.keywords, tuple) or not all(
                    isinstance(word, str) and word.strip() for word in term.keywords
                ):
                    raise ValueError(
                        f"taxonomy {group}: {term.key!r} keywords must be a tuple of non-empty "
                        f"strings, not {term.keywords!r}"
                    )
        for theme in self.themes:
            if not theme.colour or not _COLOUR.match(theme.colour):
                raise ValueError(f"taxonomy themes: {theme.key!r} needs a colour like #1A2B3C")

    @property
    def theme_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.themes)

    @property
    def kind_keys(self) -> tuple[str, ...]:
        return tuple(k.key for k in self.kinds)

    def theme(self, key: str) -> Term:
        return _by_key(self.themes, key)

    def kind(self, key: str) -> Term:
        return _by_key(self.kinds, key)

    @cached_property
    def _theme_lookup(self) -> dict[str, str]:
        return _lookup(self.themes)

    @cached_property
    def _kind_lookup(self) -> dict[str, str]:
        return _lookup(self.kinds)

    def resolve_theme(self, text: str) -> str | None:
        """The theme key for a key or label, loosely matched.

        ``"Violence & attacks"`` gives ``violence``.
        """
        return self._theme_lookup.get(_term_key(text)) if text else None

    def resolve_kind(self, text: str) -> str | None:
        return self._kind_lookup.get(_term_key(text)) if text else None

    def suggest_theme(self, text: str) -> str | None:
        return _suggest(self.themes, text)

    def suggest_kind(self, text: str) -> str | None:
        return _suggest(self.kinds, text)


def _by_key(terms: tuple[Term, ...], key: str) -> Term:
    for term in terms:
        if term.key == key:
            return term
    raise KeyError(key)


@lru_cache(maxsize=4096)
def _term_key(text: str) -> str:
    """Matching key for a term: "Violence and attacks" and "violence & attacks" are one.

    Remembered: a findings file repeats a handful of theme and kind names on every row.
    """
    return name_key(re.sub(r"\band\b", " ", fold(text)))


def _lookup(terms: tuple[Term, ...]) -> dict[str, str]:
    """Term keys by the matching key of their key and of their label (the first term wins)."""
    lookup: dict[str, str] = {}
    for term in terms:
        for name in (term.key, term.label):
            if _term_key(name):
                lookup.setdefault(_term_key(name), term.key)
    return lookup


def _suggest(terms: tuple[Term, ...], text: str) -> str | None:
    """The nearest term key, or ``None`` when nothing is reasonably close."""
    choices = {}
    for term in terms:
        choices[_term_key(term.key)] = term.key
        choices[_term_key(term.label)] = term.key
    best = process.extractOne(_term_key(text), list(choices), scorer=fuzz.WRatio, score_cutoff=60)
    return choices[best[0]] if best else None


def _term(table: dict[str, Any]) -> Term:
    """A :class:`Term` from one ``[[themes]]`` or ``[[kinds]]`` table; ``keywords`` is a list.

    >>> _term({"key": "k", "label": "K", "definition": "d", "keywords": ["a b", "c"]}).keywords
    ('a b', 'c')
    """
    table = dict(table)
    keywords = table.pop("keywords", [])
    if not isinstance(keywords, list):
        raise ValueError(
            f'taxonomy: {table.get("key")!r} keywords must be a list like ["word"], '
            f"not {keywords!r}"
        )
    return Term(**table, keywords=tuple(keywords))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read the taxonomy file (default ``data/taxonomy.toml``).

    >>> "radio" in load_taxonomy().theme("propaganda").keywords
    True
    """
    path = path or DATA_DIR / "taxonomy.toml"
    with open(path, "rb") as handle:
        raw = tomllib.load(handle)
    themes = tuple(_term(t) for t in raw.get("themes", ()))
    kinds = tuple(_term(k) for k in raw.get("kinds", ()))
    return Taxonomy(themes=themes, kinds=kinds)
