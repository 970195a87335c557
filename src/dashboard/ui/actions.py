"""One way to run an action on the analysts' store from a button.

:func:`store_action` runs the action, keeps a message saying what happened or what went wrong
(shown by :func:`dashboard.ui.state.show_message` on the next run), and forgets what this session
made from the store's earlier content. The merged corpus itself is cached on the store's
fingerprint, so every session sees the change at its next run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.io.store import Store
from dashboard.io.store_records import StoreError
from dashboard.ui import state
from dashboard.ui.data import store

T = TypeVar("T")

#: Session values derived from the store's content: stale once the store changes.
DERIVED = (state.BRIEFING_EXPORTS, state.MATRIX_AXES)


def store_action(
    action: Callable[[Store], T],
    *,
    message_key: str,
    success: Callable[[T], str] | None,
    failure: str = "{error}",
    expected: tuple[type[Exception], ...] = (StoreError,),
) -> tuple[bool, T | None]:
    """Run *action* on the store; keep a success or error message under *message_key*.

    *success* words the result (None: no message); *failure* is a template with ``{error}``.
    Returns whether the action was done, and its result.
    """
    analysts = store()
    if analysts is None:
        return False, None
    try:
        result = action(analysts)
    except expected as err:
        state.set_message(message_key, "error", failure.format(error=err))
        return False, None
    if success is not None:
        state.set_message(message_key, "success", success(result))
    for key in DERIVED:
        st.session_state.pop(key, None)
    return True, result
