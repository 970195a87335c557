"""Findings table: the filtered findings sortable, counted by theme and region, and downloadable."""

import streamlit as st

from dashboard import ui
from dashboard.exports import files as export

view = ui.frame("Findings table")

st.title("ISKP findings: table")
st.markdown(f"**{view.describe()}**")

st.dataframe(
    ui.findings_table(view),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.TextColumn(width="small"),
        "title": st.column_config.TextColumn(width="medium"),
        "excerpt": st.column_config.TextColumn(width="large"),
        "regions": st.column_config.TextColumn(width="medium"),
    },
)
if view.count > ui.TABLE_ROWS:
    st.caption(f"Showing the first {ui.TABLE_ROWS:,} rows; the downloads hold all {view.count:,}.")

st.subheader("Themes by region named")
st.caption(
    "Each cell counts the findings with that theme that name that region or a place "
    "inside it (the other filters applied): selecting the cell shows them. "
    f"{view.index.unplaced(view.mask)} of the findings in view name no place."
)
st.dataframe(
    ui.matrix_table(view),
    key=ui.MATRIX_KEY,
    on_select=ui.on_matrix_select,
    selection_mode="single-cell",
    width="stretch",
)

st.subheader("Download this view")
st.caption("Each file is made when you click, from the findings in view.")
description = view.describe()
csv_col, json_col, geo_col = st.columns(3)
# Deferred data: the files are made on click, not on every rerun (GeoJSON of 100k findings
# takes seconds).
csv_col.download_button(
    "CSV (spreadsheets)",
    lambda: export.to_csv(view.findings, view.corpus),
    file_name=export.safe_filename(description, ".csv"),
    mime="text/csv",
    icon=":material/download:",
    help="Cells that a spreadsheet would run as a formula are prefixed with '.",
)
json_col.download_button(
    "JSON",
    lambda: export.to_json(view.findings, view.corpus, description=description),
    file_name=export.safe_filename(description, ".json"),
    mime="application/json",
    icon=":material/download:",
)
geo_col.download_button(
    "GeoJSON (GIS)",
    lambda: ui.geojson_bytes(view),
    file_name=export.safe_filename(description, ".geojson"),
    mime="application/geo+json",
    icon=":material/download:",
    help="One feature per finding: the outline of the places it names.",
)
