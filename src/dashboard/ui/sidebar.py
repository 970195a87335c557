"""The shared sidebar: the page menu, the filters with their counts, and the saved views."""

from __future__ import annotations

import streamlit as st

from dashboard.core.access import Reader
from dashboard.core.corpus import Corpus
from dashboard.query import filters as flt
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex
from dashboard.ui import state
from dashboard.ui.filter_widgets import clear_filters, widget_filters
from dashboard.ui.pages import PAGES
from dashboard.ui.saved_views import saved_views
from dashboard.views import facets as fc
from dashboard.views.inert import inert
from dashboard.views.view import all_actors

W = state.WIDGETS


def sidebar(
    data: Corpus, index: FindingsIndex, previous: Filters, who: Reader | None = None
) -> Filters:
    """Draw the sidebar and return the filters its widgets hold. The menu lists the pages *who*
    may open (the administrators' too for an administrator, and for the local analyst)."""
    # Option labels must not change from run to run (see dashboard.views.facets): the counts go
    # in captions, computed from the values the widgets hold now.
    tax = data.taxonomy
    current = widget_filters(data, previous)
    facets = index.facets(current)
    bar = st.sidebar
    # The menu's links carry the view: a page switch keeps the filters because the link says
    # so, and a link without parameters (the browser's Back to the first page) is the
    # unfiltered view (dashboard.ui.frame).
    link = current.to_query_params()
    with bar.container(key="page_menu"):
        for page in PAGES:
            if not page.admin or who is None or who.admin:
                st.page_link(page.file, label=page.title, query_params=link)
    bar.divider()
    bar.header("Filters")
    bar.button(
        "Clear all filters",
        on_click=clear_filters,
        icon=":material/filter_alt_off:",
        disabled=not current.active,
        help="Back to every finding you may read. The browser's Back button returns to the "
        "views before.",
    )
    bar.multiselect(
        "Themes",
        options=list(tax.theme_keys),
        key=W["themes"],
        format_func=lambda k: tax.theme(k).label,
        help=fc.theme_help(tax),
    )
    bar.caption(
        "Findings per theme: "
        + fc.counts_line(facets.themes, lambda k: tax.theme(k).label, tax.theme_keys)
    )
    bar.selectbox(
        "Region",
        options=fc.region_options(data),
        key=W["region"],
        format_func=lambda c: fc.region_label(data, c),
        help="Findings that name this region or any place inside it. Clicking an area on the "
        "map chooses it here too.",
    )
    if current.region:
        scope = index.region_scope_counts(current)
        bar.caption(
            fc.region_scope_caption(
                data, current.region, scope.get(current.region, 0), current.wider
            )
        )
    bar.checkbox(
        "Also findings naming a wider region containing it (e.g. South Asia)",
        key=W["wider"],
        disabled=current.region is None,
    )
    bar.multiselect("Actors", options=all_actors(index), key=W["actors"])
    bar.multiselect(
        "Kind of finding",
        options=list(tax.kind_keys),
        key=W["kinds"],
        format_func=lambda k: tax.kind(k).label,
        help=fc.kind_help(tax),
    )
    bar.caption(
        "Findings per kind: "
        + fc.counts_line(facets.kinds, lambda k: tax.kind(k).label, tax.kind_keys)
    )
    if len(data.reports) > 1:
        bar.multiselect(
            "Report",
            options=list(data.reports),
            key=W["reports"],
            format_func=lambda r: data.reports[r].title,
        )
    bar.text_input(
        "Search text",
        key=W["text"],
        max_chars=flt.MAX_QUERY_CHARS,
        placeholder='e.g. radio, or "social media"',
        help="Searches title, summary and excerpt; case and accents are ignored.",
    )
    start, end = bar.columns(2)
    start.text_input(
        "From",
        key=W["date_from"],
        max_chars=40,
        placeholder="e.g. 2016",
        help="The first year, quarter, month or day of the findings' dates: 2016, Q2 2016, "
        "2016-03 or 2016-03-04. A finding is shown when the period it refers to overlaps the "
        "range.",
    )
    end.text_input(
        "To",
        key=W["date_to"],
        max_chars=40,
        placeholder="e.g. 2017-06",
        help="The last year, quarter, month or day of the range (2017 runs to 31 December).",
    )
    bar.checkbox(
        "Date findings by their report's date",
        key=W["by_report"],
        help="Off: by the date each finding refers to (its own date, else its report's, "
        "marked as such on its card). On: by the date of the report it comes from.",
    )
    for problem in st.session_state.get(state.DATE_PROBLEMS, []):
        bar.caption(":material/warning: " + inert(problem))
    undated = 0 if current.dates.is_open else index.undated(current)
    if undated:
        bar.caption(f"{undated} finding(s) without a date are left out while a range is set.")
    saved_views(bar)
    return widget_filters(data, previous)
