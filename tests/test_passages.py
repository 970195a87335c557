"""The passage scanner: regions, themes and actors found in a passage and its paragraph."""

from __future__ import annotations

import itertools
import tomllib
import unicodedata

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import DATA_DIR
from dashboard.core import passages
from dashboard.core.passages import (
    Mention,
    paragraph_bounds,
    region_mentions,
    suggest,
    theme_mentions,
)
from dashboard.core.regions import load_gazetteer
from dashboard.core.taxonomy import Taxonomy, Term, load_taxonomy

REPORT = DATA_DIR / "reports" / "hjs-2017-iskp" / "report.txt"


def codes(text: str, gazetteer) -> list[str]:
    return [m.code for m in region_mentions(text, gazetteer)]


def spelled(text: str, gazetteer) -> list[tuple[str, str]]:
    return [(m.code, m.spelling) for m in region_mentions(text, gazetteer)]


def themes_of(text: str, taxonomy) -> list[str]:
    return [m.code for m in theme_mentions(text, taxonomy)]


# -- regions --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Fighting in Hilmand.", "AF-HEL"),
        ("Fighting in Helmand.", "AF-HEL"),
        ("the NWFP", "PK-KP"),
        ("the N.W.F.P. in 2005", "PK-KP"),
        ("the N.W.F.P in 2005", "PK-KP"),
        ("North-West Frontier Province", "PK-KP"),
        ("in KPK", "PK-KP"),
        ("in KP", "PK-KP"),
        ("Ningarhar", "AF-NAN"),
        ("Baluchistan", "PK-BA"),
        ("the FATA", "PK-TA"),
        ("Sar-e Pul", "AF-SAR"),
        ("Sar-e-Pul", "AF-SAR"),
        ("Sari Pul", "AF-SAR"),
        ("Maidan Wardak", "AF-WAR"),
        ("Azad Jammu & Kashmir", "PK-JK"),
        ("People’s Republic of China", "CN"),
        ("People's Republic of China", "CN"),
        ("Iran, Islamic Republic of", "IR"),
        ("Syria and Iraq", "IQ-SY"),
        ("Af-Pak", "AFPAK"),
        ("AfPak", "AFPAK"),
    ],
)
def test_names_and_aliases(gazetteer, text, code):
    assert codes(text, gazetteer) == [code]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see AF-NAN and PK-KP", ["AF-NAN", "PK-KP"]),
        ("AFPAK, IQ-SY, SOUTH-ASIA", ["AFPAK", "IQ-SY", "SOUTH-ASIA"]),
        ("PAK and AFG", ["PK", "AF"]),
        ("IRN, CHN, IND", ["IR", "CN", "IN"]),
        # codes and acronyms only in capitals, codes only as written
        ("af-nan", []),
        ("Af-Nan", []),
        ("AF NAN", []),
        ("the word pak, a kp, Pak", []),
        ("nwfp or Fata", []),
        # a country's two-letter code is not looked for: "IN" in a heading is not India
        ("ISKP IN AF AND PK", []),
    ],
)
def test_codes_and_alpha3(gazetteer, text, found):
    assert codes(text, gazetteer) == found


def test_capitals_of_a_name_are_the_name(gazetteer):
    assert codes("ISIS IN NANGARHAR PROVINCE AND PAKISTAN", gazetteer) == ["AF-NAN", "PK"]


@pytest.mark.parametrize(
    "text",
    [
        "Nangarhār",
        "nangarhar",
        "NANGARHĀR",
        unicodedata.normalize("NFD", "Nangarhār"),
        "Nangar\u00adhar",  # a soft hyphen, as PDF text layers have them
    ],
)
def test_diacritics_case_and_soft_hyphens_are_ignored(gazetteer, text):
    (mention,) = region_mentions(f"In {text}.", gazetteer)
    assert (mention.code, mention.start, mention.spelling) == ("AF-NAN", 3, text)


@pytest.mark.parametrize(
    "text",
    [
        "Pakistani Taliban",
        "Afghans fled",
        "a Kabuli pulao",
        "the Farahrud river",
        "Sindhi speakers",
        "Nangarhari tribes",
        "SouthAsian",
        "pre-Helmandic",  # inside a word, after a hyphen, is still inside
        "Kabul2",
        "_Kabul",
    ],
)
def test_no_match_inside_a_word(gazetteer, text):
    assert region_mentions(text, gazetteer) == []


def test_a_hyphen_or_punctuation_ends_a_word(gazetteer):
    assert spelled("Pakistan-based groups, (Kabul), “Herat”.", gazetteer) == [
        ("PK", "Pakistan"),
        ("AF-KAB", "Kabul"),
        ("AF-HER", "Herat"),
    ]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("the Afghanistan-Pakistan region", [("AFPAK", "Afghanistan-Pakistan region")]),
        ("the Afghanistan–Pakistan Region", [("AFPAK", "Afghanistan–Pakistan Region")]),
        ("in Afghanistan and Pakistan, and", [("AFPAK", "Afghanistan and Pakistan")]),
        ("in Khyber Pakhtunkhwa.", [("PK-KP", "Khyber Pakhtunkhwa")]),
        ("the Afghanistan-Pakistan diaspora", [("DIASPORA", "Afghanistan-Pakistan diaspora")]),
        ("Afghanistan, Pakistan", [("AF", "Afghanistan"), ("PK", "Pakistan")]),
        ("Islamic Republic of Iran", [("IR", "Islamic Republic of Iran")]),
    ],
)
def test_the_longest_match_wins(gazetteer, text, found):
    assert spelled(text, gazetteer) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("in Nangarhar Province.", ("AF-NAN", "Nangarhar Province")),
        ("in Nangarhar province.", ("AF-NAN", "Nangarhar province")),
        ("in Helmand\nProvince.", ("AF-HEL", "Helmand\nProvince")),
        ("in NWFP Province.", ("PK-KP", "NWFP Province")),
        ("in Nangarhar provincial council", ("AF-NAN", "Nangarhar")),
        # a country is not a province; a code is written as it is
        ("in Pakistan Province.", ("PK", "Pakistan")),
        ("in AF-NAN Province.", ("AF-NAN", "AF-NAN")),
    ],
)
def test_a_trailing_province(gazetteer, text, found):
    assert spelled(text, gazetteer) == [found]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_offsets_index_the_original_text(gazetteer, form):
    text = unicodedata.normalize(form, "Bāmyān, ﬁghting in Dāykundī and Helmand; Kābul.")
    found = region_mentions(text, gazetteer)
    assert [m.code for m in found] == ["AF-BAM", "AF-DAY", "AF-HEL", "AF-KAB"]
    for mention in found:
        assert text[mention.start : mention.end] == mention.spelling
        assert gazetteer.resolve(mention.spelling) == mention.code
    assert found[2].spelling == "Helmand"
    assert unicodedata.normalize("NFC", found[1].spelling) == "Dāykundī"  # with its marks


def test_nfd_text_keeps_trailing_marks_in_the_mention(gazetteer):
    text = unicodedata.normalize("NFD", "Dāykundī and Helmand")
    day, hel = region_mentions(text, gazetteer)
    assert (day.start, day.end) == (0, len(unicodedata.normalize("NFD", "Dāykundī")))
    assert text[hel.start :] == "Helmand"


def test_mentions_are_sorted_and_apart(gazetteer):
    found = region_mentions(REPORT.read_text(encoding="utf-8"), gazetteer)
    assert found == sorted(found, key=lambda m: m.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


def test_the_real_report_names_afghanistan_and_pakistan(gazetteer):
    text = REPORT.read_text(encoding="utf-8")
    found = region_mentions(text, gazetteer)
    assert {"AF", "PK", "AFPAK", "SOUTH-ASIA"} <= {m.code for m in found}
    assert (found[0].code, found[0].spelling) == ("AFPAK", "Afghanistan-Pakistan Region")
    for mention in found:
        assert text[mention.start : mention.end] == mention.spelling


def test_the_matcher_is_built_once_per_gazetteer(gazetteer):
    assert passages._region_matcher(gazetteer) is passages._region_matcher(gazetteer)
    other = load_gazetteer()
    assert passages._region_matcher(other) is not passages._region_matcher(gazetteer)


def test_a_megabyte_is_scanned_whole(gazetteer, taxonomy):
    """Every mention in a megabyte of text is found and placed (its speed is for bench/)."""
    text = REPORT.read_text(encoding="utf-8")
    big = (text * (1_000_000 // len(text) + 1))[:1_000_000]
    found = region_mentions(big, gazetteer)
    themes = theme_mentions(big, taxonomy)
    assert len(found) > 1000 and len(themes) > 1000
    assert all(big[m.start : m.end] == m.spelling for m in found)


# -- paragraphs -----------------------------------------------------------------------------------

PARAGRAPHS = "One.\n\nTwo a,\ntwo b.\n \t\nThree.\r\n\r\nFour."


@pytest.mark.parametrize(
    ("words", "paragraph"),
    [
        ("One", "One."),
        ("two b", "Two a,\ntwo b."),
        ("Two a,\ntwo", "Two a,\ntwo b."),
        ("Three", "Three."),
        ("Four", "Four."),
        ("two b.\n \t\nThree", "Two a,\ntwo b.\n \t\nThree."),  # a passage across paragraphs
        ("two b.\n \t\n", "Two a,\ntwo b."),  # blank lines at its edge do not count
    ],
)
def test_paragraph_bounds(words, paragraph):
    start = PARAGRAPHS.index(words)
    begin, finish = paragraph_bounds(PARAGRAPHS, start, start + len(words))
    assert begin <= start and start + len(words) <= finish
    assert PARAGRAPHS[begin:finish].strip() == paragraph


def test_paragraph_bounds_without_blank_lines_and_at_the_edges():
    assert paragraph_bounds("one\ntwo\nthree", 4, 7) == (0, 13)
    assert paragraph_bounds("", 0, 0) == (0, 0)
    assert paragraph_bounds("a\n\nb", 3, 3) == (3, 4)
    assert paragraph_bounds("a\n\nb", 0, 0) == (0, 1)


@pytest.mark.parametrize("shift", range(-4, 5))
def test_paragraph_bounds_far_into_a_long_text(shift):
    # The blank line is looked for in windows back from the passage: one cut by a window's edge
    # (4096 characters back) still counts.
    passage_at = 10_000
    blank_at = passage_at - 4096 + shift
    text = "x" * (blank_at - 1) + " \n \n\t\n" + "y" * 20_000
    naive = max([m.end() for m in passages._BLANK.finditer(text, 0, passage_at)], default=0)
    assert paragraph_bounds(text, passage_at, passage_at + 5) == (naive, len(text))
    assert paragraph_bounds("z" * 50_000, 40_000, 40_001) == (0, 50_000)


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2), (0, 99)])
def test_paragraph_bounds_refuse_a_span_outside(start, end):
    with pytest.raises(ValueError):
        paragraph_bounds("some text", start, end)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \n\t", max_size=60), st.data())
def test_paragraph_bounds_contain_the_passage_and_no_blank_line(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    begin, finish = paragraph_bounds(text, start, end)
    assert 0 <= begin <= start <= end <= finish <= len(text)
    # outside the passage the paragraph crosses no blank line, and it reaches one (or the edge)
    assert passages._BLANK.search(text[begin:start]) is None
    assert passages._BLANK.search(text[end:finish]) is None
    assert begin in (0, start) or text[begin - 1] == "\n"
    assert finish in (len(text), end) or passages._BLANK.match(text, finish)


# -- themes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("ISKP recruits youth", ["recruitment"]),
        ("they were recruited", ["recruitment"]),
        ("recruiting and recruitment", ["recruitment", "recruitment"]),
        ("Refugee camps and returnees", ["refugees", "refugees"]),
        ("a radio broadcasting network", ["propaganda", "propaganda"]),
        ("on social media", ["online-radicalisation"]),  # the longer keyword, not "media"
        ("in the media", ["propaganda"]),
        ("terrorist safe-havens", ["expansion"]),
        ("the Pakistani Taliban", ["rival-groups"]),
        ("Tehrik-i-Taliban Pakistan", ["rival-groups"]),
        ("the army and the police", ["state-response", "state-response"]),
        ("the armyworm and the ISIS", []),  # short keywords are whole words only
        ("videos by broadcasters", ["propaganda", "propaganda"]),
        ("VIOLENCE", ["violence"]),
        ("Violence & attacks", ["violence"]),  # a label
        ("Online radicalisation", ["online-radicalisation"]),
        ("ideológical", ["ideology"]),
        ("", []),
    ],
)
def test_theme_keywords(taxonomy, text, found):
    assert themes_of(text, taxonomy) == found


def test_theme_mentions_index_the_text(taxonomy):
    text = unicodedata.normalize("NFD", "Réfugees were récruited.")
    found = theme_mentions(text, taxonomy)
    assert [m.code for m in found] == ["refugees", "recruitment"]
    assert [text[m.start : m.end] for m in found] == [m.spelling for m in found]
    assert found[1].spelling == unicodedata.normalize("NFD", "récruited")


def test_a_keyword_shared_by_two_themes_names_both():
    themes = (
        Term("a", "Alpha", "The first theme.", "#000000", ("shared words",)),
        Term("b", "Beta", "The second theme.", "#111111", ("shared words", "beta")),
    )
    taxonomy = Taxonomy(themes=themes, kinds=())
    found = theme_mentions("Some shared words here.", taxonomy)
    assert [(m.code, m.spelling) for m in found] == [("a", "shared words"), ("b", "shared words")]


def test_every_theme_has_keywords_and_no_kind_has(taxonomy):
    for theme in taxonomy.themes:
        assert 5 <= len(theme.keywords) <= 12, theme.key
        assert isinstance(theme.keywords, tuple)
        # each theme's keywords find that theme
        for word in theme.keywords:
            assert theme.key in themes_of(f"... {word} ...", taxonomy), (theme.key, word)
    assert all(kind.keywords == () for kind in taxonomy.kinds)


@pytest.mark.parametrize("keywords", [("",), ("  ",), ("ok", 3), ["a list"]])
def test_bad_keywords_are_refused(keywords):
    with pytest.raises(ValueError):
        Taxonomy(themes=(Term("a", "A", "def", "#000000", keywords),), kinds=())


def test_keywords_are_read_as_a_tuple(tmp_path):
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        '[[themes]]\nkey = "a"\nlabel = "A"\ndefinition = "d"\ncolour = "#000000"\n'
        'keywords = ["one", "two words"]\n'
        '[[kinds]]\nkey = "k"\nlabel = "K"\ndefinition = "d"\n',
        encoding="utf-8",
    )
    taxonomy = load_taxonomy(path)
    assert taxonomy.theme("a").keywords == ("one", "two words")
    assert taxonomy.kind("k").keywords == ()
    hash(taxonomy)


@pytest.mark.parametrize("value", ['"one"', '[""]', "[1]"])
def test_bad_keywords_in_the_file_are_refused(tmp_path, value):
    path = tmp_path / "taxonomy.toml"
    path.write_text(
        '[[themes]]\nkey = "a"\nlabel = "A"\ndefinition = "d"\ncolour = "#000000"\n'
        f"keywords = {value}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError):
        load_taxonomy(path)


def test_the_bundled_taxonomy_file_has_keywords_for_themes_only():
    with open(DATA_DIR / "taxonomy.toml", "rb") as handle:
        raw = tomllib.load(handle)
    assert all(isinstance(t["keywords"], list) for t in raw["themes"])
    assert not any("keywords" in k for k in raw["kinds"])


# -- suggestions ----------------------------------------------------------------------------------

TEXT = (
    "Refugees returned from Pakistan to Kunar.\n"
    "\n"
    "In Nangarhar the TTP recruits fighters; the Afghan Taliban recruit too, "
    "and ISKP’s radio reaches Kunar and Helmand.\n"
    "\n"
    "Kabul is far."
)


def span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


def test_regions_in_the_passage_come_first(gazetteer, taxonomy):
    start, end = span("ISKP’s radio reaches Kunar and Helmand")
    found = suggest(TEXT, start, end, gazetteer=gazetteer, taxonomy=taxonomy)
    assert found.regions == ("AF-KNR", "AF-HEL", "AF-NAN")  # then the paragraph's; not Kabul
    assert {"AF-KNR", "AF-HEL"} <= found.in_passage and "AF-NAN" not in found.in_passage
    assert [(m.code, TEXT[m.start : m.end]) for m in found.mentions] == [
        ("AF-KNR", "Kunar"),
        ("AF-HEL", "Helmand"),
    ]
    assert found.mentions[0].start == TEXT.index("Kunar and")


def test_themes_by_mentions_passage_double(gazetteer, taxonomy):
    # paragraph: recruitment 3 (recruits, fighters, recruit), rival-groups 2 (TTP, Taliban),
    # propaganda 1 (radio). The passage holds "radio" only: propaganda counts 2.
    start, end = span("radio")
    found = suggest(TEXT, start, end, gazetteer=gazetteer, taxonomy=taxonomy)
    assert found.themes == ("recruitment", "propaganda", "rival-groups")
    assert "propaganda" in found.in_passage and "recruitment" not in found.in_passage


def test_themes_tie_in_taxonomy_order(gazetteer, taxonomy):
    text = "The TTP broadcast a video."  # rival-groups 1, propaganda 2
    found = suggest(text, 0, len(text), gazetteer=gazetteer, taxonomy=taxonomy)
    assert found.themes == ("propaganda", "rival-groups")
    text = "Taliban radio."  # one each: taxonomy order (propaganda before rival-groups)
    found = suggest(text, 0, len(text), gazetteer=gazetteer, taxonomy=taxonomy)
    assert found.themes == ("propaganda", "rival-groups")


def test_actors_in_use(gazetteer, taxonomy):
    start, end = span("the TTP recruits fighters")
    in_use = {"Afghan Taliban": 2, "TTP": 5, "ISKP": 9, "Islamic State": 4, "Kabul": 1}
    found = suggest(TEXT, start, end, gazetteer=gazetteer, taxonomy=taxonomy, actors_in_use=in_use)
    assert found.actors == ("ISKP", "TTP", "Afghan Taliban")  # most used first
    assert "TTP" in found.in_passage and "ISKP" not in found.in_passage


def test_actors_as_names_series_and_loosely_written(gazetteer, taxonomy):
    text = "The tehrik-e-taliban and the ISKP, not ISKPs or Taliban-e."
    names = ["Tehrik-e-Taliban", "ISKP", "", None, "Taliban-e"]
    found = suggest(text, 0, len(text), gazetteer=gazetteer, taxonomy=taxonomy, actors_in_use=names)
    assert found.actors == ("Tehrik-e-Taliban", "ISKP", "Taliban-e")
    series = pd.Series(["ISKP", "Taliban-e", "Taliban-e", "Tehrik-e-Taliban"]).value_counts()
    found = suggest(text, 0, 10, gazetteer=gazetteer, taxonomy=taxonomy, actors_in_use=series)
    assert found.actors[0] == "Taliban-e"  # used twice
    assert set(found.actors) == {"Taliban-e", "ISKP", "Tehrik-e-Taliban"}
    assert found.in_passage >= {"Tehrik-e-Taliban"}
    accented = suggest(
        "Hāfiz Saeed", 0, 5, gazetteer=gazetteer, taxonomy=taxonomy, actors_in_use=["Hafiz Saeed"]
    )
    assert accented.actors == ("Hafiz Saeed",)


def test_nothing_found(gazetteer, taxonomy):
    found = suggest("Nothing here.", 0, 7, gazetteer=gazetteer, taxonomy=taxonomy)
    assert found == passages.Suggestions((), (), (), frozenset(), ())


def test_a_selection_cutting_a_word_still_names_it(gazetteer, taxonomy):
    start, end = span("Nangarhar the")
    found = suggest(TEXT, start + 3, end, gazetteer=gazetteer, taxonomy=taxonomy)
    assert found.regions[0] == "AF-NAN" and "AF-NAN" in found.in_passage


def test_a_span_outside_the_text_is_refused(gazetteer, taxonomy):
    with pytest.raises(ValueError):
        suggest("short", 2, 10, gazetteer=gazetteer, taxonomy=taxonomy)


def test_the_real_findings_get_their_own_themes_suggested(gazetteer, taxonomy):
    text = REPORT.read_text(encoding="utf-8")
    findings = pd.read_csv(DATA_DIR / "findings" / "hjs-2017-iskp.csv")
    hits = 0
    for row in findings.itertuples():
        start, end = int(row.start), int(row.end)
        assert text[start:end] == row.excerpt
        found = suggest(text, start, end, gazetteer=gazetteer, taxonomy=taxonomy)
        coded = set(str(row.themes).split(";"))
        hits += bool(coded & set(found.themes))
        assert set(found.regions) <= set(gazetteer.codes)
    assert hits >= len(findings) * 2 // 3


# -- properties -----------------------------------------------------------------------------------

_GAZETTEER = load_gazetteer()
_SPELLINGS = sorted({s for code in _GAZETTEER.codes for s in _GAZETTEER.spellings(code)})
_PIECES = st.one_of(
    st.sampled_from(_SPELLINGS),
    st.sampled_from(_SPELLINGS).map(str.upper),
    st.sampled_from(_SPELLINGS).map(str.lower),
    st.sampled_from(_SPELLINGS).map(lambda s: unicodedata.normalize("NFD", s)),
    st.sampled_from([" Province", " province", "\n", " ", "-", "’s", ".", "i", "\u0301", "ﬁ"]),
    st.text(alphabet="aAiıİkKpPāß -\n\u0304\u00ad.’ﬁ⑴", max_size=5),
    st.text(max_size=4),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_every_mention_is_its_text_and_resolves_to_its_code(text):
    found = region_mentions(text, _GAZETTEER)
    assert found == sorted(found, key=lambda m: m.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    for mention in found:
        assert isinstance(mention, Mention)
        assert 0 <= mention.start < mention.end <= len(text)
        assert text[mention.start : mention.end] == mention.spelling
        assert _GAZETTEER.resolve(mention.spelling) == mention.code, mention


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join), st.data())
def test_suggestions_hold_whatever_the_text(text, data):
    taxonomy = load_taxonomy()
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    found = suggest(text, start, end, gazetteer=_GAZETTEER, taxonomy=taxonomy)
    assert len(set(found.regions)) == len(found.regions)
    assert set(found.themes) <= set(taxonomy.theme_keys)
    for mention in found.mentions:
        assert mention.start < end and mention.end > start
        assert text[mention.start : mention.end] == mention.spelling
        assert mention.code in found.in_passage
