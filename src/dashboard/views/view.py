"""The view: the corpus, the filters, and the findings that pass them, as a mask.

Every page gets one from :func:`dashboard.ui.frame` and asks it for what it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from dashboard.core.corpus import Corpus
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex


@dataclass(frozen=True)
class View:
    """What a page shows: the corpus, the filters, and the findings that pass them.

    The findings are a boolean *mask* over the index's rows; a page builds frames only of the rows
    it shows (:meth:`rows`, :meth:`head`), and :attr:`findings` (every passing row) only when a
    download or an export asks for it. At 100k findings a filter that passes a fifth of them
    makes a 20,000-row frame in 10-20 ms, for a page that shows ten cards.
    """

    corpus: Corpus
    filters: Filters
    index: FindingsIndex
    mask: np.ndarray

    @classmethod
    def of(cls, corpus: Corpus, index: FindingsIndex, filters: Filters) -> View:
        return cls(corpus, filters, index, index.mask(filters))

    @cached_property
    def positions(self) -> np.ndarray:
        """Row positions of the findings in view, in the corpus order."""
        return np.flatnonzero(self.mask)

    @property
    def count(self) -> int:
        return len(self.positions)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding in view, as a frame (``index.apply``)."""
        return self.index.apply(mask=self.mask)

    def rows(self, start: int, stop: int) -> pd.DataFrame:
        """The findings in view from *start* to *stop* (positions within the view)."""
        return self.index.findings.iloc[self.positions[start:stop]]

    def head(self, n: int) -> pd.DataFrame:
        return self.rows(0, n)

    def where(self, extra: np.ndarray) -> pd.DataFrame:
        """The findings in view that also pass the boolean array *extra* (over all rows)."""
        return self.index.findings[self.mask & extra]

    def describe(self) -> str:
        """The view in words, e.g. "1 finding · theme = Refugees · region = Pakistan"."""
        return self.filters.describe(
            self.count,
            taxonomy=self.corpus.taxonomy,
            gazetteer=self.corpus.gazetteer,
            report_titles={r.id: r.title for r in self.corpus.reports.values()},
        )

    def link_params(self, **changes: object) -> dict[str, list[str]]:
        """Query parameters for a link to this view with some fields changed."""
        return replace(self.filters, **changes).to_query_params()  # type: ignore[arg-type]


def all_actors(index: FindingsIndex) -> list[str]:
    """Every actor named by a finding the reader may read, in alphabetical order (case
    ignored)."""
    if index.visible is None:
        return sorted(index.actors.values, key=str.casefold)
    return sorted(index.actor_counts(None), key=str.casefold)


def filters_from_params(
    params: Mapping[str, Iterable[str] | str], corpus: Corpus, index: FindingsIndex
) -> tuple[Filters, list[str]]:
    """Filters from query parameters (a link's or a saved view's), checked against the corpus.

    Returns the filters and a notice for everything dropped.
    """
    return Filters.from_query_params(
        params,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        actors=all_actors(index),
        reports=corpus.reports,
        findings=corpus.findings["id"],
    )
