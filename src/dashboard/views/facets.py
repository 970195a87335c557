"""What the shared sidebar shows beside its widgets: option labels, the region hierarchy and the
count captions. Labels are fixed (Streamlit keeps a widget's value by its option's label, so a
label with a count in it would drop the choice when the count changes); counts go in captions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from dashboard.core.corpus import Corpus
from dashboard.core.regions import Gazetteer
from dashboard.core.taxonomy import Taxonomy
from dashboard.core.text import name_key

#: The countries whose provinces the picker lists under them, in this order.
MAPPED_COUNTRIES = ("AF", "PK")
#: Other spellings a picker label carries at most (besides the code).
MAX_SPELLINGS = 2


def counts_line(
    counts: Mapping[str, int], label: Callable[[str], str], order: Iterable[str]
) -> str:
    """Option counts as one line, e.g. "Propaganda 3 · Recruitment 6".

    Options with none are left out.

    >>> counts_line({"a": 3, "b": 0, "c": 6}, str.upper, "abc")
    'A 3 · C 6'
    >>> counts_line({}, str.upper, "abc")
    'none'
    """
    parts = [f"{label(key)} {counts[key]}" for key in order if counts.get(key)]
    return " · ".join(parts) if parts else "none"


def theme_help(taxonomy: Taxonomy) -> str:
    return "Findings with any of the chosen themes.\n\n" + "\n".join(
        f"- **{t.label}**: {t.definition}" for t in taxonomy.themes
    )


def kind_help(taxonomy: Taxonomy) -> str:
    return "\n".join(f"- **{k.label}**: {k.definition}" for k in taxonomy.kinds)


def region_options(corpus: Corpus) -> list[str | None]:
    """Region picker options, in a hierarchy: supra-regions, each country then its provinces,
    neighbours, and the regions not on the map."""
    gaz = corpus.gazetteer
    supra = [r.code for r in gaz if r.level == "supra"]
    codes: list[str] = sorted(supra, key=lambda c: -len(gaz.descendants(c)))
    for country in MAPPED_COUNTRIES:
        codes.append(country)
        codes += list(gaz.children(country))
    codes += sorted(
        (r.code for r in gaz if r.level == "country" and r.code not in MAPPED_COUNTRIES),
        key=gaz.name,
    )
    codes += sorted((r.code for r in gaz if r.level == "nonspatial"), key=gaz.name)
    return [None, *codes]


def region_label(corpus: Corpus, code: str | None) -> str:
    """A region's label in the picker (fixed: it must not change from run to run).

    The label carries the region's other spellings and codes, since the picker finds an option
    by what is typed into it: typing ``Hilmand`` or ``AF-HEL`` finds Helmand.

    >>> from dashboard.core.corpus import load_corpus
    >>> region_label(load_corpus(), "AF-HEL")
    '    └ Helmand · Hilmand · AF-HEL'
    """
    if code is None:
        return "All regions"
    return _region_label(corpus.gazetteer, code)


@lru_cache(maxsize=1024)
def _region_label(gaz: Gazetteer, code: str) -> str:
    # The picker formats every option on every rerun; a gazetteer never changes once loaded,
    # so each label is made once (about 1.4 ms a rerun otherwise).
    region = gaz[code]
    label = region.name
    if region.level == "province":
        label = "    └ " + label
        if region.note.startswith("historical"):
            label += " (until 2018)"
    elif region.level == "nonspatial":
        label += " (not on map)"
    # Spellings that typing the name already finds (the name with accents, "Wilayat-e Kabul")
    # are left out; so are spellings that fold alike.
    seen = {name_key(region.name).replace(" ", "")}
    others = []
    # Spellings without full stops first: "FATA" is what people type, not "F.A.T.A.".
    for spelling in sorted(gaz.spellings(code), key=lambda s: "." in s):
        key = name_key(spelling).replace(" ", "")
        if spelling == code or any(k in key for k in seen):
            continue
        seen.add(key)
        others.append(spelling)
    shown = others[:MAX_SPELLINGS]
    if region.level in ("country", "province"):
        shown.append(code)
    return " · ".join([label, *shown])


def region_scope_caption(corpus: Corpus, region: str, count: int, wider: bool) -> str:
    """The caption under the region picker: how many findings the chosen region shows."""
    return (
        f"{count} finding(s) name {corpus.gazetteer.name(region)} or a place inside it"
        + (", or a wider region containing it" if wider else "")
        + "."
    )
