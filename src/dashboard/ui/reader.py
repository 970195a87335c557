"""The report reader's Streamlit helpers: the finding in focus and scrolling to it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from dashboard.core.reports import Report
from dashboard.ui import state
from dashboard.views import report_text
from dashboard.views.inert import inert
from dashboard.views.view import View


def set_focus(finding_id: str | None) -> None:
    """Make *finding_id* the focused finding of the view (and of the link)."""
    filters = replace(st.session_state[state.FILTERS], finding=finding_id)
    st.session_state[state.FILTERS] = filters
    st.query_params.from_dict(filters.to_query_params())


def _on_focus_change() -> None:
    set_focus(st.session_state.get(state.FOCUS))


def focus_picker(view: View, report_findings: pd.DataFrame) -> str | None:
    """A picker of this report's findings; it shows and sets the focused finding."""
    ids = list(report_findings["id"])
    focus = view.filters.finding if view.filters.finding in ids else None
    st.session_state[state.FOCUS] = focus
    titles = dict(zip(report_findings["id"], report_findings["title"]))
    st.selectbox(
        "Go to finding",
        options=[None, *ids],
        key=state.FOCUS,
        format_func=lambda i: "—" if i is None else f"{titles[i]} ({i})",
        on_change=_on_focus_change,
    )
    return focus


def scroll_to(element_id: str) -> None:
    """Scroll the page to the element with *element_id* once it is drawn. The script is a file
    of the package (``scroller/``, a component of the app's own origin), so it runs under a
    policy that refuses inline scripts; it is given nothing but the id, which is validated to
    letters, digits, '.', '_' and '-'."""
    scroller = components.declare_component(
        "scroller", path=str(Path(__file__).with_name("scroller"))
    )  # declared in the script run: at import, before the server's runtime, it is not served
    scroller(target=element_id, default=None)


def part_picker(
    report: Report, windows: list[tuple[int, int]], findings: pd.DataFrame, focus: str | None
) -> tuple[int, int]:
    """The part of a long report to draw (:func:`~dashboard.views.report_text.text_windows`):
    the focused finding's when the focus changed, else the one picked. A short report is one
    part, and no picker is drawn."""
    if len(windows) == 1:
        return windows[0]
    session = st.session_state
    if focus and session.get(_PART_FOCUS) != focus:
        starts = findings.loc[findings["id"] == focus, "start"]
        if len(starts):
            session[state.READER_PART] = report_text.window_of(windows, int(starts.iloc[0]))
    session[_PART_FOCUS] = focus
    if not 0 <= int(session.get(state.READER_PART, 0)) < len(windows):
        session[state.READER_PART] = 0
    index = st.selectbox(
        f"Part of the text ({len(report.text):,} characters, read in {len(windows)} parts)",
        range(len(windows)),
        key=state.READER_PART,
        format_func=lambda n: report_text.window_label(report, windows[n], len(windows), n + 1),
    )
    return windows[int(index)]


#: The focus the part was last chosen for.
_PART_FOCUS = "reader_part_focus"


def overlaps(findings: pd.DataFrame, finding: dict) -> None:
    """Buttons to open each finding whose passage overlaps the focused one's: where passages
    overlap or nest, each of them can be opened."""
    others = report_text.overlapping(findings, finding)
    if others.empty:
        return
    st.markdown(
        inert(f"Its passage overlaps {len(others)} other finding{'s' if len(others) > 1 else ''}:")
    )
    for other in others.itertuples():
        st.button(
            inert(f"Open “{other.title}” ({other.id})"),
            key=f"overlap_{other.id}",
            on_click=set_focus,
            args=(str(other.id),),
        )
