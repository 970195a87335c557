"""The timeline counts what the date filter keeps, bar by bar, and reads a choice on it back."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.core.periods import Period
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex
from dashboard.views import timeline as tl

#: Test dates over three years given to the bundled findings in turn (generated here, never
#: shown as the report's).
SPREAD = ("2015", "2015-Q3", "2016-03", "2016-07-14", "2015–2017", "2017-Q1", "2017-11", "")


@pytest.fixture(scope="module")
def dated(corpus):
    periods = [SPREAD[i % len(SPREAD)] for i in range(len(corpus.findings))]
    findings = corpus.findings.assign(period=periods)
    return findings, FindingsIndex.build(findings, corpus.gazetteer, reports=corpus.reports)


def test_bars_are_months_over_three_years_of_mixed_dates(corpus, dated):
    _, index = dated
    line = tl.timeline(index, index.mask(Filters()), corpus.taxonomy)
    assert line.precision == "month" and len(line.bars) == 36
    assert line.bars[0].first == date(2015, 1, 1) and line.bars[-1].last == date(2017, 12, 31)
    assert line.undated == sum(1 for i in range(len(index)) if SPREAD[i % len(SPREAD)] == "")


def test_a_bar_counts_what_filtering_to_it_shows(corpus, dated):
    findings, index = dated
    view = Filters(themes=("propaganda", "refugees"))
    line = tl.timeline(index, index.mask(view), corpus.taxonomy)
    everything = tl.timeline(index, index.mask(Filters()), corpus.taxonomy)
    for number, bar in enumerate(line.bars):
        start, end = line.range_of(number, number)
        assert (start, end) == (bar.first, bar.last)
        kept = index.mask(Filters(themes=view.themes, date_from=start, date_to=end))
        assert line.in_view[number] == int(kept.sum())
        assert line.in_view[number] + line.others[number] == everything.in_view[number]
        for key, counts in line.by_theme.items():
            holding = findings[kept]["themes"].map(lambda t, key=key: key in t)
            assert counts[number] == int(holding.sum())


def test_findings_dated_by_the_year_alone_get_yearly_bars(corpus):
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, reports=corpus.reports)
    line = tl.timeline(index, index.mask(Filters()), corpus.taxonomy)
    assert line.precision == "year" and line.labels == ("2017",)
    assert line.in_view == (len(corpus.findings),) and line.others == (0,)


def test_by_report_date_every_bundled_finding_is_2017(corpus, dated):
    _, index = dated
    line = tl.timeline(index, index.mask(Filters(by_report=True)), corpus.taxonomy, True)
    assert line.labels == ("2017",) and line.undated == 0


def test_no_dates_no_timeline(corpus):
    findings = corpus.findings.assign(period="")
    index = FindingsIndex.build(findings, corpus.gazetteer)
    assert tl.timeline(index, index.mask(Filters()), corpus.taxonomy) is None


def test_precision_follows_the_span_and_never_the_finer_than_the_dates():
    months = [Period.month(2016, 1), Period.month(2017, 6)]
    assert tl.precision_for(months) == "month"
    assert tl.precision_for([Period.month(2010, 1), Period.month(2017, 6)]) == "quarter"
    assert tl.precision_for([Period.year(1990), Period.month(2017, 6)]) == "year"
    assert tl.precision_for([Period.year(2016), Period.year(2017)]) == "year"
    assert tl.precision_for([Period.quarter(2016, 1), Period.year(2017)]) == "quarter"


@pytest.mark.parametrize(
    ("selection", "chosen"),
    [
        ({"box": [{"x": [0.6, 3.2]}]}, (1, 3)),
        ({"box": [{"x": [3.4, -2]}]}, (0, 3)),
        ({"box": [{"x": [0.6, 0.7]}]}, (1, 1)),  # a part of one bar
        ({"box": [{"x": [0.45, 0.55]}]}, None),  # the gap between two bars
        ({"points": [{"x": 4}]}, (4, 4)),
        ({"points": [{"x": 2}, {"x": 5}]}, (2, 5)),
        ({"points": [{"x": 40}]}, None),
        ({}, None),
    ],
)
def test_a_drag_or_a_click_chooses_bars(selection, chosen):
    assert tl.chosen_bars(selection, 12) == chosen


def test_the_figure_stacks_themes_in_their_colours_and_the_rest_in_grey(corpus, dated):
    _, index = dated
    line = tl.timeline(index, index.mask(Filters(themes=("refugees",))), corpus.taxonomy)
    fig = tl.figure(line, corpus.taxonomy)
    names = [trace.name for trace in fig.data]
    assert names[-1] == "Not in this view" and fig.data[-1].marker.color == tl.OTHERS_COLOUR
    refugees = corpus.taxonomy.theme("refugees")
    assert refugees.label in names
    assert fig.layout.barmode == "stack" and fig.layout.dragmode == "select"
    assert "counts in every" in tl.describe(line)


def test_the_chosen_range_is_a_band_behind_its_bars(corpus, dated):
    _, index = dated
    line = tl.timeline(index, index.mask(Filters()), corpus.taxonomy)
    plain = tl.figure(line, corpus.taxonomy)
    assert not plain.layout.shapes
    marked = tl.figure(line, corpus.taxonomy, chosen=(date(2016, 1, 1), date(2016, 3, 31)))
    [band] = marked.layout.shapes
    assert (band.x0, band.x1) == (12 - 0.5, 14 + 0.5)  # Jan to Mar 2016, bars 12 to 14


@pytest.mark.parametrize(
    "chosen", [(None, None), (date(2016, 1, 1), date(2016, 3, 31)), (None, date(2015, 12, 31))]
)
def test_the_figure_built_without_validation_is_what_plotly_validates(corpus, dated, chosen):
    # figure() skips plotly's checks for speed: the same dict checked by plotly must give the
    # same figure, or a wrong property name would only show as a broken chart in the browser.
    import plotly.graph_objects as go

    _, index = dated
    line = tl.timeline(index, index.mask(Filters(themes=("propaganda",))), corpus.taxonomy)
    unchecked = tl.figure(line, corpus.taxonomy, chosen=chosen).to_dict()
    checked = go.Figure(tl.figure_dict(line, corpus.taxonomy, chosen=chosen)).to_dict()
    assert unchecked == checked
    assert len(unchecked["data"]) >= 2 and unchecked["layout"]["barmode"] == "stack"


def test_a_misspelt_property_in_the_figure_would_be_caught(corpus, dated):
    import plotly.graph_objects as go

    _, index = dated
    spec = tl.figure_dict(
        tl.timeline(index, index.mask(Filters()), corpus.taxonomy), corpus.taxonomy
    )
    spec["layout"]["bargapp"] = 0.1
    with pytest.raises(ValueError, match="bargapp"):
        go.Figure(spec)


def test_findings_all_in_one_year_are_told_in_words_not_drawn_as_one_bar(corpus):
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, reports=corpus.reports)
    line = tl.timeline(index, index.mask(Filters(themes=("propaganda",))), corpus.taxonomy)
    in_view = int(index.mask(Filters(themes=("propaganda",))).sum())
    assert in_view > 1
    assert line.labels == ("2017",)
    assert tl.one_period(line) == (
        "Every dated finding falls in 2017, so there is no timeline to draw: it shows once "
        f"findings span more than one year. {in_view} of them are in this view."
    )
    alone = tl.timeline(
        index, index.mask(Filters(themes=("refugees",), region="PK")), corpus.taxonomy
    )
    assert tl.one_period(alone).endswith(" 1 of them is in this view.")


def test_findings_over_several_periods_are_drawn(corpus, dated):
    _, index = dated
    assert tl.one_period(tl.timeline(index, index.mask(Filters()), corpus.taxonomy)) is None
