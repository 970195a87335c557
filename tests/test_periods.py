"""Periods: the forms analysts write, what they are refused for, and the overlap rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.core.periods import (
    EARLIEST_EXPECTED,
    DateRange,
    ParsedPeriod,
    Period,
    PeriodProblem,
    date_from_excel_serial,
    day_order,
    describe_range,
    parse_period,
    range_from_params,
)
from dashboard.core.problems import Problem

TODAY = date(2025, 6, 1)
D = date


def parsed(value: object, *, day_first: bool | None = None, today: date = TODAY) -> ParsedPeriod:
    return parse_period(value, day_first=day_first, today=today)


# value, day_first, canonical text, first day, last day
ACCEPTED = [
    # years
    ("2017", None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    ("  2017 ", None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    ("2017.0", None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    (2017, None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    (2017.0, None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    ("２０１７", None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    # months
    ("2017-03", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("2017-3", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("2016-02", None, "2016-02", D(2016, 2, 1), D(2016, 2, 29)),
    ("2017-02", None, "2017-02", D(2017, 2, 1), D(2017, 2, 28)),
    ("1900-02", None, "1900-02", D(1900, 2, 1), D(1900, 2, 28)),
    ("2000-02", None, "2000-02", D(2000, 2, 1), D(2000, 2, 29)),
    ("2011-12", None, "2011-12", D(2011, 12, 1), D(2011, 12, 31)),
    ("2017/03", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("03/2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("3/2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("March 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("march 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("MARCH 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("Mar 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("Mar. 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("March, 2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("Mar-2017", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("2017 March", None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    ("Sept 2017", None, "2017-09", D(2017, 9, 1), D(2017, 9, 30)),
    ("February 2016", None, "2016-02", D(2016, 2, 1), D(2016, 2, 29)),
    # quarters
    ("Q2 2017", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("q2 2017", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("2017 Q2", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("2017-Q2", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("2017Q2", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("Q2-2017", None, "2017-Q2", D(2017, 4, 1), D(2017, 6, 30)),
    ("Q1 2016", None, "2016-Q1", D(2016, 1, 1), D(2016, 3, 31)),
    ("Q4 2017", None, "2017-Q4", D(2017, 10, 1), D(2017, 12, 31)),
    # days
    ("2017-03-04", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("2017-3-4", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("2016-02-29", None, "2016-02-29", D(2016, 2, 29), D(2016, 2, 29)),
    ("2017/03/04", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("2017-03-04T00:00:00", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("2017-03-04 00:00", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("4 March 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("04 Mar 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("4th March 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("4 March, 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("4-Mar-2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("March 4, 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("March 4 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("Mar 4th, 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("Saturday, 4 March 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("Sat 4 March 2017", None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("25/03/2017", None, "2017-03-25", D(2017, 3, 25), D(2017, 3, 25)),
    ("25/03/2017", True, "2017-03-25", D(2017, 3, 25), D(2017, 3, 25)),
    ("03/25/2017", None, "2017-03-25", D(2017, 3, 25), D(2017, 3, 25)),
    ("03/25/2017", False, "2017-03-25", D(2017, 3, 25), D(2017, 3, 25)),
    ("05/05/2017", None, "2017-05-05", D(2017, 5, 5), D(2017, 5, 5)),
    ("03/04/2017", True, "2017-04-03", D(2017, 4, 3), D(2017, 4, 3)),
    ("03/04/2017", False, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("3/4/2017", True, "2017-04-03", D(2017, 4, 3), D(2017, 4, 3)),
    ("04.03.2017", True, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("03-04-2017", False, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    ("29/02/2016", True, "2016-02-29", D(2016, 2, 29), D(2016, 2, 29)),
    # values as workbooks give them
    (D(2017, 3, 4), None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    (datetime(2017, 3, 4), None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    (pd.Timestamp("2017-03-04"), None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    (np.datetime64("2017-03-04"), None, "2017-03-04", D(2017, 3, 4), D(2017, 3, 4)),
    (np.float64(2017.0), None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
    (Period.month(2017, 3), None, "2017-03", D(2017, 3, 1), D(2017, 3, 31)),
    # ranges
    ("2015–2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2015-2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2015 - 2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2015 — 2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2015 to 2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2015/2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("from 2015 to 2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("between 2015 and 2017", None, "2015–2017", D(2015, 1, 1), D(2017, 12, 31)),
    ("2016–2017", None, "2016–2017", D(2016, 1, 1), D(2017, 12, 31)),
    ("2016-01–2017-12", None, "2016-01–2017-12", D(2016, 1, 1), D(2017, 12, 31)),
    ("2016-01-2017-12", None, "2016-01–2017-12", D(2016, 1, 1), D(2017, 12, 31)),
    ("2016-01/2017-12", None, "2016-01–2017-12", D(2016, 1, 1), D(2017, 12, 31)),
    ("Jan 2016 – Dec 2017", None, "2016-01–2017-12", D(2016, 1, 1), D(2017, 12, 31)),
    ("March–June 2017", None, "2017-03–2017-06", D(2017, 3, 1), D(2017, 6, 30)),
    ("March to June 2017", None, "2017-03–2017-06", D(2017, 3, 1), D(2017, 6, 30)),
    ("Q1–Q3 2017", None, "2017-Q1–2017-Q3", D(2017, 1, 1), D(2017, 9, 30)),
    ("Q2 2016 to Q1 2017", None, "2016-Q2–2017-Q1", D(2016, 4, 1), D(2017, 3, 31)),
    ("4–20 March 2017", None, "2017-03-04–2017-03-20", D(2017, 3, 4), D(2017, 3, 20)),
    ("4 March–20 June 2017", None, "2017-03-04–2017-06-20", D(2017, 3, 4), D(2017, 6, 20)),
    ("2017-03-04/2017-05-06", None, "2017-03-04–2017-05-06", D(2017, 3, 4), D(2017, 5, 6)),
    ("2015–2017-03", None, "2015–2017-03", D(2015, 1, 1), D(2017, 3, 31)),
    ("3/4/2017 – 5/6/2017", True, "2017-04-03–2017-06-05", D(2017, 4, 3), D(2017, 6, 5)),
    ("2017–2017", None, "2017", D(2017, 1, 1), D(2017, 12, 31)),
]


@pytest.mark.parametrize(("value", "day_first", "text", "first", "last"), ACCEPTED)
def test_forms_analysts_write(value, day_first, text, first, last):
    result = parsed(value, day_first=day_first)
    assert result.errors == ()
    assert result.ok
    assert result.period is not None
    assert (result.period.text(), result.period.first, result.period.last) == (text, first, last)
    # The only notice on these forms: a date before the corpus's period.
    assert len(result.notices) == (1 if first < EARLIEST_EXPECTED else 0)
    assert all("before 1979" in notice.message for notice in result.notices)


def test_precision_is_kept_as_given():
    assert parsed("2017").period == Period.year(2017)
    assert parsed("Q2 2017").period == Period.quarter(2017, 2)
    assert parsed("March 2017").period == Period.month(2017, 3)
    assert parsed("2017-03-04").period == Period.day(D(2017, 3, 4))
    months = parsed("2016-01–2017-12").period
    years = parsed("2016–2017").period
    assert months is not None and years is not None
    # The same days, not the same period: the analyst's precision is part of it.
    assert (months.first, months.last) == (years.first, years.last)
    assert months != years
    assert (months.precision, months.end_precision) == ("month", "month")
    assert (years.precision, years.end_precision) == ("year", "year")
    assert not years.start.is_range and years.start == Period.year(2016)
    assert years.end == Period.year(2017)


# value, day_first, fragments of the message, fragment of the suggestion
REFUSED = [
    ("", None, ["empty"], "2017-03"),
    ("   ", None, ["empty"], "2017-03"),
    (None, None, ["empty"], ""),
    (float("nan"), None, ["empty"], ""),
    (pd.NaT, None, ["empty"], ""),
    ("n/a", None, ["not a date"], "2017-03-04"),
    ("recently", None, ["not a date"], "2015–2017"),
    ("Summer 2017", None, ["not a date"], "March 2017"),
    ("2017-02-30", None, ["February 2017 has 28 days"], "2017-02-28"),
    ("2016-02-30", None, ["February 2016 has 29 days"], "2016-02-29"),
    ("1900-02-29", None, ["February 1900 has 28 days"], "1900-02-28"),
    ("2017-04-31", None, ["April 2017 has 30 days"], "2017-04-30"),
    ("31 April 2017", None, ["April 2017 has 30 days"], "2017-04-30"),
    ("2017-03-00", None, ["March 2017 has 31 days"], ""),
    ("2017-13", None, ["no month 13"], "01 to 12"),
    ("2017-13-01", None, ["no month 13"], "01 to 12"),
    ("Q5 2017", None, ["no quarter 5"], "Q1 to Q4"),
    ("Q0 2017", None, ["no quarter 0"], "Q1 to Q4"),
    ("Febuary 2017", None, ["'Febuary' is not a month name"], "February"),
    ("Friday 4 March 2017", None, ["was a Saturday, not a Friday"], "weekday"),
    ("03/04/2017", None, ["ambiguous", "3 April 2017", "4 March 2017"], "day-first or month-first"),
    ("3/4/2017", None, ["ambiguous"], "2017-04-03 or 2017-03-04"),
    ("25/03/2017", False, ["cannot be read month-first", "25 March 2017"], "order chosen"),
    ("03/25/2017", True, ["cannot be read day-first", "25 March 2017"], "2017-03-25"),
    ("31/02/2017", True, ["February 2017 has 28 days"], "YYYY-MM-DD"),
    ("13/13/2017", None, ["not a date either way"], "YYYY-MM-DD"),
    ("03/04/17", None, ["two-digit year"], "four digits"),
    ("04-Mar-17", None, ["no four-digit year"], "March 2017"),
    ("Mar 17", None, ["no four-digit year"], "March 2017"),
    ("March", None, ["no four-digit year"], "March 2017"),
    ("2017–2015", None, ["ends (2015) before it starts (2017)"], "2015–2017"),
    ("2017-12–2017-01", None, ["before it starts"], "2017-01–2017-12"),
    ("2017 to 2015", None, ["before it starts"], "2015–2017"),
    ("2017–2017-06", None, ["does not come after its start"], "later end"),
    ("2017-03-2018", None, ["can be read as 2017-03–2018 or 2017–2018-03"], "en dash"),
    ("2015–2017-02-30", None, ["February 2017 has 28 days"], ""),
    ("2015-16", None, ["end year is not written in full"], "2015–2016"),
    ("2015–16", None, ["end year is not written in full"], "2015–2016"),
    ("2015/16", None, ["end year is not written in full"], "2015–2016"),
    ("2011/12", None, ["ambiguous", "December 2011", "2011–2012"], "2011-12"),
    ("late 2016", None, ["'late' does not say which days"], "2016-09–2016-12"),
    ("mid-2017", None, ["'mid'"], "the period it covers"),
    ("c. 2017", None, ["'c.'"], "the period it covers"),
    ("123", None, ["year (4 digits) or an Excel serial date (5 digits)"], ""),
    (123, None, ["year (4 digits) or an Excel serial date (5 digits)"], ""),
    ("20170304", None, ["not a date the dashboard reads"], "2017-03-04"),
    (2017.5, None, ["not a date"], ""),
    (-1, None, ["not a date"], ""),
    (float("inf"), None, ["not a date"], ""),
    (True, None, ["not a date"], ""),
    ("2017-03-04T25:00", None, ["time is impossible"], "day alone"),
]


@pytest.mark.parametrize(("value", "day_first", "fragments", "fix"), REFUSED)
def test_refused_forms(value, day_first, fragments, fix):
    result = parsed(value, day_first=day_first)
    assert result.period is None
    assert not result.ok
    assert len(result.errors) == 1
    (problem,) = result.errors
    assert problem.severity == "error"
    for fragment in fragments:
        assert fragment in problem.message
    assert fix in problem.suggestion
    assert problem.suggestion, "every refusal says how to fix it"


# value, fragment of each notice, period text
NOTICED = [
    ("2031", ["in the future (after 2025-06-01)"], "2031"),
    ("2025-06-02", ["in the future"], "2025-06-02"),
    ("1975", ["before 1979"], "1975"),
    ("1970–1985", ["before 1979"], "1970–1985"),
    ("42795", ["Excel serial date: 2017-03-01"], "2017-03-01"),
    ("42795.0", ["Excel serial date: 2017-03-01"], "2017-03-01"),
    (42795, ["Excel serial date: 2017-03-01"], "2017-03-01"),
    (42795.0, ["Excel serial date: 2017-03-01"], "2017-03-01"),
    (np.int64(42795), ["Excel serial date: 2017-03-01"], "2017-03-01"),
    (42795.75, ["Excel serial date: 2017-03-01", "time of day"], "2017-03-01"),
    ("43831", ["Excel serial date: 2020-01-01"], "2020-01-01"),
    ("25569", ["Excel serial date: 1970-01-01", "before 1979"], "1970-01-01"),
    (datetime(2017, 3, 4, 14, 30), ["time of day"], "2017-03-04"),
    ("2017-03-04T14:30:00Z", ["time of day"], "2017-03-04"),
    ("H1 2017", ["read as 2017-01–2017-06"], "2017-01–2017-06"),
    ("H2 2017", ["read as 2017-07–2017-12"], "2017-07–2017-12"),
]


@pytest.mark.parametrize(("value", "fragments", "text"), NOTICED)
def test_accepted_with_a_notice(value, fragments, text):
    result = parsed(value)
    assert result.ok and result.period is not None
    assert result.period.text() == text
    assert result.errors == ()
    assert [p.severity for p in result.problems] == ["warning"] * len(fragments)
    for fragment, notice in zip(fragments, result.notices):
        assert fragment in notice.message
        assert notice.suggestion


def test_today_decides_the_future():
    assert parsed("2026", today=D(2025, 12, 31)).notices
    assert not parsed("2026", today=D(2026, 1, 1)).notices
    # A period that has begun is not in the future, even if it has not ended.
    assert not parsed("2025", today=D(2025, 6, 1)).notices
    assert not parsed(str(EARLIEST_EXPECTED.year)).notices


def test_a_problem_is_placed_by_the_caller():
    problem = parsed("2017-02-30").errors[0]
    placed = problem.at("findings.csv", 7, "Date")
    assert isinstance(placed, Problem)
    assert (placed.file, placed.row, placed.column, placed.severity) == (
        "findings.csv",
        7,
        "Date",
        "error",
    )
    assert str(placed).startswith("findings.csv, row 7, column 'Date': '2017-02-30' is not a date")
    notice = parsed("1975").notices[0].at("findings.csv", 3, "As of")
    assert notice.severity == "warning"
    assert str(PeriodProblem("m", "s")) == "m (s)"


def test_excel_serials_in_the_1900_system():
    assert date_from_excel_serial(1) == D(1900, 1, 1)
    assert date_from_excel_serial(59) == D(1900, 2, 28)
    with pytest.raises(ValueError, match="never was"):
        date_from_excel_serial(60)
    assert date_from_excel_serial(61) == D(1900, 3, 1)
    assert date_from_excel_serial(25569) == D(1970, 1, 1)
    assert date_from_excel_serial(36526) == D(2000, 1, 1)
    assert date_from_excel_serial(42795) == D(2017, 3, 1)
    assert date_from_excel_serial(2958465) == D(9999, 12, 31)
    for bad in (0, -1, 2958466):
        with pytest.raises(ValueError):
            date_from_excel_serial(bad)


def test_period_constructor_refuses_false_bounds():
    with pytest.raises(ValueError):
        Period(D(2017, 3, 2), D(2017, 3, 31), "month")  # not the month's first day
    with pytest.raises(ValueError):
        Period(D(2017, 3, 1), D(2017, 3, 30), "month")  # not its last
    with pytest.raises(ValueError):
        Period(D(2017, 1, 1), D(2017, 12, 31), "year", "year")  # a "range" of one year
    with pytest.raises(ValueError):
        Period.between(Period.year(2017), Period.year(2015))
    with pytest.raises(ValueError):
        Period.between(Period.year(2017), Period.month(2017, 6))
    with pytest.raises(ValueError):
        Period.quarter(2017, 5)
    assert Period.between(Period.year(2017), Period.year(2017)) == Period.year(2017)
    assert Period.month(2016, 2).days == 29
    assert Period.year(2016).days == 366
    assert Period.year(1900).days == 365


LABELS = [
    (Period.year(2017), "2017", "2017"),
    (Period.month(2017, 3), "March 2017", "Mar 2017"),
    (Period.quarter(2017, 2), "Q2 2017", "Q2 2017"),
    (Period.day(D(2017, 3, 4)), "4 March 2017", "4 Mar 2017"),
    (Period.between(Period.year(2015), Period.year(2017)), "2015–2017", "2015–2017"),
    (
        Period.between(Period.month(2016, 1), Period.month(2017, 12)),
        "January 2016–December 2017",
        "Jan 2016–Dec 2017",
    ),
    (Period.between(Period.month(2017, 3), Period.month(2017, 6)), "March–June 2017", None),
    (Period.between(Period.quarter(2017, 1), Period.quarter(2017, 3)), "Q1–Q3 2017", None),
    (
        Period.between(Period.day(D(2017, 3, 4)), Period.day(D(2017, 3, 20))),
        "4–20 March 2017",
        None,
    ),
    (Period.between(Period.year(2015), Period.month(2017, 3)), "2015–March 2017", "2015–Mar 2017"),
]


@pytest.mark.parametrize(("period", "label", "short"), LABELS)
def test_labels_in_words(period, label, short):
    assert period.label() == label
    if short is not None:
        assert period.label(short=True) == short
    assert parsed(label).period == period


def test_day_order_of_a_column():
    order = day_order(["03/04/2017", "25/03/2017", "2017", 42795, "05/05/2017", "1/2/2017"])
    assert order.ambiguous == ("03/04/2017", "1/2/2017")
    assert order.day_first_only == ("25/03/2017",)
    assert order.month_first_only == ()
    assert order.needs_choice
    assert order.implied is True
    assert day_order(["03/25/2017"]).implied is False
    mixed = day_order(["03/25/2017", "25/03/2017"])
    assert mixed.implied is None and not mixed.needs_choice
    assert day_order(["2017-03-04", "March 2017"]) == day_order([])


# from, to, start, end, words, notice fragments
LINK_RANGES = [
    ("2016-01", "2017-12", D(2016, 1, 1), D(2017, 12, 31), "2016–2017", []),
    ("2016", "2017", D(2016, 1, 1), D(2017, 12, 31), "2016–2017", []),
    ("2016-03", "2017-09", D(2016, 3, 1), D(2017, 9, 30), "Mar 2016–Sep 2017", []),
    ("2017-Q1", "2017-Q2", D(2017, 1, 1), D(2017, 6, 30), "Jan–Jun 2017", []),
    ("2017-03-04", "2017-03-20", D(2017, 3, 4), D(2017, 3, 20), "4–20 Mar 2017", []),
    ("2017-03-04", "2017-06-20", D(2017, 3, 4), D(2017, 6, 20), "4 Mar–20 Jun 2017", []),
    ("2016-02", "2016-02", D(2016, 2, 1), D(2016, 2, 29), "Feb 2016", []),
    ("2016", None, D(2016, 1, 1), None, "from 2016", []),
    (None, "2017", None, D(2017, 12, 31), "to 2017", []),
    ("2016-05", "", D(2016, 5, 1), None, "from May 2016", []),
    ("", "2017-03-15", None, D(2017, 3, 15), "to 15 Mar 2017", []),
    (None, None, None, None, "", []),
    ("2030", None, D(2030, 1, 1), None, "from 2030", []),
    ("2018", "2016", None, None, "", ["ends before it starts", "from=2016&to=2018"]),
    ("garbage", "2017", None, D(2017, 12, 31), "to 2017", ["'from=garbage'", "not a date"]),
    ("2016", "2017-02-30", D(2016, 1, 1), None, "from 2016", ["'to=2017-02-30'", "28 days"]),
    ("03/04/2017", None, None, None, "", ["ambiguous"]),
    ("2015–2016", "2017", D(2015, 1, 1), D(2017, 12, 31), "2015–2017", []),
]


@pytest.mark.parametrize(("start_text", "end_text", "start", "end", "words", "notes"), LINK_RANGES)
def test_ranges_in_links(start_text, end_text, start, end, words, notes):
    found, notices = range_from_params(start_text, end_text)
    assert (found.start, found.end) == (start, end)
    assert found.describe() == words
    if notes:
        assert len(notices) == 1
        for fragment in notes:
            assert fragment in notices[0]
    else:
        assert notices == []


def test_date_range_filter_keeps_overlapping_periods():
    range_ = DateRange(D(2016, 1, 1), D(2017, 12, 31))
    assert range_.includes(Period.year(2017))
    assert range_.includes(Period.between(Period.year(2015), Period.year(2016)))
    assert range_.includes(Period.between(Period.year(2010), Period.year(2020)))
    assert not range_.includes(Period.year(2015))
    assert not range_.includes(Period.day(D(2018, 1, 1)))
    assert range_.includes(Period.day(D(2017, 12, 31)))
    assert DateRange().includes(Period.year(1900)) and DateRange().is_open
    assert DateRange(start=D(2017, 1, 1)).includes(Period.year(2020))
    assert not DateRange(end=D(2016, 12, 31)).includes(Period.year(2017))
    with pytest.raises(ValueError):
        DateRange(D(2018, 1, 1), D(2017, 1, 1))
    assert range_.to_query_params() == {"from": ["2016"], "to": ["2017"]}
    assert DateRange(D(2016, 3, 4)).to_query_params() == {"from": ["2016-03-04"]}
    assert DateRange().to_query_params() == {}


# ---------------------------------------------------------------------------------------------
# Hypothesis: the overlap rule against sets of days, and round trips
# ---------------------------------------------------------------------------------------------

# A unit as plain numbers, independent of Period: (precision, year, number, day).
Spec = tuple[str, int, int, date | None]


def unit_specs(first_year: int, last_year: int) -> st.SearchStrategy[Spec]:
    years = st.integers(first_year, last_year)
    return st.one_of(
        years.map(lambda y: ("year", y, 0, None)),
        st.tuples(years, st.integers(1, 4)).map(lambda t: ("quarter", t[0], t[1], None)),
        st.tuples(years, st.integers(1, 12)).map(lambda t: ("month", t[0], t[1], None)),
        st.dates(date(first_year, 1, 1), date(last_year, 12, 31)).map(
            lambda d: ("day", d.year, 0, d)
        ),
    )


def day_key(precision: str, day: date) -> tuple[int, ...]:
    """Where a day falls at a precision, as numbers that sort in time."""
    if precision == "year":
        return (day.year,)
    if precision == "quarter":
        return (day.year, (day.month - 1) // 3 + 1)
    if precision == "month":
        return (day.year, day.month)
    return (day.year, day.month, day.day)


def spec_key(spec: Spec) -> tuple[int, ...]:
    precision, year, number, day = spec
    if precision == "year":
        return (year,)
    if precision in ("quarter", "month"):
        return (year, number)
    assert day is not None
    return (day.year, day.month, day.day)


def spec_period(spec: Spec) -> Period:
    precision, year, number, day = spec
    if precision == "year":
        return Period.year(year)
    if precision == "quarter":
        return Period.quarter(year, number)
    if precision == "month":
        return Period.month(year, number)
    assert day is not None
    return Period.day(day)


# A period: one unit, or two with the second after the first.
PeriodSpec = tuple[Spec, Spec | None]


def period_specs(first_year: int, last_year: int) -> st.SearchStrategy[PeriodSpec]:
    units = unit_specs(first_year, last_year)

    def ordered(pair: tuple[Spec, Spec]) -> PeriodSpec:
        start, end = pair
        a, b = spec_period(start), spec_period(end)
        if b.first < a.first:
            start, end, a, b = end, start, b, a
        assume(b.first > a.last)
        return (start, end)

    return st.one_of(
        units.map(lambda s: (s, None)),
        st.tuples(units, units).map(ordered),
    )


def build(spec: PeriodSpec) -> Period:
    start, end = spec
    if end is None:
        return spec_period(start)
    return Period.between(spec_period(start), spec_period(end))


# Every day of 2014-2018 (1826 days, two of them 29 February): the near periods lie inside it.
WINDOW = [date(2014, 1, 1) + timedelta(days=n) for n in range(5 * 365 + 1)]
assert WINDOW[-1] == date(2018, 12, 31)


def reference_days(spec: PeriodSpec) -> set[date]:
    """The days of the window a period covers, by its definition in words."""
    start, end = spec
    if end is None:
        return {d for d in WINDOW if day_key(start[0], d) == spec_key(start)}
    return {
        d
        for d in WINDOW
        if day_key(start[0], d) >= spec_key(start) and day_key(end[0], d) <= spec_key(end)
    }


NEAR = period_specs(2014, 2018)
ANY = period_specs(1000, 9998)


@settings(max_examples=150, deadline=None)
@given(NEAR)
def test_bounds_are_exact_days(spec):
    period = build(spec)
    days = reference_days(spec)
    assert (period.first, period.last, period.days) == (min(days), max(days), len(days))


@settings(max_examples=200, deadline=None)
@given(NEAR, NEAR)
def test_overlap_rule_against_sets_of_days(a, b):
    first, second = build(a), build(b)
    expected = bool(reference_days(a) & reference_days(b))
    assert first.overlaps(second) == expected
    assert second.overlaps(first) == expected


@settings(max_examples=200, deadline=None)
@given(
    NEAR,
    st.one_of(st.none(), st.sampled_from(WINDOW)),
    st.one_of(st.none(), st.sampled_from(WINDOW)),
)
def test_overlaps_range_against_sets_of_days(spec, start, end):
    assume(start is None or end is None or start <= end)
    period = build(spec)
    wanted = {d for d in WINDOW if (start is None or d >= start) and (end is None or d <= end)}
    expected = bool(reference_days(spec) & wanted)
    assert period.overlaps_range(start, end) == expected
    assert DateRange(start, end).includes(period) == expected


@settings(max_examples=300, deadline=None)
@given(ANY)
def test_text_and_labels_read_back(spec):
    period = build(spec)
    for written in (period.text(), period.label(), period.label(short=True)):
        result = parse_period(written, today=date.max)
        assert result.period == period, written
        assert result.errors == ()


@settings(max_examples=200, deadline=None)
@given(ANY, ANY)
def test_link_range_from_two_periods(a, b):
    start, end = build(a), build(b)
    found, notices = range_from_params(start.text(), end.text())
    if start.first <= end.last:
        assert (found.start, found.end, notices) == (start.first, end.last, [])
        again, more = range_from_params(**_params(found))
        assert (again, more) == (found, [])
    else:
        assert found.is_open and len(notices) == 1


def _params(found: DateRange) -> dict[str, str | None]:
    params = found.to_query_params()
    return {
        "from_text": params.get("from", [None])[0],
        "to_text": params.get("to", [None])[0],
    }


@settings(max_examples=200, deadline=None)
@given(
    st.dates(date(1000, 1, 1), date(9998, 12, 31)), st.dates(date(1000, 1, 1), date(9998, 12, 31))
)
def test_range_words_name_the_same_days(one, other):
    start, end = min(one, other), max(one, other)
    words = describe_range(start, end)
    result = parse_period(words, today=date.max)
    assert result.period is not None, words
    assert (result.period.first, result.period.last) == (start, end)
    assert describe_range(start, None).startswith("from ")
    assert describe_range(None, end).startswith("to ")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_period_or_an_error(text):
    result = parse_period(text, today=TODAY)
    if result.period is None:
        assert len(result.errors) == 1 and result.errors[0].suggestion
    else:
        assert result.errors == ()
        assert parse_period(result.period.text(), today=TODAY).period == result.period


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(
        r"\A(\d{1,4}|[A-Za-z]{1,9}|Q\d|H\d)([ ,./\-–]{1,3}(\d{1,4}|[A-Za-z]{1,9}|Q\d)){0,4}\Z"
    )
)
def test_date_like_text_gives_a_period_or_an_error(text):
    result = parse_period(text, today=TODAY)
    assert (result.period is None) == bool(result.errors)
    if result.period is not None:
        assert parse_period(result.period.text(), today=TODAY).period == result.period
