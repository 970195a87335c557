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
