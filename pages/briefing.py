"""Briefing: the current view as a slide-sized PNG and an A4 PDF, with title, source, caveats."""

import streamlit as st

from dashboard import ui
from dashboard.exports import briefing
from dashboard.ui import briefing as briefing_ui
from dashboard.ui import state
from dashboard.ui.data import map_data
from dashboard.views import maps
from dashboard.views.inert import inert

view = ui.frame("briefing")
st.title("Briefing export")
st.markdown("**" + inert(view.describe()) + "**")
st.caption("The briefing shows the findings of the current filters. Change them in the sidebar.")

st.subheader("Findings")
chosen, words = briefing_ui.chosen_findings(view)
briefing_ui.briefing_defaults(view, chosen)
st.subheader("Words")
left, right = st.columns([2, 1])
left.text_input("Title", key=state.BRIEFING_TITLE, max_chars=120)
left.text_input("Subtitle", key=state.BRIEFING_SUBTITLE, max_chars=240)
right.selectbox(
    "Protective marking",
    briefing.MARKINGS,
    key=state.BRIEFING_MARKING,
    format_func=lambda m: m or "None",
    help="Printed at the top and bottom of the image and of every PDF page.",
)
right.text_area("Analyst's note (optional)", key=state.BRIEFING_NOTE, max_chars=600, height=90)
st.text_area(
    "Key points of the Word note (one a line)",
    key=state.BRIEFING_POINTS,
    max_chars=2000,
    height=120,
    help="Filled with the first findings' titles; write the points you want the note to open "
    "with. Emptied, the note takes the titles again.",
)

item = briefing_ui.compose_briefing(view, chosen, words)
st.subheader("Preview: the slide image")
st.plotly_chart(
    briefing.briefing_figure(
        item, map_data(), view.corpus.gazetteer, view.filters.region, scale=0.6
    ),
    key="briefing_preview",
    width="content",
    config={"staticPlot": True, "topojsonURL": maps.TOPOJSON_URL},
)
if not item.findings:
    if view.count:
        st.info("No finding is ticked: tick those that go in above, or choose all of the view.")
    else:
        st.info(briefing.NO_FINDINGS + " The briefing says so.")

st.subheader("Download")
briefing_ui.warm_exports()
# A choice of no finding makes nothing (an empty view still makes a briefing that says so).
briefing_ui.exports_section(view, item, disabled=bool(view.count) and not item.findings)
st.subheader("The files")
briefing_ui.files_preview(item)
