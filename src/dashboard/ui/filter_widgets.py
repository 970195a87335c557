"""The shared filter widgets' values in session state, read as filters and set from anywhere.

The canonical filters live in ``st.session_state[state.FILTERS]``; the widgets hold the same
values under :data:`dashboard.ui.state.WIDGETS`. A map click, a button or a saved view sets the
widgets (before the next run draws them), and the frame reads them back as filters.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.core.corpus import Corpus
from dashboard.core.periods import bound_text, parse_period
from dashboard.query.filters import Filters
from dashboard.ui import state

W = state.WIDGETS


def _widget_value(field_name: str, value: object) -> object:
    if field_name in ("date_from", "date_to"):
        return (
            bound_text(value, at_start=field_name == "date_from") if isinstance(value, date) else ""
        )
    return list(value) if isinstance(value, tuple) else value


def _typed_dates(session) -> tuple[date | None, date | None, list[str]]:
    """The date range typed in the sidebar: each end any form of a period (``2016``,
    ``2016-03``, ``Q2 2016``), the first day of *From* to the last of *To*. An end that is not a
    date, or a *From* after the *To*, is not used, and the problem is given in words."""
    ends: dict[str, date | None] = {}
    problems = []
    for name, at_start in (("date_from", True), ("date_to", False)):
        text = str(session.get(W[name]) or "").strip()
        ends[name] = None
        if not text:
            continue
        parsed = parse_period(text, today=date.max)
        if parsed.period is None:
            problems.append(
                f"{'From' if at_start else 'To'} “{text}” is not used: {parsed.errors[0]}"
            )
        else:
            ends[name] = parsed.period.first if at_start else parsed.period.last
    start, end = ends["date_from"], ends["date_to"]
    if start and end and start > end:
        problems.append("From comes after To: neither is used. Swap them, or change one.")
        start = end = None
    return start, end, problems


def widget_filters(data: Corpus, previous: Filters) -> Filters:
    """The filters the shared widgets hold (at the start of a run: their new values)."""
    session = st.session_state
    region = session[W["region"]]
    start, end, problems = _typed_dates(session)
    session[state.DATE_PROBLEMS] = problems
    return Filters(
        themes=tuple(session[W["themes"]]),
        region=region,
        wider=bool(session[W["wider"]]) and region is not None,
        actors=tuple(session[W["actors"]]),
        kinds=tuple(session[W["kinds"]]),
        reports=tuple(session[W["reports"]]) if len(data.reports) > 1 else (),
        text=(session[W["text"]] or "").strip(),
        date_from=start,
        date_to=end,
        by_report=bool(session.get(W["by_report"])),
        finding=previous.finding,
    )


def seed_widgets(filters: Filters, force: bool) -> None:
    """Give every shared widget its value from the filters: where the widget has none yet (the
    first run of a session), or all of them when *force* is set. Streamlit gives a widget on
    another page a new identity, which starts from its default value, so a page switch must
    hand the values over."""
    for field_name, key in W.items():
        if force or key not in st.session_state:
            st.session_state[key] = _widget_value(field_name, getattr(filters, field_name))


def apply_filters(filters: Filters) -> None:
    """Make *filters* the view: every shared widget and the link follow."""
    st.session_state[state.FILTERS] = filters
    for field_name, key in W.items():
        st.session_state[key] = _widget_value(field_name, getattr(filters, field_name))


def clear_filters() -> None:
    """Every shared widget back to its empty value (the finding in focus stays)."""
    empty = Filters()
    for field_name, key in W.items():
        st.session_state[key] = _widget_value(field_name, getattr(empty, field_name))


def set_region(code: str | None) -> None:
    """Choose a region from anywhere (map click, buttons, matrix): sets the region widget."""
    st.session_state[W["region"]] = code
    if code is None:
        st.session_state[W["wider"]] = False


def set_theme(theme: str) -> None:
    st.session_state[W["themes"]] = [theme]


def set_dates(start: date | None, end: date | None) -> None:
    """Choose a date range from anywhere (the timeline): sets the date inputs."""
    st.session_state[W["date_from"]] = _widget_value("date_from", start)
    st.session_state[W["date_to"]] = _widget_value("date_to", end)
