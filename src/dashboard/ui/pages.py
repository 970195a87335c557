"""The one list of the app's pages: ``app.py``, the page menu, the tests and the docs read it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    file: str
    #: The address; each page's is its file's name, so that Streamlit's older folder routing
    #: (which serves a deep link right after a restart) knows the same addresses.
    url_path: str
    #: Shown in the menu, and served, only to the dashboard's administrators.
    admin: bool = False


PAGES: tuple[Page, ...] = (
    Page("explorer", "Map explorer", "pages/explorer.py", "explorer"),
    Page("table", "Findings table", "pages/table.py", "table"),
    Page("reader", "Report reader", "pages/reader.py", "reader"),
    Page("briefing", "Briefing export", "pages/briefing.py", "briefing"),
    Page("imports", "Import", "pages/imports.py", "imports"),
    Page("audit", "Audit log", "pages/audit.py", "audit", admin=True),
)
#: The page ``/`` shows.
DEFAULT = PAGES[0]
BY_KEY = {page.key: page for page in PAGES}


def file_of(key: str) -> str:
    """The page file of the page *key* (for ``st.page_link`` and ``st.switch_page``)."""
    return BY_KEY[key].file
