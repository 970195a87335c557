"""Helpers for the briefing tests: a briefing of the bundled corpus composed as the page does."""

from __future__ import annotations

from datetime import date

from dashboard.exports import briefing
from dashboard.query.filters import Filters, apply


def make(corpus, filters: Filters, **kwargs) -> briefing.Briefing:
    found = apply(corpus.findings, filters, corpus.gazetteer)
    options = dict(
        title=briefing.default_title(filters, corpus.taxonomy, corpus.gazetteer),
        subtitle="From the publisher's summary page",
        marking="OFFICIAL-SENSITIVE",
        permalink_url=briefing.permalink("http://localhost:8501/", filters),
    )
    options.update(kwargs)
    return briefing.compose(
        findings=found,
        reports=corpus.reports,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        filters_text=filters.describe(
            len(found), taxonomy=corpus.taxonomy, gazetteer=corpus.gazetteer
        ),
        exported=date(2026, 11, 26),
        **options,
    )
