"""Every export written to the audit log: who made which file, in which format, of which view.

A download is logged when its file is made, so a file that failed to make is not logged as
exported. Files made on click (Streamlit's deferred downloads) log themselves from the callable;
its run holds no session, so who is reading and the store are taken when the button is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dashboard.io.store_records import StoreError
from dashboard.query.filters import Filters
from dashboard.ui import signin
from dashboard.ui.data import store
from dashboard.ui.links import view_link

Made = Callable[[], bytes]


def export_detail(
    fmt: str,
    page_key: str,
    *,
    file_name: str,
    filters: Filters | None = None,
    rows: int | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the audit log says of an export: the format, the file, the view's link (the link
    that reproduces what was exported), how many findings it held, and anything *extra*."""
    detail: dict[str, Any] = {
        "format": fmt,
        "file": file_name,
        "link": view_link(page_key, filters),
    }
    if filters is not None:
        detail["view"] = filters.to_query_params()
    if rows is not None:
        detail["findings"] = int(rows)
    detail.update(extra or {})
    return detail


class ExportNotLogged(RuntimeError):
    """With sign-in on, a file whose export cannot be written to the audit log is not handed out."""


def audited(make: Made, detail: Mapping[str, Any]) -> Made:
    """*make*, writing an ``export`` line with *detail* to the audit log once it has made the
    file.

    With sign-in on, an export that cannot be logged (the store is down) is refused: a desk's
    log must hold every file that left it. On a laptop with no sign-in the file is still made,
    and the store's problem is said at the top of every page already."""
    who = signin.reader().label
    required = signin.sign_in_on()
    analysts = store()

    def made() -> bytes:
        data = make()
        try:
            if analysts is None:
                raise StoreError("the store cannot be opened")
            analysts.audit(who, "export", dict(detail))
        except StoreError as err:
            if required:
                raise ExportNotLogged(
                    f"the export could not be logged, so it is refused: {err}"
                ) from err
        return data

    return made


def audited_bytes(data: bytes, detail: Mapping[str, Any]) -> Made:
    """A file already made, handed out (and logged) only when the user downloads it."""
    return audited(lambda: data, detail)
