"""The shared filter widgets' values in session state, read as filters and set from anywhere.

The canonical filters live in ``st.session_state[state.FILTERS]``; the widgets hold the same
values under :data:`dashboard.ui.state.WIDGETS`. A map click, a button or a saved view sets the
widgets (before the next run draws them), and the frame reads them back as filters.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core.corpus import Corpus
from dashboard.query.filters import Filters
from dashboard.ui import state

W = state.WIDGETS


def _widget_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def widget_filters(data: Corpus, previous: Filters) -> Filters:
    """The filters the shared widgets hold (at the start of a run: their new values)."""
    session = st.session_state
    region = session[W["region"]]
    return Filters(
        themes=tuple(session[W["themes"]]),
        region=region,
        wider=bool(session[W["wider"]]) and region is not None,
        actors=tuple(session[W["actors"]]),
        kinds=tuple(session[W["kinds"]]),
        reports=tuple(session[W["reports"]]) if len(data.reports) > 1 else (),
        text=(session[W["text"]] or "").strip(),
        finding=previous.finding,
    )


def seed_widgets(filters: Filters, force: bool) -> None:
    """Give every shared widget its value from the filters: where the widget has none yet (the
    first run of a session), or all of them when *force* is set. Streamlit gives a widget on
    another page a new identity, which starts from its default value, so a page switch must
    hand the values over."""
    for field_name, key in W.items():
        if force or key not in st.session_state:
            st.session_state[key] = _widget_value(getattr(filters, field_name))


def apply_filters(filters: Filters) -> None:
    """Make *filters* the view: every shared widget and the link follow."""
    st.session_state[state.FILTERS] = filters
    for field_name, key in W.items():
        st.session_state[key] = _widget_value(getattr(filters, field_name))


def clear_filters() -> None:
    """Every shared widget back to its empty value (the finding in focus stays)."""
    empty = Filters()
    for field_name, key in W.items():
        st.session_state[key] = _widget_value(getattr(empty, field_name))


def set_region(code: str | None) -> None:
    """Choose a region from anywhere (map click, buttons, matrix): sets the region widget."""
    st.session_state[W["region"]] = code
    if code is None:
        st.session_state[W["wider"]] = False


def set_theme(theme: str) -> None:
    st.session_state[W["themes"]] = [theme]
