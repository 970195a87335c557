"""Coding findings in the reader, in real Chromium: a passage selected with the mouse and another
with the keyboard become findings, quoted verbatim; both are found on the map page, one is
edited, a delete is undone, and they export as a sheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from dashboard.core.reports import Report
from dashboard.io.store import Store
from tests.browser.conftest import (
    download,
    external,
    screenshot,
    start_server,
    stop_server,
    wait_for_app,
)
from tests.pdf_support import pdf_with_pages

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "data/reports/hjs-2017-iskp/report.txt").read_text(encoding="utf-8")
MOUSE_WORDS = "ISKP emerged by attracting disaffected members of the Pakistani Taliban"

#: The page box of a phrase in the picker's text: its first and last characters' rectangles,
#: in the frame's coordinates.
PHRASE_BOX = """(words) => {
  const text = document.getElementById('text');
  const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
  let whole = '', nodes = [];
  while (walker.nextNode()) { nodes.push([walker.currentNode, whole.length]);
    whole += walker.currentNode.data; }
  const at = whole.indexOf(words);
  function point(offset) {
    for (let i = nodes.length - 1; i >= 0; i--) {
      if (nodes[i][1] <= offset) { return [nodes[i][0], offset - nodes[i][1]]; } }
  }
  function rect(offset) {
    const [node, inner] = point(offset); const r = document.createRange();
    r.setStart(node, inner); r.setEnd(node, inner + 1); return r.getBoundingClientRect();
  }
  const first = rect(at), last = rect(at + words.length - 1);
  return {x0: first.left + 1, y0: first.top + first.height / 2,
          x1: last.right - 1, y1: last.top + last.height / 2};
}"""


def picker_frame(page):
    page.locator("iframe[title*='passage_picker']").wait_for(timeout=30_000)
    for frame in page.frames:
        if "passage_picker" in frame.url:
            frame.wait_for_selector("#text [data-o]", timeout=30_000)
            return frame
    raise AssertionError("no passage picker frame")


def open_coding(page, url: str):
    page.goto(url)
    wait_for_app(page)
    toggle = page.get_by_text("Code findings: select a passage")
    toggle.click()
    wait_for_app(page)
    return picker_frame(page)


def import_report(page, server, path: Path, report_id: str, title: str) -> None:
    """Import the report text at *path* through the Import page, as a person does."""
    page.goto(f"{server.url}/imports")
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').nth(1).set_input_files(str(path))
    wait_for_app(page)
    page.get_by_label("Id (short, for links)").fill(report_id)
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Author(s)").fill("Test author")
    page.get_by_role("button", name="Check the report").click()
    wait_for_app(page)
    page.get_by_role("button", name="Import this report").click()
    wait_for_app(page)


def code_in(page, server, title: str):
    """Open the report *title* in the reader, with coding on; the picker's frame."""
    page.goto(f"{server.url}/reader")
    wait_for_app(page)
    page.get_by_role("combobox", name="Report to read").click()
    page.get_by_role("option", name=title).click()
    wait_for_app(page)
    page.get_by_text("Code findings: select a passage").click()
    wait_for_app(page)
    return picker_frame(page)


def select_by_keyboard(page, frame, *keys: str) -> None:
    """Into the picker's text, then *keys* (Shift and arrows select), then Enter to code it."""
    frame.locator("#text").focus()
    for key in keys:
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    wait_for_app(page)


def fill_and_save(page, title: str, theme: str, marking: str | None = None) -> str:
    """Fill in the new finding's title and a theme (and its marking, when sign-in is on), save
    it, and return its id."""
    form = page.locator(".st-key-coding_new_finding")
    form.get_by_role("heading", name="New finding").wait_for(timeout=30_000)
    form.get_by_label("Title").fill(title)
    form.get_by_label("Title").press("Tab")
    wait_for_app(page)
    chosen = form.get_by_test_id("stMultiSelect").filter(has_text="Themes of the finding")
    if chosen.get_by_text(theme, exact=True).count() == 0:  # not suggested already
        themes = form.get_by_role("combobox", name="Themes of the finding")
        themes.click()
        themes.press_sequentially(theme)
        page.get_by_role("option", name=theme, exact=True).wait_for()
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        wait_for_app(page)
    if marking is not None:
        form.get_by_role("combobox", name="Protective marking").click()
        page.get_by_role("option", name=marking, exact=True).click()
        wait_for_app(page)
    form.get_by_role("button", name="Save the finding").click()
    page.wait_for_url("**finding=*-c*", timeout=30_000)
    wait_for_app(page)
    return page.url.split("finding=")[1].split("&")[0]


def test_code_findings_by_mouse_and_keyboard_then_edit_undo_and_export(tmp_path, page):
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    store_path = tmp_path / "store.sqlite3"
    server = start_server(tmp_path, env={"DASHBOARD_STORE": str(store_path)})
    try:
        frame = open_coding(page, f"{server.url}/reader")
        screenshot(page, "coding-open")

        # 1. With the mouse: drag across a sentence.
        picker = page.locator("iframe[title*='passage_picker']")
        picker.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        box = frame.evaluate(PHRASE_BOX, MOUSE_WORDS)
        offset = picker.bounding_box()
        page.mouse.move(offset["x"] + box["x0"], offset["y"] + box["y0"])
        page.mouse.down()
        page.mouse.move(offset["x"] + box["x1"], offset["y"] + box["y1"], steps=12)
        page.mouse.up()
        expect(frame.locator("#status")).to_contain_text(f"{len(MOUSE_WORDS)} characters")
        frame.locator("#code").click()
        wait_for_app(page)
        mouse_id = fill_and_save(page, "Origins in the Pakistani Taliban", "Recruitment")
        screenshot(page, "coding-saved-by-mouse")

        # Nested in a finding of the report: a click on it offers both, and opens either.
        frame = picker_frame(page)
        nested = frame.locator(f'.rd-hl[data-ids~="{mouse_id}"][data-ids*=" "]').first
        (outer_id,) = set(nested.get_attribute("data-ids").split()) - {mouse_id}
        nested.click()
        choices = page.locator(".st-key-coding_open_choices")
        expect(choices).to_contain_text("This passage belongs to 2 findings", timeout=30_000)
        expect(choices.get_by_role("button", name=f"({mouse_id})")).to_be_visible()
        choices.get_by_role("button", name=f"({outer_id})").click()
        page.wait_for_url(f"**finding={outer_id}*", timeout=30_000)
        wait_for_app(page)

        # 2. With the keyboard alone: into the text, to the start of a line, Shift+arrows.
        frame = picker_frame(page)
        select_by_keyboard(
            page, frame, "Control+Home", *["ArrowDown"] * 6, "Home", *["Shift+ArrowRight"] * 24
        )
        keyboard_id = fill_and_save(page, "Coded by keyboard", "Ideology")
        screenshot(page, "coding-saved-by-keyboard")

        store = Store(store_path)
        stored = store.findings().set_index("id")
        assert set(stored.index) == {mouse_id, keyboard_id}
        for finding_id in (mouse_id, keyboard_id):
            row = stored.loc[finding_id]
            assert TEXT[row["start"] : row["end"]] == row["excerpt"]  # verbatim, offsets and all
        assert stored.loc[mouse_id, "excerpt"] == MOUSE_WORDS

        # 3. Both are on the map page.
        page.goto(f"{server.url}/?q=Coded%20by%20keyboard")
        wait_for_app(page)
        expect(page.locator(f"#card-{keyboard_id}")).to_be_visible(timeout=30_000)
        page.goto(f"{server.url}/?theme=recruitment")
        wait_for_app(page)
        expect(page.locator(f"#card-{mouse_id}")).to_be_attached(timeout=30_000)

        # 4. Edit one.
        page.goto(f"{server.url}/reader?finding={keyboard_id}")
        wait_for_app(page)
        page.get_by_text("Edit this coded finding").click()
        title = page.get_by_label("Title")
        title.fill("Coded by keyboard, edited")
        title.press("Tab")
        wait_for_app(page)
        page.get_by_role("button", name="Save the changes").click()
        wait_for_app(page)
        expect(page.get_by_text("Saved version 2")).to_be_visible(timeout=30_000)
        assert [v.action for v in store.finding_history(keyboard_id)] == ["created", "edited"]

        # 5. Delete it, and undo.
        page.get_by_role("button", name="Delete this finding").click()
        wait_for_app(page)
        page.get_by_role("button", name=f"Undo: bring back {keyboard_id}").click()
        wait_for_app(page)
        assert keyboard_id in set(store.findings()["id"])
        assert store.findings().set_index("id").loc[keyboard_id, "title"] == (
            "Coded by keyboard, edited"
        )
        screenshot(page, "coding-undone")

        # 6. Export them as a sheet.
        page.goto(f"{server.url}/imports")
        wait_for_app(page)
        screenshot(page, "coding-export")
        sheet = download(page, "Export its findings (CSV)")
        rows = list(csv.DictReader(io.StringIO(Path(sheet.path()).read_text(encoding="utf-8"))))
        assert {r["id"] for r in rows} == {mouse_id, keyboard_id}
        assert all(TEXT[int(r["start"]) : int(r["end"])] == r["excerpt"] for r in rows)
    finally:
        stop_server(server)
    assert external(seen) == []


def test_a_pdf_report_imported_then_coded_by_its_words_is_cited_by_page(tmp_path, page):
    """A new user's path: import a PDF report, find a passage on its second page by its words
    (the keyboard's way), save it, and read its citation with the page."""
    pdf = tmp_path / "three-pages.pdf"
    pdf.write_bytes(
        pdf_with_pages(
            [
                "Opening page of the test report.",
                "Refugees crossed into Pakistan in large numbers.",
                "Closing page of the test report.",
            ]
        )
    )
    store_path = tmp_path / "store.sqlite3"
    server = start_server(tmp_path, env={"DASHBOARD_STORE": str(store_path)})
    try:
        import_report(page, server, pdf, "test-pdf", "A three-page test report")
        assert Store(store_path).reports()["test-pdf"].page_starts[1] > 0
        code_in(page, server, "A three-page test report")
        finder = page.get_by_role("textbox", name="Or find the passage by its words")
        finder.fill("crossed into Pakistan")
        finder.press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="Code this passage").click()
        wait_for_app(page)
        form = page.locator(".st-key-coding_new_finding")
        expect(form).to_contain_text("p. 2")
        finding_id = fill_and_save(page, "Crossings into Pakistan", "Refugees")
        card = page.locator(f"#card-{finding_id}")
        expect(card).to_contain_text("p. 2")
        expect(card).to_contain_text("crossed into Pakistan")
        screenshot(page, "coding-pdf-report-cited-by-page")
        stored = Store(store_path).findings().set_index("id").loc[finding_id]
        assert stored["excerpt"] == "crossed into Pakistan" and stored["page"] == 2
        assert tuple(stored["regions"]) == ("PK",)  # the region the passage names, suggested

        # A text with Windows line endings: the keyboard's selection of its last line is that
        # line, every CR before it counted.
        # (Stored as the Import page stores it: that page's own path is walked above.)
        Store(store_path).import_report(
            Report(
                "crlf",
                "Windows line endings",
                "Test author",
                "First line of notes\r\nSecond line\r\nThe last line is the quote",
                "full text",
            ),
            file_name="windows-lines.txt",
        )
        frame = code_in(page, server, "Windows line endings")
        select_by_keyboard(page, frame, "Control+End", "Shift+Home")
        form = page.locator(".st-key-coding_new_finding")
        expect(form).to_contain_text("The last line is the quote", timeout=30_000)
        last_line = fill_and_save(page, "The last line", "Ideology")
        stored = Store(store_path).findings().set_index("id").loc[last_line]
        assert stored["excerpt"] == "The last line is the quote"
    finally:
        stop_server(server)
