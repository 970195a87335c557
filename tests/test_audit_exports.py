"""Every export is written to the audit log when its file is made, with the view's link; with
sign-in on, a file whose export cannot be logged is refused."""

from __future__ import annotations

import pytest

from dashboard.core.access import Reader
from dashboard.io.store import Store
from dashboard.io.store_records import StoreError
from dashboard.query.filters import Filters
from dashboard.ui import audit, links


class Context:
    url = "http://localhost:8501/table"


@pytest.fixture
def signed_in_as(monkeypatch):
    def set_reader(name: str, *, sign_in: bool = True) -> None:
        who = Reader(name=name, clearance="OFFICIAL", signed_in=sign_in, subject=name.lower())
        monkeypatch.setattr(audit.signin, "reader", lambda: who)
        monkeypatch.setattr(audit.signin, "sign_in_on", lambda: sign_in)

    monkeypatch.setattr(links.st, "context", Context())
    monkeypatch.delenv(links.PUBLIC_URL_VAR, raising=False)
    return set_reader


def test_the_view_link_is_the_public_address_or_the_path_from_the_root(monkeypatch):
    monkeypatch.setattr(links.st, "context", Context())
    monkeypatch.delenv(links.PUBLIC_URL_VAR, raising=False)
    view = Filters(themes=("refugees", "propaganda"), region="PK")
    assert links.view_link("table", view) == "/table?theme=refugees&theme=propaganda&region=PK"
    assert links.view_link("explorer", Filters()) == "/"
    monkeypatch.setenv(links.PUBLIC_URL_VAR, "https://dashboard.desk.example/iskp")
    assert (
        links.view_link("briefing", Filters(text="radio"))
        == "https://dashboard.desk.example/iskp/briefing?q=radio"
    )
    assert links.view_link("imports") == "https://dashboard.desk.example/iskp/imports"


def test_an_export_is_logged_once_its_file_is_made(tmp_path, monkeypatch, signed_in_as):
    store = Store(tmp_path / "store.sqlite3")
    monkeypatch.setattr(audit, "store", lambda: store)
    signed_in_as("Una")
    filters = Filters(themes=("refugees",))
    detail = audit.export_detail("csv", "table", file_name="view.csv", filters=filters, rows=2)
    make = audit.audited(lambda: b"id\n1\n2\n", detail)
    assert store.audit_log(actions=("export",)) == []  # drawing the button exports nothing
    assert make() == b"id\n1\n2\n"
    (line,) = store.audit_log(actions=("export",))
    assert line.who == "Una (una)"
    assert line.detail == {
        "format": "csv",
        "file": "view.csv",
        "link": "/table?theme=refugees",
        "view": {"theme": ["refugees"]},
        "findings": 2,
    }
    make()  # each download is a line of its own
    assert len(store.audit_log(actions=("export",))) == 2


def test_a_file_that_fails_to_make_is_not_logged(tmp_path, monkeypatch, signed_in_as):
    store = Store(tmp_path / "store.sqlite3")
    monkeypatch.setattr(audit, "store", lambda: store)
    signed_in_as("Una")

    def broken() -> bytes:
        raise RuntimeError("kaleido failed")

    with pytest.raises(RuntimeError):
        audit.audited(broken, audit.export_detail("png", "briefing", file_name="b.png"))()
    assert store.audit_log(actions=("export",)) == []


class DownStore:
    def audit(self, who, action, detail=None):
        raise StoreError("The store is unreachable: the server at db.desk:5432 refused.")


@pytest.mark.parametrize("down", [None, DownStore()], ids=["not-opened", "unreachable"])
def test_with_sign_in_on_an_export_that_cannot_be_logged_is_refused(
    monkeypatch, signed_in_as, down
):
    monkeypatch.setattr(audit, "store", lambda: down)
    signed_in_as("Una")
    make = audit.audited_bytes(b"secret", audit.export_detail("pdf", "briefing", file_name="b"))
    with pytest.raises(audit.ExportNotLogged, match="could not be logged, so it is refused"):
        make()


def test_on_a_laptop_without_sign_in_the_file_is_still_made(monkeypatch, signed_in_as):
    monkeypatch.setattr(audit, "store", lambda: DownStore())
    signed_in_as("analyst", sign_in=False)
    make = audit.audited_bytes(b"data", audit.export_detail("pdf", "briefing", file_name="b"))
    assert make() == b"data"
