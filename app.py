"""Entry point: navigation only. Run with `make run`.

Each page draws the shared frame itself (``dashboard.ui.frame``), including the page menu, so
that a page behaves the same when Streamlit runs it alone, as it does for a deep link right after
a server restart (its older folder-based routing then serves ``pages/`` without this file).
Pages carry no icon: Streamlit would fetch a Material icon from Google's font server as favicon.
"""

import streamlit as st

st.navigation(
    [
        st.Page("pages/explorer.py", title="Map explorer", default=True),
        st.Page("pages/table.py", title="Findings table", url_path="table"),
        st.Page("pages/reader.py", title="Report reader", url_path="reader"),
        st.Page("pages/briefing.py", title="Briefing export", url_path="briefing"),
        st.Page("pages/imports.py", title="Import", url_path="imports"),
    ],
    position="hidden",
).run()
