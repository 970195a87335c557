"""The briefing page's Streamlit helpers: its fields' defaults, the briefing of the view, and the
PNG and PDF made once per briefing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from dashboard.exports import briefing
from dashboard.exports.pdf import to_pdf
from dashboard.exports.png import to_png, warm_up
from dashboard.ui import state
from dashboard.ui.data import map_data
from dashboard.ui.pages import PAGES
from dashboard.views.view import View


def app_base_url() -> str:
    """The address of the app's home page as the browser sees it (for printed links)."""
    url = (st.context.url or "http://localhost:8501/").rstrip("/")
    for page in PAGES:
        if url.endswith("/" + page.url_path):
            url = url[: -len(page.url_path)]
            break
    return url if url.endswith("/") else url + "/"


def _reports(view: View):
    in_view = sorted(view.index.report_counts(view.mask))
    return [view.corpus.reports[r] for r in in_view] or list(view.corpus.reports.values())


def briefing_defaults(view: View) -> None:
    """Seed the title and subtitle from the filters, and follow the filters while the analyst
    has not edited them."""
    defaults = {
        state.BRIEFING_TITLE: briefing.default_title(
            view.filters, view.corpus.taxonomy, view.corpus.gazetteer
        ),
        state.BRIEFING_SUBTITLE: briefing.default_subtitle(_reports(view)),
    }
    session = st.session_state
    previous = session.get(state.BRIEFING_DEFAULTS, {})
    for key, value in defaults.items():
        if key not in session or session[key] == previous.get(key):
            session[key] = value
    session[state.BRIEFING_DEFAULTS] = defaults


def compose_briefing(view: View) -> briefing.Briefing:
    """The briefing of the view with the page's title, subtitle, note and marking."""
    session = st.session_state
    return briefing.compose(
        findings=view.findings,
        reports=view.corpus.reports,
        taxonomy=view.corpus.taxonomy,
        gazetteer=view.corpus.gazetteer,
        filters_text=view.describe(),
        permalink_url=briefing.permalink(app_base_url(), replace(view.filters, finding=None)),
        exported=date.today(),
        title=session.get(state.BRIEFING_TITLE, ""),
        subtitle=session.get(state.BRIEFING_SUBTITLE, ""),
        note=session.get(state.BRIEFING_NOTE, ""),
        marking=session.get(state.BRIEFING_MARKING, ""),
    )


def warm_exports() -> None:
    """Start the image renderer while the analyst reads the preview (once per process)."""
    warm_up()


def prepare_exports(view: View, item: briefing.Briefing) -> None:
    """Make the PNG and the PDF of *item* and keep them for the download buttons. Errors are
    kept too, to be shown in words."""
    try:
        png = to_png(item, map_data(), view.corpus.gazetteer, view.filters.region)
        pdf = to_pdf(item, png)
    except briefing.ExportError as err:
        st.session_state[state.BRIEFING_EXPORTS] = {"key": repr(item), "error": str(err)}
        return
    st.session_state[state.BRIEFING_EXPORTS] = {"key": repr(item), "png": png, "pdf": pdf}


def prepared_exports(item: briefing.Briefing) -> dict | None:
    """The exports made for exactly this briefing, if any."""
    exports = st.session_state.get(state.BRIEFING_EXPORTS)
    return exports if exports and exports.get("key") == repr(item) else None
