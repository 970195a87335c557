"""The saved-views panel of the sidebar: name the current filters, open, rename or delete them."""

from __future__ import annotations

import streamlit as st

from dashboard.io.store import Store
from dashboard.io.store_records import StoreError
from dashboard.ui import state
from dashboard.ui.actions import store_action
from dashboard.ui.data import base, store
from dashboard.ui.filter_widgets import apply_filters
from dashboard.views.inert import inert
from dashboard.views.view import filters_from_params

MAX_NAME = 80


def _save() -> None:
    name = (st.session_state.get(state.VIEW_NAME) or "").strip()
    analysts = store()
    if analysts is None:
        return
    if name in {v.name for v in analysts.views()} and not st.session_state.get(state.VIEW_REPLACE):
        state.set_message(
            state.VIEW_MESSAGE,
            "warning",
            f"A view named “{name}” exists already: tick “Replace a view of the same name” to "
            "replace it, or choose another name.",
        )
        return
    done, _ = store_action(
        lambda s: s.save_view(name, st.session_state[state.FILTERS]),
        message_key=state.VIEW_MESSAGE,
        success=lambda _: f"Saved the view as “{name}”.",
        expected=(ValueError, StoreError),
    )
    if done:
        st.session_state[state.VIEW_NAME] = ""


def _open(name: str) -> None:
    done, params = store_action(
        lambda s: s.view_filters(name), message_key=state.VIEW_MESSAGE, success=None
    )
    if not done or params is None:
        return

    filters, notices = filters_from_params(params, *base())
    apply_filters(filters)
    st.session_state[state.LINK_NOTICES] = [f"Saved view “{name}”: {n}" for n in notices]


def _rename(name: str) -> None:
    new = (st.session_state.get(state.VIEW_RENAME) or "").strip()
    done, _ = store_action(
        lambda s: s.rename_view(name, new),
        message_key=state.VIEW_MESSAGE,
        success=lambda _: f"Renamed “{name}” to “{new}”.",
        expected=(ValueError, StoreError),
    )
    if done:
        st.session_state[state.VIEW_RENAME] = ""


def _delete(name: str) -> None:
    store_action(
        lambda s: s.delete_view(name),
        message_key=state.VIEW_MESSAGE,
        success=lambda _: f"Deleted the view “{name}”.",
    )


def saved_views(bar) -> None:
    analysts: Store | None = store()
    if analysts is None:
        return
    views = analysts.views()
    # A fixed label: the expander stays open across the reruns its own buttons cause.
    with bar.expander("Saved views"):
        state.show_message(state.VIEW_MESSAGE)
        st.text_input(
            "Name this view",
            key=state.VIEW_NAME,
            max_chars=MAX_NAME,
            placeholder="e.g. Refugees in Pakistan",
        )
        st.checkbox("Replace a view of the same name", key=state.VIEW_REPLACE)
        st.button("Save view", key="sv_save", on_click=_save, icon=":material/bookmark_add:")
        st.caption(f"{len(views)} saved view(s).")
        if views:
            names = [v.name for v in views]
            chosen = st.selectbox("Saved views", names, key=state.VIEW_PICK)
            open_col, delete_col = st.columns(2)
            open_col.button("Open", key="sv_open", on_click=_open, args=(chosen,))
            with delete_col.popover("Delete…"):
                st.button(
                    f"Delete “{inert(chosen)}”",
                    key="sv_delete",
                    on_click=_delete,
                    args=(chosen,),
                    type="primary",
                )
            st.text_input("New name", key=state.VIEW_RENAME, max_chars=MAX_NAME)
            st.button("Rename", key="sv_rename_button", on_click=_rename, args=(chosen,))
