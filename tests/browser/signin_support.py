"""Signing in for real in the browser tests: users at the OIDC test provider, a page cut off from
everything but this machine, and the sign-in itself as a person does it."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from tests.browser.conftest import LOCAL, wait_for_app

COOKIE_SECRET = "a-long-random-secret-for-the-tests-only-0123456789"


def seed_official_and_secret(store, corpus, theme: str) -> None:
    """Import two findings of *theme* into *store*: ``o-01`` marked OFFICIAL and ``s-01`` SECRET
    (test data: each quotes the bundled report, and neither is anyone's finding)."""
    from dashboard.core.findings import Context
    from tests.test_store import EXCERPTS, findings_file, row

    ctx = Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)
    for name, finding_id, excerpt, marking in (
        ("open.csv", "o-01", EXCERPTS[0], "OFFICIAL"),
        ("secret.csv", "s-01", EXCERPTS[1], "SECRET"),
    ):
        file = findings_file(ctx, name, [row(finding_id, excerpt, themes=theme)])
        store.import_findings(
            file.frame,
            file_name=name,
            sha256=file.sha256,
            rows_total=1,
            rows_rejected=0,
            marking=marking,
        )


def user(provider: str, sub: str, **claims) -> None:
    """Give the provider's user *sub* these claims (name, clearance, groups, ...)."""
    response = httpx.put(f"{provider}/users/{quote(sub)}", json=claims, timeout=10)
    assert response.status_code == 204


def offline(page, seen: list[str]) -> None:
    """Cut the page off from everything but this machine, and note what it asked for."""

    def route(request_route):
        url = request_route.request.url
        seen.append(url)
        if url.startswith(LOCAL):
            request_route.continue_()
        else:
            request_route.abort()

    page.route("**/*", route)


def sign_in(page, server, sub: str) -> None:
    """Sign in as *sub* at *server* (anything with a ``url``), through the provider's form."""
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(rf"^{re.escape(server.url)}"), timeout=30_000)
    wait_for_app(page)
