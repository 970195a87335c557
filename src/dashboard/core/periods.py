"""When a finding holds: periods as analysts write them, never padded to a false day.

A :class:`Period` is a day, a month, a quarter or a year, or a range from one such to a later one
(``2015–2017``, ``2016-01–2017-12``). It keeps the precision it was given in and covers exact
days: a month runs from its first to its last day, February has 29 days in a leap year.

:func:`parse_period` reads a cell or a link value: ISO forms, quarters, English month names,
slashed dates (``03/04/2017`` needs the file's day order), Excel serial numbers and the
``date``/``datetime`` values a workbook gives. It returns the period and its problems as values:
an ``"error"`` means no period (an impossible date, a range ending before it starts, text that is
not a date), a ``"warning"`` is a notice on an accepted period (in the future, before 1979, read
as an Excel serial). Each problem has a message and a suggested fix; the caller adds the file,
row and column (:meth:`PeriodProblem.at`).

:func:`range_from_params` reads a link's ``from``/``to`` into a :class:`DateRange`, and
:func:`describe_range` puts one in words (``2016–2017``, ``Jan–Jun 2017``, ``from 2016``).

Plain Python: no Streamlit, no pandas.
"""

from __future__ import annotations

import calendar
import functools
import math
import numbers
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from rapidfuzz import fuzz, process

from dashboard.core.problems import Problem

Precision = Literal["day", "month", "quarter", "year"]
Severity = Literal["error", "warning"]

#: Precisions from the coarsest to the finest.
PRECISIONS: tuple[Precision, ...] = ("year", "quarter", "month", "day")

#: Dates before this are accepted with a notice: the findings are about the years since the
#: Soviet invasion of Afghanistan (December 1979) at the earliest.
EARLIEST_EXPECTED = date(1979, 1, 1)

#: The en dash between the two ends of a range, in text and in labels.
RANGE_DASH = "–"

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTH_ABBREVIATIONS = tuple(name[:3] for name in MONTH_NAMES)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH_WORDS: dict[str, int] = {}
for _number, _name in enumerate(MONTH_NAMES, start=1):
    _MONTH_WORDS[_name.lower()] = _number
    _MONTH_WORDS[_name[:3].lower()] = _number
_MONTH_WORDS["sept"] = 9

_WEEKDAY_WORDS: dict[str, int] = {}
for _number, _name in enumerate(WEEKDAY_NAMES):
    _WEEKDAY_WORDS[_name.lower()] = _number
    _WEEKDAY_WORDS[_name[:3].lower()] = _number

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is 29 February 1900, a day that
# never was (Lotus 1-2-3's leap-year bug, kept by Excel); from serial 61 on, day 0 is 1899-12-30.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = (date.max - _EXCEL_EPOCH).days

_FORMS_HINT = (
    "write it as 2017-03-04, 2017-03, 2017-Q2, 2017, March 2017, or a range such as 2015–2017"
)


# ---------------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------------


def _unit_first(precision: Precision, day: date) -> date:
    """The first day of the day, month, quarter or year containing ``day``."""
    if precision == "day":
        return day
    if precision == "month":
        return day.replace(day=1)
    if precision == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _unit_last(precision: Precision, day: date) -> date:
    """The last day of the day, month, quarter or year containing ``day``."""
    if precision == "day":
        return day
    if precision == "month":
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == "quarter":
        month = 3 * ((day.month - 1) // 3) + 3
        return date(day.year, month, calendar.monthrange(day.year, month)[1])
    return date(day.year, 12, 31)


def _unit_text(precision: Precision, day: date) -> str:
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if precision == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year:04d}"


def _month_word(month: int, short: bool) -> str:
    return MONTH_ABBREVIATIONS[month - 1] if short else MONTH_NAMES[month - 1]


def _unit_label(precision: Precision, day: date, *, short: bool, year: bool = True) -> str:
    """A unit in words; ``year=False`` leaves out the year (a range's start, sharing it)."""
    tail = f" {day.year:04d}" if year else ""
    if precision == "day":
        return f"{day.day} {_month_word(day.month, short)}{tail}"
    if precision == "month":
        return f"{_month_word(day.month, short)}{tail}"
    if precision == "quarter":
        return f"Q{(day.month - 1) // 3 + 1}{tail}"
    return f"{day.year:04d}"


@dataclass(frozen=True, order=True)
class Period:
    """The days a finding refers to, at the precision it was given in.

    ``first`` and ``last`` are the first and the last day covered. A single day, month, quarter
    or year has ``end_precision`` ``None``; a range runs from the ``precision`` unit starting on
    ``first`` to a later ``end_precision`` unit ending on ``last`` (``2015–2017``: from the
    year 2015 to the year 2017). Build one with :meth:`day`, :meth:`month`, :meth:`quarter`,
    :meth:`year` or :meth:`between`; the constructor refuses bounds that are not those of such
    a period. Periods sort by first day, then last.
    """

    first: date
    last: date
    precision: Precision
    end_precision: Precision | None = None

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")
        if _unit_first(self.precision, self.first) != self.first:
            raise ValueError(f"{self.first} is not the first day of a {self.precision}")
        if self.end_precision is None:
            if self.last != _unit_last(self.precision, self.first):
                raise ValueError(f"a {self.precision} from {self.first} does not end {self.last}")
            return
        if self.end_precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.end_precision!r}")
        if _unit_last(self.end_precision, self.last) != self.last:
            raise ValueError(f"{self.last} is not the last day of a {self.end_precision}")
        if _unit_first(self.end_precision, self.last) <= _unit_last(self.precision, self.first):
            raise ValueError("a range's end must come after its start")

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day, "day")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(first, _unit_last("month", first), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4:
            raise ValueError(f"there is no quarter {quarter}")
        first = date(year, 3 * quarter - 2, 1)
        return cls(first, _unit_last("quarter", first), "quarter")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def between(cls, start: Period, end: Period) -> Period:
        """The range from the start of ``start`` to the end of ``end``.

        Both must be single units (not ranges), ``end`` after ``start``; the same unit twice
        gives that unit. Raises ``ValueError`` otherwise.
        """
        if start.is_range or end.is_range:
            raise ValueError("the ends of a range are single periods")
        if start == end:
            return start
        return cls(start.first, end.last, start.precision, end.precision)

    # -- parts ----------------------------------------------------------------------------

    @property
    def is_range(self) -> bool:
        return self.end_precision is not None

    @property
    def start(self) -> Period:
        """The unit the period starts with (itself when it is not a range)."""
        if self.end_precision is None:
            return self
        return Period(self.first, _unit_last(self.precision, self.first), self.precision)

    @property
    def end(self) -> Period:
        """The unit the period ends with (itself when it is not a range)."""
        if self.end_precision is None:
            return self
        first = _unit_first(self.end_precision, self.last)
        return Period(first, self.last, self.end_precision)

    @property
    def days(self) -> int:
        """How many days the period covers."""
        return (self.last - self.first).days + 1

    # -- words ----------------------------------------------------------------------------

    def text(self) -> str:
        """The canonical form: ``2017``, ``2017-03``, ``2017-Q2``, ``2017-03-04``, ``2015–2017``.

        :func:`parse_period` reads it back to the same period.
        """
        if self.end_precision is None:
            return _unit_text(self.precision, self.first)
        return (
            _unit_text(self.precision, self.first)
            + RANGE_DASH
            + _unit_text(self.end_precision, self.last)
        )

    def label(self, *, short: bool = False) -> str:
        """The period in words: ``March 2017``, ``Q2 2017``, ``4 March 2017``, ``2015–2017``.

        A range within one year names the year once (``March–June 2017``, ``Q1–Q3 2017``,
        ``4–20 March 2017``). ``short`` abbreviates month names (``Mar 2017``).
        """
        if self.end_precision is None:
            return _unit_label(self.precision, self.first, short=short)
        start, end = self.first, self.last
        if (
            self.precision == self.end_precision
            and self.precision != "year"
            and start.year == end.year
        ):
            if self.precision == "day" and start.month == end.month:
                head = str(start.day)
            else:
                head = _unit_label(self.precision, start, short=short, year=False)
            return head + RANGE_DASH + _unit_label(self.end_precision, end, short=short)
        return (
            _unit_label(self.precision, start, short=short)
            + RANGE_DASH
            + _unit_label(self.end_precision, end, short=short)
        )

    def __str__(self) -> str:
        return self.text()

    # -- comparisons ----------------------------------------------------------------------

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last

    def overlaps(self, other: Period) -> bool:
        """Whether the two periods share at least one day."""
        return self.first <= other.last and other.first <= self.last

    def overlaps_range(self, start: date | None, end: date | None) -> bool:
        """Whether the period shares a day with ``start``..``end``, both included; None is open."""
        return (end is None or self.first <= end) and (start is None or start <= self.last)


# ---------------------------------------------------------------------------------------------
# Problems and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodProblem:
    """What is wrong with a date value, and how to fix it; the caller knows where it was."""

    message: str
    suggestion: str = ""
    severity: Severity = "error"

    def at(self, file: str, row: int | None, column: str | None) -> Problem:
        """The problem placed in a file, as the import lists it."""
        return Problem(file, row, column, self.message, self.suggestion, self.severity)

    def __str__(self) -> str:
        return f"{self.message} ({self.suggestion})" if self.suggestion else self.message


@dataclass(frozen=True)
class ParsedPeriod:
    """A value read as a period: ``period`` is ``None`` exactly when there is an error."""

    period: Period | None
    problems: tuple[PeriodProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.period is not None

    @property
    def errors(self) -> tuple[PeriodProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def notices(self) -> tuple[PeriodProblem, ...]:
        """The warnings on an accepted period."""
        return tuple(p for p in self.problems if p.severity == "warning")


class _Refused(Exception):
    """Raised inside the parser when a value matched a form but cannot be a period."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message)
        self.problem = PeriodProblem(message, suggestion, "error")


@dataclass
class _Reading:
    """What the parser learns along the way besides the period."""

    day_first: bool | None
    notices: list[PeriodProblem] = field(default_factory=list)

    def notice(self, message: str, suggestion: str = "") -> None:
        self.notices.append(PeriodProblem(message, suggestion, "warning"))


# ---------------------------------------------------------------------------------------------
# Checking the parts of a date
# ---------------------------------------------------------------------------------------------


def _day_problem(year: int, month: int, day: int) -> str | None:
    """Why year-month-day is not a date, or ``None`` when it is one."""
    if not 1 <= year <= 9999:
        return f"there is no year {year}"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        return f"{MONTH_NAMES[month - 1]} {year:04d} has {length} days"
    return None


def _checked_day(year: int, month: int, day: int, given: str) -> Period:
    reason = _day_problem(year, month, day)
    if reason is None:
        return Period.day(date(year, month, day))
    if 1 <= month <= 12 and 1 <= year <= 9999:
        length = calendar.monthrange(year, month)[1]
        fix = (
            f"check the day; the last day of {MONTH_NAMES[month - 1]} {year:04d} is "
            f"{year:04d}-{month:02d}-{length:02d}"
        )
        if day >= 1:
            fix += f", and {year:04d}-{month:02d} names the month without a day"
        return _refuse(f"{given} is not a date: {reason}", fix)
    return _refuse(f"{given} is not a date: {reason}", "months run from 01 to 12")


def _checked_month(year: int, month: int, given: str) -> Period:
    if not 1 <= month <= 12:
        raise _Refused(
            f"{given} is not a month: there is no month {month}", "months run from 01 to 12"
        )
    return Period.month(year, month)


def _checked_quarter(year: int, quarter: int, given: str) -> Period:
    if not 1 <= quarter <= 4:
        raise _Refused(
            f"{given} is not a quarter: there is no quarter {quarter}", "quarters run Q1 to Q4"
        )
    return Period.quarter(year, quarter)


def _refuse(message: str, suggestion: str = "") -> Period:
    raise _Refused(message, suggestion)


def _month_number(word: str, given: str) -> int | None:
    """The month an English month name or abbreviation names; ``None`` if the word is no month.

    A word close to a month name (``Febuary``) is refused with the name it resembles.
    """
    key = word.lower().rstrip(".")
    if key in _MONTH_WORDS:
        return _MONTH_WORDS[key]
    if len(key) >= 4:
        match = process.extractOne(
            key, [name.lower() for name in MONTH_NAMES], scorer=fuzz.ratio, score_cutoff=75
        )
        if match is not None:
            raise _Refused(
                f"{given} is not a date: {word!r} is not a month name",
                f"did you mean {MONTH_NAMES[match[2]]}?",
            )
    return None


# ---------------------------------------------------------------------------------------------
# The forms of a single day, month, quarter or year
# ---------------------------------------------------------------------------------------------

_FLAGS = re.IGNORECASE
_YEAR = r"(?P<y>(?!0000)\d{4})"  # year 0 does not exist (1 BC is followed by AD 1)
_WEEKDAY = r"(?:(?P<wd>[a-z]+)\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_TIME = r"(?:[T ](?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"

_ISO_DAY = re.compile(rf"{_YEAR}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}", _FLAGS)
_YMD_SLASH = re.compile(rf"{_YEAR}(?P<sep>[/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}})", _FLAGS)
_ISO_MONTH = re.compile(rf"{_YEAR}-(?P<m>\d{{1,2}})", _FLAGS)
_YM_SLASH = re.compile(rf"{_YEAR}[/.](?P<m>\d{{1,2}})", _FLAGS)
_MY = re.compile(rf"(?P<m>\d{{1,2}})[/.-]{_YEAR}", _FLAGS)
_SLASHED = re.compile(rf"(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?P=sep){_YEAR}", _FLAGS)
_SLASHED_SHORT_YEAR = re.compile(r"\d{1,2}(?P<sep>[/.-])\d{1,2}(?P=sep)\d{2}", _FLAGS)
_QUARTER_FIRST = re.compile(rf"Q(?P<q>\d)\s*[-/ ]?\s*{_YEAR}", _FLAGS)
_YEAR_QUARTER = re.compile(rf"{_YEAR}\s*[-/ ]?\s*Q(?P<q>\d)", _FLAGS)
_HALF = re.compile(
    rf"(?:H(?P<h1>[12])\s*[-/ ]?\s*{_YEAR}|(?P<y2>(?!0000)\d{{4}})\s*[-/ ]?\s*H(?P<h2>[12]))",
    _FLAGS,
)
_SHORT_YEAR_TEXT = re.compile(
    r"(?:\d{1,2}(?:st|nd|rd|th)?[- ])?(?P<mon>[a-z]+)\.?[- ']\s*'?\d{1,2}(?:st|nd|rd|th)?", _FLAGS
)
_SHORT_YEAR_RANGE = re.compile(r"(?P<y>\d{4})\s*[–—]\s*(?P<e>\d{2})")
_DAY_MONTH_YEAR = re.compile(
    rf"{_WEEKDAY}(?P<d>\d{{1,2}}){_ORDINAL}(?:\s+|\s*-\s*)(?:of\s+)?(?P<mon>[a-z]+)\.?"
    rf"(?:,?\s+|\s*-\s*){_YEAR}",
    _FLAGS,
)
_MONTH_DAY_YEAR = re.compile(
    rf"{_WEEKDAY}(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}}){_ORDINAL},?\s+{_YEAR}", _FLAGS
)
_MONTH_YEAR = re.compile(rf"(?P<mon>[a-z]+)\.?(?:,?\s+|\s*-\s*){_YEAR}", _FLAGS)
_YEAR_MONTH_WORD = re.compile(rf"{_YEAR}\s+(?P<mon>[a-z]+)\.?", _FLAGS)
_NUMBER = re.compile(r"(?P<int>\d+)(?:\.(?P<frac>\d*))?")
_QUALIFIED = re.compile(
    r"(?P<q>early|mid|late|end of|start of|beginning of|around|about|circa|c\.|ca\.|approx\.?|"
    r"before|after|since|until|pre|post)\s*-?\s*(?P<rest>.*\d{4}.*)",
    _FLAGS,
)

# Parts of a range's start that take the year (and month) from the end: ``March``–June 2017,
# ``Q1``–Q3 2017, ``4``–20 March 2017, ``4 March``–20 June 2017.
_BARE_QUARTER = re.compile(r"Q(?P<q>\d)", _FLAGS)
_BARE_DAY = re.compile(rf"(?P<d>\d{{1,2}}){_ORDINAL}", _FLAGS)
_BARE_DAY_MONTH = re.compile(rf"(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<mon>[a-z]+)\.?", _FLAGS)
_BARE_MONTH_DAY = re.compile(rf"(?P<mon>[a-z]+)\.?\s+(?P<d>\d{{1,2}}){_ORDINAL}", _FLAGS)
_BARE_MONTH = re.compile(r"(?P<mon>[a-z]+)\.?", _FLAGS)


def _check_weekday(word: str | None, period: Period, given: str) -> None:
    if word is None:
        return
    weekday = _WEEKDAY_WORDS.get(word.lower())
    if weekday is None:
        raise _Refused(f"{given} is not a date: {word!r} is not a day of the week", _FORMS_HINT)
    actual = period.first.weekday()
    if weekday != actual:
        raise _Refused(
            f"{given} is not a date: {period.label()} was a {WEEKDAY_NAMES[actual]}, "
            f"not a {WEEKDAY_NAMES[weekday]}",
            "check the day and the weekday",
        )


def _slashed_day(a: int, b: int, year: int, given: str, reading: _Reading) -> Period:
    """``a/b/year``: day-first reads ``a`` as the day, month-first as the month."""
    readings = {True: (year, b, a), False: (year, a, b)}
    problems = {order: _day_problem(*ymd) for order, ymd in readings.items()}
    names = {True: "day-first", False: "month-first"}
    day_first = reading.day_first
    if day_first is None:
        fine = [order for order in (True, False) if problems[order] is None]
        if len(fine) == 2 and a != b:
            one, other = date(*readings[True]), date(*readings[False])
            raise _Refused(
                f"{given} is ambiguous: {Period.day(one).label()} if the day comes first, "
                f"{Period.day(other).label()} if the month does",
                "choose day-first or month-first for the file, or write the date as YYYY-MM-DD "
                f"({one.isoformat()} or {other.isoformat()})",
            )
        if fine:
            return Period.day(date(*readings[fine[0]]))
        raise _Refused(
            f"{given} is not a date either way: day-first, {problems[True]}; "
            f"month-first, {problems[False]}",
            "check the day and the month, and write the date as YYYY-MM-DD",
        )
    if problems[day_first] is None:
        return Period.day(date(*readings[day_first]))
    if problems[not day_first] is None:
        other = date(*readings[not day_first])
        raise _Refused(
            f"{given} cannot be read {names[day_first]} ({problems[day_first]}); read "
            f"{names[not day_first]} it is {Period.day(other).label()}",
            f"check the order chosen for this file, or write the date as {other.isoformat()}",
        )
    raise _Refused(
        f"{given} is not a date: {problems[day_first]}",
        "check the day and the month, and write the date as YYYY-MM-DD",
    )


def _number_period(
    whole: int, fraction: float, digits: int, given: str, reading: _Reading
) -> Period:
    """A number: a year (4 digits, no fraction) or an Excel serial date (5 digits)."""
    if digits == 4 and fraction == 0:
        if whole == 0:
            raise _Refused(f"{given} is not a date: there is no year 0", _FORMS_HINT)
        return Period.year(whole)
    if digits == 5:
        day = date_from_excel_serial(whole)
        reading.notice(
            f"{given} was read as an Excel serial date: {day.isoformat()}",
            f"check the date; a date written as {day.isoformat()} is read without guessing",
        )
        if fraction:
            reading.notice(
                f"the time of day in {given} is not kept", "the finding's date is the day"
            )
        return Period.day(day)
    if digits == 8 and fraction == 0:
        y, m, d = whole // 10000, whole // 100 % 100, whole % 100
        if _day_problem(y, m, d) is None:
            raise _Refused(
                f"{given} is not a date the dashboard reads",
                f"if it is {y:04d}-{m:02d}-{d:02d}, write it with the dashes",
            )
    raise _Refused(
        f"{given} is not a date: a number is read as a year (4 digits) or an Excel serial date "
        "(5 digits)",
        _FORMS_HINT,
    )


def _time_notice(match: re.Match[str], given: str, reading: _Reading) -> None:
    if match.group("h") is None:
        return
    hour, minute, second = int(match.group("h")), int(match.group("mi")), int(match.group("s") or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise _Refused(f"{given} is not a date: the time is impossible", "write the day alone")
    if (hour, minute, second) != (0, 0, 0):
        reading.notice(f"the time of day in {given} is not kept", "the finding's date is the day")


def _check_short_year_range(year: int, end: str, given: str) -> None:
    """Refuse ``2015-16`` (no month 16) or ``2015–16`` with the years it likely means."""
    short = int(end)
    if len(end) == 2 and not 1 <= short <= 12 and 0 < short - year % 100 <= 20:
        full = year - year % 100 + short
        raise _Refused(
            f"{given} is not a date: the end year is not written in full",
            f"for the years {year}–{full}, write {year}–{full}",
        )


def _refuse_incomplete(text: str, given: str) -> None:
    """Refuse a month name with no four-digit year (``March``, ``Mar-17``, ``4 March 17``)."""
    m = _BARE_MONTH.fullmatch(text) or _SHORT_YEAR_TEXT.fullmatch(text)
    if m is None:
        return
    try:
        month_number = _month_number(m["mon"], given)
    except _Refused:
        return
    if month_number is None:
        return
    raise _Refused(
        f"{given} has no four-digit year",
        f"write the year in full, such as {MONTH_NAMES[month_number - 1]} 2017",
    )


def _unit(text: str, given: str, reading: _Reading) -> Period | None:
    """The single day, month, quarter or year ``text`` writes; ``None`` when it is no such form.

    Raises ``_Refused`` when ``text`` has a form but is not a period (``2017-02-30``).
    """
    if m := _NUMBER.fullmatch(text):
        frac = m.group("frac") or ""
        fraction = float("0." + frac) if frac.strip("0") else 0.0
        return _number_period(int(m.group("int")), fraction, len(m.group("int")), given, reading)
    if m := _ISO_DAY.fullmatch(text):
        period = _checked_day(int(m["y"]), int(m["m"]), int(m["d"]), given)
        _time_notice(m, given, reading)
        return period
    if m := _YMD_SLASH.fullmatch(text):
        return _checked_day(int(m["y"]), int(m["m"]), int(m["d"]), given)
    if m := (_ISO_MONTH.fullmatch(text) or _YM_SLASH.fullmatch(text)):
        year, month = int(m["y"]), int(m["m"])
        _check_short_year_range(year, m["m"], given)
        if "/" in text and len(m["m"]) == 2 and month == (year + 1) % 100:
            raise _Refused(
                f"{given} is ambiguous: {MONTH_NAMES[month - 1]} {year} or the years "
                f"{year}–{year + 1} (a financial year)",
                f"write {year:04d}-{month:02d} for the month or {year}–{year + 1} for the years",
            )
        return _checked_month(year, month, given)
    if m := _MY.fullmatch(text):
        return _checked_month(int(m["y"]), int(m["m"]), given)
    if m := _SLASHED.fullmatch(text):
        return _slashed_day(int(m["a"]), int(m["b"]), int(m["y"]), given, reading)
    if _SLASHED_SHORT_YEAR.fullmatch(text):
        raise _Refused(
            f"{given} has a two-digit year",
            "write the year in four digits, or the date as YYYY-MM-DD",
        )
    if m := (_QUARTER_FIRST.fullmatch(text) or _YEAR_QUARTER.fullmatch(text)):
        return _checked_quarter(int(m["y"]), int(m["q"]), given)
    if m := _HALF.fullmatch(text):
        year = int(m["y"] or m["y2"])
        half = int(m["h1"] or m["h2"])
        period = Period.between(Period.month(year, 6 * half - 5), Period.month(year, 6 * half))
        reading.notice(f"{given} was read as {period.text()}", f"write {period.text()} to say so")
        return period
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        month_number = _month_number(m["mon"], given)
        if month_number is not None:
            period = _checked_day(int(m["y"]), month_number, int(m["d"]), given)
            _check_weekday(m["wd"], period, given)
            return period
    if m := _MONTH_DAY_YEAR.fullmatch(text):
        month_number = _month_number(m["mon"], given)
        if month_number is not None:
            period = _checked_day(int(m["y"]), month_number, int(m["d"]), given)
            _check_weekday(m["wd"], period, given)
            return period
    if m := (_MONTH_YEAR.fullmatch(text) or _YEAR_MONTH_WORD.fullmatch(text)):
        month_number = _month_number(m["mon"], given)
        if month_number is not None:
            return Period.month(int(m["y"]), month_number)
    return None


def _start_sharing_end(text: str, end: Period, given: str) -> Period | None:
    """A range's start written without what it shares with the end: ``March``–June 2017."""
    if end.is_range:
        return None
    year = end.first.year
    if end.precision == "month" and (m := _BARE_MONTH.fullmatch(text)):
        month_number = _month_number(m["mon"], given)
        if month_number is not None:
            return Period.month(year, month_number)
    if end.precision == "quarter" and (m := _BARE_QUARTER.fullmatch(text)):
        return _checked_quarter(year, int(m["q"]), given)
    if end.precision == "day":
        if m := _BARE_DAY.fullmatch(text):
            return _checked_day(year, end.first.month, int(m["d"]), given)
        if m := (_BARE_DAY_MONTH.fullmatch(text) or _BARE_MONTH_DAY.fullmatch(text)):
            month_number = _month_number(m["mon"], given)
            if month_number is not None:
                return _checked_day(year, month_number, int(m["d"]), given)
    return None


# Separators between a range's two ends, tried in this order; the first that splits the text
# into two periods wins. An unspaced hyphen comes last: ``2017-03`` is a month (a form above),
# ``2015-2017`` and ``2016-01-2017-12`` are ranges.
_SEPARATORS = (
    re.compile(r"\s*[–—]\s*"),
    re.compile(r"\s+(?:to|until|till|through|thru)\s+", _FLAGS),
    re.compile(r"\s+-+\s+"),
    re.compile(r"\s*/\s*"),
    re.compile(r"-"),
)
_FROM_TO = re.compile(
    r"(?:from\s+(?P<a>.+?)\s+(?:to|until|till)\s+(?P<b>.+))|(?:between\s+(?P<c>.+?)\s+and\s+(?P<d>.+))",
    _FLAGS,
)


def _joined(start: Period, end: Period, given: str) -> Period:
    if start == end:
        return start
    if end.last < start.first:
        raise _Refused(
            f"{given} ends ({end.text()}) before it starts ({start.text()})",
            f"swap the two ends: {end.text()}{RANGE_DASH}{start.text()}",
        )
    if end.first <= start.last:
        raise _Refused(
            f"{given} is not a range: its end ({end.text()}) does not come after its start "
            f"({start.text()})",
            "write one period, or a start and a later end",
        )
    return Period.between(start, end)


def _range(text: str, given: str, reading: _Reading) -> Period | None:
    """The range ``text`` writes, or ``None`` when it splits into no two periods."""
    if m := _SHORT_YEAR_RANGE.fullmatch(text):
        _check_short_year_range(int(m["y"]), m["e"], given)
    if m := _FROM_TO.fullmatch(text):
        pairs = [(m["a"], m["b"])] if m["a"] is not None else [(m["c"], m["d"])]
        return _range_of(pairs, given, reading)
    for separator in _SEPARATORS:
        pairs = [
            (text[: hit.start()].strip(), text[hit.end() :].strip())
            for hit in separator.finditer(text)
        ]
        found = _range_of([(a, b) for a, b in pairs if a and b], given, reading)
        if found is not None:
            return found
    return None


def _range_of(pairs: list[tuple[str, str]], given: str, reading: _Reading) -> Period | None:
    """The one range among the ways of cutting the text into a start and an end."""
    found: dict[Period, _Reading] = {}
    refusal: _Refused | None = None
    for left, right in pairs:
        trial = _Reading(reading.day_first)
        try:
            end = _unit(right, given, trial)
            if end is None:
                continue
            start = _start_sharing_end(left, end, given) or _unit(left, given, trial)
            if start is None:
                continue
            found[_joined(start, end, given)] = trial
        except _Refused as refused:
            refusal = refusal or refused
    if len(found) > 1:
        readings = " or ".join(sorted(p.text() for p in found))
        raise _Refused(f"{given} can be read as {readings}", "write the range with an en dash (–)")
    if found:
        ((period, trial),) = found.items()
        reading.notices.extend(trial.notices)
        return period
    if refusal is not None:
        raise refusal
    return None


def _normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.translate({0x2010: "-", 0x2011: "-", 0x2212: "-", 0x2012: "–", 0x2015: "—"})
    return " ".join(text.split())


def _period_of(value: object, given: str, reading: _Reading) -> Period:
    """The period of one value; raises ``_Refused``."""
    if isinstance(value, Period):
        return value
    if isinstance(value, bool):
        raise _Refused(f"{given} is not a date", _FORMS_HINT)
    if isinstance(value, datetime):
        if value.time() != time(0, 0):
            reading.notice(
                f"the time of day in {given} is not kept", "the finding's date is the day"
            )
        return Period.day(value.date())
    if isinstance(value, date):
        return Period.day(value)
    if isinstance(value, numbers.Real) and not isinstance(value, str):
        number = float(value)
        if not math.isfinite(number) or number < 0:
            raise _Refused(f"{given} is not a date", _FORMS_HINT)
        whole = math.floor(number)
        return _number_period(whole, number - whole, len(str(whole)), given, reading)
    text = _normalised(value if isinstance(value, str) else str(value))
    if not text:
        raise _Refused("the date is empty", _FORMS_HINT)
    period = _unit(text, given, reading)
    if period is None:
        _refuse_incomplete(text, given)
        period = _range(text, given, reading)
    if period is None:
        if m := _QUALIFIED.fullmatch(text):
            raise _Refused(
                f"{given} is not a period the dashboard can place ({m['q'].lower()!r} does not "
                "say which days)",
                "write the period it covers, such as 2016, 2016-09–2016-12 or 2014–2016",
            )
        raise _Refused(f"{given} is not a date", _FORMS_HINT)
    return period


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' NaT and NA, without importing pandas.
    return type(value).__name__ in {"NaTType", "NAType"}


def _shown(value: object) -> str:
    if isinstance(value, str):
        return repr(" ".join(value.split()))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def parse_period(
    value: object, *, day_first: bool | None = None, today: date | None = None
) -> ParsedPeriod:
    """Read a date or period as an analyst writes it, without padding missing parts.

    ``value`` is a cell's text or value: ``2017-03-04``, ``2017-03``, ``2017``, ``Q2 2017``,
    ``March 2017``, ``4 March 2017``, ``03/04/2017``, ``2015–2017``, ``42795`` (an Excel serial),
    a ``date``, ``datetime`` or pandas ``Timestamp`` (or a ``Period``). ``day_first`` is the
    file's order for slashed dates (``None``: not chosen, so ``03/04/2017`` is refused as
    ambiguous while ``25/03/2017`` is read). ``today`` (default: the real today) is what "in the
    future" means.

    Never raises on input; the result has the period or an error, and any notices.
    """
    today = date.today() if today is None else today
    if isinstance(value, str):
        # A column repeats its values: each distinct text is read once.
        return _parse_text(value, day_first, today)
    return _parse(value, day_first, today)


@functools.lru_cache(maxsize=8192)
def _parse_text(value: str, day_first: bool | None, today: date) -> ParsedPeriod:
    return _parse(value, day_first, today)


def _parse(value: object, day_first: bool | None, today: date) -> ParsedPeriod:
    reading = _Reading(day_first)
    if _is_blank(value):
        refusal = PeriodProblem("the date is empty", _FORMS_HINT)
        return ParsedPeriod(None, (refusal,))
    given = _shown(value)
    try:
        period = _period_of(value, given, reading)
    except _Refused as refused:
        return ParsedPeriod(None, (refused.problem,))
    if period.first > today:
        reading.notice(
            f"{period.text()} is in the future (after {today.isoformat()})",
            "check the year; keep it if the finding is about what is planned or expected",
        )
    if period.first < EARLIEST_EXPECTED:
        reading.notice(
            f"{period.text()} is before {EARLIEST_EXPECTED.year}, earlier than the findings "
            "are about",
            "check the year; keep it if the finding is about earlier history",
        )
    return ParsedPeriod(period, tuple(reading.notices))


def date_from_excel_serial(serial: int) -> date:
    """The day an Excel serial number names in the 1900 date system (Windows Excel's default).

    Serial 1 is 1900-01-01; 60 is the 29 February 1900 that Excel counts but that never was
    (``ValueError``); 61 is 1900-03-01; 42795 is 2017-03-01.
    """
    if serial < 1 or serial > _EXCEL_MAX_SERIAL:
        raise ValueError(f"{serial} is not an Excel serial date")
    if serial == 60:
        raise ValueError("Excel's serial 60 is 29 February 1900, a day that never was")
    if serial < 60:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


# ---------------------------------------------------------------------------------------------
# A column's day order
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayOrder:
    """What a column's slashed dates (``dd/mm/yyyy`` or ``mm/dd/yyyy``) say about their order.

    Each field holds the values, as given, of one kind: ``ambiguous`` reads either way
    (``03/04/2017``), ``day_first_only`` only day-first (``25/03/2017``), ``month_first_only``
    only month-first (``03/25/2017``).
    """

    ambiguous: tuple[str, ...] = ()
    day_first_only: tuple[str, ...] = ()
    month_first_only: tuple[str, ...] = ()

    @property
    def needs_choice(self) -> bool:
        """Whether some value cannot be read until the analyst chooses an order."""
        return bool(self.ambiguous)

    @property
    def implied(self) -> bool | None:
        """The order the unambiguous values show (``True``: day-first), if they agree on one."""
        if self.day_first_only and not self.month_first_only:
            return True
        if self.month_first_only and not self.day_first_only:
            return False
        return None


def day_order(values: Iterable[object]) -> DayOrder:
    """Sort a column's slashed dates by the orders they can be read in (others are skipped)."""
    ambiguous: list[str] = []
    day_first_only: list[str] = []
    month_first_only: list[str] = []
    for value in values:
        if not isinstance(value, str):
            continue
        text = _normalised(value)
        m = _SLASHED.fullmatch(text)
        if m is None:
            continue
        a, b, year = int(m["a"]), int(m["b"]), int(m["y"])
        day_first_ok = _day_problem(year, b, a) is None
        month_first_ok = _day_problem(year, a, b) is None
        if day_first_ok and month_first_ok:
            if a != b:
                ambiguous.append(text)
        elif day_first_ok:
            day_first_only.append(text)
        elif month_first_ok:
            month_first_only.append(text)
    return DayOrder(tuple(ambiguous), tuple(day_first_only), tuple(month_first_only))


# ---------------------------------------------------------------------------------------------
# Date ranges: the filter
# ---------------------------------------------------------------------------------------------


def _granularity(day: date, *, at_start: bool) -> Precision:
    """The coarsest of year, month, day that ``day`` starts (or ends) exactly."""
    for precision in ("year", "month"):
        bound = _unit_first if at_start else _unit_last
        if bound(precision, day) == day:
            return precision
    return "day"


def _point(precision: Precision, day: date) -> str:
    return _unit_label(precision, day, short=True)


def describe_range(start: date | None, end: date | None) -> str:
    """A date range in words, at the coarsest precision its ends allow.

    ``2016-01-01``..``2017-12-31`` is ``2016–2017``; ``2016-03-01``..``2017-09-30`` is
    ``Mar 2016–Sep 2017``; ``2017-01-01``..``2017-06-30`` is ``Jan–Jun 2017``; an open end
    gives ``from 2016`` or ``to 2017``; no range at all, the empty string.
    """
    if start is None and end is None:
        return ""
    ends = [_granularity(start, at_start=True)] if start is not None else []
    if end is not None:
        ends.append(_granularity(end, at_start=False))
    precision = max(ends, key=PRECISIONS.index)
    if end is None:
        assert start is not None
        return f"from {_point(precision, start)}"
    if start is None:
        return f"to {_point(precision, end)}"
    if _unit_first(precision, start) == _unit_first(precision, end):
        return _point(precision, start)
    if precision != "year" and start.year == end.year:
        if precision == "day" and start.month == end.month:
            head = str(start.day)
        else:
            head = _unit_label(precision, start, short=True, year=False)
        return head + RANGE_DASH + _point(precision, end)
    return _point(precision, start) + RANGE_DASH + _point(precision, end)


def bound_text(day: date, *, at_start: bool) -> str:
    """An end of a date range in the shortest form that names it: the year, the month or the
    day it starts (``at_start``) or ends.

    >>> bound_text(date(2016, 1, 1), at_start=True), bound_text(date(2017, 3, 31), at_start=False)
    ('2016', '2017-03')
    """
    return _unit_text(_granularity(day, at_start=at_start), day)


@dataclass(frozen=True)
class DateRange:
    """The days a filter keeps: from ``start`` to ``end``, both included; ``None`` is open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"a range from {self.start} to {self.end} ends before it starts")

    @property
    def is_open(self) -> bool:
        """Whether the range keeps every date (neither end set)."""
        return self.start is None and self.end is None

    def includes(self, period: Period) -> bool:
        """Whether a finding of this period is in: its period overlaps the range."""
        return period.overlaps_range(self.start, self.end)

    def describe(self) -> str:
        return describe_range(self.start, self.end)

    def to_query_params(self) -> dict[str, list[str]]:
        """``from``/``to`` in the link, in the shortest form naming the same day.

        >>> DateRange(date(2016, 1, 1), date(2017, 12, 31)).to_query_params()
        {'from': ['2016'], 'to': ['2017']}
        """
        params: dict[str, list[str]] = {}
        if self.start is not None:
            params["from"] = [bound_text(self.start, at_start=True)]
        if self.end is not None:
            params["to"] = [bound_text(self.end, at_start=False)]
        return params


def range_from_params(from_text: str | None, to_text: str | None) -> tuple[DateRange, list[str]]:
    """A link's ``from=2016-01&to=2017-12``: from the first day of one to the last of the other.

    Each end is any form :func:`parse_period` reads (a slashed date only when unambiguous).
    Returns the range and a notice for everything dropped: a malformed end is dropped alone; a
    ``from`` after the ``to`` drops both. Blank values count as absent.
    """
    notices: list[str] = []
    ends: dict[str, Period | None] = {}
    for name, raw in (("from", from_text), ("to", to_text)):
        ends[name] = None
        if raw is None or not raw.strip():
            continue
        parsed = parse_period(raw, today=date.max)
        if parsed.period is None:
            problem = parsed.errors[0]
            notices.append(f"Ignored '{name}={raw.strip()}' in the link: {problem}.")
        else:
            ends[name] = parsed.period
    start_period, end_period = ends["from"], ends["to"]
    start = start_period.first if start_period is not None else None
    end = end_period.last if end_period is not None else None
    if start is not None and end is not None and start > end:
        assert start_period is not None and end_period is not None
        notices.append(
            f"Ignored 'from={start_period.text()}&to={end_period.text()}' in the link: the range "
            f"ends before it starts (swap them: from={end_period.text()}&to={start_period.text()})."
        )
        return DateRange(), notices
    return DateRange(start, end), notices


@functools.lru_cache(maxsize=4096)
def period_of_text(text: str) -> Period | None:
    """The period a finding's ``period`` text (:meth:`Period.text`) stands for; ``None`` for an
    empty (undated) one or text that is not a period."""
    if not text:
        return None
    return parse_period(text, today=date.max).period


def when_words(text: str, by_report: bool = False) -> str:
    """A finding's period in words for a card or an export: ``March 2017``, ``2017 (the report's
    date)`` when it was taken from the report, ``undated`` when there is none.

    >>> when_words("2017-Q2"), when_words("2017", by_report=True), when_words("")
    ('Q2 2017', "2017 (the report's date)", 'undated')
    """
    period = period_of_text(text)
    if period is None:
        return "undated"
    return period.label() + (" (the report's date)" if by_report else "")


def units_covering(precision: Precision, first: date, last: date) -> list[Period]:
    """The days, months, quarters or years from the one holding *first* to the one holding
    *last*, in order (what a timeline's bars stand for).

    >>> [p.text() for p in units_covering("quarter", date(2016, 11, 5), date(2017, 4, 1))]
    ['2016-Q4', '2017-Q1', '2017-Q2']
    """
    units: list[Period] = []
    day = _unit_first(precision, first)
    while day <= last:
        end = _unit_last(precision, day)
        units.append(Period(day, end, precision))
        day = end + timedelta(days=1)
    return units


def previous_range(start: date, end: date) -> tuple[date, date]:
    """The range of the same length just before ``start``..``end``: as many whole years, or
    months, when the range is made of them, else as many days.

    >>> previous_range(date(2016, 1, 1), date(2017, 12, 31))
    (datetime.date(2014, 1, 1), datetime.date(2015, 12, 31))
    >>> previous_range(date(2017, 4, 1), date(2017, 6, 30))
    (datetime.date(2017, 1, 1), datetime.date(2017, 3, 31))
    >>> previous_range(date(2017, 3, 10), date(2017, 3, 19))
    (datetime.date(2017, 2, 28), datetime.date(2017, 3, 9))
    """
    if start > end:
        raise ValueError(f"a range from {start} to {end} ends before it starts")
    months_start = _unit_first("month", start) == start and _unit_last("month", end) == end
    if months_start:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        index = start.year * 12 + start.month - 1 - months
        first = date(index // 12, index % 12 + 1, 1)
        return first, start - timedelta(days=1)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)
