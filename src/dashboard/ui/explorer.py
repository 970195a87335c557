"""The map explorer's Streamlit helpers: the map's click, the figure, and the pages of cards."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from dashboard.core.periods import describe_range, previous_range
from dashboard.query.filters import Filters
from dashboard.ui import state
from dashboard.ui.data import corpus, map_figure
from dashboard.ui.filter_widgets import set_dates, set_region
from dashboard.ui.pages import file_of
from dashboard.views import maps
from dashboard.views import timeline as tl
from dashboard.views.cards import citation_text, finding_card
from dashboard.views.inert import inert
from dashboard.views.view import View

#: Cards on one page of the explorer.
PAGE_SIZE = 10
MAP_HEIGHT = 620


def on_map_select() -> None:
    """A click on the map chooses that area as the region filter; a click on the chosen area
    again (or a click on empty map) clears it."""
    event = st.session_state.get(state.MAP) or {}
    points = (event.get("selection") or {}).get("points") or []
    set_region(
        maps.clicked_region(
            points, st.session_state.get(state.WIDGETS["region"]), corpus().gazetteer
        )
    )


#: The explorer's choice of what the map shades, once a date range has both ends.
SHADES = {"count": "Findings in the range", "change": "Change against the period before"}


def previous_view(view: View) -> tuple[Filters, str, str] | None:
    """The view's filters moved to the period just before its date range (of the same
    length), with both periods in words; None without a closed range."""
    start, end = view.filters.date_from, view.filters.date_to
    if start is None or end is None:
        return None
    earlier = previous_range(start, end)
    return (
        replace(view.filters, date_from=earlier[0], date_to=earlier[1]),
        describe_range(*earlier),
        describe_range(start, end),
    )


def figure(view: View, *, height: int = MAP_HEIGHT, shade: str = "count"):
    """The map of the view (cached per counts and selection) and its counts per region. With
    *shade* ``"change"`` and a closed date range, shaded by the change from the period before."""
    counts = view.index.region_counts(view.mask)
    previous = previous_view(view) if shade == "change" else None
    if previous is None:
        return map_figure(dict(counts), view.filters.region, height), counts
    filters, earlier, current = previous
    before = view.index.region_counts(view.index.mask(filters))
    fig = map_figure(dict(counts), view.filters.region, height, dict(before), (earlier, current))
    return fig, counts


def shade_choice(view: View) -> str:
    """The map's shading: a choice shown once the date range has both ends."""
    if previous_view(view) is None:
        return "count"
    return (
        st.segmented_control(
            "Shade the map by",
            list(SHADES),
            format_func=lambda shade: SHADES[shade],
            key=state.MAP_SHADE,
            default="count",
            help="The change compares the findings naming each area in the date range with "
            "those in the period of the same length just before it.",
        )
        or "count"
    )


def paged(view: View, key: str = state.CARDS_PAGE, size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of the findings in view (only its rows are built), with a page picker when there
    is more than one page. The page goes back to the first whenever the filters (and so the
    rows) change."""
    total = view.count
    pages = max(1, -(-total // size))
    signature = hash((view.filters.without("text"), view.filters.text, total))
    if st.session_state.get(f"{key}_sig") != signature:
        st.session_state[f"{key}_sig"] = signature
        st.session_state[key] = 1
    if pages > 1:
        st.number_input(
            f"Page (of {pages}, {size} findings a page)",
            min_value=1,
            max_value=pages,
            step=1,
            key=key,
        )
    number = min(int(st.session_state.get(key, 1)), pages)
    return view.rows((number - 1) * size, number * size)


@st.fragment
def cards(view: View) -> None:
    """The findings in view as cards, a page at a time. A fragment: turning the page reruns
    only this part, not the filters and the map above it (which have not changed)."""
    if not view.count:
        st.info("No finding matches these filters.")
    for finding in paged(view).to_dict("records"):
        report = view.corpus.report_of(finding)
        with st.container(border=True):
            st.html(finding_card(finding, report, view.corpus.taxonomy, view.corpus.gazetteer))
            link, cite = st.columns([1, 3])
            link.page_link(
                file_of("reader"),
                label="Open in report",
                icon=":material/article:",
                query_params=view.link_params(finding=finding["id"]),
            )
            # A popover draws its content only when opened: ten expanders drew ten code blocks
            # at every start, loading the syntax highlighter (1.5 MB, 0.2 s of the browser's
            # start) for text with no syntax.
            with cite.popover("Copy citation"):
                st.code(citation_text(finding, report), language=None, wrap_lines=True)


def on_timeline_select(bars: tuple) -> None:
    """A click on a bar, or a drag across bars, sets the date range to their period."""
    event = st.session_state.get(state.TIMELINE) or {}
    chosen = tl.chosen_bars(event.get("selection") or {}, len(bars))
    if chosen is not None:
        low, high = chosen
        set_dates(bars[low].first, bars[high].last)


def timeline(view: View) -> None:
    """The timeline of the view: findings per period stacked by theme; a click or a drag on
    it sets the date range (with a button to clear it once set). Findings all of one period
    are told in words instead of drawn as a single bar."""
    line = tl.timeline(view.index, view.mask, view.corpus.taxonomy, view.filters.by_report)
    if line is None:
        st.caption("No finding has a date: there is no timeline to draw.")
        return
    alone = tl.one_period(line)
    if alone is not None:
        st.caption(inert(alone))
    else:
        st.plotly_chart(
            tl.figure(
                line, view.corpus.taxonomy, chosen=(view.filters.date_from, view.filters.date_to)
            ),
            key=state.TIMELINE,
            on_select=partial(on_timeline_select, line.bars),
            selection_mode=("points", "box"),
            config={"displayModeBar": False},
        )
        st.caption(tl.describe(line))
    if not view.filters.dates.is_open:
        st.button(
            "Clear dates",
            on_click=set_dates,
            args=(None, None),
            icon=":material/event_busy:",
            key="clear_dates",
        )


def change_words(view: View) -> str:
    """What the change map shows, in words."""
    previous = previous_view(view)
    if previous is None:
        return ""
    _, earlier, current = previous
    return (
        f"Shaded by the change in findings naming each area, from {earlier} to {current}: "
        "purple where there are more, orange where there are fewer, white where none changed."
    )


def click_feedback() -> None:
    """Outline the area clicked on the map at once, in the browser, in the chosen area's own
    colour and width, until the rerun draws its outline (``map_feedback/``: a file of the
    package; nothing is drawn for it)."""
    component = components.declare_component(
        "map_feedback", path=str(Path(__file__).with_name("map_feedback"))
    )  # declared in the script run: declared at import, before the runtime, it is not served
    component(colour=maps.SELECTED_LINE, width=maps.SELECTED_WIDTH, default=None)
