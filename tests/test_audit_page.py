"""The audit log page: administrators (and the local analyst) see every line, filter it and
export it; anyone else is told it is not for them and sees none of it."""

# ruff: noqa: F811 (tests take the imported fixture `desk` by name)
from __future__ import annotations

import io

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.io.store import Store
from dashboard.views.audit_log import audit_csv, audit_frame
from tests.test_need_to_know import (
    desk,  # noqa: F401 (the fixture, used by name)
    run,
    signed_in,
)


def menu(at: AppTest) -> list[str]:
    return [link.proto.label for link in at.get("page_link")]


def test_an_administrator_sees_the_whole_log_and_filters_it(desk, monkeypatch):
    desk.audit("Una (u-1)", "export", {"format": "csv", "link": "/table?theme=refugees"})
    desk.audit("Sam (u-2)", "sign-in", {"clearance": "SECRET"})
    signed_in(monkeypatch, "OFFICIAL", groups=["dashboard-admins"])
    at = run("pages/audit.py")
    assert "Audit log" in menu(at)
    table = at.dataframe[0].value
    # Newest first: the reader's own sign-in of this session, then the lines written before.
    assert list(zip(table["who"], table["action"], strict=False))[:3] == [
        ("Una (u-1)", "signed in"),
        ("Sam (u-2)", "signed in"),
        ("Una (u-1)", "exported"),
    ]
    assert "imported" in set(table["action"])

    at.text_input(key="au_who").set_value("sam").run()
    assert set(at.dataframe[0].value["who"]) == {"Sam (u-2)"}
    at.text_input(key="au_who").set_value("").run()
    at.multiselect(key="au_actions").set_value(["export"]).run()
    exports = at.dataframe[0].value
    assert list(exports["format"]) == ["csv"] and list(exports["link"]) == ["/table?theme=refugees"]


def test_anyone_else_is_told_it_is_not_for_them_and_sees_none_of_it(desk, monkeypatch):
    desk.audit("Sam (u-2)", "export", {"format": "pdf"})
    signed_in(monkeypatch, "SECRET", groups=["desk"])
    at = run()
    assert "Audit log" not in menu(at)  # not offered
    at = run("pages/audit.py")  # and not served on a deep link
    assert len(at.dataframe) == 0 and not at.get("download_button")
    assert "administrators only" in at.warning[0].value


def test_the_local_analyst_without_sign_in_sees_the_log(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "store.sqlite3"))
    Store(tmp_path / "store.sqlite3").audit("", "export", {"format": "json"})
    at = run("pages/audit.py")
    table = at.dataframe[0].value
    assert list(table["format"]) == ["json"] and table["who"][0].startswith("local:")


def test_a_day_range_that_ends_before_it_starts_is_refused(desk, monkeypatch):
    signed_in(monkeypatch, "OFFICIAL", groups=["dashboard-admins"])
    at = run("pages/audit.py")
    at.date_input(key="au_since").set_value(pd.Timestamp("2026-12-03").date())
    at.date_input(key="au_until").set_value(pd.Timestamp("2026-12-01").date()).run()
    assert "ends before it starts" in at.error[0].value and len(at.dataframe) == 0


def test_the_csv_holds_each_line_with_formulas_neutralised(tmp_path):
    store = Store(tmp_path / "store.sqlite3")
    store.audit('=HYPERLINK("http://x")', "export", {"format": "csv", "file": "+a.csv", "n": 1})
    store.audit("Una", "sign-in")
    lines = store.audit_log()
    frame = pd.read_csv(io.BytesIO(audit_csv(lines)), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == list(audit_frame(lines).columns)
    assert frame["who"].tolist() == ["Una", '\'=HYPERLINK("http://x")']
    assert frame["file"].tolist()[1] == "'+a.csv" and frame["detail"].tolist()[1] == '{"n": 1}'


def test_one_sign_in_is_one_line_however_many_tabs_it_opens(desk, monkeypatch):
    signed_in(monkeypatch, "OFFICIAL", auth_time=1_796_303_987, iat=1_796_304_000)
    run()
    run("pages/table.py")  # another tab, or a reload: a new session under the same sign-in
    assert len(desk.audit_log(actions=("sign-in",))) == 1
    signed_in(monkeypatch, "OFFICIAL", auth_time=1_796_400_000)  # signed in again
    run()
    lines = desk.audit_log(actions=("sign-in",))
    assert [line.detail["auth_time"] for line in lines] == [1_796_400_000, 1_796_303_987]
