"""The shared frame of every page: page config, the link in and out, the sidebar, the view.

Every page starts with :func:`frame`. It draws the shared sidebar filters and returns the view, so
a page works the same whether Streamlit runs it through ``app.py``'s navigation or, as it does for
a deep link that is the first request after a server restart, on its own.
"""

from __future__ import annotations

import streamlit as st

from dashboard import DATA_DIR
from dashboard.core.access import Reader
from dashboard.core.corpus import Corpus
from dashboard.core.problems import problems_frame
from dashboard.ui import signin, state
from dashboard.ui.data import base, store
from dashboard.ui.filter_widgets import apply_filters, seed_widgets
from dashboard.ui.pages import BY_KEY
from dashboard.ui.sidebar import sidebar
from dashboard.views.cards import CSS
from dashboard.views.inert import inert
from dashboard.views.view import View, filters_from_params

APP_TITLE = "ISKP findings"


def frame(page_key: str) -> View:
    """Draw the shared frame of the page *page_key* and return the view.

    Sets the page config, restores the filters from the link on a session's first run (with a
    notice for anything dropped), draws the sidebar filters, applies them, and writes them back to
    the link so that the URL always reproduces the view.
    """
    title = BY_KEY[page_key].title
    # The icon is a local file: a Material icon as favicon (also the default of an st.Page with
    # an icon) is fetched from Google's font server.
    st.set_page_config(
        page_title=f"{title} · {APP_TITLE}", layout="wide", page_icon=str(DATA_DIR / "icon.png")
    )
    st.html(CSS)
    who = signin.gate(audit=_audit_sign_in)
    data, index = base(who=who)
    session = st.session_state
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    followed = current != session.get(state.WRITTEN_PARAMS)
    if state.FILTERS not in session or followed:
        # A session's first run, or a link with other parameters followed within the session
        # ("Open in report", the browser's Back and Forward, whose every filter change is an
        # entry). The menu's links carry the view's parameters, so a page switch keeps the
        # filters, and a link with none is the unfiltered view.
        filters, notices = filters_from_params(current, data, index)
        apply_filters(filters)
        session[state.LINK_NOTICES] = notices
    switched = session.get(state.PAGE) != page_key
    session[state.PAGE] = page_key
    seed_widgets(session[state.FILTERS], force=switched)
    filters = sidebar(data, index, session[state.FILTERS], who)
    signin.account(who, on_sign_out=_audit_sign_out)
    session[state.FILTERS] = filters
    params = filters.to_query_params()
    session[state.WRITTEN_PARAMS] = params
    if current != params:
        st.query_params.from_dict(params)
    for notice in session.pop(state.LINK_NOTICES, []):
        st.warning(inert(notice), icon=":material/link_off:")
    show_problems(data)
    return View.of(data, index, filters)


def show_problems(corpus: Corpus) -> None:
    """Say plainly when some bundled rows could not be loaded, and why."""
    if corpus.problems:
        st.warning(
            f"{len(corpus.problems)} problem(s) in the bundled data: the rows concerned "
            "are left out."
        )
        st.dataframe(problems_frame(corpus.problems), hide_index=True)


def _audit_sign_in(who: Reader, at: int | None) -> None:
    """One line per sign-in at the provider: a new tab or a reload (a new Streamlit session)
    under the same sign-in writes none."""
    analysts = store()
    if analysts is None or (at is not None and analysts.signed_in_before(who.label, at)):
        return
    detail: dict[str, object] = {"clearance": who.clearance, "groups": sorted(who.groups)}
    if at is not None:
        detail["auth_time"] = at
    analysts.audit(who.label, "sign-in", detail)


def _audit_sign_out(who: Reader) -> None:
    analysts = store()
    if analysts is not None:
        analysts.audit(who.label, "sign-out")
