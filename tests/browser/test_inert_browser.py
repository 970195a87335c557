"""A crafted link cannot act on the reader in a real browser: on every page, no dialog opens, no
link goes to an address the app did not make, and no element carries an ``on*`` handler."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from dashboard.ui.pages import PAGES
from tests.browser.conftest import external, screenshot, wait_for_app

PAYLOAD = (
    "[Session expired - click to log in](http://evil.example/login) "
    '<img src=x onerror="alert(1)"> <a href="javascript:alert(2)">x</a> '
    "![p](http://evil.example/p.png) https://evil.example/auto $x$ \u202eabc"
)
LINK = urlencode({key: PAYLOAD for key in ("q", "theme", "region", "actor", "kind", "finding")})

#: Every link and handler the page holds, read after it has drawn.
AUDIT = """() => {
  const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
  const handlers = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith('on')) handlers.push(el.tagName + ' ' + attr.name);
    }
  }
  const images = [...document.querySelectorAll('img[src]')].map(i => i.src);
  return {links, handlers, images};
}"""


@pytest.mark.parametrize("page_key", [page.key for page in PAGES])
def test_a_crafted_link_is_text_on_every_page(server, page, requests_seen, page_key):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    path = "" if page_key == PAGES[0].key else page_key
    page.goto(f"{server.url}/{path}?{LINK}")
    wait_for_app(page)
    found = page.evaluate(AUDIT)
    screenshot(page, f"inert-{page_key}")
    assert dialogs == []
    assert found["handlers"] == []
    foreign = [
        u
        for u in found["links"] + found["images"]
        if not u.startswith(server.url) and not u.startswith(("data:", "blob:"))
    ]
    assert foreign == []
    # The search text is shown as the characters typed.
    assert "Session expired - click to log in" in page.content()
    assert external(requests_seen) == []
