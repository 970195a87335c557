"""Every session-state key the app uses, named once, and the one-shot messages kept under some.

Widgets are keyed by these names; callbacks read and write them. Tests find widgets by the same
strings (``at.sidebar.button(key="sv_save")``), so a value here is part of the app's interface.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from dashboard.views.inert import inert

# --- the view and the link ----------------------------------------------------------------------
#: The session's canonical :class:`~dashboard.query.filters.Filters`.
FILTERS = "filters"
#: The query parameters the frame last wrote: a link with others was followed.
WRITTEN_PARAMS = "written_params"
#: Notices about a link's or a saved view's dropped parameters, shown once.
LINK_NOTICES = "link_notices"
#: The title of the page the last run drew (a page switch hands the filters to new widgets).
PAGE = "page"

#: The shared sidebar widgets, one per filter field.
WIDGETS = {
    "themes": "w_themes",
    "region": "w_region",
    "wider": "w_wider",
    "actors": "w_actors",
    "kinds": "w_kinds",
    "reports": "w_reports",
    "text": "w_text",
    "date_from": "w_from",
    "date_to": "w_to",
    "by_report": "w_by_report",
}
#: Why a date typed in the sidebar was not used (shown under the date inputs).
DATE_PROBLEMS = "date_problems"

# --- explorer and table ---------------------------------------------------------------------------
MAP = "map"
TIMELINE = "timeline"
MAP_SHADE = "w_shade"
CARDS_PAGE = "w_page"
MATRIX = "matrix"
MATRIX_AXES = "matrix_axes"

# --- reader -------------------------------------------------------------------------------------
FOCUS = "w_focus"

# --- briefing -----------------------------------------------------------------------------------
BRIEFING_TITLE = "b_title"
BRIEFING_SUBTITLE = "b_subtitle"
BRIEFING_NOTE = "b_note"
BRIEFING_MARKING = "b_marking"
BRIEFING_POINTS = "b_points"
#: The defaults last given to title and subtitle (they follow the filters until edited).
BRIEFING_DEFAULTS = "b_defaults"
#: Which findings go in: "all" of the view, or those "chosen" (ticked, in the analyst's order).
BRIEFING_SCOPE = "b_scope"
#: The analyst's choice, kept by finding id across views: ``{id: (ticked, number)}``.
BRIEFING_CHOSEN = "b_chosen"
#: The choice table as first shown for one view (its editor edits that table).
BRIEFING_PICK = "b_pick"
#: The PNG and PDF made for one briefing, keyed by it.
BRIEFING_EXPORTS = "b_exports"

# --- saved views --------------------------------------------------------------------------------
VIEW_NAME = "sv_name"
VIEW_REPLACE = "sv_replace"
VIEW_PICK = "sv_pick"
VIEW_RENAME = "sv_rename"
VIEW_MESSAGE = "sv_message"

# --- import -------------------------------------------------------------------------------------
IMPORT_MESSAGE = "imp_message"
REPORT_MESSAGE = "rep_message"
IMPORTS_LIST_MESSAGE = "list_message"

# --- coding findings in the reader ---------------------------------------------------------------
#: Whether the reader shows the text for coding (the passage picker) rather than for reading.
CODING_ON = "coding_on"
#: The passage being coded: ``{"start": int, "end": int}`` in the open report's text.
SELECTION = "coding_selection"
#: The passage picker component, and the id of the last of its events acted on.
PICKER = "coding_picker"
HANDLED = "coding_handled"
#: The findings a click on overlapping highlights fell on.
OPEN_CHOICES = "coding_open"
#: The "find the passage by its words" box.
FIND = "coding_find"
#: What the last save, edit, delete or undo did.
CODED_MESSAGE = "coding_message"
#: The finding last deleted, for its undo.
UNDO = "coding_undo"
#: The part of a long report the reader shows.
READER_PART = "reader_part"

Level = Literal["success", "info", "warning", "error"]


def set_message(key: str, level: Level, text: str) -> None:
    """Keep a message to show once, at the next :func:`show_message` of *key*.

    *text* is shown inert: names of files, views and reports in it cannot become markup.
    """
    st.session_state[key] = (level, text)


def show_message(key: str) -> None:
    """Show (and forget) the message kept under *key*, if any."""
    message = st.session_state.pop(key, None)
    if message:
        level, text = message
        getattr(st, level)(inert(text))
