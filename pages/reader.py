"""Report reader: the report's text with every finding's passage highlighted in its theme colour."""

import streamlit as st

from dashboard import ui
from dashboard.ui import reader
from dashboard.views import report_text
from dashboard.views.cards import finding_card
from dashboard.views.inert import inert

view = ui.frame("reader")
corpus = view.corpus

report_ids = list(corpus.reports)
default = report_text.report_first_shown(view)
report_id = (
    st.selectbox(
        "Report",
        report_ids,
        index=report_ids.index(default),
        format_func=lambda r: corpus.reports[r].title,
    )
    if len(report_ids) > 1
    else default
)
opened = report_text.report_in_view(view, report_id)
report = opened.report

st.title(inert(report.title))
st.markdown(
    f"**{inert(report.author)}** · {inert(report.publisher)} · "
    + inert(report.year or "year unknown")
)
st.info(
    f"This text is the **{inert(report.text_kind)}**. {inert(report.text_note)}",
    icon=":material/info:",
)
st.markdown(
    f"**{inert(view.describe())}** · {len(opened.shown)} of the {len(opened.findings)} findings "
    "of this report are in the current view; the others are marked faintly."
)

focus = reader.focus_picker(view, opened.findings)
if focus:
    finding = opened.findings.set_index("id", drop=False).loc[focus].to_dict()
    with st.container(border=True):
        st.html(finding_card(finding, report, corpus.taxonomy, corpus.gazetteer))

st.html(report_text.READER_CSS)
st.html(report_text.legend_html(opened.findings, corpus.taxonomy))
st.html(
    report_text.highlight_html(
        report, opened.findings, corpus.taxonomy, emphasised=set(opened.shown["id"]), focus=focus
    )
)
if focus:
    reader.scroll_to(f"f-{focus}")
