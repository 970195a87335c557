"""Report reader: the report's text with every finding's passage highlighted in its theme colour,
and the place where findings are coded: select a passage, and it becomes a finding."""

import streamlit as st

from dashboard import ui
from dashboard.ui import coding, reader, state
from dashboard.views import report_text
from dashboard.views.cards import finding_card
from dashboard.views.inert import inert

view = ui.frame("reader")
corpus = view.corpus

report_ids = list(corpus.reports)
default = report_text.report_first_shown(view)
report_id = (
    st.selectbox(
        "Report to read",
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

state.show_message(state.CODED_MESSAGE)
focus = reader.focus_picker(view, opened.findings)
if focus:
    finding = opened.findings.set_index("id", drop=False).loc[focus].to_dict()
    with st.container(border=True):
        st.html(finding_card(finding, report, corpus.taxonomy, corpus.gazetteer))
        reader.overlaps(opened.findings, finding)
        coding.coded_finding_tools(view, report, finding)
coding.undo_and_deleted(view, report)

windows = report_text.text_windows(report)
window = reader.part_picker(report, windows, opened.findings, focus)
coding_on = st.toggle(
    "Code findings: select a passage in the text to make it a finding",
    key=state.CODING_ON,
    help="The text becomes selectable with the mouse or the keyboard (Shift and the arrow "
    "keys); a selection becomes a finding whose excerpt is the report's own text.",
)
st.html(report_text.READER_CSS)
st.html(report_text.legend_html(opened.findings, corpus.taxonomy))
emphasised = set(opened.shown["id"])


def text_html(runs: bool) -> str:
    """The part of the text shown, with its highlights (*runs*: for the passage picker)."""
    return report_text.highlight_html(
        report,
        opened.findings,
        corpus.taxonomy,
        emphasised=emphasised,
        focus=focus,
        window=window,
        runs=runs,
    )


if coding_on:
    text_side, form_side = st.columns([3, 2], gap="medium")
    with text_side:
        coding.picker(text_html(runs=True), report_id=report.id, window=window, focus=focus)
    with form_side:
        coding.open_choices(opened.findings)
        coding.new_finding_form(view, report, opened.findings)
        coding.find_box(report, window)
else:
    st.html(text_html(runs=False))
    if focus:
        reader.scroll_to(f"f-{focus}")
