"""An analyst imports a sheet of findings dated over three years, drags across the timeline, and
the summary, the cards and the link follow; the link reproduces the view."""

from __future__ import annotations

import csv
import re

from playwright.sync_api import expect

from dashboard.core.corpus import load_corpus
from tests.browser.conftest import external, screenshot, start_server, stop_server, wait_for_app

#: Dates given in turn to the bundled excerpts (generated test data, never shown as the
#: report's): months of 2015, 2016 and 2017.
MONTHS = [f"{year}-{month:02d}" for year in (2015, 2016, 2017) for month in (2, 5, 8, 11)]


def dated_sheet(path) -> int:
    corpus = load_corpus()
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["Finding ID", "Kind", "Quote", "Theme(s)", "Date"])
        for n, month in enumerate(MONTHS):
            row = corpus.findings.iloc[n % len(corpus.findings)]
            out.writerow(
                [f"dated-{n:02d}", "analysis", row["excerpt"], ";".join(row["themes"]), month]
            )
    return len(MONTHS)


def cards(page) -> list[str]:
    return page.locator('[id^="card-"]').evaluate_all("els => els.map(e => e.id)")


def summary(page) -> str:
    return (
        page.locator('[data-testid="stMarkdown"] strong')
        .filter(has_text=re.compile(r"^\d+ findings? · "))
        .first.inner_text()
    )


def test_a_drag_across_the_timeline_narrows_the_view_and_the_link_keeps_it(
    tmp_path, page, monkeypatch, requests_seen
):
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "dated.sqlite3"))
    sheet = tmp_path / "dated.csv"
    rows = dated_sheet(sheet)
    server = start_server(tmp_path)
    try:
        page.goto(f"{server.url}/imports")
        wait_for_app(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
            str(sheet)
        )
        page.get_by_role("button", name="Import all rows").click()
        expect(page.get_by_text(f"Imported {rows} finding(s) from dated.csv")).to_be_visible(
            timeout=60_000
        )
        page.goto(server.url)
        wait_for_app(page)
        total = int(summary(page).split()[0])
        timeline = page.locator(".js-plotly-plot").filter(has=page.locator(".barlayer")).first
        timeline.scroll_into_view_if_needed()
        screenshot(page, "timeline-before")
        area = timeline.locator(".nsewdrag").first.bounding_box()
        # Months of 2015 to 2017: drag across the first third (2015).
        y = area["y"] + area["height"] * 0.6
        page.mouse.move(area["x"] + area["width"] * 0.02, y)
        page.mouse.down()
        page.mouse.move(area["x"] + area["width"] * 0.15, y, steps=6)
        page.mouse.move(area["x"] + area["width"] * 0.30, y, steps=6)
        page.mouse.up()
        page.wait_for_function("() => window.location.search.includes('from=2015')")
        wait_for_app(page)
        line = summary(page)
        shown = int(line.split()[0])
        assert re.search(r" · (\w{3}–)?\w{3} 2015$| · 2015$", line), line  # "Feb–Dec 2015"
        assert 0 < shown < total
        # The cards follow: only findings of 2015 (the bundled ones are of 2017).
        of_2015 = {f"card-dated-{n:02d}" for n, m in enumerate(MONTHS) if m.startswith("2015")}
        assert set(cards(page)) <= of_2015 and len(cards(page)) == shown, cards(page)
        screenshot(page, "timeline-dragged")
        # The link reproduces the view in a new page.
        link = page.url
        page.goto(link)
        wait_for_app(page)
        assert summary(page) == line
        assert external(requests_seen) == []
    finally:
        stop_server(server)
