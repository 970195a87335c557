"""The dashboard in real Chromium against a real `streamlit run`: the map is drawn, a click on it
filters the list, deep links work on a fresh server, and nothing is fetched from off the machine."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
from PIL import Image
from playwright.sync_api import expect

from dashboard.io.store import Store
from tests.browser.conftest import (
    SHOTS,
    download,
    external,
    screenshot,
    upload_findings,
    wait_for_app,
)
from tests.browser.support import MAP, MAP_LABELS, click_map, wait_for_map


def map_colours(page) -> int:
    """Distinct colours inside the map (a blank map has one or two)."""
    box = page.locator(f"{MAP} .geolayer").first.bounding_box()
    shot = page.screenshot(clip=box)
    image = Image.open(io.BytesIO(shot)).convert("RGB").resize((200, 140))
    return len(set(image.tobytes()[i : i + 3] for i in range(0, 200 * 140 * 3, 3)))


def card_ids(page) -> set[str]:
    return set(re.findall(r'id="card-([^"]+)"', page.content()))


def summary_line(page):
    """The sentence that states the view: "9 findings · theme = ..."."""
    return (
        page.locator('[data-testid="stMarkdown"] strong')
        .filter(has_text=re.compile(r"^\d+ findings? · "))
        .first
    )


def summary(page) -> str:
    return summary_line(page).inner_text()


def shows_view(page, text: str) -> None:
    """Wait until the summary line states *text* (a rerun may still be on its way)."""
    expect(summary_line(page)).to_contain_text(text, timeout=30_000)


def test_map_is_drawn_and_nothing_leaves_the_machine(server, page, requests_seen):
    page.goto(server.url)
    wait_for_app(page)
    wait_for_map(page)
    assert map_colours(page) > 8, "the map looks blank"
    assert "23 findings" in summary(page)
    screenshot(page, "explorer")
    assert external(requests_seen) == []


def test_click_on_pakistan_filters_the_list(server, page, corpus, requests_seen):
    page.goto(server.url)
    wait_for_app(page)
    wait_for_map(page)
    click_map(page, 69.3, 27.5)  # in Pakistan (Sindh), where no finding names a province
    # Feedback at once, in the browser: the other areas fade before the rerun comes back.
    faded = page.evaluate(
        """() => [...document.querySelectorAll(
                '[data-testid="stPlotlyChart"] .choroplethlocation')]
            .filter(p => Math.abs(parseFloat(getComputedStyle(p).opacity) - 0.35) < 0.01)
            .length"""
    )
    assert faded > 0
    page.wait_for_function("() => window.location.search.includes('region=PK')", timeout=15_000)
    wait_for_app(page)
    wanted = {f.id for f in corpus.findings.itertuples() if "PK" in f.regions}
    assert summary(page).startswith(f"{len(wanted)} finding")
    assert "region = Pakistan" in summary(page)
    assert card_ids(page) <= wanted and card_ids(page)
    wait_for_map(page)
    screenshot(page, "explorer-pakistan-clicked")
    # Clicking the chosen area again clears the choice.
    click_map(page, 69.3, 27.5)
    page.wait_for_function("() => !window.location.search.includes('region=')", timeout=15_000)
    wait_for_app(page)
    assert summary(page).startswith("23 findings")
    assert external(requests_seen) == []


def _overlapping(boxes: list) -> list[tuple[str, str]]:
    return [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]
    ]


#: Records each shape a click outlines in the page (``data-clicked``), with whether the chart
#: already had the rerun's "chosen area" outline at that moment.
CLICK_OUTLINES = """() => {
    window.__clickOutlines = [];
    new MutationObserver(changes => changes.forEach(c => {
        if (c.attributeName === 'data-clicked' && c.target.getAttribute('data-clicked')) {
            const gd = c.target.closest('.js-plotly-plot');
            window.__clickOutlines.push([c.target.__data__.loc,
                gd.data.some(t => t.name === 'chosen area')]);
        }
    })).observe(document.body, {attributes: true, subtree: true});
}"""


def test_labels_as_drawn_never_overlap_and_a_click_outlines_the_area(
    tmp_path, page, monkeypatch, gazetteer
):
    """With every province of both countries named (the most labels the map can have), no two
    names drawn by the browser overlap; a click outlines the chosen area at once, in the page,
    and the rerun outlines it for good."""
    import csv
    import subprocess
    import sys

    from tests.browser.conftest import start_server, stop_server

    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "analyst.sqlite3"))
    provinces = [r for r in gazetteer if r.level == "province"]
    findings = tmp_path / "every-province.csv"
    with open(findings, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Report", "Type", "Headline", "Quote", "Theme", "Place"])
        for number, region in enumerate(provinces):
            writer.writerow(
                [
                    f"every-{number}",
                    "hjs-2017-iskp",
                    "Analysis",
                    f"Named {region.name}",
                    "deploying mobile radio broadcasting and social media",
                    "Propaganda",
                    region.code,
                ]
            )
    subprocess.run(
        [sys.executable, "-m", "dashboard", "import", str(findings)], check=True, timeout=120
    )
    server = start_server(tmp_path)
    try:
        page.goto(f"{server.url}/?theme=propaganda")
        wait_for_app(page)
        wait_for_map(page)
        boxes = page.evaluate(MAP_LABELS)
        assert sum(text.endswith("(1)") for text, *_ in boxes) >= 10, boxes
        assert _overlapping(boxes) == [], boxes
        screenshot(page, "explorer-every-province")
        page.evaluate(CLICK_OUTLINES)
        click_map(page, 69.3, 27.5)  # in Sindh
        page.wait_for_function(
            "() => window.location.search.includes('region=PK-SD')", timeout=15_000
        )
        wait_for_map(page)
        outlined = page.evaluate(
            """() => {
            const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            return gd.data.filter(t => t.name === 'chosen area').length;
        }"""
        )
        assert outlined == 1
        # The click outlined Sindh in the page at once, before the rerun drew its outline.
        early = page.evaluate("() => window.__clickOutlines")
        assert [loc for loc, chosen in early if not chosen] == ["PK-SD"], early
        assert _overlapping(page.evaluate(MAP_LABELS)) == []
    finally:
        stop_server(server)


def test_each_page_renders_with_the_filters_of_the_link(server, page, requests_seen):
    for name, path in (("table", "/table"), ("reader", "/reader")):
        page.goto(f"{server.url}{path}?theme=propaganda")
        wait_for_app(page)
        assert "theme = Propaganda" in summary(page)
        screenshot(page, name)
    page.goto(f"{server.url}/reader?finding=hjs2017-ko-05")
    wait_for_app(page)
    focused = page.locator("#f-hjs2017-ko-05")
    focused.wait_for()
    page.wait_for_timeout(1000)
    box = focused.bounding_box()
    assert box and 0 <= box["y"] <= 1000, "the focused finding is scrolled into view"
    screenshot(page, "reader-focused")
    assert external(requests_seen) == []


def test_filters_survive_a_page_switch(server, page):
    page.goto(f"{server.url}/?theme=refugees")
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Findings table").click()
    wait_for_app(page)
    page.wait_for_function("() => window.location.pathname.endsWith('/table')")
    wait_for_app(page)
    assert "theme = Refugees" in summary(page)
    assert "theme=refugees" in page.url


def test_deep_link_first_on_a_fresh_server(fresh_server, page, requests_seen):
    page.goto(f"{fresh_server.url}/table?theme=refugees&region=PK")
    wait_for_app(page)
    assert "1 finding · theme = Refugees · region = Pakistan" in summary(page)
    assert page.get_by_text("Findings in view by theme and region named").count() == 1
    page.get_by_test_id("stSidebar").get_by_role("link", name="Import").wait_for()
    menu = page.get_by_test_id("stSidebar").get_by_role("link").all_inner_texts()
    # The audit log is listed for the local analyst, who administers their own laptop.
    assert menu == [
        "Map explorer",
        "Findings table",
        "Report reader",
        "Briefing export",
        "Import",
        "Audit log",
    ]
    screenshot(page, "deep-link-fresh-server")
    # From there, the menu leads on with the filters kept.
    page.get_by_test_id("stSidebar").get_by_role("link", name="Map explorer").click()
    wait_for_app(page)
    wait_for_map(page)
    assert "1 finding · theme = Refugees · region = Pakistan" in summary(page)
    assert map_colours(page) > 8
    assert external(requests_seen) == []


def test_download_csv(server, page, _private_store):
    page.goto(f"{server.url}/table?theme=refugees")
    wait_for_app(page)
    made = download(page, "CSV (spreadsheets)")
    data = Path(made.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"hjs2017-ko-08" in data
    # The download is in the audit log, with the link that reproduces what it held.
    (line,) = Store(_private_store).audit_log(actions=("export",), limit=1)
    assert line.detail["format"] == "csv" and line.detail["link"] == "/table?theme=refugees"
    assert line.detail["file"] == made.suggested_filename
    assert line.detail["findings"] == len(pd.read_csv(io.BytesIO(data))) > 0


def test_briefing_from_the_map(server, page, requests_seen, _private_store):
    """Filter to propaganda on the map page, open the briefing, download the PNG and the PDF."""
    page.goto(server.url)
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.click()
    page.get_by_role("option", name=re.compile(r"^Propaganda")).click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => window.location.search.includes('theme=propaganda')")
    wait_for_app(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Briefing export").click()
    page.wait_for_function("() => window.location.pathname.endsWith('/briefing')")
    wait_for_app(page)
    assert "theme = Propaganda" in summary(page)
    page.get_by_role("button", name="Prepare the briefing files").click()
    # Rendering starts Chromium for kaleido the first time (slow on a busy machine): wait for
    # the download buttons (the PNG's shows first, the Word note's last), or for the export's
    # error, whichever comes.
    done = page.get_by_role("button", name=re.compile(r"^Word")).or_(
        page.get_by_test_id("stAlertContentError")
    )
    done.first.wait_for(timeout=180_000)
    errors = page.get_by_test_id("stAlertContentError")
    assert errors.count() == 0, errors.first.inner_text()
    wait_for_app(page)
    screenshot(page, "briefing")
    saved = {}
    for label, suffix in (
        (r"^PNG", ".png"),
        (r"^PDF", ".pdf"),
        (r"^PowerPoint", ".pptx"),
        (r"^Word", ".docx"),
    ):
        with page.expect_download() as info:
            page.get_by_role("button", name=re.compile(label)).click()
        target = SHOTS / f"briefing-propaganda{suffix}"
        info.value.save_as(str(target))
        saved[suffix] = target.read_bytes()
    assert saved[".png"].startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(saved[".png"])).size == (3200, 1800)
    assert saved[".pdf"].startswith(b"%PDF")
    assert saved[".pptx"].startswith(b"PK") and saved[".docx"].startswith(b"PK")  # Office zips
    logged = Store(_private_store).audit_log(actions=("export",), limit=4)
    assert [line.detail["format"] for line in logged] == ["docx", "pptx", "pdf", "png"]
    assert all(line.detail["link"] == "/briefing?theme=propaganda" for line in logged)
    assert external(requests_seen) == []


def test_import_then_restart(tmp_path, page, monkeypatch, requests_seen):
    """An analyst uploads a spreadsheet with a bad row, imports the good one, finds it on the map
    page with its provenance, restarts the app, and it is still there."""
    from openpyxl import Workbook

    from tests.browser.conftest import start_server, stop_server

    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "analyst.sqlite3"))
    book = Workbook()
    sheet = book.active
    sheet.append(["ID", "Report", "Type", "Headline", "Quote", "Theme", "Place"])
    sheet.append(
        [
            "mine-1",
            "hjs-2017-iskp",
            "Analysis",
            "Radio reaches youth",
            "deploying mobile radio broadcasting and social media",
            "Propaganda",
            "Afghanistan",
        ]
    )
    sheet.append(
        [
            "mine-2",
            "hjs-2017-iskp",
            "Analysis",
            "Misquoted",
            "radio and television",
            "Propaganda",
            "Afghanistan",
        ]
    )
    workbook = tmp_path / "my-findings.xlsx"
    book.save(workbook)

    server = start_server(tmp_path)
    try:
        upload_findings(page, server, workbook)
        page.get_by_text("2 row(s) read: 1 can be imported, 1 cannot.").wait_for(timeout=30_000)
        wait_for_app(page)
        screenshot(page, "import-problems")
        page.get_by_role("button", name="Import only the 1 valid row(s)").click()
        page.get_by_text("Imported 1 finding(s) from my-findings.xlsx").wait_for(timeout=30_000)
        page.goto(f"{server.url}/?q=mobile%20radio")
        wait_for_app(page)
        assert "mine-1" in card_ids(page)
        assert "import #1: my-findings.xlsx" in page.content()
    finally:
        stop_server(server)

    server = start_server(tmp_path)
    try:
        page.goto(f"{server.url}/reader?finding=mine-1")
        wait_for_app(page)
        page.locator("#f-mine-1").wait_for()
        screenshot(page, "import-after-restart-reader")
    finally:
        stop_server(server)
    assert external(requests_seen) == []


def choose(page, label: str, option: str, typed: str | None = None) -> None:
    """Pick *option* in the sidebar widget labelled *label* (multiselect or selectbox), typing
    *typed* into it first when given, as a person searching the list would."""
    widget = (
        page.get_by_test_id("stSidebar")
        .locator('[data-testid="stMultiSelect"], [data-testid="stSelectbox"]')
        .filter(has_text=label)
    )
    widget.first.locator("input").first.click()
    if typed:
        page.keyboard.type(typed)
    page.get_by_role("option", name=option, exact=True).click()
    if label != "Region":  # a multiselect stays open; a selectbox closes by itself
        page.keyboard.press("Escape")
    wait_for_app(page)


def test_filters_add_up(server, page):
    """Each choice in the sidebar adds to the others; none is silently dropped."""
    page.goto(server.url)
    wait_for_app(page)
    choose(page, "Themes", "Propaganda")
    # The picker finds a region by its code too: typing AFG offers Afghanistan.
    choose(page, "Region", "Afghanistan · AFG · AF", typed="AFG")
    choose(page, "Actors", "ISKP")
    shows_view(page, "theme = Propaganda · region = Afghanistan · actor = ISKP")
    assert summary(page).endswith("theme = Propaganda · region = Afghanistan · actor = ISKP")
    choose(page, "Themes", "Recruitment")
    shows_view(page, "theme = Propaganda or Recruitment · region = Afghanistan · actor = ISKP")
    page.get_by_test_id("stSidebar").get_by_text("Also findings naming a wider region").click()
    shows_view(
        page,
        "theme = Propaganda or Recruitment · region = Afghanistan (and wider regions "
        "containing it) · actor = ISKP",
    )
    screenshot(page, "filters-add-up")


def test_open_in_report_focuses_the_finding(server, page):
    page.goto(f"{server.url}/?region=PK&theme=refugees")
    wait_for_app(page)
    page.get_by_role("link", name="Open in report").first.click()
    page.wait_for_function("() => window.location.pathname.endsWith('/reader')")
    wait_for_app(page)
    page.locator("#f-hjs2017-ko-08.rd-focus").wait_for(timeout=15_000)
    assert "finding=hjs2017-ko-08" in page.url and "region=PK" in page.url
    assert "1 finding · theme = Refugees · region = Pakistan" in summary(page)


def test_a_cards_citation_opens_to_copy(server, page):
    """The citation of a card opens from its button (here by the keyboard) with the report,
    the finding and its quote; closed, no card draws it (nor loads the code highlighter)."""
    page.goto(f"{server.url}/?region=PK&theme=refugees")
    wait_for_app(page)
    code = page.locator('[data-testid="stCode"]')
    expect(code).to_have_count(0)
    button = page.get_by_role("button", name="Copy citation").first
    button.focus()
    page.keyboard.press("Enter")
    expect(code).to_have_count(1)
    text = code.first.inner_text()
    assert "Henry Jackson Society" in text and "Finding hjs2017-ko-08" in text
    # Streamlit's copy button, shown on hover; the keyboard's next stop is the citation itself.
    expect(page.locator('button[aria-label="Copy to clipboard"]')).to_have_count(1)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused.startswith("Sarah Ashraf") and "Finding hjs2017-ko-08" in focused
    screenshot(page, "card-citation-open")
    page.keyboard.press("Escape")
    expect(code).to_have_count(0)
