"""Helpers for the briefing tests: a briefing of the bundled corpus composed as the page does."""

from __future__ import annotations

from datetime import date

from dashboard.exports import briefing
from dashboard.query.filters import Filters


def make(corpus, filters: Filters, **kwargs) -> briefing.Briefing:
    options = {
        "subtitle": "From the publisher's summary page",
        "marking": "OFFICIAL-SENSITIVE",
        "base_url": "http://localhost:8501/",
        **kwargs,
    }
    return briefing.compose_view(corpus, filters, exported=date(2026, 11, 26), **options)
