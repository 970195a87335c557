"""Reports: their text and metadata, and anchoring excerpts in that text.

A report lives in a folder ``data/reports/<id>/`` holding ``report.txt`` (the text exactly as
quoted, UTF-8) and ``report.toml`` (metadata). Offsets are character offsets into the text in
Unicode NFC. An anchor keeps the exact quote, its offsets and a little text either side, in the
manner of the W3C Web Annotation TextQuoteSelector + TextPositionSelector, so that a finding can be
found again in a corrected text.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from dashboard.core.problems import Problem
from dashboard.core.text import nfc

#: Characters of context kept either side of an excerpt.
CONTEXT_CHARS = 32

_REPORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_REQUIRED_META = ("id", "title", "author", "text_kind")


@dataclass(frozen=True)
class Report:
    """A report text and what is known about it. ``text`` is NFC-normalised."""

    id: str
    title: str
    author: str
    text: str
    text_kind: str
    publisher: str = ""
    year: int | None = None
    text_note: str = ""
    sha256: str = ""
    source: str = "bundled"
    #: Where each page of the original begins in :attr:`text` (the first at 0), for a report
    #: taken from a PDF or a text with form feeds between its pages; empty when the text has no
    #: page boundaries (citations then give no page).
    page_starts: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The page (numbered from 1) holding character *offset*, or ``None`` when the report
        has no page boundaries.

        >>> r = Report("r", "T", "A", "one  two  three", "full text", page_starts=(0, 5, 10))
        >>> r.page_at(0), r.page_at(5), r.page_at(12)
        (1, 2, 3)
        >>> print(Report("r", "T", "A", "no pages", "full text").page_at(0))
        None
        """
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, int(offset)))

    def pages_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The first and last page of the passage ``text[start:end]``, or ``None`` without page
        boundaries.

        >>> Report("r", "T", "A", "one  two", "full text", page_starts=(0, 5)).pages_of(1, 7)
        (1, 2)
        """
        first = self.page_at(start)
        if first is None:
            return None
        last = self.page_at(max(start, end - 1))
        return first, last if last is not None else first

    def citation(self, page: int | None = None) -> str:
        """A citation in a plain author, title, publisher, year form.

        >>> Report("r", "A Title", "A. Author", "t", "full text", "Pub", 2017).citation(page=4)
        'A. Author, "A Title", Pub, 2017, p. 4.'
        """
        parts = [self.author, f'"{self.title}"']
        if self.publisher:
            parts.append(self.publisher)
        if self.year:
            parts.append(str(self.year))
        if page:
            parts.append(f"p. {page}")
        text = ", ".join(parts) + "."
        if self.text_kind != "full text":
            text += f" Quoted from the {self.text_kind}."
        return text


def load_report(folder: Path) -> tuple[Report | None, list[Problem]]:
    """Read ``report.txt`` and ``report.toml`` from *folder*.

    Returns the report, or ``None`` and the problems that stop it loading.
    """
    folder = Path(folder)
    text_path, meta_path = folder / "report.txt", folder / "report.toml"
    problems: list[Problem] = []
    for path in (text_path, meta_path):
        if not path.is_file():
            problems.append(
                Problem(
                    str(path),
                    None,
                    None,
                    "file is missing",
                    "each report folder needs report.txt and report.toml",
                )
            )
    if problems:
        return None, problems

    raw = text_path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return None, [
            Problem(
                str(text_path),
                None,
                None,
                f"not UTF-8 (byte {err.start} cannot be decoded)",
                "save the text as UTF-8",
            )
        ]
    try:
        with open(meta_path, "rb") as handle:
            meta = tomllib.load(handle)
    except tomllib.TOMLDecodeError as err:
        return None, [Problem(str(meta_path), None, None, f"not valid TOML: {err}", "")]

    for key in _REQUIRED_META:
        if not str(meta.get(key, "")).strip():
            problems.append(
                Problem(
                    str(meta_path),
                    None,
                    key,
                    f"{key!r} is missing",
                    f'add a line like {key} = "..."',
                )
            )
    report_id = str(meta.get("id", ""))
    if report_id and not _REPORT_ID.match(report_id):
        problems.append(
            Problem(
                str(meta_path),
                None,
                "id",
                f"bad report id {report_id!r}",
                "use letters, digits, '.', '_' or '-' (at most 64)",
            )
        )
    if report_id and report_id != folder.name:
        problems.append(
            Problem(
                str(meta_path),
                None,
                "id",
                f"id {report_id!r} differs from its folder name {folder.name!r}",
                f"rename the folder to {report_id!r} or set id = {folder.name!r}",
            )
        )
    if not text.strip():
        problems.append(Problem(str(text_path), None, None, "the report text is empty", ""))
    if problems:
        return None, problems

    year = meta.get("year")
    return Report(
        id=report_id,
        title=str(meta["title"]),
        author=str(meta["author"]),
        text=nfc(text),
        text_kind=str(meta["text_kind"]),
        publisher=str(meta.get("publisher", "")),
        year=int(year) if year else None,
        text_note=str(meta.get("text_note", "")),
        sha256=hashlib.sha256(raw).hexdigest(),
    ), []


# --- anchoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    """Where an excerpt stands in its report: ``text[start:end] == exact``."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class AnchorError:
    """Why an excerpt could not be anchored, and the nearest thing that would work."""

    column: str
    message: str
    suggestion: str = ""


def context_at(text: str, start: int, end: int) -> tuple[str, str, str]:
    """``text[start:end]`` and the :data:`CONTEXT_CHARS` before and after it."""
    before = start - CONTEXT_CHARS if start > CONTEXT_CHARS else 0
    return text[start:end], text[before:start], text[end : end + CONTEXT_CHARS]


def at_offsets(
    text: str, excerpt: str, start: int | None, end: int | None
) -> tuple[str, str, str] | None:
    """:func:`context_at` when ``text[start:end]`` is *excerpt* (already NFC), else None.

    The check for right offsets, in constant time; the loader calls it on every row.
    """
    if (
        start is not None
        and end is not None
        and 0 <= start < end <= len(text)
        and text[start:end] == excerpt
    ):
        return context_at(text, start, end)
    return None


def make_anchor(text: str, start: int, end: int) -> Anchor:
    return Anchor(start, end, *context_at(text, start, end))


def anchor_excerpt(
    text: str, excerpt: str, start: int | None = None, end: int | None = None
) -> Anchor | AnchorError:
    """Anchor *excerpt* in *text*: only a verbatim occurrence is ever accepted.

    With offsets, ``text[start:end]`` must equal the excerpt. Without, the excerpt must occur
    exactly
    once. Otherwise the error says why and suggests the fix: the right offsets, the report's own
    characters where only quotes, dashes or spaces differ, or the nearest passage.

    >>> anchor_excerpt("a b c", "b c").start
    2
    >>> anchor_excerpt("a b c", "b  c").message
    'excerpt differs from the report text in spaces, quotes or dashes'
    """
    excerpt = nfc(excerpt)
    if not excerpt.strip():
        return AnchorError(
            "excerpt", "excerpt is empty", "copy the report's words into the excerpt"
        )
    if start is not None or end is not None:
        # Right offsets are checked in constant time; the excerpt's occurrences (a scan of the
        # whole text) are only looked for to suggest the fix for wrong ones.
        right = at_offsets(text, excerpt, start, end)
        if right is not None and start is not None and end is not None:
            return Anchor(start, end, *right)
        found = _occurrences(text, excerpt)
        if start is None or end is None:
            return AnchorError(
                "start" if start is None else "end",
                "give both start and end, or neither",
                _offset_hint(found, len(excerpt)),
            )
        if not 0 <= start < end <= len(text):
            return AnchorError(
                "start",
                f"offsets {start}-{end} are outside the report text (0-{len(text)})",
                _offset_hint(found, len(excerpt)),
            )
        return AnchorError(
            "start",
            f"text at offsets {start}-{end} is not the excerpt",
            _offset_hint(found, len(excerpt)),
        )
    found = _occurrences(text, excerpt)
    if len(found) == 1:
        return make_anchor(text, found[0], found[0] + len(excerpt))
    if len(found) > 1:
        places = ", ".join(f"{s}-{s + len(excerpt)}" for s in found[:5])
        return AnchorError(
            "excerpt",
            f"excerpt occurs {len(found)} times in the report",
            f"give start and end to say which: {places}",
        )
    loose = _loose_find(text, excerpt)
    if loose is not None:
        s, e = loose
        return AnchorError(
            "excerpt",
            "excerpt differs from the report text in spaces, quotes or dashes",
            f"use the report's exact characters (offsets {s}-{e}): «{text[s:e]}»",
        )
    return AnchorError(
        "excerpt", "excerpt does not occur in the report text", nearest_passage(text, excerpt)
    )


def nearest_passage(text: str, excerpt: str) -> str:
    """A suggestion naming the passage of *text* nearest to *excerpt*, or '' when none is close."""
    if not text:
        return ""
    align = fuzz.partial_ratio_alignment(excerpt, text, score_cutoff=50)
    if align is None:
        return "no similar passage was found; check that the finding belongs to this report"
    passage = text[align.dest_start : align.dest_end]
    return (
        f"nearest passage ({align.score:.0f}% similar) at offsets "
        f"{align.dest_start}-{align.dest_end}: «{passage}»"
    )


def _occurrences(text: str, excerpt: str) -> list[int]:
    found, at = [], text.find(excerpt)
    while at != -1:
        found.append(at)
        at = text.find(excerpt, at + 1)
    return found


def _offset_hint(found: list[int], length: int) -> str:
    if len(found) == 1:
        return f"the excerpt occurs at start={found[0]}, end={found[0] + length}"
    if found:
        return "the excerpt occurs at " + ", ".join(f"{s}-{s + length}" for s in found[:5])
    return "leave start and end blank to have them computed"


_LOOSE = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "′": "'",
        "`": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "−": "-",
        "\u00a0": " ",
    }
)
_WS = re.compile(r"\s+")


def _loose(text: str) -> tuple[str, list[int]]:
    """*text* with quotes and dashes made plain and white space squeezed, and for each character of
    the result the index of the character it came from."""
    out, index = [], []
    translated = text.translate(_LOOSE)
    i = 0
    while i < len(translated):
        match = _WS.match(translated, i)
        if match:
            out.append(" ")
            index.append(i)
            i = match.end()
        else:
            out.append(translated[i])
            index.append(i)
            i += 1
    return "".join(out), index


def _loose_find(text: str, excerpt: str) -> tuple[int, int] | None:
    """Offsets in *text* of the single loose match of *excerpt*, if there is exactly one."""
    loose_text, index = _loose(text)
    loose_excerpt = _loose(excerpt)[0].strip()
    if not loose_excerpt:
        return None
    at = loose_text.find(loose_excerpt)
    if at == -1 or loose_text.find(loose_excerpt, at + 1) != -1:
        return None
    last = at + len(loose_excerpt) - 1
    end = index[last] + 1
    # A squeezed space at the end stands for the whole run of white space.
    while loose_text[last] == " " and end < len(text) and text[end].isspace():
        end += 1
    return index[at], end
