"""A precomputed index of a findings frame, so that filtering and counting stay instant at a
million findings.

:meth:`FindingsIndex.build` computes once what :func:`dashboard.query.filters.apply` recomputes on
every
call: boolean matrices finding x theme, finding x region code (the codes a finding names directly)
and finding x actor; the kind and the report as categorical codes; and the folded search text of
each finding. A filter is then a few vectorised operations on numpy arrays:

* a list facet (themes, actors) is the OR of the chosen values' columns;
* the region filter is the OR of the columns of every code in
  :func:`dashboard.query.filters.region_scope` (the region, the places inside it and, with *wider*,
  the
  regions containing it);
* kind and report are a lookup of the row's code in a small boolean table;
* each search term is a substring test on each finding's folded text, remembered per term.
  The folded texts are words separated by single spaces, so a term without a space occurs in a
  text exactly when it occurs inside one of its words: the index keeps, for every distinct word,
  the findings that hold it (built with Arrow, in a background thread, so that loading does not
  wait for it), and a search tests the few thousand distinct words instead of every text. A
  phrase looks in the findings holding its rarest word, then tests each of those texts. Until
  the words are indexed, and for terms found in most findings (where it is as fast), a search
  is a loop of Python's ``in`` over the texts (two to three times faster here than pandas'
  ``str.contains`` or pyarrow's ``match_substring`` over the texts).

Every result is exactly what the pandas functions give on the same frame: :meth:`apply` equals
``filters.apply(findings, filters, gazetteer)`` (same rows, order, index and columns),
:meth:`region_counts` equals ``maps.region_counts(filtered)``, :meth:`facets` equals
``filters.facets(...)``.
``tests/test_index.py`` checks this on generated frames and filters.

The index is immutable (its arrays are read-only) and safe to share between sessions and threads;
its only mutable state, a small cache of per-term search masks, is guarded by a lock. Build it
once per change of the findings and cache it next to them.

The search text, its folding and the word index are in :mod:`dashboard.query.words`. This module
stays above 400 lines: :class:`FindingsIndex` (about 300 of them) is one class whose filtering and
counting methods share its arrays, its term cache and its lock, and the two column indexes it is
built from (:class:`_ListIndex`, :class:`_CodeIndex`) serve nothing else.

>>> from dashboard.core.corpus import load_corpus
>>> from dashboard.query.filters import Filters, apply
>>> corpus = load_corpus()
>>> index = FindingsIndex.build(corpus.findings, corpus.gazetteer)
>>> filters = Filters(themes=("refugees",), region="PK")
>>> index.apply(filters).equals(apply(corpus.findings, filters, corpus.gazetteer))
True
"""

from __future__ import annotations

import copy
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain

import numpy as np
import pandas as pd

from dashboard import gc_paused
from dashboard.core import corpus_cache
from dashboard.core.periods import Period, period_of_text
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.query.filters import Facets, Filters, finding_period, region_scope, search_terms
from dashboard.query.words import _readonly, _Words, search_texts

__all__ = ["FindingsIndex"]

#: How many search terms' masks an index remembers (a mask is one byte per finding).
TERM_CACHE_SIZE = 32


@dataclass(frozen=True, eq=False)
class _ListIndex:
    """One list column as a boolean matrix: ``matrix[row, j]`` when the row holds ``values[j]``."""

    values: tuple[str, ...]
    position: Mapping[str, int]
    matrix: np.ndarray  # bool, shape (rows, len(values)), column-major: each column contiguous

    @classmethod
    def build(cls, column: pd.Series, known: Iterable[str] = ()) -> _ListIndex:
        cells = column.tolist()
        rows = len(cells)
        lengths = np.fromiter(map(len, cells), dtype=np.int64, count=rows)
        flat = list(chain.from_iterable(cells))
        position: dict[str, int] = {}
        for value in known:
            position.setdefault(value, len(position))
        if flat:
            codes, uniques = pd.factorize(pd.Series(flat, dtype=object), sort=False)
            for value in uniques:
                position.setdefault(value, len(position))
            columns = np.array([position[v] for v in uniques], dtype=np.int64)[codes]
        else:
            columns = np.zeros(0, dtype=np.int64)
        matrix = np.zeros((rows, len(position)), dtype=bool, order="F")
        matrix[np.repeat(np.arange(rows), lengths), columns] = True
        return cls(tuple(position), position, _readonly(matrix))

    def any_of(self, values: Iterable[str]) -> np.ndarray:
        """Rows holding any of *values* (values the column never holds match nothing)."""
        out = np.zeros(self.matrix.shape[0], dtype=bool)
        for value in dict.fromkeys(values):
            j = self.position.get(value)
            if j is not None:
                out |= self.matrix[:, j]
        return out

    def counts(self, mask: np.ndarray | None) -> Counter:
        """How many of the rows in *mask* hold each value (each value once per row)."""
        return _nonzero_counter(self.values, self.column_counts(mask))

    def column_counts(self, mask: np.ndarray | None) -> np.ndarray:
        if mask is None:
            return self.matrix.sum(axis=0, dtype=np.int64)
        selected = int(np.count_nonzero(mask))
        if selected * 8 < len(mask):
            # Few rows: gather them. Many rows: AND each contiguous column with the mask.
            return self.matrix[np.flatnonzero(mask)].sum(axis=0, dtype=np.int64)
        return np.array(
            [np.count_nonzero(self.matrix[:, j] & mask) for j in range(self.matrix.shape[1])],
            dtype=np.int64,
        )


@dataclass(frozen=True, eq=False)
class _CodeIndex:
    """One plain column as categorical codes (``-1`` for a missing value)."""

    values: tuple
    position: Mapping[object, int]
    codes: np.ndarray

    @classmethod
    def build(cls, column: pd.Series) -> _CodeIndex:
        codes, uniques = pd.factorize(column, sort=False)
        values = tuple(uniques.tolist())
        return cls(
            values,
            {v: i for i, v in enumerate(values)},
            _readonly(codes.astype(np.int32, copy=False)),
        )

    def isin(self, wanted: Iterable[object]) -> np.ndarray:
        table = np.zeros(len(self.values) + 1, dtype=bool)  # the last entry answers code -1
        for value in wanted:
            j = self.position.get(value)
            if j is not None:
                table[j] = True
        return table[self.codes]

    def counts(self, mask: np.ndarray | None) -> Counter:
        codes = self.codes if mask is None else self.codes[mask]
        counted = np.bincount(codes[codes >= 0], minlength=len(self.values))
        return _nonzero_counter(self.values, counted)


#: The first and last day of an undated finding: a span no range overlaps.
_NO_FIRST, _NO_LAST = np.iinfo(np.int64).max, np.iinfo(np.int64).min


@dataclass(frozen=True, eq=False)
class _Periods:
    """Each row's period as the ordinals of its first and last day (undated: never overlaps),
    and as a code into the distinct periods (``uniques``; the last code is "undated")."""

    first: np.ndarray
    last: np.ndarray
    codes: np.ndarray
    uniques: tuple[Period | None, ...]

    @classmethod
    def none(cls, rows: int) -> _Periods:
        return cls._of_codes(np.full(rows, -1, dtype=np.int64), [])

    @classmethod
    def _of_codes(cls, codes: np.ndarray, periods: Sequence[Period | None]) -> _Periods:
        uniques = (*periods, None)
        codes = np.where(codes < 0, len(uniques) - 1, codes).astype(np.int32)
        first = np.array([p.first.toordinal() if p else _NO_FIRST for p in uniques], np.int64)
        last = np.array([p.last.toordinal() if p else _NO_LAST for p in uniques], np.int64)
        return cls(_readonly(first[codes]), _readonly(last[codes]), _readonly(codes), uniques)

    @classmethod
    def of(cls, column: pd.Series) -> _Periods:
        """From a ``period`` column of :meth:`~dashboard.core.periods.Period.text` values, each
        distinct one read once."""
        codes, uniques = pd.factorize(column, sort=False)  # a missing cell: code -1, undated
        return cls._of_codes(
            codes, [period_of_text(u) if isinstance(u, str) else None for u in uniques]
        )

    @classmethod
    def of_reports(cls, column: pd.Series, reports: Mapping[str, Report]) -> _Periods:
        """Each row dated by the year of the report its ``report_id`` names."""
        codes, uniques = pd.factorize(column, sort=False)
        return cls._of_codes(
            codes, [finding_period("", reports.get(str(u)), by_report=True) for u in uniques]
        )

    def overlapping(self, start: date | None, end: date | None) -> np.ndarray:
        """Rows whose period shares a day with ``start``..``end`` (``None``: open)."""
        mask = self.first <= (end.toordinal() if end else _NO_FIRST - 1)
        if start is not None:
            mask &= self.last >= start.toordinal()
        else:
            mask &= self.last > _NO_LAST
        return mask


def _nonzero_counter(values: Sequence, counts: np.ndarray) -> Counter:
    return Counter({values[j]: int(n) for j, n in enumerate(counts.tolist()) if n})


class FindingsIndex:
    """A findings frame with everything filtering needs computed once. See the module docstring.

    Build with :meth:`build`; do not change the frame afterwards (the index keeps a reference).
    """

    def __init__(
        self,
        findings: pd.DataFrame,
        gazetteer: Gazetteer,
        *,
        themes: _ListIndex,
        regions: _ListIndex,
        actors: _ListIndex,
        kinds: _CodeIndex,
        reports: _CodeIndex,
        text: list[str],
        periods: _Periods | None = None,
        report_periods: _Periods | None = None,
    ):
        self.findings = findings
        self.gazetteer = gazetteer
        self.themes = themes
        self.regions = regions
        self.actors = actors
        self.kinds = kinds
        self.reports = reports
        #: The folded search text of each finding (see :func:`search_text`), as an object array.
        self.text = _readonly(np.array(text, dtype=object))
        self._text_list = text
        #: Each finding's period as day ordinals (its own, and its report's year).
        self.periods = periods if periods is not None else _Periods.of(findings["period"])
        self.report_periods = (
            report_periods if report_periods is not None else _Periods.none(len(findings))
        )
        #: Findings that name no place at all.
        self.no_place = _readonly(np.asarray(~regions.matrix.any(axis=1)))
        self._terms: OrderedDict[str, tuple[np.ndarray, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._named_within: np.ndarray | None = None
        #: period_counts of every finding, per date basis (by_report), once asked for.
        self._all_periods: dict[bool, tuple] = {}
        self._words: _Words | None = None
        self._words_done = threading.Event()
        #: The rows this reader may read (None: every row); see :meth:`restricted`.
        self.visible: np.ndarray | None = None

    def restricted(self, visible: np.ndarray | None) -> FindingsIndex:
        """This index as one reader sees it: only the rows of *visible* pass any filter or count
        (``None``: every row, and the index itself is returned).

        The copy shares every array, cache and the word index with this one; it only starts
        every mask from *visible* and gives it to every count asked for all rows, so no count,
        facet, search, map shading or frame of it includes a row outside *visible*."""
        if visible is None:
            return self
        visible = np.asarray(visible, dtype=bool)
        if visible.shape != (len(self),):
            raise ValueError(f"visible has {visible.shape} rows; the index has {len(self)}")
        if self.visible is not None:
            visible = visible & self.visible
        scoped = copy.copy(self)
        scoped.visible = _readonly(visible.copy())
        return scoped

    def _scope(self, mask: np.ndarray | None) -> np.ndarray | None:
        """*mask* within the rows this reader may read."""
        if self.visible is None:
            return mask
        return self.visible if mask is None else mask & self.visible

    def _index_words(self) -> None:
        try:
            self._words = _Words(self._text_list)
        finally:
            self._words_done.set()

    def wait_for_words(self, timeout: float | None = None) -> bool:
        """Wait until the word index is built (or failed); True when searches use it."""
        self._words_done.wait(timeout)
        return self._words is not None

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        findings: pd.DataFrame,
        gazetteer: Gazetteer,
        *,
        words: str = "background",
        cache: bool = True,
        reports: Mapping[str, Report] | None = None,
    ) -> FindingsIndex:
        """Index *findings* (a frame with the columns of :data:`dashboard.core.findings.COLUMNS`).

        *words*: index the words of the search texts in a ``"background"`` thread (searches
        use it once it is there), ``"now"``, or ``"never"``. With *cache*, the folded search
        texts of a large frame are kept on disk, keyed by the contents of the title, summary and
        excerpt columns (:func:`dashboard.core.corpus_cache.cached_strings`): folding them is
        most of the build. *reports* give each finding its report's date (the date filter's
        ``by_report``); without them no finding has one.
        """
        if words not in ("background", "now", "never"):
            raise ValueError(f"words must be 'background', 'now' or 'never', not {words!r}")
        with gc_paused():
            return cls._build(findings, gazetteer, words, cache, reports or {})

    @classmethod
    def _build(
        cls,
        findings: pd.DataFrame,
        gazetteer: Gazetteer,
        words: str,
        cache: bool = True,
        reports: Mapping[str, Report] | None = None,
    ) -> FindingsIndex:
        sources = [findings["title"], findings["summary"], findings["excerpt"]]

        text = corpus_cache.cached_strings(
            "search text", sources, lambda: search_texts(*sources), enabled=cache
        )
        index = cls(
            findings,
            gazetteer,
            themes=_ListIndex.build(findings["themes"]),
            regions=_ListIndex.build(findings["regions"], known=gazetteer.codes),
            actors=_ListIndex.build(findings["actors"]),
            kinds=_CodeIndex.build(findings["kind"]),
            reports=_CodeIndex.build(findings["report_id"]),
            text=text,
            periods=_Periods.of(findings["period"]),
            report_periods=_Periods.of_reports(findings["report_id"], reports or {}),
        )
        if words == "now":
            index._index_words()
        elif words == "background":
            threading.Thread(target=index._index_words, name="index-words", daemon=True).start()
        else:
            index._words_done.set()
        return index

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        return (
            f"<FindingsIndex of {len(self):,} findings: {len(self.themes.values)} themes, "
            f"{len(self.regions.values)} region codes, {len(self.actors.values)} actors>"
        )

    @property
    def nbytes(self) -> int:
        """Memory held by the index's own arrays and word index (the frame and the search text
        not counted)."""
        return sum(
            a.nbytes
            for a in (
                self.themes.matrix,
                self.regions.matrix,
                self.actors.matrix,
                self.kinds.codes,
                self.reports.codes,
                self.no_place,
            )
        ) + (self._words.nbytes if self._words else 0)

    # -- filtering --------------------------------------------------------------------------

    def region_mask(self, region: str, wider: bool = False) -> np.ndarray:
        """Findings naming any code in ``region_scope(region, gazetteer, wider)``.

        Raises ``KeyError`` for a code the gazetteer does not know, as ``filters.apply`` does.
        """
        return self.regions.any_of(region_scope(region, self.gazetteer, wider))

    def term_mask(self, term: str) -> np.ndarray:
        """Findings whose folded search text contains *term* (a folded term, see
        :func:`dashboard.query.filters.search_terms`). Read-only; remembered for the next call.

        Only rows that contain a remembered term found *inside* this one are searched, when that
        narrows the search (after "radio", "radio station" looks only where "radio" is).
        """
        with self._lock:
            known = self._terms.get(term)
            if known is not None:
                self._terms.move_to_end(term)
                return known[0]
            narrower = min(
                ((mask, count) for other, (mask, count) in self._terms.items() if other in term),
                key=lambda found: found[1],
                default=None,
            )
        words = self._words
        found = self._search_words(term, words) if words is not None else None
        if found is None and narrower is not None and narrower[1] * 2 < len(self):
            found = np.zeros(len(self), dtype=bool)
            found[self._holding(term, np.flatnonzero(narrower[0]))] = True
        elif found is None:
            found = np.fromiter(
                (term in text for text in self._text_list), dtype=bool, count=len(self)
            )
        _readonly(found)
        with self._lock:
            self._terms[term] = (found, int(np.count_nonzero(found)))
            while len(self._terms) > TERM_CACHE_SIZE:
                self._terms.popitem(last=False)
        return found

    def _search_words(self, term: str, words: _Words) -> np.ndarray | None:
        """:meth:`term_mask` through the word index; None when the term is in so many words'
        postings that testing every text is as fast."""
        tokens = sorted(set(term.split(" ")), key=len, reverse=True)
        best: tuple[np.ndarray, int] | None = None
        for token in tokens[:3]:  # the longest are the likeliest to be rare
            ids, total = words.containing(token)
            if best is None or total < best[1]:
                best = (ids, total)
            if total * 16 <= len(self):
                break
        assert best is not None, "a phrase has at least one word"
        ids, total = best
        if total > len(self):
            return None
        found = np.zeros(len(self), dtype=bool)
        found[words.rows_of(ids)] = True
        if " " in term:  # a phrase: its rarest word's findings, each tested for the phrase
            rows = np.flatnonzero(found)
            found[rows] = False
            found[self._holding(term, rows)] = True
        return found

    def _holding(self, term: str, rows: np.ndarray) -> np.ndarray:
        """Those of the row positions *rows* whose folded text contains *term*."""
        texts = self._text_list
        hits = np.fromiter((term in texts[r] for r in rows.tolist()), dtype=bool, count=len(rows))
        return rows[hits]

    def forget_searches(self) -> None:
        """Drop the remembered search masks (benchmarks time a first search with this)."""
        with self._lock:
            self._terms.clear()

    def parts(self, filters: Filters) -> dict[str, np.ndarray | None]:
        """The mask of each facet of *filters* (``None`` where the facet filters nothing)."""
        parts: dict[str, np.ndarray | None] = dict.fromkeys(
            ("themes", "region", "actors", "kinds", "reports", "text", "dates")
        )
        if filters.themes:
            parts["themes"] = self.themes.any_of(filters.themes)
        if filters.region:
            parts["region"] = self.region_mask(filters.region, filters.wider)
        if filters.actors:
            parts["actors"] = self.actors.any_of(filters.actors)
        if filters.kinds:
            parts["kinds"] = self.kinds.isin(filters.kinds)
        if filters.reports:
            parts["reports"] = self.reports.isin(filters.reports)
        terms = search_terms(filters.text)
        if terms:
            text = self.term_mask(terms[0]).copy()
            for term in terms[1:]:
                text &= self.term_mask(term)
            parts["text"] = text
        if not filters.dates.is_open:
            periods = self.report_periods if filters.by_report else self.periods
            parts["dates"] = periods.overlapping(filters.date_from, filters.date_to)
        return parts

    def _combine(
        self, parts: Mapping[str, np.ndarray | None], skip: str | None = None
    ) -> np.ndarray:
        mask = np.ones(len(self), dtype=bool) if self.visible is None else self.visible.copy()
        for facet, part in parts.items():
            if part is not None and facet != skip:
                mask &= part
        return mask

    def mask(self, filters: Filters) -> np.ndarray:
        """The findings passing *filters*, as a boolean array in the frame's row order."""
        return self._combine(self.parts(filters))

    def apply(self, filters: Filters | None = None, mask: np.ndarray | None = None) -> pd.DataFrame:
        """Exactly ``dashboard.query.filters.apply(findings, filters, gazetteer)``: the findings
        that
        pass every filter, in their original order, with every column and the index kept.

        Pass *mask* (from :meth:`mask`) instead of *filters* to reuse one already computed.
        """
        if mask is None:
            mask = self.mask(filters if filters is not None else Filters())
        mask = self._scope(mask)
        assert mask is not None
        if len(mask) and mask.all():
            return self.findings.copy(deep=False)  # copy-on-write: shares the data safely
        return self.findings[mask]

    # -- counting ---------------------------------------------------------------------------

    def region_counts(self, mask: np.ndarray | None = None) -> Counter:
        """Exactly ``maps.region_counts(filtered)``: findings naming each code directly."""
        return self.regions.counts(self._scope(mask))

    def theme_counts(self, mask: np.ndarray | None = None) -> Counter:
        """Exactly ``filters.count_values(filtered, "themes")``."""
        return self.themes.counts(self._scope(mask))

    def actor_counts(self, mask: np.ndarray | None = None) -> Counter:
        return self.actors.counts(self._scope(mask))

    def kind_counts(self, mask: np.ndarray | None = None) -> Counter:
        return self.kinds.counts(self._scope(mask))

    def report_counts(self, mask: np.ndarray | None = None) -> Counter:
        return self.reports.counts(self._scope(mask))

    def unplaced(self, mask: np.ndarray | None = None) -> int:
        """How many of the findings in *mask* name no place."""
        mask = self._scope(mask)
        return int(np.count_nonzero(self.no_place if mask is None else self.no_place & mask))

    def undated(self, filters: Filters) -> int:
        """How many findings the other filters of *filters* keep that have no date (by the
        date basis chosen): a date range leaves them out."""
        periods = self.report_periods if filters.by_report else self.periods
        base = self._combine(self.parts(filters.without("dates")))
        return int(np.count_nonzero(base & (periods.first == _NO_FIRST)))

    def period_counts(
        self, mask: np.ndarray | None, by_report: bool = False
    ) -> tuple[tuple[Period | None, ...], np.ndarray, np.ndarray, tuple[str, ...]]:
        """The findings in *mask* per distinct period: ``(periods, totals, by_theme, themes)``,
        ``totals[u]`` the findings of ``periods[u]`` (``None``: undated) and
        ``by_theme[u, j]`` those of them holding ``themes[j]`` (what a timeline stacks).

        The counts of every finding (no mask, or one that keeps them all), which a timeline
        asks for on every rerun, are computed once per index and date basis; the arrays
        returned are read-only."""
        mask = self._scope(mask)
        if mask is None or (len(mask) and mask.all()):
            with self._lock:
                known = self._all_periods.get(by_report)
            if known is None:
                known = self._period_counts(None, by_report)
                with self._lock:
                    self._all_periods[by_report] = known
            return known
        return self._period_counts(np.flatnonzero(mask), by_report)

    def _period_counts(self, rows: np.ndarray | None, by_report: bool):
        periods = self.report_periods if by_report else self.periods
        # Every row: the contiguous columns as they are, without gathering copies of them.
        codes = periods.codes if rows is None else periods.codes[rows]
        size = len(periods.uniques)
        totals = np.bincount(codes, minlength=size)
        matrix = self.themes.matrix
        by_theme = np.zeros((size, matrix.shape[1]), dtype=np.int64)
        for j in range(matrix.shape[1]):
            holds = matrix[:, j] if rows is None else matrix[rows, j]
            by_theme[:, j] = np.bincount(codes[holds], minlength=size)
        return periods.uniques, _readonly(totals), _readonly(by_theme), self.themes.values

    def facets(self, filters: Filters) -> Facets:
        """Exactly ``filters.facets(findings, filters, gazetteer)``, each facet's masks computed
        once instead of once per facet."""
        parts = self.parts(filters)
        return Facets(
            themes=self.theme_counts(self._combine(parts, "themes")),
            actors=self.actor_counts(self._combine(parts, "actors")),
            kinds=self.kind_counts(self._combine(parts, "kinds")),
            reports=self.report_counts(self._combine(parts, "reports")),
        )

    def _named_within_matrix(self) -> np.ndarray:
        """``[row, k]``: the row names gazetteer code k or a place inside it (the region filter
        without *wider*, for every code at once). Built on first use."""
        with self._lock:
            if self._named_within is None:
                codes = self.gazetteer.codes
                matrix = np.zeros((len(self), len(codes)), dtype=bool, order="F")
                for k, code in enumerate(codes):
                    matrix[:, k] = self.region_mask(code)
                self._named_within = _readonly(matrix)
            return self._named_within

    def region_scope_counts(self, filters: Filters) -> dict[str, int]:
        """For each gazetteer code, how many findings the region filter would keep with the other
        filters of *filters* applied (the counts of the region picker; ``filters.wider`` is
        honoured). Equals, code for code::

            base = filters_module.apply(findings, filters.without("region"), gazetteer)
            sum(1 for r in base["regions"] if not region_scope(code, gazetteer, wider)
                .isdisjoint(r))
        """
        base = self._combine(self.parts(filters.without("region")))
        within = self._named_within_matrix()
        counts = {}
        for k, code in enumerate(self.gazetteer.codes):
            matches = within[:, k]
            if filters.wider:
                matches = matches | self.regions.any_of(self.gazetteer.ancestors(code))
            counts[code] = int(np.count_nonzero(matches & base))
        return counts
