"""The floor of the app's work: Streamlit's own, with nothing of the dashboard.

Run by ``AppTest`` (the apptest sections) it only imports Streamlit and draws nothing: the floor
of a server-side rerun. Served by `streamlit run` with ``BENCH_EMPTY_PAGE_WIDGETS=1`` in its
environment (the interactions section, bench/measures/interactions.py) it is the floor of each
interaction in the browser: two pages under ``st.navigation`` as app.py has, the first with a
text input whose value is echoed in bold, a button that counts its clicks, a link to the second
page in the sidebar (as the app's page menu) and one with a query parameter in the page (as a
finding's "Open in report"); the second page says so and links back. Nothing else: what an
interaction takes here is what Streamlit and the browser take for any page.
"""

import os

import streamlit as st

if os.environ.get("BENCH_EMPTY_PAGE_WIDGETS") == "1":

    def _count() -> None:
        st.session_state["clicks"] = st.session_state.get("clicks", 0) + 1

    def _first() -> None:
        st.sidebar.page_link(second, label="Second page")
        text = st.text_input("Text", key="text")
        st.markdown(f"**Typed: {text or '(nothing)'}**")
        st.button("Count", on_click=_count)
        st.markdown(f"**Clicks: {st.session_state.get('clicks', 0)}**")
        st.page_link(second, label="Open the second page", query_params={"item": "x"})

    def _second() -> None:
        st.sidebar.page_link(first, label="First page")
        st.markdown(f"**Second page: {st.query_params.get('item', 'no item')}**")

    first = st.Page(_first, title="First page", default=True)
    second = st.Page(_second, title="Second page", url_path="second")
    st.navigation([first, second], position="hidden").run()
