"""Text normalisation shared by matching, searching and anchoring."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")


def nfc(text: str) -> str:
    """Return *text* in Unicode normalisation form C (offsets are counted in NFC)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold *text* for loose matching: NFKD, drop combining marks, casefold, squeeze spaces.

    >>> fold("Nangarhār")
    'nangarhar'
    >>> fold("  Dāykundī  ")
    'daykundi'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def name_key(text: str) -> str:
    """A key for place names: :func:`fold`, then punctuation and spaces removed.

    ``"N.W.F.P."``, ``"NWFP"`` and ``"nwfp"`` share one key, as do ``"Sar-e Pul"`` and
    ``"Sare Pul"``.

    >>> name_key("N.W.F.P.")
    'nwfp'
    >>> name_key("Sar-e Pul")
    'sarepul'
    """
    return _NON_WORD.sub("", fold(text)).replace("_", "")


#: First characters a spreadsheet may read as the start of a formula (OWASP CSV injection):
#: ``=``, ``+``, ``-``, ``@``, and a tab, carriage return or line feed before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: The guard put before such a cell: spreadsheets read a leading apostrophe as "this is text".
FORMULA_GUARD = "'"


def guard_formula(value: str) -> str:
    """*value* with a leading ``'`` when it begins like a spreadsheet formula, else unchanged.

    >>> guard_formula("=1+1"), guard_formula("a=b"), guard_formula("\\t=cmd"), guard_formula("")
    ("'=1+1", 'a=b', "'\\t=cmd", '')
    """
    return FORMULA_GUARD + value if value.startswith(FORMULA_STARTS) else value


def unguard_formula(value: str) -> str:
    """The text :func:`guard_formula` guarded: a cell of our own CSV exports read back.

    >>> unguard_formula("'=1+1"), unguard_formula("'plain"), unguard_formula(guard_formula("@x"))
    ('=1+1', "'plain", '@x')
    """
    if value.startswith(FORMULA_GUARD) and value[1:2] and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
