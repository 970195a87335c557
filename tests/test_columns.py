"""Header matching in analysts' words, and splitting list cells: tables, then properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.io.columns import (
    EXTRA,
    FIELDS,
    IGNORE,
    build_mapping,
    header_key,
    header_signature,
    match_field,
    parse_target,
    split_list_text,
    suggest_mapping,
    synonyms,
)

ANALYSTS_HEADER = ["Finding ID", "Quote", "Province", "Theme(s)", "Actor"]


@pytest.mark.parametrize(
    ("name", "field", "how"),
    [
        ("Finding ID", "id", "synonym"),
        ("Ref", "id", "synonym"),
        ("Quote", "excerpt", "synonym"),
        ("Excerpt", "excerpt", "name"),
        ("Passage", "excerpt", "synonym"),
        ("Exerpt", "excerpt", "fuzzy"),
        ("Province", "regions", "synonym"),
        ("District", "regions", "synonym"),
        ("Location", "regions", "synonym"),
        ("Country", "regions", "synonym"),
        ("Countries", "regions", "synonym"),
        ("Theme(s)", "themes", "name"),
        ("THEMES", "themes", "name"),
        ("Topic", "themes", "synonym"),
        ("Tags", "themes", "synonym"),
        ("Actor", "actors", "name"),
        ("Group", "actors", "synonym"),
        ("Analyst comment", "summary", "synonym"),
        ("Assessment", "summary", "synonym"),
        ("Page", "page", "name"),
        ("report_id", "report_id", "name"),
        ("Régions", "regions", "name"),
        ("Confidence", None, ""),
        ("Date", "period", "synonym"),
        ("As of", "period", "synonym"),
        ("Reporting period", "period", "synonym"),
        ("Period", "period", "name"),
        ("Source", None, ""),
        ("", None, ""),
    ],
)
def test_match_field(name, field, how):
    match = match_field(name)
    assert (match.field, match.how) == (field, how)


def test_the_analysts_sheet_maps_whole():
    mapping, problems = build_mapping([*ANALYSTS_HEADER, "Confidence", "Date"])
    assert problems == []
    assert mapping == {
        "Finding ID": "id",
        "Quote": "excerpt",
        "Province": "regions",
        "Theme(s)": "themes",
        "Actor": "actors",
        "Confidence": EXTRA,
        "Date": "period",
    }


def test_the_better_name_wins_a_field_and_the_other_column_is_kept():
    suggested = suggest_mapping(["Analyst comment", "Summary", "District", "Province"])
    assert suggested["Summary"].field == "summary"
    assert suggested["Analyst comment"].field is None
    assert suggested["Province"].field == "regions" and suggested["District"].field is None


def test_a_chosen_column_takes_the_field_from_the_suggested_one():
    mapping, problems = build_mapping(["Province", "District"], {"District": "regions"})
    assert problems == [] and mapping == {"Province": EXTRA, "District": "regions"}


def test_two_chosen_columns_on_one_field_are_refused():
    mapping, problems = build_mapping(
        ["A", "B", "C"], {"A": "themes", "B": "themes", "C": IGNORE}, file="f.csv"
    )
    assert [(p.column, p.message) for p in problems] == [
        ("B", "columns 'A' and 'B' are both mapped to 'themes'")
    ]
    assert problems[0].suggestion and mapping["C"] == IGNORE


def test_unknown_target_is_refused():
    _, problems = build_mapping(["A"], {"A": "colour"})
    assert problems and problems[0].message == "unknown field 'colour' for column 'A'"


def test_remembered_mapping_under_chosen():
    mapping, _ = build_mapping(
        ["Zitat", "Etikett"], {"Etikett": IGNORE}, {"Zitat": "excerpt", "Etikett": "themes"}
    )
    assert mapping == {"Zitat": "excerpt", "Etikett": IGNORE}


@pytest.mark.parametrize(
    ("text", "target"),
    [("themes", "themes"), ("Theme", "themes"), ("keep", EXTRA), ("skip", IGNORE), ("x", None)],
)
def test_parse_target(text, target):
    assert parse_target(text) == target


def test_every_field_has_its_own_name_first():
    for field, names in synonyms().items():
        assert field in FIELDS and names[0] == header_key(field)


def test_header_signature_ignores_order_not_names():
    assert header_signature(["a", "b"]) == header_signature(["b", "a"])
    assert header_signature(["a", "b"]) != header_signature(["a", "c"])


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        ("", []),
        ("PK", ["PK"]),
        ("Baluchistan, Khyber Pakhtunkhwa", ["Baluchistan", "Khyber Pakhtunkhwa"]),
        ("a;b|c\nd\r\ne", ["a", "b", "c", "d", "e"]),
        ("Iran, Islamic Republic of; PK", ["Iran, Islamic Republic of", "PK"]),
        (" a ; ; b ", ["a", "b"]),
        (",,", []),
    ],
)
def test_split_list_text(cell, items):
    assert split_list_text(cell) == items


# --- properties -------------------------------------------------------------------------------

NAMES = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@given(NAMES)
def test_header_key_is_idempotent(name):
    assert header_key(header_key(name)) == header_key(name)


@given(NAMES)
def test_header_key_ignores_case_and_surrounding_punctuation(name):
    assert header_key(name.upper()) == header_key(name.lower()) or not name.isascii()
    assert header_key(f"  {name} ") == header_key(name)
    assert header_key(f"__{name}__") == header_key(name)


@given(st.sampled_from([n for names in synonyms().values() for n in names if len(n) > 3]))
def test_a_synonym_in_any_dress_names_its_field(name):
    field = match_field(name).field
    for dressed in (name.upper(), name.title(), name.replace(" ", "_"), f"{name}(s)", f" {name}: "):
        assert match_field(dressed).field == field, dressed


ITEM = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters=";|,\n\r"),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip() and s == s.strip())


@given(st.lists(ITEM, min_size=1, max_size=6), st.sampled_from([";", "|", "\n", "; ", ", ", ","]))
def test_list_cells_split_back_into_their_items(items, separator):
    assert split_list_text(separator.join(items)) == items


@given(st.lists(ITEM, min_size=2, max_size=6), st.sampled_from([";", "|", "\n"]))
def test_commas_stay_inside_items_when_a_stronger_separator_is_used(items, separator):
    items = [f"{a}, {a}" for a in items]
    assert split_list_text(separator.join(items)) == items
