"""Sign-in for real: the app served with an ``[auth]`` section, signing in through an OpenID
Connect provider (oidc-provider-mock, in a thread) whose claims carry the clearance and groups.

The provider's own pages ask a CDN for a stylesheet; the browser here is cut off from anything
but this machine, as the app's users are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard.io.store import Store
from dashboard.team.settings import secrets_toml
from tests.browser.conftest import LOCAL, screenshot, start_server, stop_server, wait_for_app
from tests.browser.signin_support import (
    COOKIE_SECRET,
    offline,
    seed_official_and_secret,
    sign_in,
    user,
)
from tests.browser.support import free_port, wait_for_map


@pytest.fixture(scope="module")
def desk_server(tmp_path_factory, provider, corpus):
    """The app with sign-in on, over a store holding an OFFICIAL and a SECRET import."""
    folder = tmp_path_factory.mktemp("signin")
    store = Store(folder / "store.sqlite3")
    seed_official_and_secret(store, corpus, "refugees")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(secrets_toml(f"http://localhost:{port}", provider, COOKIE_SECRET))
    server = start_server(
        folder,
        port=port,
        options=("--secrets.files", str(secrets)),
        env={"DASHBOARD_STORE": str(folder / "store.sqlite3")},
    )
    server.store = store
    yield server
    stop_server(server)


def test_signing_in_shows_what_the_clearance_allows_and_signing_out_ends_it(
    page, desk_server, provider
):
    seen: list[str] = []
    offline(page, seen)
    user(provider, "una@desk", name="Una", clearance="OFFICIAL", groups=["desk"])
    page.goto(f"{desk_server.url}/?finding=o-01")
    wait_for_app(page)
    expect(page.get_by_text("Sign in to see the findings.")).to_be_visible()
    assert page.locator('[id^="card-"]').count() == 0
    screenshot(page, "signin-screen")

    sign_in(page, desk_server, "una@desk")
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=30_000)
    body = page.locator("body").inner_text()
    assert "Una" in body and "OFFICIAL" in body
    page.goto(f"{desk_server.url}/?theme=refugees")
    wait_for_app(page)
    expect(page.locator("#card-o-01")).to_have_count(1, timeout=30_000)
    assert page.locator("#card-s-01").count() == 0
    wait_for_map(page)
    screenshot(page, "signin-official")
    # The secret finding's deep link reads as a finding that does not exist.
    page.goto(f"{desk_server.url}/reader?finding=s-01")
    wait_for_app(page)
    expect(page.get_by_text("Ignored unknown finding 's-01' in the link.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    # The provider ends its own session too (RP-initiated logout), then sends the browser back.
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(rf"^{re.escape(desk_server.url)}"), timeout=30_000)
    wait_for_app(page)
    expect(page.get_by_text("Sign in to see the findings.")).to_be_visible(timeout=30_000)
    page.goto(f"{desk_server.url}/table")
    wait_for_app(page)
    expect(page.get_by_text("Sign in to see the findings.")).to_be_visible()
    assert page.locator('[data-testid="stDataFrame"]').count() == 0

    actions = [(x.who, x.action) for x in desk_server.store.audit_log()]
    assert ("Una (una@desk)", "sign-in") in actions and ("Una (una@desk)", "sign-out") in actions
    asked_outside = [u for u in seen if not u.startswith(LOCAL)]
    assert all("cdn.jsdelivr.net" in u for u in asked_outside)  # the provider's page only


def test_a_secret_clearance_from_the_token_shows_the_secret_finding(page, desk_server, provider):
    offline(page, [])
    user(provider, "sam@desk", name="Sam", clearance="SECRET")
    sign_in(page, desk_server, "sam@desk")
    page.goto(f"{desk_server.url}/?theme=refugees")
    wait_for_app(page)
    expect(page.locator("#card-s-01")).to_have_count(1, timeout=30_000)
    expect(page.locator("#card-o-01")).to_have_count(1)


def test_an_administrator_reads_the_audit_log_of_both_and_exports_it(page, desk_server, provider):
    offline(page, [])
    user(provider, "ada@desk", name="Ada", clearance="OFFICIAL", groups=["dashboard-admins"])
    sign_in(page, desk_server, "ada@desk")
    page.goto(f"{desk_server.url}/audit")
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame")
    table.wait_for()
    screenshot(page, "audit-log")
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Export these lines (CSV)").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    for who in ("Una (una@desk)", "Sam (sam@desk)", "Ada (ada@desk)"):
        assert who in text
    (line,) = desk_server.store.audit_log(actions=("export",), who="ada", limit=1)
    assert line.detail["file"] == "audit-log.csv" and line.detail["link"].endswith("/audit")
