"""The findings table page's Streamlit helpers: the matrix and its cell selection, downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.exports import files
from dashboard.ui import state
from dashboard.ui.data import geometry
from dashboard.ui.filter_widgets import set_region, set_theme
from dashboard.views import tables
from dashboard.views.view import View


def matrix_frame(view: View) -> pd.DataFrame:
    """The theme x region matrix of the view; its axes are kept for :func:`on_matrix_select`."""
    matrix = tables.matrix(view)
    st.session_state[state.MATRIX_AXES] = matrix
    return matrix.frame


def on_matrix_select() -> None:
    """Selecting a cell of the theme x region matrix filters by that theme and region."""
    event = st.session_state.get(state.MATRIX) or {}
    cells = (event.get("selection") or {}).get("cells") or []
    matrix = st.session_state.get(state.MATRIX_AXES)
    if not cells or matrix is None:
        return
    chosen = matrix.cell(*cells[0])
    if chosen is not None:
        theme, region = chosen
        set_theme(theme)
        set_region(region)


def geojson_bytes(view: View) -> bytes:
    return files.to_geojson(view.findings, view.corpus, geometry())
