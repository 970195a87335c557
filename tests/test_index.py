"""The precomputed findings index gives exactly what the pandas filters and counts give."""

from __future__ import annotations

import sys
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.findings import COLUMNS, TEXT_COLUMNS, empty_findings
from dashboard.core.regions import load_gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import load_taxonomy
from dashboard.core.text import fold
from dashboard.query.filters import Filters, apply, count_values, facets, region_scope
from dashboard.query.index import FindingsIndex
from dashboard.query.words import fold_fast, search_text
from dashboard.views import maps

GAZETTEER = load_gazetteer()
TAXONOMY = load_taxonomy()

# Small vocabularies, so that generated findings and filters often meet.
THEMES = ("propaganda", "refugees", "violence", "ideology")
REGIONS = (
    "AFPAK",
    "SOUTH-ASIA",
    "AF",
    "PK",
    "AF-NAN",
    "AF-KNR",
    "PK-KP",
    "PK-TA",
    "PK-BA",
    "IN",
    "GLOBAL",
    "CYBERSPACE",
    "DIASPORA",
    "IQ-SY",
)
ACTORS = ("ISKP", "TTP", "Afghan Taliban", "Pakistan")
KINDS = ("analysis", "assessment", "quotation")
REPORTS = ("r1", "r2", "r3")
#: The reports' dates (the date filter's ``by_report``): r3's year is not known.
REPORT_DATES = {
    r: Report(r, r, "A", "text", "full text", year=year)
    for r, year in zip(REPORTS, (2016, 2017, None))
}
PERIODS = ("", "2016", "2017-Q2", "2015–2017", "2017-03-04", "2018-06", "2016-11–2017-02")
DAYS = tuple(date(2015, 6, 1) + timedelta(days=61 * k) for k in range(22))
WORDS = (
    "radio",
    "Radio",
    "RADIO",
    "Nangarhār",
    "nangarhar",
    "social",
    "media",
    "ISKP’s",
    "“urban",
    "youth”",
    "Straße",
    "strasse",
    "ﬁnance",
    "İstanbul",
    "e\u0301lan",
    "Σ",
    "1\u00a02",
    "",
)
SEPARATORS = (" ", "  ", "\n", "\t", " \n ", "\u00a0", "")
TERMS = (
    "radio",
    "nangarhar",
    "Nangarhār",
    "media",
    "social media",
    '"social media"',
    "iskp’s",
    "urban youth",
    "strasse",
    "finance",
    "istanbul",
    "elan",
    "σ",
    "1 2",
    '"1 2"',
    "absent",
    '"unclosed',
    "  ",
    "adio",
    '"dia so"',
    '"ocial media urb"',
    "a",
    "’",
)


def _text(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), max_size=6))
    seps = draw(
        st.lists(st.sampled_from(SEPARATORS), min_size=len(words) + 1, max_size=len(words) + 1)
    )
    return "".join(s + w for s, w in zip(seps, [*words, ""]))


def _subset(draw, values, max_size=3, duplicates=False):
    chosen = tuple(
        draw(st.lists(st.sampled_from(values), max_size=max_size, unique=not duplicates))
    )
    return chosen


@st.composite
def findings_frames(draw, max_rows: int = 25) -> pd.DataFrame:
    rows = []
    duplicates = draw(st.booleans())
    for i in range(draw(st.integers(0, max_rows))):
        rows.append(
            {
                "id": f"f{i}",
                "report_id": draw(st.sampled_from(REPORTS)),
                "kind": draw(st.sampled_from(KINDS)),
                "title": _text(draw),
                "summary": _text(draw),
                "excerpt": _text(draw),
                "start": i,
                "end": i + 1,
                "prefix": "",
                "suffix": "",
                "themes": _subset(draw, THEMES, duplicates=duplicates),
                "regions": _subset(draw, REGIONS, duplicates=duplicates),
                "actors": _subset(draw, ACTORS, duplicates=duplicates),
                "page": draw(st.none() | st.integers(1, 9)),
                "period": draw(st.sampled_from(PERIODS)),
                "source": "generated",
            }
        )
    if rows:
        frame = pd.DataFrame(rows, columns=list(COLUMNS)).astype(
            {"start": "int64", "end": "int64", "page": "Int64"}
        )
    else:
        frame = empty_findings()
    if draw(st.booleans()):  # the object dtype of empty_findings() rather than str
        frame = frame.astype({c: object for c in TEXT_COLUMNS})
    index = draw(st.sampled_from(["range", "shuffled", "labels"]))
    if index == "shuffled" and len(frame):
        order = draw(st.permutations(range(len(frame))))
        frame.index = pd.Index([10 * o for o in order])
    elif index == "labels":
        frame.index = pd.Index([f"row{i}" for i in range(len(frame))], dtype=object)
    return frame


#: Searches with the word index and without it (the default builds it in the background).
WORD_INDEX = st.sampled_from(["now", "never"])


@st.composite
def filter_values(draw) -> Filters:
    region = draw(st.none() | st.sampled_from(GAZETTEER.codes))
    return Filters(
        themes=_subset(draw, (*THEMES, "expansion"), max_size=2),
        region=region,
        wider=region is not None and draw(st.booleans()),
        actors=_subset(draw, (*ACTORS, "NATO"), max_size=2),
        kinds=_subset(draw, (*KINDS, "recommendation"), max_size=2),
        reports=_subset(draw, (*REPORTS, "r9"), max_size=2),
        text=draw(st.just("") | st.lists(st.sampled_from(TERMS), max_size=2).map(" ".join)),
        **draw(date_values()),
    )


@st.composite
def date_values(draw) -> dict:
    ends = sorted(draw(st.lists(st.sampled_from(DAYS), min_size=2, max_size=2)))
    start, end = (draw(st.none() | st.just(day)) for day in ends)
    return {"date_from": start, "date_to": end, "by_report": draw(st.booleans())}


def _region_scope_counts(findings: pd.DataFrame, filters: Filters) -> dict[str, int]:
    """What the region picker shows today: ``ui._region_scope_counts``, written out here so that
    this test outlives the switch of ``ui`` to the index."""
    base = apply(findings, filters.without("region"), GAZETTEER, REPORT_DATES)
    named = [set(r) for r in base["regions"]]
    counts = {}
    for code in GAZETTEER.codes:
        scope = region_scope(code, GAZETTEER, filters.wider)
        counts[code] = sum(1 for regions in named if not scope.isdisjoint(regions))
    return counts


def assert_same(findings: pd.DataFrame, index: FindingsIndex, filters: Filters) -> None:
    """Every answer of the index equals the pandas function it replaces."""
    expected = apply(findings, filters, GAZETTEER, REPORT_DATES)
    mask = index.mask(filters)
    assert mask.dtype == bool and mask.shape == (len(findings),)
    got = index.apply(filters)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.index) == list(expected.index)
    pd.testing.assert_frame_equal(index.apply(mask=mask), expected, check_exact=True)
    assert index.region_counts(mask) == maps.region_counts(expected)
    assert index.theme_counts(mask) == count_values(expected, "themes")
    assert index.actor_counts(mask) == count_values(expected, "actors")
    assert index.kind_counts(mask) == count_values(expected, "kind")
    assert index.report_counts(mask) == count_values(expected, "report_id")
    assert index.unplaced(mask) == int((expected["regions"].map(len) == 0).sum())
    assert index.facets(filters) == facets(findings, filters, GAZETTEER, REPORT_DATES)
    assert index.region_scope_counts(filters) == _region_scope_counts(findings, filters)
    # No zero entries: the counters are equal as dicts too, not only as counters.
    for counter in (index.region_counts(mask), index.theme_counts(mask)):
        assert all(n > 0 for n in counter.values())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    findings=findings_frames(),
    many=st.lists(filter_values(), min_size=1, max_size=4),
    words=WORD_INDEX,
)
def test_index_equals_the_pandas_filters(findings, many, words):
    before = findings.copy()
    index = FindingsIndex.build(findings, GAZETTEER, words=words, reports=REPORT_DATES)
    for filters in many:
        assert_same(findings, index, filters)
    pd.testing.assert_frame_equal(findings, before)  # neither builds nor filters change the input


@settings(max_examples=60, deadline=None)
@given(findings=findings_frames(), filters=filter_values(), words=WORD_INDEX)
def test_remembered_search_masks_give_the_same_answer(findings, filters, words):
    index = FindingsIndex.build(findings, GAZETTEER, words=words, reports=REPORT_DATES)
    first = index.mask(filters)
    first[:] = False  # the caller's own array: changing it changes nothing in the index
    assert_same(findings, index, filters)


@settings(max_examples=100, deadline=None)
@given(
    findings=findings_frames(),
    texts=st.lists(st.sampled_from(TERMS), min_size=2, max_size=8),
    words=WORD_INDEX,
)
def test_searches_in_any_order(findings, texts, words):
    """A search may be narrowed by a remembered term found inside it, never by another."""
    index = FindingsIndex.build(findings, GAZETTEER, words=words, reports=REPORT_DATES)
    for text in texts:
        filters = Filters(text=text)
        pd.testing.assert_frame_equal(index.apply(filters), apply(findings, filters, GAZETTEER))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fold_fast_is_fold(text):
    assert fold_fast(text) == fold(text)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text(), st.text())
def test_search_text_is_the_folded_joined_fields(title, summary, excerpt):
    assert search_text(title, summary, excerpt) == fold(title + "\n" + summary + "\n" + excerpt)


def test_fold_fast_on_every_code_point():
    every = [chr(i) for i in range(sys.maxunicode + 1)]
    assert fold_fast("".join(every)) == fold("".join(every))
    assert fold_fast("x".join(every)) == fold("x".join(every))
    assert fold_fast(" ".join(every)) == fold(" ".join(every))


CORPUS_FILTERS = [
    Filters(),
    Filters(themes=("refugees",)),
    Filters(themes=("propaganda", "refugees")),
    Filters(themes=("no-such-theme",)),
    Filters(region="PK"),
    Filters(region="PK", wider=True),
    Filters(region="PK-KP"),
    Filters(region="PK-KP", wider=True),
    Filters(region="AF"),
    Filters(region="AF-NAN"),
    Filters(region="AFPAK"),
    Filters(region="SOUTH-ASIA"),
    Filters(region="SOUTH-ASIA", wider=True),
    Filters(region="GLOBAL"),
    Filters(region="CYBERSPACE"),
    Filters(region="IN", wider=True),
    Filters(actors=("ISKP",)),
    Filters(actors=("TTP", "Afghan Taliban")),
    Filters(kinds=("quotation",)),
    Filters(kinds=("analysis", "recommendation")),
    Filters(reports=("hjs-2017-iskp",)),
    Filters(reports=("no-such-report",)),
    Filters(text="radio"),
    Filters(text="RADIO Nangarhār"),
    Filters(text='"social media"'),
    Filters(text='"social media" youth'),
    Filters(text="ISKP’s"),
    Filters(text="absent-word"),
    Filters(themes=("refugees",), region="PK"),
    Filters(themes=("propaganda",), region="AF", wider=True, actors=("ISKP",)),
    Filters(themes=("propaganda",), actors=("ISKP",), kinds=("quotation",), text="radio"),
    Filters(finding="hjs2017-ko-08", themes=("refugees",)),
    Filters(date_from=date(2017, 3, 1), date_to=date(2018, 6, 30)),
    Filters(date_to=date(2016, 12, 31)),
    Filters(date_from=date(2016, 1, 1), themes=("refugees",)),
]


@pytest.fixture(scope="module")
def corpus_index(corpus) -> FindingsIndex:
    return FindingsIndex.build(corpus.findings, corpus.gazetteer)


@pytest.mark.parametrize("filters", CORPUS_FILTERS, ids=lambda f: str(f.to_query_params()))
def test_index_on_the_bundled_corpus(corpus, corpus_index, filters):
    assert_same(corpus.findings, corpus_index, filters)


def test_bundled_corpus_is_indexed_whole(corpus, corpus_index):
    assert len(corpus_index) == len(corpus.findings) > 0
    assert set(corpus_index.regions.values) >= set(GAZETTEER.codes)
    assert corpus_index.mask(Filters()).all()
    assert corpus_index.apply(Filters(region="PK")).shape[0] > 0


@pytest.mark.parametrize("empty", ["empty_findings", "filtered_to_nothing"])
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(themes=("refugees",)),
        Filters(region="PK", wider=True),
        Filters(text="radio"),
        Filters(actors=("ISKP",), kinds=("analysis",), reports=("r1",)),
    ],
)
def test_empty_frames(corpus, empty, filters):
    findings = empty_findings() if empty == "empty_findings" else corpus.findings.iloc[:0]
    index = FindingsIndex.build(findings, GAZETTEER, reports=REPORT_DATES)
    assert len(index) == 0 and index.mask(filters).shape == (0,)
    assert_same(findings, index, filters)
    result = index.apply(filters)
    assert result.empty and list(result.columns) == list(COLUMNS)
    assert (result.dtypes == findings.dtypes).all()


def test_unknown_region_raises_like_apply(corpus, corpus_index):
    with pytest.raises(KeyError):
        apply(corpus.findings, Filters(region="ATLANTIS"), GAZETTEER)
    with pytest.raises(KeyError):
        corpus_index.mask(Filters(region="ATLANTIS"))


def test_index_arrays_are_read_only(corpus_index):
    for array in (
        corpus_index.themes.matrix,
        corpus_index.regions.matrix,
        corpus_index.actors.matrix,
        corpus_index.kinds.codes,
        corpus_index.no_place,
        corpus_index.term_mask("radio"),
    ):
        with pytest.raises(ValueError):
            array[...] = False
    assert corpus_index.mask(Filters(text="radio")).flags.writeable


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("media", "social media"),
        ("radio", "radio"),
        ("a", "iskp"),
        ("iskp", "iskp’s"),
        ("social media", "media"),
        ("iskp’s", "iskp"),
    ],
)
def test_search_narrowed_by_a_remembered_term(corpus, first, then):
    index = FindingsIndex.build(corpus.findings, GAZETTEER)
    index.term_mask(first)
    expected = np.array([then in text for text in index.text], dtype=bool)
    np.testing.assert_array_equal(index.term_mask(then), expected)
    index.forget_searches()
    np.testing.assert_array_equal(index.term_mask(then), expected)


def test_term_cache_is_bounded(corpus_index):
    from dashboard.query import index as module

    for n in range(module.TERM_CACHE_SIZE + 10):
        corpus_index.term_mask(f"term{n}")
    assert len(corpus_index._terms) == module.TERM_CACHE_SIZE


def test_apply_of_everything_shares_nothing_writable(corpus, corpus_index):
    everything = corpus_index.apply(Filters())
    everything.loc[everything.index[0], "title"] = "changed"
    assert corpus.findings["title"].iloc[0] != "changed"
    np.testing.assert_array_equal(corpus_index.mask(Filters()), np.ones(len(corpus.findings), bool))


def test_parts_are_the_masks_of_each_facet(corpus, corpus_index):
    filters = Filters(themes=("propaganda",), region="AF", wider=True, actors=("ISKP",))
    parts = corpus_index.parts(filters)
    assert parts["kinds"] is None and parts["reports"] is None and parts["text"] is None
    for facet, value in (
        ("themes", Filters(themes=filters.themes)),
        ("region", Filters(region="AF", wider=True)),
        ("actors", Filters(actors=filters.actors)),
    ):
        expected = apply(corpus.findings, value, GAZETTEER)
        assert list(corpus.findings.index[parts[facet]]) == list(expected.index)


def test_word_index_answers_searches_and_phrases(corpus):
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="now")
    assert (
        index.wait_for_words(0)
        and index.nbytes
        > FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never").nbytes
    )
    for term in ("radio", "adi", "propaganda", "social media", "ia soc", "zzz", "iskp’s", "a"):
        expected = np.array([term in text for text in index.text], dtype=bool)
        np.testing.assert_array_equal(index.term_mask(term), expected)
    rare = index._search_words("radio", index._words)
    assert rare is not None and rare.any()  # answered by the word index, not the loop


def test_word_index_in_the_background_is_used_once_built(corpus):
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer)
    assert index.wait_for_words(timeout=60)
    with pytest.raises(ValueError, match="words must be"):
        FindingsIndex.build(corpus.findings, corpus.gazetteer, words="later")


@pytest.mark.parametrize("limit", [0, 1, 2_000])
def test_words_found_by_search_or_by_arrow_are_the_same(corpus, monkeypatch, limit):
    from dashboard.query.words import _Words

    monkeypatch.setattr(_Words, "FIND_LIMIT", limit)
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="now")
    words = index._words.vocabulary.to_pylist()
    for token in ("a", "is", "radio", "iskp’s", "zzz", words[0], words[-1], words[-1][-2:]):
        ids, _ = index._words.containing(token)
        assert ids.tolist() == [k for k, w in enumerate(words) if token in w], token
        found = np.array([token in text for text in index.text], dtype=bool)
        index.forget_searches()
        np.testing.assert_array_equal(index.term_mask(token), found)


# --- one reader's rows (need-to-know) ------------------------------------------------------------


def _period_table(index: FindingsIndex, mask, by_report: bool) -> dict:
    periods, totals, by_theme, themes = index.period_counts(mask, by_report)
    return {
        (p, t): int(by_theme[u, j])
        for u, p in enumerate(periods)
        for j, t in enumerate(themes)
        if by_theme[u, j]
    } | {(p, None): int(totals[u]) for u, p in enumerate(periods) if totals[u]}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    findings=findings_frames(),
    seen=st.lists(st.booleans(), min_size=25, max_size=25),
    many=st.lists(filter_values(), min_size=1, max_size=3),
    words=WORD_INDEX,
)
def test_a_readers_index_answers_as_if_the_hidden_findings_did_not_exist(
    findings, seen, many, words
):
    """Every answer of the index restricted to a reader's rows equals the answer over a frame
    that holds only those rows: no count, facet, search, shading or frame shows a hidden one."""
    visible = np.array(seen[: len(findings)], dtype=bool)
    shown = findings[visible]
    index = FindingsIndex.build(findings, GAZETTEER, words=words, reports=REPORT_DATES)
    scoped = index.restricted(visible)
    alone = FindingsIndex.build(shown, GAZETTEER, words="never", reports=REPORT_DATES)
    assert index.visible is None  # the shared index is left as it was
    for filters in [Filters(), *many]:
        expected = apply(shown, filters, GAZETTEER, REPORT_DATES)
        mask = scoped.mask(filters)
        assert not (mask & ~visible).any()
        pd.testing.assert_frame_equal(scoped.apply(filters), expected, check_exact=True)
        pd.testing.assert_frame_equal(scoped.apply(mask=mask), expected, check_exact=True)
        for counted in (mask, None if filters == Filters() else mask):
            assert scoped.region_counts(counted) == maps.region_counts(expected)
            assert scoped.theme_counts(counted) == count_values(expected, "themes")
            assert scoped.actor_counts(counted) == count_values(expected, "actors")
            assert scoped.kind_counts(counted) == count_values(expected, "kind")
            assert scoped.report_counts(counted) == count_values(expected, "report_id")
            assert scoped.unplaced(counted) == int((expected["regions"].map(len) == 0).sum())
        assert scoped.facets(filters) == facets(shown, filters, GAZETTEER, REPORT_DATES)
        assert scoped.region_scope_counts(filters) == _region_scope_counts(shown, filters)
        assert scoped.undated(filters) == alone.undated(filters)
        for by_report in (False, True):
            assert _period_table(scoped, mask, by_report) == _period_table(
                alone, alone.mask(filters), by_report
            )
    assert scoped.region_counts(None) == maps.region_counts(shown)
    assert _period_table(scoped, None, False) == _period_table(alone, None, False)


def test_restricting_twice_narrows_and_a_wrong_mask_is_refused(corpus, corpus_index):
    n = len(corpus_index)
    first = np.arange(n) % 2 == 0
    second = np.arange(n) % 3 == 0
    both = corpus_index.restricted(first).restricted(second)
    assert (both.visible == (first & second)).all()
    assert corpus_index.restricted(None) is corpus_index
    with pytest.raises(ValueError, match="rows"):
        corpus_index.restricted(np.ones(n + 1, dtype=bool))
    with pytest.raises(ValueError):  # read-only: a reader's mask cannot be changed afterwards
        both.visible[0] = True
