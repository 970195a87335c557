"""The folded search text of a finding, and the index of the words in those texts.

:func:`search_text` is the text a search looks in, folded by :func:`fold_fast` (exactly
:func:`dashboard.core.text.fold`, several times faster on text that is mostly ASCII). The texts
are words separated by single spaces, so a term without a space occurs in a text exactly when it
occurs inside one of its words: :class:`_Words` keeps, for every distinct word, the findings that
hold it (built with Arrow), and finds the words holding a term, so that
:class:`dashboard.query.index.FindingsIndex` tests the few thousand distinct words instead of
every text.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from itertools import accumulate

import numpy as np

from dashboard.core.text import fold  # noqa: F401  (the doctests compare with it)

__all__ = ["fold_fast", "search_text", "search_texts"]

_NON_ASCII = re.compile(r"([^\x00-\x7f]+)")
_SEGMENTS: dict[str, str] = {}
_SEGMENTS_MAX = 50_000


def _fold_segment(segment: str) -> str:
    """:func:`dashboard.core.text.fold` of a run of non-ASCII characters.

    Before spaces are squeezed.
    """
    folded = _SEGMENTS.get(segment)
    if folded is None:
        decomposed = unicodedata.normalize("NFKD", segment)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
        if len(_SEGMENTS) < _SEGMENTS_MAX:
            _SEGMENTS[segment] = folded
    return folded


def fold_fast(text: str) -> str:
    """Exactly :func:`dashboard.core.text.fold`, several times faster on text that is mostly ASCII.

    ``fold`` maps each character on its own (NFKD decomposition, combining marks dropped, case
    folding; only combining marks ever reorder, and they are all dropped), then squeezes white
    space. So ASCII runs only need lower-casing, and only the runs of other characters go through
    Unicode normalisation. ``str.split()`` splits on exactly the characters ``\\s`` matches.

    >>> text = "  Nangarhār  Province "
    >>> fold_fast(text) == fold(text) == "nangarhar province"
    True
    """
    if text.isascii():
        return " ".join(text.lower().split())
    parts = _NON_ASCII.split(text)
    for i in range(0, len(parts), 2):
        parts[i] = parts[i].lower()
    for i in range(1, len(parts), 2):
        parts[i] = _fold_segment(parts[i])
    return " ".join("".join(parts).split())


def search_text(title: str, summary: str, excerpt: str) -> str:
    """The folded text a search looks in: ``fold(title + "\\n" + summary + "\\n" + excerpt)``."""
    return fold_fast(f"{title}\n{summary}\n{excerpt}")


def search_texts(titles, summaries, excerpts) -> list[str]:
    """:func:`search_text` of each row of the three columns (pandas Series of one frame).

    Columns of Arrow strings without missing values are joined by Arrow first, so that one
    Python string is made per row instead of three (0.5 s less at a million findings).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays = [getattr(s.array, "_pa_array", None) for s in (titles, summaries, excerpts)]
    texts = [
        a
        for a in arrays
        if isinstance(a, pa.ChunkedArray)
        and not a.null_count
        and (pa.types.is_string(a.type) or pa.types.is_large_string(a.type))
    ]
    if len(texts) == 3:
        wide = [a.cast(pa.large_string()) for a in texts]
        joined = pc.binary_join_element_wise(*wide, pa.scalar("\n", pa.large_string()))
        return list(map(fold_fast, joined.to_pylist()))
    return [
        search_text(*fields)
        for fields in zip(titles.tolist(), summaries.tolist(), excerpts.tolist())
    ]


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class _Words:
    """The distinct space-separated words of the search texts and, for each, the rows holding it
    (``rows[offsets[w]:offsets[w + 1]]``; a row is listed once per time it holds the word)."""

    def __init__(self, texts: list[str]):
        import pyarrow as pa
        import pyarrow.compute as pc

        words = pc.split_pattern(pa.array(texts, pa.large_string()), " ")
        parents = pc.list_parent_indices(words).to_numpy()
        encoded = pc.dictionary_encode(pc.list_flatten(words))
        codes = encoded.indices.to_numpy()
        self.vocabulary = encoded.dictionary
        order = np.argsort(codes, kind="stable")
        self.rows = _readonly(parents[order].astype(np.int32))
        self.offsets = _readonly(
            np.concatenate(([0], np.cumsum(np.bincount(codes, minlength=len(self.vocabulary)))))
        )
        # The words again as one string, space-separated (no word holds a space), and where each
        # starts: a term found in few words is found faster by str.find than by testing every
        # word.
        listed = self.vocabulary.to_pylist()
        self._joined = " ".join(listed)
        self._starts = array("q", accumulate((len(w) + 1 for w in listed[:-1]), initial=0))

    #: Above this many words holding a token, testing each word (Arrow) is the faster way.
    FIND_LIMIT = 2_000

    def containing(self, token: str) -> tuple[np.ndarray, int]:
        """The words with *token* inside them, and how many postings they have together."""
        ids = self._find(token)
        if ids is None:
            import pyarrow.compute as pc

            found = pc.match_substring(self.vocabulary, token).to_numpy(zero_copy_only=False)
            ids = np.flatnonzero(found)
        return ids, int((self.offsets[ids + 1] - self.offsets[ids]).sum())

    def _find(self, token: str) -> np.ndarray | None:
        """The words holding *token*, in order, by searching the joined words; None past
        :data:`FIND_LIMIT` words."""
        joined, starts, found = self._joined, self._starts, []
        last = len(starts) - 1
        at = joined.find(token)
        while at >= 0:
            word = bisect_right(starts, at) - 1
            found.append(word)
            if len(found) > self.FIND_LIMIT:
                return None
            if word == last:
                break
            at = joined.find(token, starts[word + 1])  # the next word on
        return np.array(found, dtype=np.int64)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        if not len(ids):
            return np.empty(0, dtype=np.int32)
        return np.concatenate(
            [self.rows[self.offsets[w] : self.offsets[w + 1]] for w in ids.tolist()]
        )

    @property
    def nbytes(self) -> int:
        return (
            self.rows.nbytes
            + self.offsets.nbytes
            + self.vocabulary.nbytes
            + len(self._joined.encode("utf-8"))
            + self._starts.itemsize * len(self._starts)
        )
