"""The passage scanner: what a newly coded finding is about, suggested from its passage.

An analyst selects a passage of a report; :func:`suggest` scans that passage and its paragraph
(:func:`paragraph_bounds`) for the regions of the gazetteer (:func:`region_mentions`), the themes
of the taxonomy (:func:`theme_mentions`, by their keywords and labels) and the actors already in
use, and ranks what it found: what the passage itself names comes first.

Matching is loose the way :meth:`dashboard.core.regions.Gazetteer.resolve` is loose: case,
diacritics and the spaces, hyphens and dots inside a name are ignored (``"Nangarhār"``,
``"Sar-e-Pul"``, ``"N.W.F.P"``), but a name is never found inside a longer word
(``"Pakistani"`` does not name Pakistan: an adjective is not the place). Offsets are always those
of the text as given, whatever folding did to its length.

>>> from dashboard.core.regions import load_gazetteer
>>> [(m.code, m.spelling) for m in region_mentions("Refugees in Nangarhār Province.",
...                                                   load_gazetteer())]
[('AF-NAN', 'Nangarhār Province')]
"""

from __future__ import annotations

import bisect
import functools
import numbers
import re
import threading
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .regions import Gazetteer
from .taxonomy import Taxonomy
from .text import name_key

__all__ = [
    "Mention",
    "Suggestions",
    "paragraph_bounds",
    "region_mentions",
    "suggest",
    "theme_mentions",
]


@dataclass(frozen=True)
class Mention:
    """One place in a text where a region (or a theme, or an actor) is named.

    ``code`` is the region code (the theme key, the actor's name); ``start``/``end`` index the
    scanned text as given (code points), and ``spelling`` is ``text[start:end]``.
    """

    code: str
    start: int
    end: int
    spelling: str


@dataclass(frozen=True)
class Suggestions:
    """What :func:`suggest` found for a passage, best first.

    ``regions``: region codes, those named in the passage first (in order of first mention),
    then those named only in its paragraph. ``themes``: theme keys, most mentions first (a
    mention in the passage counts twice), taxonomy order on ties. ``actors``: the actors in use
    named in the passage or its paragraph, most used first. ``in_passage``: the region codes,
    theme keys and actors found in the passage itself. ``mentions``: the region mentions in the
    passage, offsets in the whole text (for highlighting).
    """

    regions: tuple[str, ...]
    themes: tuple[str, ...]
    actors: tuple[str, ...]
    in_passage: frozenset[str]
    mentions: tuple[Mention, ...]


# -- paragraphs -----------------------------------------------------------------------------------

#: A blank line or more: the end of a line, then lines of nothing but white space.
_BLANK = re.compile(r"[^\S\n]*\n(?:[^\S\n]*\n)+")


def _check_span(text: str, start: int, end: int) -> None:
    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span [{start}, {end}) is not within a text of {len(text)} characters")


def _last_blank_end(text: str, before: int) -> int:
    """Where the last blank line before *before* ends (0 when there is none), looked for in
    ever larger windows back from *before*: a passage deep in a long report costs little.

    >>> _last_blank_end("a\\n\\nb\\n \\nc", 7), _last_blank_end("a\\nb", 3)
    (7, 0)
    """
    size = 4096
    while True:
        first = max(0, before - size)
        ends = [blank.end() for blank in _BLANK.finditer(text, first, before)]
        # A blank line cut by the window's edge still ends where it ends, if it matches at all.
        if ends:
            return ends[-1]
        if first == 0:
            return 0
        size *= 8


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (or paragraphs) around ``text[start:end]``, as ``(begin, finish)``.

    Paragraphs are separated by blank lines (``"\\n\\n"`` or more; a line of nothing but spaces
    is blank). The paragraph begins just after the last blank line before the passage and ends
    where the next blank line after it begins; the whole text when there are none. White space
    at the passage's edges is not what it is about: a selection ``"bar\\n\\n"`` belongs to the
    paragraph of ``bar``. The bounds always include the passage.

    Raises :class:`ValueError` for a span outside the text.

    >>> text = "First.\\n\\nSecond one,\\nsame paragraph.\\n  \\nThird."
    >>> begin, finish = paragraph_bounds(text, 10, 13)
    >>> text[begin:finish]
    'Second one,\\nsame paragraph.'
    >>> paragraph_bounds("No blank line.", 3, 5)
    (0, 14)
    """
    _check_span(text, start, end)
    low, high = start, end
    while low < high and text[low].isspace():
        low += 1
    while high > low and text[high - 1].isspace():
        high -= 1
    begin = _last_blank_end(text, low)
    after = _BLANK.search(text, high)
    finish = after.start() if after else len(text)
    return min(begin, start), max(finish, end)


# -- folding with the way back --------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _fold_char(char: str) -> str:
    """One character folded for matching: NFKD, combining marks and format characters (soft
    hyphen, zero-width space) dropped, casefolded; as :func:`dashboard.core.text.fold` does.

    >>> _fold_char("ā"), _fold_char("ﬁ"), _fold_char("\\u0304"), _fold_char("A")
    ('a', 'fi', '', 'a')
    """
    decomposed = unicodedata.normalize("NFKD", char)
    kept = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return kept.casefold()


class _Folded:
    """A text folded character by character (:func:`_fold_char`), with the map back to offsets
    in the original.

    Most characters fold to one character, so offsets agree until the first that does not;
    only those (ligatures fold to two, combining marks to none) are recorded, and a folded
    offset is mapped back by bisecting them. An ASCII text is merely lower-cased.

    >>> folded = _Folded("Da\\u0304ykundi\\u0304 and Helmand")
    >>> folded.folded
    'daykundi and helmand'
    >>> folded.origin_start(13), folded.origin_end(8)
    (15, 10)
    """

    __slots__ = ("_lengths", "_origins", "_starts", "folded", "text")

    def __init__(self, text: str):
        self.text = text
        self._starts: list[int] = []  # folded offset of each character not folding to one
        self._origins: list[int] = []  # its offset in text
        self._lengths: list[int] = []  # the length of what it folds to
        if text.isascii():
            self.folded = text.lower()
            return
        table: dict[int, str] = {}
        for char in set(text):
            if not char.isascii() or char.isupper():
                folded = _fold_char(char)
                if folded != char:
                    table[ord(char)] = folded
        self.folded = text.translate(table)
        odd = "".join(chr(c) for c, folded in table.items() if len(folded) != 1)
        if not odd:
            return
        shift = 0
        for found in re.finditer(f"[{re.escape(odd)}]", text):
            at = found.start()
            length = len(table[ord(text[at])])
            self._starts.append(at + shift)
            self._origins.append(at)
            self._lengths.append(length)
            shift += length - 1

    def origin_start(self, at: int) -> int | None:
        """The offset in the text where the folded text from *at* comes from; ``None`` when
        *at* is inside what one character folded to."""
        k = bisect.bisect_right(self._starts, at) - 1
        if k < 0:
            return at
        start, origin, length = self._starts[k], self._origins[k], self._lengths[k]
        if at < start + length:
            return origin if at == start else None
        return origin + 1 + at - start - length

    def origin_end(self, at: int) -> int | None:
        """The offset in the text where the folded text up to *at* (exclusive, ``at > 0``)
        ends, with the combining marks that follow; ``None`` inside a character's folding."""
        k = bisect.bisect_right(self._starts, at - 1) - 1
        if k < 0:
            end = at
        else:
            start, origin, length = self._starts[k], self._origins[k], self._lengths[k]
            if at - 1 < start + length:
                if at != start + length:
                    return None
                end = origin + 1
            else:
                end = origin + 1 + at - start - length
        text = self.text
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        return end


# -- matchers -------------------------------------------------------------------------------------

#: Spaces and hyphens inside a name: any run of them, or none ("Sar-e Pul", "Sar e-Pul").
_SEPARATOR = r"[\s\-\u2010-\u2015\u2212]*"
_SEPARATOR_CHARS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
#: Apostrophes, straight or curly: optional, as name_key ignores them.
_APOSTROPHE = "['\u2018\u2019\u02bc]?"
_APOSTROPHE_CHARS = frozenset("'\u2018\u2019\u02bc`")
#: A keyword's stem: the rest of the word ("recruit" finds "recruited").
_STEM = r"\w*"
_STEM_LENGTH = 5
_PROVINCE = r"(\s+province)?"
#: How many spellings as written a matcher remembers before it starts afresh.
_WRITTEN_LIMIT = 4096


@dataclass(frozen=True)
class _Spelling:
    """One way of writing a target (a region code, a theme key, an actor).

    ``kind``: ``"name"`` matches in any case; ``"caps"`` (an acronym written all in capitals in
    the gazetteer, e.g. ``"NWFP"``, ``"KP"``) only in capitals; ``"code"`` (a code or an ISO
    alpha-3 code) only exactly as written. ``stem``: a word that starts with the last word
    matches too. ``province``: a trailing word "Province" may follow.
    """

    target: str
    kind: str
    spelling: str
    stem: bool = False
    province: bool = False

    def accepts(self, written: str) -> bool:
        if self.kind == "code":
            return written == self.spelling
        if self.kind == "caps":
            return not any(c.islower() for c in written)
        return True


def _units(spelling: str, stem: bool) -> tuple[str, ...]:
    """The regex pieces, one per folded character of *spelling*, that the trie is made of;
    *stem* adds the rest of a word after the last.

    >>> pattern = "".join(_units("Sar-e Pul", False))
    >>> [bool(re.fullmatch(pattern, t)) for t in ("sar-e pul", "sar e\u2013pul", "sarepul", "sa")]
    [True, True, True, False]
    >>> [bool(re.fullmatch("".join(_units("N.W.F.P.", False)), t)) for t in ("n.w.f.p.", "nwfp")]
    [True, True]
    """
    units: list[str] = []
    for char in "".join(_fold_char(c) for c in spelling):
        if char.isalnum():
            units.append(re.escape(char))
        elif char.isspace() or char in _SEPARATOR_CHARS:
            if units and units[-1] != _SEPARATOR:
                units.append(_SEPARATOR)
        elif char in _APOSTROPHE_CHARS:
            units.append(_APOSTROPHE)
        else:
            units.append(re.escape(char) + "?")
    while units and units[-1] == _SEPARATOR:
        units.pop()
    if not any(u.isalnum() for u in units):
        return ()
    if stem:
        units.append(_STEM)
    return tuple(units)


def _has_stem(keyword: str) -> bool:
    """Whether *keyword* is a stem: its last word has at least five letters.

    >>> _has_stem("recruit"), _has_stem("safe haven"), _has_stem("army"), _has_stem("drawn to")
    (True, True, False, False)
    """
    words = re.findall(r"[^\W_]+", keyword)
    return bool(words) and len(words[-1]) >= _STEM_LENGTH


def _trie(unit_lists: Iterable[tuple[str, ...]]) -> str:
    """One regex for many spellings: their units as a trie, so the engine never tries two
    spellings that start alike twice. At each branch the continuations of longer spellings are
    tried first, then a stem's rest of the word, then the end of a spelling: the longest
    spelling wins.

    >>> _trie([("a", "b"), ("a", "c"), ("a",)])
    'a(?:b|c|)'
    """
    root: dict[str, dict] = {}
    for units in unit_lists:
        node = root
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}
    return _render(root)


def _render(node: dict[str, dict]) -> str:
    order = sorted((u for u in node if u), key=lambda u: (u == _STEM, u))
    alternatives = [unit + _render(node[unit]) for unit in order]
    if "" in node:
        alternatives.append("")
    if len(alternatives) == 1:
        return alternatives[0]
    return "(?:" + "|".join(alternatives) + ")"


class _Matcher:
    """Finds the spellings of many targets in a text with one compiled regex (a trie of their
    folded spellings), and tells which target each match is by its
    :func:`dashboard.core.text.name_key`."""

    def __init__(self, spellings: Iterable[_Spelling], *, province: bool = False):
        self._by_key: dict[str, list[_Spelling]] = {}
        unit_lists = []
        for spelling in spellings:
            key = name_key(spelling.spelling)
            units = _units(spelling.spelling, spelling.stem)
            if key and units:
                self._by_key.setdefault(key, []).append(spelling)
                unit_lists.append(units)
        self._stems = any(s.stem for group in self._by_key.values() for s in group)
        self._province = province
        self._written: dict[str, tuple[_Spelling, ...]] = {}
        self._pattern = (
            re.compile(rf"(?<!\w)(?:{_trie(unit_lists)}){_PROVINCE if province else ''}(?!\w)")
            if unit_lists
            else None
        )

    def _targets(self, written: str) -> tuple[_Spelling, ...]:
        """The spellings *written* (as the text has it) is; remembered, as a text repeats its
        names."""
        found = self._written.get(written)
        if found is None:
            key = name_key(written)
            found = tuple(s for s in self._by_key.get(key, ()) if s.accepts(written))
            if not found and self._stems:
                for cut in range(len(key) - 1, 0, -1):
                    found = tuple(s for s in self._by_key.get(key[:cut], ()) if s.stem)
                    if found:
                        break
            if len(self._written) >= _WRITTEN_LIMIT:
                self._written.clear()
            self._written[written] = found
        return found

    def scan(self, text: str) -> Iterator[Mention]:
        """Every mention in *text*, by start; one per target found at a place."""
        if self._pattern is None or not text:
            return
        folded = _Folded(text)
        search = self._pattern.search
        at = 0
        while (match := search(folded.folded, at)) is not None:
            begin, finish = match.span()
            body_end = match.start(1) if self._province and match.group(1) else finish
            start = folded.origin_start(begin)
            end = folded.origin_end(body_end)
            spellings = (
                self._targets(text[start:end]) if start is not None and end is not None else ()
            )
            if start is None or end is None or not spellings:
                at = begin + 1  # not a spelling after all (say "kp"): look on from the next
                continue
            if body_end != finish and all(s.province and s.kind != "code" for s in spellings):
                end = folded.origin_end(finish) or end
            for target in dict.fromkeys(s.target for s in spellings):
                yield Mention(target, start, end, text[start:end])
            at = finish


_LOCK = threading.Lock()
_REGION_MATCHERS: weakref.WeakKeyDictionary[Gazetteer, _Matcher] = weakref.WeakKeyDictionary()


def _is_caps(spelling: str) -> bool:
    return any(c.isalpha() for c in spelling) and not any(c.islower() for c in spelling)


def _region_spellings(gazetteer: Gazetteer) -> Iterator[_Spelling]:
    for region in gazetteer:
        province = region.level == "province"
        for spelling in gazetteer.spellings(region.code):
            if spelling == region.code:
                if region.level == "country":
                    continue  # "IN", "AF": a heading's word or an abbreviation, not the country
                kind = "code"
            elif spelling == region.name or spelling in region.aliases:
                kind = "caps" if _is_caps(spelling) else "name"
            else:
                kind = "code"  # the ISO 3166-1 alpha-3 code of a country
            yield _Spelling(region.code, kind, spelling, province=province)


def _region_matcher(gazetteer: Gazetteer) -> _Matcher:
    """The matcher of *gazetteer*'s spellings, built once per gazetteer object (a gazetteer
    is immutable; it is forgotten with the gazetteer)."""
    with _LOCK:
        matcher = _REGION_MATCHERS.get(gazetteer)
    if matcher is None:
        matcher = _Matcher(_region_spellings(gazetteer), province=True)
        with _LOCK:
            _REGION_MATCHERS[gazetteer] = matcher
    return matcher


@functools.lru_cache(maxsize=16)
def _theme_matcher(taxonomy: Taxonomy) -> _Matcher:
    return _Matcher(
        _Spelling(theme.key, "name", word, stem=_has_stem(word))
        for theme in taxonomy.themes
        for word in (*theme.keywords, theme.label)
    )


@functools.lru_cache(maxsize=32)
def _actor_matcher(names: tuple[str, ...]) -> _Matcher:
    return _Matcher(_Spelling(name, "name", name) for name in names)


# -- the scanners ---------------------------------------------------------------------------------


def region_mentions(text: str, gazetteer: Gazetteer) -> list[Mention]:
    """Every place in *text* where a region of *gazetteer* is named, by start.

    A region is named by its name, any alias, its code (``"AF-NAN"``) or, for a country, its
    ISO 3166-1 alpha-3 code (``"PAK"``). Case, diacritics and the spaces, hyphens, dots and
    apostrophes inside a name are ignored; a province's name may be followed by the word
    "Province" (part of the mention). Codes, alpha-3 codes and the gazetteer's acronyms
    (spellings written all in capitals there: ``"NWFP"``, ``"KP"``, ``"FATA"``) match only in
    capitals, codes only exactly as written, so the words "pak" or "kp" name nothing. A
    country's two-letter code is not looked for: ``"IN"`` in a heading is not India.

    A name never matches inside a word (``"Pakistani"``, ``"Afghans"``, ``"Kabuli"`` name
    nothing) and, where spellings overlap, the longest wins: ``"Afghanistan-Pakistan region"``
    is ``AFPAK``, not Afghanistan and Pakistan. Each mention's spelling resolves
    (:meth:`~dashboard.core.regions.Gazetteer.resolve`) to its code.

    >>> from dashboard.core.regions import load_gazetteer
    >>> g = load_gazetteer()
    >>> [(m.code, m.start, m.spelling) for m in region_mentions(
    ...     "Pakistani fighters in NWFP, Hilmand and the Afghanistan-Pakistan region; PAK.", g)]
    [('PK-KP', 22, 'NWFP'), ('AF-HEL', 28, 'Hilmand'),
     ('AFPAK', 44, 'Afghanistan-Pakistan region'), ('PK', 73, 'PAK')]
    >>> region_mentions("the word pak, and kp", g)
    []
    """
    return list(_region_matcher(gazetteer).scan(text))


def theme_mentions(text: str, taxonomy: Taxonomy) -> list[Mention]:
    """Every place in *text* where a theme's keyword or label occurs, by start.

    Case and diacritics are ignored; keywords are whole words or phrases, never part of a
    word. A keyword whose last word has at least five letters is a stem: it also matches
    words that start with it (``"recruit"`` finds ``"recruited"``, ``"safe haven"`` finds
    ``"safe-havens"``); shorter ones match only as they are (``"army"`` does not find
    ``"armytage"``). Where keywords overlap the longest wins (``"social media"`` is
    online radicalisation, not the propaganda of ``"media"``). ``Mention.code`` is the theme
    key.

    >>> from dashboard.core.taxonomy import load_taxonomy
    >>> [(m.code, m.spelling) for m in theme_mentions(
    ...     "Refugees were recruited on social media.", load_taxonomy())]
    [('refugees', 'Refugees'), ('recruitment', 'recruited'),
     ('online-radicalisation', 'social media')]
    """
    return list(_theme_matcher(taxonomy).scan(text))


def _actor_counts(actors_in_use: Mapping[str, int] | Iterable[str]) -> dict[str, int]:
    """Actor names with how many findings use them, most used first (stable on ties)."""
    items = getattr(actors_in_use, "items", None)
    pairs: Iterable[tuple[object, object]] = (
        items() if callable(items) else ((name, 1) for name in actors_in_use)
    )
    counts: dict[str, int] = {}
    for name, count in pairs:
        if isinstance(name, str) and name.strip() and name not in counts:
            try:
                counts[name] = int(float(count)) if isinstance(count, numbers.Real) else 0
            except (ValueError, OverflowError):  # NaN, infinity
                counts[name] = 0
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def suggest(
    text: str,
    start: int,
    end: int,
    *,
    gazetteer: Gazetteer,
    taxonomy: Taxonomy,
    actors_in_use: Mapping[str, int] | Iterable[str] = (),
) -> Suggestions:
    """Suggestions for a finding whose excerpt is ``text[start:end]``.

    Scans the passage and its paragraph (:func:`paragraph_bounds`) for regions
    (:func:`region_mentions`), themes (:func:`theme_mentions`) and the actors in use.
    *actors_in_use* gives actor names with how many findings use them (a mapping, or anything
    with ``.items()`` such as a pandas ``value_counts()``), or just names; an actor is found
    where its name occurs as whole words, case and diacritics ignored. A mention counts as in
    the passage when it overlaps it (a selection may cut a word).

    >>> from dashboard.core.regions import load_gazetteer
    >>> from dashboard.core.taxonomy import load_taxonomy
    >>> text = "Refugees fled Kunar.\\n\\nThe TTP recruits in Khyber Pakhtunkhwa and Kunar."
    >>> s = suggest(text, 22, 60, gazetteer=load_gazetteer(), taxonomy=load_taxonomy(),
    ...             actors_in_use={"ISKP": 9, "TTP": 2})
    >>> s.regions, s.themes, s.actors
    (('PK-KP', 'AF-KNR'), ('recruitment', 'rival-groups'), ('TTP',))
    >>> sorted(s.in_passage), [m.spelling for m in s.mentions]
    (['PK-KP', 'TTP', 'recruitment', 'rival-groups'], ['Khyber Pakhtunkhwa'])
    """
    begin, finish = paragraph_bounds(text, start, end)
    paragraph = text[begin:finish]

    def located(mentions: Iterable[Mention]) -> list[tuple[Mention, bool]]:
        moved = (Mention(m.code, m.start + begin, m.end + begin, m.spelling) for m in mentions)
        return [(m, m.start < end and m.end > start) for m in moved]

    regions = located(region_mentions(paragraph, gazetteer))
    themes = located(theme_mentions(paragraph, taxonomy))
    counts = _actor_counts(actors_in_use)
    actors = located(_actor_matcher(tuple(sorted(counts))).scan(paragraph)) if counts else []

    in_passage = {m.code for m, inside in (*regions, *themes, *actors) if inside}
    region_order = [m.code for m, inside in regions if inside] + [m.code for m, _ in regions]
    scores = Counter(m.code for m, _ in themes) + Counter(m.code for m, inside in themes if inside)
    order = {key: i for i, key in enumerate(taxonomy.theme_keys)}
    named = {m.code for m, _ in actors}
    return Suggestions(
        regions=tuple(dict.fromkeys(region_order)),
        themes=tuple(sorted(scores, key=lambda key: (-scores[key], order.get(key, len(order))))),
        actors=tuple(name for name in counts if name in named),
        in_passage=frozenset(in_passage),
        mentions=tuple(m for m, inside in regions if inside),
    )
