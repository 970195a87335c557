"""What the shared sidebar shows beside its widgets: option labels, the region hierarchy and the
count captions. Labels are fixed (Streamlit keeps a widget's value by its option's label, so a
label with a count in it would drop the choice when the count changes); counts go in captions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from dashboard.core.corpus import Corpus
from dashboard.core.taxonomy import Taxonomy

#: The countries whose provinces the picker lists under them, in this order.
MAPPED_COUNTRIES = ("AF", "PK")


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
    """A region's label in the picker (fixed: it must not change from run to run)."""
    if code is None:
        return "All regions"
    region = corpus.gazetteer[code]
    label = region.name
    if region.level == "province":
        label = "    └ " + label
        if region.note.startswith("historical"):
            label += " (until 2018)"
    elif region.level == "nonspatial":
        label += " (not on map)"
    return label


def region_scope_caption(corpus: Corpus, region: str, count: int, wider: bool) -> str:
    """The caption under the region picker: how many findings the chosen region shows."""
    return (
        f"{count} finding(s) name {corpus.gazetteer.name(region)} or a place inside it"
        + (", or a wider region containing it" if wider else "")
        + "."
    )
