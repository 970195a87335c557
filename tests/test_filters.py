"""Filters as a value: applying them, the link round-trip, and the words that describe them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.query.filters import PARAMS, Filters, apply, facets, region_scope, search_terms

# A small hand-made table: each finding names what its id says.
ROWS = [
    # id, kind, themes, regions, actors, text
    ("pk", "analysis", ("refugees",), ("PK",), ("Pakistan",), "Forced repatriation of refugees"),
    ("kp", "assessment", ("recruitment",), ("PK-KP",), ("TTP",), "Recruits from the TTP"),
    ("af", "quotation", ("propaganda",), ("AF",), ("ISKP",), "Radio broadcasts in Nangarhār"),
    (
        "sa",
        "analysis",
        ("violence", "propaganda"),
        ("SOUTH-ASIA",),
        ("ISKP",),
        "Violence in South Asia",
    ),
    (
        "cy",
        "recommendation",
        ("online-radicalisation",),
        ("CYBERSPACE",),
        (),
        "Cyberspace and social media",
    ),
    ("none", "analysis", ("ideology",), (), ("ISKP",), "Takfiri ideology"),
]


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": i,
                "report_id": "r2" if i == "cy" else "r1",
                "kind": k,
                "title": t.split()[0],
                "summary": "",
                "excerpt": t,
                "themes": th,
                "regions": rg,
                "actors": ac,
            }
            for i, k, th, rg, ac, t in ROWS
        ]
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), ["pk", "kp", "af", "sa", "cy", "none"]),
        (Filters(themes=("propaganda",)), ["af", "sa"]),
        (Filters(themes=("propaganda", "refugees")), ["pk", "af", "sa"]),
        (Filters(region="PK"), ["pk", "kp"]),
        (Filters(region="PK-KP"), ["kp"]),
        (Filters(region="PK-KP", wider=True), ["pk", "kp", "sa"]),
        (Filters(region="AFPAK"), ["pk", "kp", "af"]),
        (Filters(region="SOUTH-ASIA"), ["pk", "kp", "af", "sa"]),
        (Filters(region="AF", wider=True), ["af", "sa"]),
        (Filters(region="CYBERSPACE"), ["cy"]),
        (Filters(region="AF-NAN"), []),
        (Filters(actors=("ISKP",)), ["af", "sa", "none"]),
        (Filters(actors=("TTP", "Pakistan")), ["pk", "kp"]),
        (Filters(kinds=("analysis",)), ["pk", "sa", "none"]),
        (Filters(reports=("r2",)), ["cy"]),
        (Filters(text="radio"), ["af"]),
        (Filters(text="NANGARHAR"), ["af"]),  # case and diacritics ignored
        (Filters(text='"social media"'), ["cy"]),
        (Filters(text="social violence"), []),  # every term must occur
        (Filters(themes=("propaganda",), region="AF"), ["af"]),
        (Filters(themes=("propaganda",), region="AF", wider=True), ["af", "sa"]),
        (Filters(themes=("propaganda",), actors=("ISKP",), kinds=("quotation",)), ["af"]),
        (Filters(themes=("refugees",), region="AF"), []),
    ],
)
def test_apply(small, gazetteer, filters, expected):
    result = apply(small, filters, gazetteer)
    assert list(result["id"]) == expected
    assert list(result.columns) == list(small.columns)


def test_empty_result_keeps_columns_and_dtypes(small, gazetteer):
    result = apply(small, Filters(text="absent"), gazetteer)
    assert result.empty and (result.dtypes == small.dtypes).all()


def test_apply_does_not_change_its_input(small, gazetteer):
    before = small.copy()
    apply(small, Filters(themes=("refugees",), region="PK", text="forced"), gazetteer)
    pd.testing.assert_frame_equal(small, before)


def test_region_scope(gazetteer):
    assert region_scope("AF", gazetteer) == {"AF"} | gazetteer.descendants("AF")
    assert {"AFPAK", "SOUTH-ASIA", "GLOBAL"} <= region_scope("AF", gazetteer, wider=True)
    assert "CYBERSPACE" not in region_scope("AF", gazetteer, wider=True)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("", []),
        ("  ", []),
        ("Radio", ["radio"]),
        ('"social media" youth', ["social media", "youth"]),
        ("Nangarhār", ["nangarhar"]),
        ('"unclosed', ['"unclosed']),
    ],
)
def test_search_terms(text, terms):
    assert search_terms(text) == terms


def _parse(params, corpus):
    return Filters.from_query_params(
        params,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        actors={a for row in corpus.findings["actors"] for a in row},
        reports=corpus.reports,
        findings=corpus.findings["id"],
    )


ROUND_TRIPS = [
    Filters(),
    Filters(themes=("refugees",)),
    Filters(themes=("propaganda", "refugees"), region="PK", wider=True),
    Filters(region="AF-NAN"),
    Filters(actors=("TTP", "Afghan Taliban"), kinds=("quotation",)),
    Filters(reports=("hjs-2017-iskp",), text='"social media" youth'),
    Filters(finding="hjs2017-ko-08", themes=("refugees",)),
    Filters(date_from=date(2016, 1, 1), date_to=date(2017, 12, 31)),
    Filters(date_from=date(2016, 4, 1), by_report=True),
    Filters(date_to=date(2017, 3, 4), themes=("refugees",)),
]


def test_a_date_range_is_written_short_in_the_link(corpus):
    filters = Filters(date_from=date(2016, 1, 1), date_to=date(2017, 12, 31))
    assert filters.to_query_params() == {"from": ["2016"], "to": ["2017"]}
    assert Filters(date_from=date(2016, 4, 1), by_report=True).to_query_params() == {
        "from": ["2016-04"],
        "dates": ["report"],
    }
    parsed, notices = _parse({"from": "2016-01", "to": "Q3 2017"}, corpus)
    assert (parsed.date_from, parsed.date_to, notices) == (date(2016, 1, 1), date(2017, 9, 30), [])


@pytest.mark.parametrize("filters", ROUND_TRIPS)
def test_query_param_round_trip(corpus, filters):
    parsed, notices = _parse(filters.to_query_params(), corpus)
    assert parsed == filters and notices == []


@pytest.mark.parametrize(
    ("params", "expected", "notice"),
    [
        ({"theme": ["refugees", "bogus"]}, Filters(themes=("refugees",)), "unknown theme 'bogus'"),
        ({"theme": "propoganda"}, Filters(), "Did you mean 'propaganda'?"),
        ({"region": "Nangahar"}, Filters(), "Did you mean 'AF-NAN'?"),
        ({"theme": "Violence & attacks"}, Filters(themes=("violence",)), None),
        ({"region": "Hilmand"}, Filters(region="AF-HEL"), None),
        ({"region": "atlantis"}, Filters(), "unknown region 'atlantis'"),
        ({"region": ["PK", "AF"]}, Filters(region="PK"), "Kept the first of 2 regions"),
        ({"wider": "1"}, Filters(), None),  # wider without a region means nothing
        ({"region": "PK", "wider": "perhaps"}, Filters(region="PK"), "wider=perhaps"),
        ({"actor": "ttp"}, Filters(actors=("TTP",)), None),
        ({"actor": "nobody"}, Filters(), "unknown actor 'nobody'"),
        ({"kind": "Quotation"}, Filters(kinds=("quotation",)), None),
        ({"report": "other"}, Filters(), "unknown report 'other'"),
        ({"q": "x" * 500}, Filters(text="x" * 200), "Cut the search text"),
        ({"finding": "nope"}, Filters(), "unknown finding 'nope'"),
        ({"utm_source": "mail"}, Filters(), "unknown link parameter 'utm_source'"),
        ({"from": "2018", "to": "2016"}, Filters(), "from=2018"),
        ({"from": "2017-02-30"}, Filters(), "Ignored 'from=2017-02-30'"),
        ({"to": "soon", "from": "2016"}, Filters(date_from=date(2016, 1, 1)), "'to=soon'"),
        ({"dates": "whenever"}, Filters(), "dates=whenever"),
    ],
)
def test_bad_params_are_dropped_with_notice(corpus, params, expected, notice):
    parsed, notices = _parse(params, corpus)
    assert parsed == expected
    if notice:
        assert any(notice in n for n in notices), notices
    else:
        assert notices == []


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*sorted(PARAMS), "junk", ""]),
        st.lists(st.text(max_size=40), max_size=3),
        max_size=6,
    )
)
def test_any_params_parse_without_error(params):
    from dashboard.core.corpus import load_corpus

    corpus = _CORPUS.get("c") or _CORPUS.setdefault("c", load_corpus())
    filters, notices = _parse(params, corpus)
    assert isinstance(filters, Filters) and all(isinstance(n, str) for n in notices)
    again, more = _parse(filters.to_query_params(), corpus)
    assert again == filters and more == []


_CORPUS: dict = {}


@pytest.mark.parametrize(
    ("filters", "count", "words"),
    [
        (Filters(), 23, "23 findings · no filters"),
        (
            Filters(themes=("refugees",), region="PK"),
            9,
            "9 findings · theme = Refugees · region = Pakistan",
        ),
        (
            Filters(themes=("refugees", "propaganda")),
            1,
            "1 finding · theme = Refugees or Propaganda",
        ),
        (
            Filters(region="PK-KP", wider=True),
            2,
            "2 findings · region = Khyber Pakhtunkhwa (and wider regions containing it)",
        ),
        (
            Filters(actors=("TTP",), kinds=("quotation",), text="radio"),
            0,
            "0 findings · actor = TTP · kind = Quotation · text contains “radio”",
        ),
        (Filters(text='"social media" youth'), 1, '1 finding · text contains "social media" youth'),
        (
            Filters(date_from=date(2016, 1, 1), date_to=date(2017, 12, 31)),
            23,
            "23 findings · 2016–2017",
        ),
        (
            Filters(date_from=date(2017, 1, 1), date_to=date(2017, 6, 30), by_report=True),
            23,
            "23 findings · Jan–Jun 2017 (by report date)",
        ),
        (Filters(date_from=date(2018, 1, 1)), 0, "0 findings · from 2018"),
    ],
)
def test_describe(corpus, filters, count, words):
    assert filters.describe(count, taxonomy=corpus.taxonomy, gazetteer=corpus.gazetteer) == words


def test_facets_count_each_option_with_the_other_filters(small, gazetteer):
    result = facets(small, Filters(themes=("propaganda",), region="AF"), gazetteer)
    # Theme options are counted with the region filter only.
    assert result.themes == {"propaganda": 1}
    assert result.kinds == {"quotation": 1}


def test_without_clears_one_facet():
    filters = Filters(themes=("a",), region="PK", wider=True, text="x")
    assert filters.without("region") == replace(filters, region=None, wider=False)
    assert filters.without("themes").themes == ()
