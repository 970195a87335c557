"""The team set-up in the browser, from its real parts (:class:`dashboard.team.demo.Team`): two
replicas on one PostgreSQL store (connected as the app's role), HAProxy in front of them with
``deploy/haproxy.cfg``, and sign-in at an OpenID Connect provider.

Every page is fetched through HAProxy, under its Content-Security-Policy, by a browser cut off
from everything but this machine."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pandas as pd
import psycopg
import pytest
from playwright.sync_api import expect

from dashboard.core.findings import Context
from dashboard.io.store import Store
from dashboard.team import proxy
from dashboard.team.demo import Team
from tests.browser.conftest import download, screenshot, wait_for_app
from tests.browser.signin_support import (
    COOKIE_SECRET,
    offline,
    seed_official_and_secret,
    sign_in,
    user,
)
from tests.browser.support import wait_for_map
from tests.browser.test_coding_browser import fill_and_save, picker_frame, select_by_keyboard
from tests.test_store import EXCERPTS, csv_bytes, findings_file, row

#: Findings naming a theme only these imports use, so that a link shows them alone.
THEME = "refugees"


@pytest.fixture(scope="module")
def team(tmp_path_factory, postgres, provider, corpus):
    """The team set-up on a database of its own, holding an OFFICIAL and a SECRET import."""
    if proxy.available():
        pytest.fail(proxy.available() or "")
    database = f"team_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres.url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {database}")
    owner_url = postgres.url.rsplit("/", 1)[0] + f"/{database}"
    running = Team(
        tmp_path_factory.mktemp("team"), provider, owner_url=owner_url, cookie_secret=COOKIE_SECRET
    )
    try:
        running.start()
        store = Store(running.store_url)
        seed_official_and_secret(store, corpus, THEME)
        running.test_store = store
        yield running
    finally:
        running.stop()


def count_in_view(page) -> int:
    """The count the page's heading gives ("3 findings · theme = Refugees")."""
    heading = page.get_by_text(re.compile(r"^\d+ findings? ·")).first
    heading.wait_for(timeout=30_000)
    return int(heading.inner_text().split()[0])


def replica_of(context) -> str:
    """The replica HAProxy pinned this browser to (its SRV cookie)."""
    return next(c["value"] for c in context.cookies() if c["name"] == "SRV")


def test_the_headers_streamlit_does_not_send_are_on_every_answer(team):
    import httpx

    for path in ("/", "/_stcore/health", "/table?theme=refugees"):
        answer = httpx.get(team.url + path, timeout=10)
        assert answer.status_code == 200
        policy = answer.headers["content-security-policy"]
        assert policy == proxy.header("Content-Security-Policy")
        assert "frame-ancestors 'self'" in policy and "'unsafe-eval'" not in policy
        assert answer.headers["x-frame-options"] == "SAMEORIGIN"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert re.search(r"\bSRV=[ab]; path=/; HttpOnly", answer.headers["set-cookie"])


def test_two_clearances_on_one_link_see_their_own_share_under_the_policy(browser, team, provider):
    """Una (OFFICIAL) and Sam (SECRET) open the same link through HAProxy: each sees their own
    count, map and export, nothing the policy refuses, and the audit log has both."""
    user(provider, "una@team", name="Una", clearance="OFFICIAL")
    user(provider, "sam@team", name="Sam", clearance="SECRET")
    seen: dict[str, list[str]] = {}
    counts, exports = {}, {}
    for sub in ("una@team", "sam@team"):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        refused: list[str] = []
        page.on(
            "console",
            lambda m, r=refused: r.append(m.text) if "Content Security" in m.text else None,
        )
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy refused ' + e.violatedDirective + ' '"
            " + e.blockedURI))"
        )
        seen[sub] = []
        offline(page, seen[sub])
        sign_in(page, team, sub)
        page.goto(f"{team.url}/?theme={THEME}")
        wait_for_app(page)
        wait_for_map(page)
        counts[sub] = count_in_view(page)
        screenshot(page, f"team-{sub.split('@')[0]}")
        page.goto(f"{team.url}/table?theme={THEME}")
        wait_for_app(page)
        made = download(page, "CSV (spreadsheets)")
        exports[sub] = pd.read_csv(io.BytesIO(Path(made.path()).read_bytes()))
        # long.js (in Streamlit's protobuf) tries a WebAssembly multiply inside try/catch and
        # falls back to JavaScript: the one refusal the policy makes, on purpose (no wasm-eval).
        assert [r for r in refused if not r.endswith("script-src wasm-eval")] == [], refused
        context.close()
    assert counts["sam@team"] == counts["una@team"] + 1
    assert "s-01" not in set(exports["una@team"]["id"]) and "o-01" in set(exports["una@team"]["id"])
    assert {"s-01", "o-01"} <= set(exports["sam@team"]["id"])
    lines = team.test_store.audit_log(actions=("export",))
    assert {"Una (una@team)", "Sam (sam@team)"} <= {x.who for x in lines}
    for sub, urls in seen.items():
        elsewhere = [u for u in urls if not u.startswith(("http://localhost", "data:", "blob:"))]
        assert all("cdn.jsdelivr.net" in u for u in elsewhere), (sub, elsewhere)  # the provider's


def test_an_import_on_one_replica_shows_on_the_other_at_its_next_rerun(
    browser, team, provider, corpus
):
    user(provider, "ivy@team", name="Ivy", clearance="OFFICIAL")
    readers, importers = browser.new_context(), browser.new_context()
    reader_page, importer_page = readers.new_page(), importers.new_page()
    sign_in(reader_page, team, "ivy@team")
    here = replica_of(readers)
    there = "b" if here == "a" else "a"
    # The importer's browser is sent to the other replica, as HAProxy would send another person.
    importers.add_cookies([{"name": "SRV", "value": there, "url": team.url}])
    sign_in(importer_page, team, "ivy@team")
    assert replica_of(importers) == there
    reader_page.goto(f"{team.url}/?theme={THEME}")
    wait_for_app(reader_page)
    before = count_in_view(reader_page)

    ctx = Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)
    path = Path(team.folder) / "desk-log.csv"
    path.write_bytes(csv_bytes([row("n-01", EXCERPTS[2], themes=THEME)]))
    findings_file(ctx, path.name, [row("n-01", EXCERPTS[2], themes=THEME)])  # it is valid
    importer_page.goto(f"{team.url}/imports")
    wait_for_app(importer_page)
    importer_page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(path)
    )
    importer_page.get_by_text("1 row(s) read: 1 can be imported, 0 cannot.").wait_for(
        timeout=30_000
    )
    wait_for_app(importer_page)
    importer_page.get_by_role("button", name="Import all rows").click()
    importer_page.get_by_text("Imported 1 finding(s) from desk-log.csv").wait_for(timeout=30_000)

    # The reader's replica did not make the import; its next rerun shows it.
    reader_page.get_by_test_id("stSidebar").get_by_role("link", name="Map explorer").click()
    wait_for_app(reader_page)
    expect(reader_page.locator("#card-n-01")).to_have_count(1, timeout=30_000)
    assert count_in_view(reader_page) == before + 1
    assert replica_of(readers) == here != replica_of(importers)
    readers.close()
    importers.close()


def test_killing_a_replica_keeps_the_user_signed_in_on_the_other(browser, team, provider):
    user(provider, "kim@team", name="Kim", clearance="SECRET")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    offline(page, [])
    sign_in(page, team, "kim@team")
    page.goto(f"{team.url}/?theme={THEME}")
    wait_for_app(page)
    before = count_in_view(page)
    pinned = replica_of(context)
    team.replicas[pinned].kill()
    try:
        page.reload()
        wait_for_app(page, timeout=60_000)
        expect(page.get_by_text("Signed in as")).to_be_visible(timeout=30_000)
        assert "Kim" in page.locator("body").inner_text()
        assert count_in_view(page) == before
        assert replica_of(context) != pinned
        wait_for_map(page)
        screenshot(page, "team-after-a-replica-died")
    finally:
        team.start_replica(pinned)
        context.close()


def test_a_secret_finding_coded_in_the_reader_under_the_policy_is_sams_alone(
    browser, team, provider
):
    """Sam codes a passage in the reader through HAProxy, under its Content-Security-Policy
    (the picker is a frame of the app's own origin, its script a file of it), and marks it
    SECRET: Una, cleared OFFICIAL, does not see it."""
    user(provider, "sam@team", name="Sam", clearance="SECRET")
    user(provider, "una@team", name="Una", clearance="OFFICIAL")
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error('Content "
        "Security Policy refused ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    seen: list[str] = []
    offline(page, seen)
    sign_in(page, team, "sam@team")
    page.goto(f"{team.url}/reader")
    wait_for_app(page)
    page.get_by_text("Code findings: select a passage").click()
    wait_for_app(page)
    select_by_keyboard(page, picker_frame(page), "Control+Home", *["Shift+ArrowRight"] * 14)
    finding_id = fill_and_save(page, "Sam's coded finding", "Ideology", marking="SECRET")
    screenshot(page, "team-coded-secret")
    # The reading view scrolls to a finding far down the page: its script is a file of the
    # app's origin (an inline one is refused by the policy).
    page.set_viewport_size({"width": 1440, "height": 700})
    page.goto(f"{team.url}/reader?finding=hjs2017-ko-08")
    wait_for_app(page)
    focused = page.locator("#f-hjs2017-ko-08")
    expect(focused).to_be_in_viewport(timeout=15_000)
    assert [r for r in refused if not r.endswith("script-src wasm-eval")] == [], refused
    stored = team.test_store.contents()
    rules = dict(zip(stored.findings["id"], stored.finding_rules))
    assert rules[finding_id][0][0] == "SECRET"
    assert "Sam (sam@team)" in team.test_store.finding_history(finding_id)[0].who
    context.close()

    other = browser.new_context(viewport={"width": 1440, "height": 1000})
    una = other.new_page()
    sign_in(una, team, "una@team")
    una.goto(f"{team.url}/reader?finding={finding_id}")
    wait_for_app(una)
    # Her own link names the id (the page says it is not one she can open), nothing more.
    assert "Sam's coded finding" not in una.content()
    assert una.locator(f"#f-{finding_id}, #card-{finding_id}").count() == 0
    other.close()
