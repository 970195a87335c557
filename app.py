"""Entry point: page configuration and navigation. Run with `make run`."""

import streamlit as st

st.set_page_config(page_title="ISKP findings", page_icon=":material/map:", layout="wide")

pages = [
    st.Page("pages/explorer.py", title="Findings", icon=":material/list:", default=True),
]
st.navigation(pages).run()
