"""Helpers for AppTest: what a person sees of Markdown elements."""

from __future__ import annotations

import re
from collections.abc import Iterable


def shown(markdown: str) -> str:
    """What Markdown shows for *markdown*'s backslash escapes (the app escapes dynamic text).

    >>> shown("Imported 1 finding\\\\(s\\\\) from mine\\\\.csv")
    'Imported 1 finding(s) from mine.csv'
    """
    return re.sub(r"\\(.)", r"\1", markdown)


def texts(elements: Iterable) -> list[str]:
    """The shown text of each of *elements* (``at.markdown``, ``at.warning``, ...)."""
    return [shown(element.value) for element in elements]
