"""Accessibility in real Chromium: axe-core (through axe-playwright-python, which ships axe-core
itself, so nothing is fetched) on every page, in the default state and in a filtered state with a
finding open, on Streamlit's light and dark themes. No serious or critical violation of WCAG 2.2
A or AA is allowed, and no rule is excluded."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from dashboard.team.replicas import Replica
from tests.browser.conftest import screenshot, start_server, stop_server, wait_for_app
from tests.browser.support import wait_for_map

#: axe-core's tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FINDING = "hjs2017-ko-08"
PAGES = ("", "table", "reader", "briefing", "imports", "audit")
STATES = {"default": "", "filtered": f"?theme=propaganda&finding={FINDING}"}


@pytest.fixture(scope="module")
def dark_server(tmp_path_factory) -> Iterator[Replica]:
    started = start_server(tmp_path_factory.mktemp("dark"), options=("--theme.base", "dark"))
    yield started
    stop_server(started)


#: True when nothing on the page is faded as stale (Streamlit fades the last run's elements while
#: a run is on) and the app's stylesheet is applied (a caption is drawn as that sheet says).
SETTLED = """() => !document.querySelector('[data-stale="true"]') && [...document.querySelectorAll(
    '[data-testid="stCaptionContainer"]')].every(c => getComputedStyle(c).opacity === '0.78')"""


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(
            f"{n['target']} {n['html'][:120]} {n.get('failureSummary', '')}" for n in v["nodes"][:3]
        )
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


#: Both states in the light theme; the dark theme in the filtered state (a finding open), which
#: draws everything the default state does and more.
CASES = [(t, s) for t in ("light", "dark") for s in STATES if t == "light" or s == "filtered"]


@pytest.mark.parametrize(("theme", "state"), CASES, ids=[f"{t}-{s}" for t, s in CASES])
@pytest.mark.parametrize("page_path", PAGES)
def test_no_serious_wcag_violation(page, server, dark_server, theme, state, page_path):
    running = server if theme == "light" else dark_server
    page.goto(f"{running.url}/{page_path}{STATES[state]}")
    wait_for_app(page)
    if page_path == "":
        wait_for_map(page)
    if page_path == "reader" and state == "filtered":
        page.locator(".rd-focus").first.wait_for(timeout=30_000)
    page.wait_for_function(SETTLED, timeout=30_000)
    page.wait_for_timeout(300)
    assert serious_violations(page) == []
    if state == "filtered":
        screenshot(page, f"a11y-{theme}-{page_path or 'explorer'}")


def heading(page) -> str:
    return page.get_by_text(re.compile(r"^\d+ findings? · ")).first.inner_text()


def choose_theme(page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name=re.compile("^" + name)).click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def test_back_and_forward_walk_the_views_back_to_the_unfiltered_one(page, server):
    page.goto(server.url)
    wait_for_app(page)
    assert heading(page).endswith("no filters")
    choose_theme(page, "Propaganda")
    page.wait_for_url(re.compile(r"\?theme=propaganda$"))
    choose_theme(page, "Refugees")
    page.wait_for_url(re.compile(r"\?theme=propaganda&theme=refugees$"))
    # A page switch through the menu keeps the view: its link carries it.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Findings table").click()
    page.wait_for_url(re.compile(r"/table\?theme=propaganda&theme=refugees$"))
    wait_for_app(page)
    page.go_back()
    page.wait_for_url(re.compile(r"/\?theme=propaganda&theme=refugees$"))
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"· theme = Propaganda or Refugees$"))).to_be_visible()
    page.go_back()
    page.wait_for_url(re.compile(r"/\?theme=propaganda$"))
    expect(page.get_by_text(re.compile(r"· theme = Propaganda$"))).to_be_visible()
    page.go_back()
    page.wait_for_url(re.compile(rf"^{re.escape(server.url)}/?$"))
    expect(page.get_by_text(re.compile(r"^23 findings · no filters$"))).to_be_visible()
    page.go_forward()
    expect(page.get_by_text(re.compile(r"· theme = Propaganda$"))).to_be_visible()
    # Clear all filters sits at the top of the filters, and is an entry in the history too.
    page.get_by_test_id("stSidebar").get_by_role("button", name="Clear all filters").click()
    expect(page.get_by_text(re.compile(r"^23 findings · no filters$"))).to_be_visible()
    page.go_back()
    expect(page.get_by_text(re.compile(r"· theme = Propaganda$"))).to_be_visible()


#: What has the keyboard's focus, and whether it is drawn as focused (an outline or a ring).
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const s = getComputedStyle(e);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
        || (s.boxShadow && s.boxShadow !== 'none');
    let shown = ring;
    // Streamlit draws some rings on the focused control's frame, not on the input itself.
    for (let p = e.parentElement, i = 0; p && i < 4 && !shown; p = p.parentElement, i++) {
        const ps = getComputedStyle(p);
        shown = (ps.outlineStyle !== 'none' && parseFloat(ps.outlineWidth) > 0)
            || (ps.boxShadow && ps.boxShadow !== 'none');
    }
    return {
        text: (e.innerText || e.getAttribute('aria-label') || e.value || '').trim().slice(0, 80),
        role: e.getAttribute('role') || e.tagName.toLowerCase(),
        shown: shown,
    };
}"""


def tab_to(page, wanted: str, limit: int = 250) -> dict:
    """Press Tab until the focus is on a control whose text or label starts with *wanted*."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused:
            seen.append(focused["text"])
            # A Material icon is a word of the text (its ligature): look at each line.
            if any(line.strip().startswith(wanted) for line in focused["text"].splitlines()):
                return focused
    raise AssertionError(f"{wanted!r} not reached by Tab; focus went through {seen[:60]}")


def download_by_keyboard(page, label: str, stops: list[dict]) -> str:
    """Tab to the download button *label*, press Enter, and return the file's suggested name;
    the focus stop is added to *stops*."""
    stops.append(tab_to(page, label))
    with page.expect_download(timeout=90_000) as info:
        page.keyboard.press("Enter")
    return info.value.suggested_filename


def assert_focus_drawn(stops: list[dict]) -> None:
    unseen = [s for s in stops if not s["shown"]]
    assert unseen == [], f"focus not drawn on {unseen}"


def test_a_whole_task_by_keyboard_alone(page, server):
    """Filter by a theme and a region, open a finding in the report, then download the table's
    CSV, with the keyboard only, the focus drawn at every stop."""
    page.goto(server.url)
    wait_for_app(page)
    wait_for_map(page)
    stops = [tab_to(page, "Themes")]
    page.keyboard.type("Propag")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"theme=propaganda"))
    wait_for_app(page)
    stops.append(tab_to(page, "Region"))
    page.keyboard.type("Afghanistan")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"region=AF"))
    wait_for_app(page)
    expect(
        page.get_by_text(re.compile(r"^\d+ findings? · theme = Propaganda · region = Afghanistan$"))
    ).to_be_visible()
    stops.append(tab_to(page, "Open in report"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/reader\?.*finding="))
    wait_for_app(page)
    page.locator(".rd-focus").first.wait_for(timeout=30_000)
    stops.append(tab_to(page, "Findings table"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/table\?"))
    wait_for_app(page)
    assert download_by_keyboard(page, "CSV (spreadsheets)", stops).endswith(".csv")
    assert_focus_drawn(stops)
    screenshot(page, "keyboard-walk-table")


#: Whatever is cut off: the page wider than the window, or a control whose text is clipped.
CUT_OFF = """() => {
    const main = document.querySelector('[data-testid="stMain"]') || document.body;
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) out.push('page too wide');
    if (main.scrollWidth > main.clientWidth + 1) out.push('main area too wide');
    for (const e of document.querySelectorAll('button, a, [data-testid="stCaptionContainer"] p')) {
        const r = e.getBoundingClientRect(), s = getComputedStyle(e);
        // Hidden until focused, on purpose (Streamlit's "Skip to main content").
        if (r.width <= 2 || r.height <= 2 || s.clip !== 'auto' || s.clipPath !== 'none') continue;
        if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
            out.push('clipped: ' + e.innerText.slice(0, 60));
        for (const t of e.querySelectorAll('.stMarkdownEllipsis'))
            if (t.scrollWidth > t.clientWidth + 1)
                out.push('ellipsis: ' + t.innerText.slice(0, 60));
    }
    return out;
}"""

#: Window sizes, and 200 % zoom of a 1280x900 window (what the page gets: 640x450 CSS px).
SIZES = {
    "1280x720": (1280, 720),
    "1440x900": (1440, 900),
    "1920x1080": (1920, 1080),
    "zoom200": (640, 450),
}


@pytest.mark.parametrize("size", list(SIZES))
def test_nothing_is_cut_off_at_the_sizes_analysts_use(browser, server, size):
    width, height = SIZES[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for path in ("", "table", "reader", "briefing", "imports"):
            page.goto(f"{server.url}/{path}{STATES['filtered']}")
            wait_for_app(page)
            if path == "":
                wait_for_map(page)
            page.wait_for_function(SETTLED, timeout=30_000)
            assert page.evaluate(CUT_OFF) == [], (size, path)
            screenshot(page, f"size-{size}-{path or 'explorer'}")
    finally:
        context.close()


def test_a_briefing_by_keyboard_alone(page, server):
    """The briefing page: prepare the files and download the PDF, by Tab and Enter."""
    page.goto(f"{server.url}/briefing?theme=refugees")
    wait_for_app(page)
    stops = [tab_to(page, "Prepare the briefing files")]
    page.keyboard.press("Enter")
    page.get_by_role("button", name=re.compile(r"^Word")).wait_for(timeout=180_000)
    wait_for_app(page)
    assert download_by_keyboard(page, "PDF", stops).endswith(".pdf")
    assert_focus_drawn(stops)


def test_an_import_by_keyboard_alone_once_the_file_is_chosen(page, tmp_path):
    """The import page's own steps by Tab, typing and Enter: choose the kind the file lacks,
    import all rows, and read the result. The file itself is given to the file input as the
    browser's own file dialog would give it (that dialog is the browser's, not the page's)."""
    from tests.test_sheets import xlsx_sheet

    workbook = tmp_path / "field-log.xlsx"
    workbook.write_bytes(xlsx_sheet())
    server = start_server(tmp_path, env={"DASHBOARD_STORE": str(tmp_path / "store.sqlite3")})
    try:
        page.goto(f"{server.url}/imports")
        wait_for_app(page)
        stops = [tab_to(page, "Upload")]  # the findings file's button, reached by Tab
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(workbook)
        )
        page.get_by_text("Read as: Excel workbook").wait_for(timeout=30_000)
        wait_for_app(page)
        page.locator("body").focus()
        stops.append(tab_to(page, "Kind of every finding without one"))
        page.keyboard.type("Analysis")
        page.keyboard.press("Enter")
        page.get_by_text("3 row(s) read: 3 can be imported, 0 cannot.").wait_for(timeout=30_000)
        wait_for_app(page)
        stops.append(tab_to(page, "Import all rows"))
        page.keyboard.press("Enter")
        page.get_by_text("Imported 3 finding(s) from field-log.xlsx").wait_for(timeout=30_000)
        screenshot(page, "import-by-keyboard")
        assert_focus_drawn(stops)
    finally:
        stop_server(server)
