"""Findings explorer: every finding with its verbatim excerpt, themes and regions."""

import streamlit as st

from dashboard import ui
from dashboard.cards import finding_card

corpus = ui.corpus()
ui.page_css()

st.title("ISKP findings")
for report in corpus.reports.values():
    st.caption(f"{report.citation()} {len(corpus.findings)} findings.")
    if report.text_note:
        st.caption(report.text_note)
ui.show_problems(corpus)

for finding in corpus.findings.to_dict("records"):
    with st.container(border=True):
        st.html(finding_card(finding, corpus.report_of(finding), corpus.taxonomy, corpus.gazetteer))
