"""Findings table: the filtered findings sortable, counted by theme and region, and downloadable."""

import streamlit as st

from dashboard import ui
from dashboard.exports import files
from dashboard.ui import audit, table
from dashboard.ui.state import MATRIX
from dashboard.views.inert import inert
from dashboard.views.tables import TABLE_ROWS, findings_table

view = ui.frame("table")

st.title("ISKP findings: table")
st.markdown("**" + inert(view.describe()) + "**")

st.dataframe(
    findings_table(view),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.TextColumn(width="small"),
        "title": st.column_config.TextColumn(width="medium"),
        "excerpt": st.column_config.TextColumn(width="large"),
        "regions": st.column_config.TextColumn(width="medium"),
    },
)
if view.count > TABLE_ROWS:
    st.caption(f"Showing the first {TABLE_ROWS:,} rows; the downloads hold all {view.count:,}.")

st.subheader("Findings in view by theme and region named")
st.caption(
    "Each cell counts the findings in view with that theme that name that region or a place "
    "inside it: selecting the cell shows exactly them. A finding with two themes or naming two "
    "places counts in each of its cells. "
    f"{view.index.unplaced(view.mask)} of the findings in view name no place. With the map, "
    "this table is the keyboard's and screen reader's way to every area's count."
)
st.dataframe(
    table.matrix_frame(view),
    key=MATRIX,
    on_select=table.on_matrix_select,
    selection_mode="single-cell",
    width="stretch",
)

st.subheader("Download this view")
st.caption("Each file is made when you click, from the findings in view.")
description = view.describe()
csv_col, json_col, geo_col = st.columns(3)


def logged(fmt: str, suffix: str, make):
    """The file of the view, made on click (not on every rerun: GeoJSON of 100k findings takes
    seconds) and written to the audit log when it is. The click does not rerun the page: a
    rerun beside the request could drop the file's registration before it is served."""
    name = files.safe_filename(description, suffix)
    detail = audit.export_detail(
        fmt, "table", file_name=name, filters=view.filters, rows=view.count
    )
    return {"data": audit.audited(make, detail), "file_name": name, "on_click": "ignore"}


csv_col.download_button(
    "CSV (spreadsheets)",
    **logged("csv", ".csv", lambda: files.to_csv(view.findings, view.corpus)),
    mime="text/csv",
    icon=":material/download:",
    help="Cells that a spreadsheet would run as a formula are prefixed with '.",
)
json_col.download_button(
    "JSON",
    **logged(
        "json", ".json", lambda: files.to_json(view.findings, view.corpus, description=description)
    ),
    mime="application/json",
    icon=":material/download:",
)
geo_col.download_button(
    "GeoJSON (GIS)",
    **logged("geojson", ".geojson", lambda: table.geojson_bytes(view)),
    mime="application/geo+json",
    icon=":material/download:",
    help="One feature per finding: the outline of the places it names.",
)
