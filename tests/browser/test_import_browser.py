"""In real Chromium: an analyst uploads an .xlsx as analysts keep it (a README sheet, a title row,
headers in their own words, no kind or title column), confirms the suggested mapping with a kind
for the whole file, imports, and finds the rows on the map page."""

from __future__ import annotations

from tests.browser.conftest import external, screenshot, upload_findings, wait_for_app
from tests.browser.support import wait_for_map


def test_upload_confirm_mapping_with_defaults_and_find_on_map(
    tmp_path, page, monkeypatch, requests_seen
):
    from tests.browser.conftest import start_server, stop_server
    from tests.test_sheets import xlsx_sheet

    workbook = tmp_path / "field-log.xlsx"
    workbook.write_bytes(xlsx_sheet())
    monkeypatch.setenv("DASHBOARD_STORE", str(tmp_path / "analyst.sqlite3"))
    server = start_server(tmp_path)
    try:
        upload_findings(page, server, workbook)
        page.get_by_text("Read as: Excel workbook, sheet 'Findings 2017'").wait_for(timeout=30_000)
        wait_for_app(page)
        # The suggested mapping is shown; the file lacks a kind: choose one for every row.
        kind = page.locator('[data-testid="stSelectbox"]').filter(
            has_text="Kind of every finding without one"
        )
        kind.locator("input").first.click()
        page.get_by_role("option", name="Analysis", exact=True).click()
        page.get_by_text("3 row(s) read: 3 can be imported, 0 cannot.").wait_for(timeout=30_000)
        wait_for_app(page)
        screenshot(page, "import-mapping-with-defaults")
        page.get_by_role("button", name="Import all rows").click()
        page.get_by_text("Imported 3 finding(s) from field-log.xlsx").wait_for(timeout=30_000)
        page.goto(f"{server.url}/?region=PK-BA")
        wait_for_app(page)
        wait_for_map(page)
        assert 'id="card-k-1"' in page.content()
        assert "import #1: field-log.xlsx" in page.content()
        screenshot(page, "import-rows-on-the-map")
    finally:
        stop_server(server)
    assert external(requests_seen) == []
