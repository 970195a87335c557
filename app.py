"""Entry point: navigation only. Run with `make run`.

The pages are the one list in ``dashboard.ui.pages.PAGES``. Each page draws the shared frame
itself (``dashboard.ui.frame``), including the page menu, so that a page behaves the same when
Streamlit runs it alone, as it does for a deep link right after a server restart (its older
folder-based routing then serves ``pages/`` without this file). Pages carry no icon: Streamlit
would fetch a Material icon from Google's font server as favicon.
"""

import streamlit as st

from dashboard.ui.pages import DEFAULT, PAGES

st.navigation(
    [
        st.Page(page.file, title=page.title, default=True)
        if page is DEFAULT
        else st.Page(page.file, title=page.title, url_path=page.url_path)
        for page in PAGES
    ],
    position="hidden",
).run()
