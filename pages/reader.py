"""Report reader: the report's text with every finding's passage highlighted in its theme colour."""

import streamlit as st

from dashboard import ui
from dashboard.views import report_text as reader
from dashboard.views.cards import finding_card

view = ui.frame("Report reader")
corpus = view.corpus

report_ids = list(corpus.reports)
focused = corpus.findings[corpus.findings["id"] == view.filters.finding]
default = focused["report_id"].iloc[0] if not focused.empty else report_ids[0]
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
report = corpus.reports[report_id]
of_report = (view.index.findings["report_id"] == report.id).to_numpy()
in_report = view.index.findings[of_report]
shown = view.where(of_report)

st.title(report.title)
st.markdown(f"**{report.author}** · {report.publisher} · {report.year or 'year unknown'}")
st.info(f"This text is the **{report.text_kind}**. {report.text_note}", icon=":material/info:")
st.markdown(
    f"**{view.describe()}** · {len(shown)} of the {len(in_report)} findings of this "
    "report are in the current view; the others are marked faintly."
)

focus = ui.focus_picker(view, in_report)
if focus:
    finding = in_report.set_index("id", drop=False).loc[focus].to_dict()
    with st.container(border=True):
        st.html(finding_card(finding, report, corpus.taxonomy, corpus.gazetteer))

st.html(reader.READER_CSS)
st.html(reader.legend_html(in_report, corpus.taxonomy))
st.html(
    reader.highlight_html(
        report, in_report, corpus.taxonomy, emphasised=set(shown["id"]), focus=focus
    )
)
if focus:
    ui.scroll_to(f"f-{focus}")
