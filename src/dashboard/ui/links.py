"""The app's own address, and links to a view of it, as colleagues would open them."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from dashboard.exports.briefing import permalink
from dashboard.query.filters import Filters
from dashboard.ui.pages import BY_KEY, DEFAULT, PAGES

#: The app's address as colleagues open it (e.g. ``https://dashboard.desk.example/``), printed
#: in briefings and written to the audit log; without it, the address the browser used, unless
#: that is this machine's own.
PUBLIC_URL_VAR = "DASHBOARD_PUBLIC_URL"
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def app_base_url() -> str:
    """The address of the app's home page that a printed link should use: ``$DASHBOARD_PUBLIC_URL``,
    else the address the browser used; ``""`` (no link) when that is only this machine's, which
    a colleague could not open."""
    public = os.environ.get(PUBLIC_URL_VAR, "").strip()
    if public:
        return public.rstrip("/") + "/"
    url = (st.context.url or "").rstrip("/")
    if not url or (urlsplit(url).hostname or "localhost") in _LOCAL_HOSTS:
        return ""
    for page in PAGES:
        if url.endswith("/" + page.url_path):
            url = url[: -len(page.url_path)]
            break
    return url if url.endswith("/") else url + "/"


def view_link(page_key: str, filters: Filters | None = None) -> str:
    """The link to the page *page_key* showing the view of *filters*: the full address when the
    app has a public one, else the path from the app's root (``/table?theme=refugees``), which
    still says exactly which view it was."""
    page = BY_KEY[page_key]
    path = "" if page is DEFAULT else page.url_path
    base = (app_base_url() or "/") + path
    return permalink(base, filters) if filters is not None else base
