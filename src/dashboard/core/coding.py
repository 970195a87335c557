"""Coding a finding in the reader: a passage selected in a report becomes a finding whose excerpt
is the report's own text at its own offsets.

A selection arrives as offsets into the report text. :func:`passage` checks them and trims the
whitespace at its edges (the excerpt is then still the text at its offsets); :func:`draft` puts
the analyst's fields beside it as a row of a findings file would hold them, and :func:`check`
sends that row through the importer's own validation (:func:`dashboard.core.findings.
validate_records`), so a coded finding is held to exactly the rules of an imported one.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from dashboard.core.corpus import Corpus
from dashboard.core.findings import Context, LoadResult, validate_records
from dashboard.core.reports import Report, _loose_find, _occurrences
from dashboard.core.text import nfc
from dashboard.io.columns import EXTRA
from dashboard.io.formats import MAX_FIELD_CHARS

#: The longest excerpt a coded finding may quote: the importer's limit for any field.
MAX_EXCERPT = MAX_FIELD_CHARS
#: How many places of a passage's words the find box lists.
FIND_LIMIT = 20
#: Where a draft is said to come from in the problems its check lists.
FORM = "new finding"
#: The extra attributes a coded finding carries: who coded it and when (UTC).
CODED_BY, CODED_AT = "coded_by", "coded_at"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Passage:
    """A checked selection: ``report.text[start:end]`` is :attr:`excerpt`."""

    report_id: str
    start: int
    end: int
    excerpt: str
    #: The pages it runs over (``None``: the report has no page boundaries).
    pages: tuple[int, int] | None = None
    #: Ids of the findings it overlaps.
    overlaps: tuple[str, ...] = ()

    @property
    def page(self) -> int | None:
        """The page a citation gives: where the passage begins."""
        return None if self.pages is None else self.pages[0]

    def notes(self) -> list[str]:
        """What the analyst should know about the passage before saving it."""
        notes = []
        if self.pages is not None and self.pages[0] != self.pages[1]:
            notes.append(
                f"The passage runs from p. {self.pages[0]} onto p. {self.pages[1]}; it is "
                f"cited as p. {self.pages[0]}, where it begins."
            )
        if self.overlaps:
            notes.append(
                "It overlaps "
                + ("finding " if len(self.overlaps) == 1 else "findings ")
                + ", ".join(self.overlaps)
                + "; it is saved as a finding of its own beside them."
            )
        return notes


class SelectionError(ValueError):
    """A selection that cannot become a finding; the message says why and what to do."""


def passage(
    report: Report,
    start: int,
    end: int,
    findings: Iterable[Mapping] = (),
) -> Passage:
    """The passage ``report.text[start:end]`` with the whitespace at its edges left out.

    *findings* (rows with ``id``, ``report_id``, ``start``, ``end``) are checked for overlaps.
    :class:`SelectionError` for offsets outside the text, an empty or whitespace-only selection,
    or one longer than :data:`MAX_EXCERPT`.

    >>> r = Report("r", "T", "A", "Alpha beta.  Gamma", "full text")
    >>> p = passage(r, 5, 13)
    >>> p.excerpt, p.start, p.end
    ('beta.', 6, 11)
    """
    text = report.text
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError) as err:
        raise SelectionError("The selection has no place in the text; select it again.") from err
    if start > end:
        start, end = end, start
    if not 0 <= start <= end <= len(text):
        raise SelectionError(
            f"The selection ({start}-{end}) lies outside the report's text "
            f"({len(text):,} characters); reload the page and select it again."
        )
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        raise SelectionError(
            "The selection holds no words (nothing, or only spaces and line breaks); select "
            "the words the finding quotes."
        )
    if end - start > MAX_EXCERPT:
        raise SelectionError(
            f"The selection is {end - start:,} characters long; an excerpt may be at most "
            f"{MAX_EXCERPT:,}. Select the sentence or paragraph the finding rests on."
        )
    overlaps = tuple(
        str(f["id"])
        for f in findings
        if f.get("report_id") == report.id and int(f["start"]) < end and start < int(f["end"])
    )
    return Passage(report.id, start, end, text[start:end], report.pages_of(start, end), overlaps)


def find_passages(text: str, words: str, limit: int = 20) -> list[tuple[int, int]]:
    """Where *words* occur in *text*: every verbatim occurrence (at most *limit*), else the one
    place where they occur with other quotes, dashes or spaces. Offsets into *text*.

    >>> find_passages("a “quote” here, a “quote”", "“quote”")
    [(2, 9), (18, 25)]
    >>> find_passages("He said “no”.", 'said "no"')
    [(3, 12)]
    """
    words = nfc(words).strip()
    if not words:
        return []
    found = [(at, at + len(words)) for at in _occurrences(text, words)[:limit]]
    if found:
        return found
    loose = _loose_find(text, words)
    return [loose] if loose is not None else []


def new_id(report_id: str, taken: AbstractSet[str]) -> str:
    """A fresh id for a finding coded in *report_id*: ``<report>-c<6 hex>``, not in *taken*.

    >>> new_id("hjs-2017-iskp", set()).startswith("hjs-2017-iskp-c")
    True
    """
    stem = re.sub(r"[^A-Za-z0-9._-]", "", report_id)[:48] or "coded"
    while True:
        candidate = f"{stem}-c{secrets.token_hex(3)}"
        if candidate not in taken and _ID.match(candidate):
            return candidate


def draft(
    found: Passage,
    *,
    finding_id: str,
    kind: str,
    title: str,
    summary: str = "",
    themes: Sequence[str] = (),
    regions: Sequence[str] = (),
    actors: Sequence[str] = (),
    who: str,
    at: str,
) -> dict[str, str]:
    """The finding as a row of a findings file would hold it (lists joined by ``;``)."""
    return {
        "id": finding_id,
        "report_id": found.report_id,
        "kind": kind,
        "title": title,
        "summary": summary,
        "excerpt": found.excerpt,
        "start": str(found.start),
        "end": str(found.end),
        "themes": ";".join(themes),
        "regions": ";".join(regions),
        "actors": ";".join(a.strip() for a in actors if a.strip()),
        "page": "" if found.page is None else str(found.page),
        CODED_BY: who,
        CODED_AT: at,
    }


def check(
    row: Mapping[str, str], corpus: Corpus, taken: AbstractSet[str] = frozenset()
) -> LoadResult:
    """Validate and anchor a draft exactly as the importer checks a row of a file; *taken* are
    the ids it may not have. The result's ``findings`` holds the finding, or its ``problems``
    say what to fix."""
    columns = list(row)
    mapping = {c: (EXTRA if c in (CODED_BY, CODED_AT) else c) for c in columns}
    context = Context(corpus.reports, corpus.gazetteer, corpus.taxonomy, existing_ids=taken)
    return validate_records([dict(row)], [1], columns, mapping, FORM, context, "coded")
