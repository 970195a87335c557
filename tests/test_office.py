"""The briefing as a PowerPoint deck and a Word note: what a minister's office opens."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from briefing_support import make
from docx import Document
from pptx import Presentation
from pptx.util import Emu

from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.exports import briefing, office
from dashboard.exports.png import to_png
from dashboard.query.filters import Filters
from dashboard.views.map_data import prepare


@pytest.fixture(scope="module")
def item(corpus):
    filters = Filters(themes=("propaganda", "recruitment"))
    return make(
        corpus,
        filters,
        base_url="https://dashboard.example/",
        title="ISKP propaganda and recruitment",
        note="For the minister's office: read with the March assessment.",
    )


@pytest.fixture(scope="module")
def png(corpus, item):
    data = prepare(load_geometry(), load_context(), corpus.gazetteer)
    return to_png(item, data, corpus.gazetteer)


def slide_texts(slide) -> list[str]:
    return [s.text_frame.text for s in slide.shapes if s.has_text_frame]


def test_the_deck_has_title_map_findings_and_sources_with_the_marking_on_every_slide(item, png):
    deck = Presentation(io.BytesIO(office.to_pptx(item, png)))
    slides = list(deck.slides)
    assert len(slides) >= 4
    for slide in slides:
        assert slide_texts(slide).count("OFFICIAL-SENSITIVE") == 2  # top and bottom
    front = "\n".join(slide_texts(slides[0]))
    assert item.title in front and item.filters_text in front and item.dates in front
    assert slides[0].notes_slide.notes_text_frame.text == item.note
    [picture] = [s for s in slides[1].shapes if s.shape_type == 13]
    assert picture._element.nvPicPr.cNvPr.get("descr").startswith("Map of the findings by area")
    assert abs(picture.width / picture.height - 16 / 9) < 0.01  # its own aspect ratio
    assert slides[1].notes_slide.notes_text_frame.text == item.note
    text = "\n".join(t for s in slides[2:-1] for t in slide_texts(s))
    for finding in item.findings:
        assert f"“{finding.excerpt}”" in text and finding.citation in text
    assert "Source and caveats" in "\n".join(slide_texts(slides[-1]))


def test_findings_are_paged_so_that_no_slide_overflows(item):
    many = replace(item, findings=item.findings * 6, total=len(item.findings) * 6)
    pages = list(office.finding_pages(many.findings))
    assert sum(len(p) for p in pages) == len(many.findings)
    for page in pages:
        assert sum(office._quote_lines(f) for f in page) <= office.SLIDE_LINES or len(page) == 1


def test_every_text_box_of_the_deck_fits_its_slide(item, png):
    deck = Presentation(io.BytesIO(office.to_pptx(item, png)))
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height + Emu(1)


def test_the_note_has_words_headings_quotes_and_the_marking_in_header_and_footer(item, png):
    note = Document(io.BytesIO(office.to_docx(item, png)))
    section = note.sections[0]
    assert section.header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    assert section.footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    styles = [(p.style.name, p.text) for p in note.paragraphs]
    assert styles[0] == ("Title", item.title)
    assert ("Heading 1", "Key points") in styles
    bullets = [t for s, t in styles if s == "List Bullet"]
    assert bullets == [f.title for f in item.findings[: office.KEY_POINTS]]
    quotes = [t for s, t in styles if s == "Quote"]
    assert quotes == [f"“{f.excerpt}”" for f in item.findings]
    assert any(s == "Caption" and t.startswith("Figure 1.") for s, t in styles)
    assert any(item.dates == t for _, t in styles)
    descr = note.inline_shapes[0]._inline.docPr.get("descr")
    assert descr == office.map_alt_text(item)


def test_the_analysts_key_points_replace_the_prefilled_ones(item, png):
    note = Document(io.BytesIO(office.to_docx(item, png, points=["One", "Two"])))
    assert [p.text for p in note.paragraphs if p.style.name == "List Bullet"] == ["One", "Two"]


def test_an_empty_view_says_so_in_both(item, png):
    empty = replace(item, findings=(), total=0)
    deck = Presentation(io.BytesIO(office.to_pptx(empty, png)))
    assert any(briefing.NO_FINDINGS in t for s in deck.slides for t in slide_texts(s))
    note = Document(io.BytesIO(office.to_docx(empty, png)))
    assert briefing.NO_FINDINGS in [p.text for p in note.paragraphs]


def test_the_key_points_the_analyst_wrote_open_the_note(item, png):
    written = replace(item, key_points=("ISKP recruits from the TTP", "Watch Nangarhar"))
    note = Document(io.BytesIO(office.to_docx(written, png)))
    bullets = [p.text for p in note.paragraphs if p.style.name == "List Bullet"]
    assert bullets == ["ISKP recruits from the TTP", "Watch Nangarhar"]


@pytest.mark.parametrize(
    "title",
    [
        "x" * 2000,
        "<b>bold</b> **markdown** <script>alert(1)</script>",
        "د داعش خراسان ولایت · داعش خراسان کی موجودگی",  # Pashto, Urdu
        "ISKP 🚩 propaganda 📻",
    ],
    ids=["2000 characters", "markup", "right-to-left", "emoji"],
)
def test_hostile_titles_and_notes_stay_text_and_inside_their_boxes(item, png, title):
    hostile = replace(item, title=title, note=title, subtitle=title)
    deck = Presentation(io.BytesIO(office.to_pptx(hostile, png)))
    front = "\n".join(slide_texts(deck.slides[0]))
    shown = office.derive_title(title, office.TITLE_CHARS)
    assert shown in front and len(shown) <= office.TITLE_CHARS  # kept as text, cut to fit
    notes = deck.slides[0].notes_slide.notes_text_frame.text
    assert title in front or title in notes  # the whole of it is in the speaker notes
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.left + shape.width <= deck.slide_width
            assert shape.top + shape.height <= deck.slide_height + Emu(1)
    note = Document(io.BytesIO(office.to_docx(hostile, png)))
    assert note.paragraphs[0].text == shown  # the heading cut to fit, as on the title slide
    body = [p.text for p in note.paragraphs]
    assert title in body or f"Title in full: {title}" in body  # and the whole of it kept


# --- previews of the files, drawn from the files ---------------------------------------------


def _shown(html_text: str) -> str:
    """The text an HTML preview shows (tags dropped, entities read)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "\n", html_text))


def test_each_slide_preview_shows_that_slides_texts_and_pictures(item, png):
    from dashboard.exports import preview

    data = office.to_pptx(item, png)
    deck = Presentation(io.BytesIO(data))
    assert preview.slide_count(data) == len(deck.slides)
    for number, slide in enumerate(deck.slides, start=1):
        shown = preview.slide_html(data, number)
        text = _shown(shown)
        for paragraph in (
            p for s in slide.shapes if s.has_text_frame for p in s.text_frame.paragraphs
        ):
            assert paragraph.text in text, (number, paragraph.text)
        pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
        assert shown.count("<img ") == len(pictures)
    # The map slide's picture is the PNG itself, with its alt text.
    import base64

    assert base64.b64encode(png).decode()[:200] in preview.slide_html(data, 2)
    assert 'alt="Map of the findings by area' in preview.slide_html(data, 2)


def test_the_note_preview_opens_as_the_note_does(item, png):
    from dashboard.exports import preview

    data = office.to_docx(item, png)
    shown = preview.note_html(data)
    text = _shown(shown)
    assert text.count(item.marking) == 2  # header and footer
    lines = [line for line in text.split("\n") if line.strip()]
    assert lines[1] == item.title
    for point in office.key_points(item):
        assert f"•\xa0\xa0{point}" in text
    assert 'alt="Map of the findings by area' in shown


@pytest.mark.parametrize("hostile", ['<img src=x onerror="alert(1)">', "a\u202eb"])
def test_previews_show_hostile_text_as_text(item, png, hostile):
    from dashboard.exports import preview

    bad = replace(item, title=hostile, note=hostile, key_points=(hostile,))
    for shown in (
        preview.slide_html(office.to_pptx(bad, png), 1),
        preview.note_html(office.to_docx(bad, png)),
    ):
        assert "<img src=x" not in shown and "\u202e" not in shown
        assert "onerror=&quot;alert(1)&quot;" in shown or "⟨U+202E⟩" in shown


def test_the_link_to_the_view_opens_from_the_deck_and_the_note(item, png):
    """The view's link is a hyperlink in both files (a colleague clicks it), not only text."""
    deck = Presentation(io.BytesIO(office.to_pptx(item, png)))
    links = [
        run.hyperlink.address
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
        for run in paragraph.runs
        if run.hyperlink.address
    ]
    assert links == [item.permalink]
    note = Document(io.BytesIO(office.to_docx(item, png)))
    targets = [r.target_ref for r in note.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert targets == [item.permalink]
    assert any(p.text == f"Link to this view: {item.permalink}" for p in note.paragraphs)
    # With no public address there is no link at all (see dashboard.ui.links.app_base_url).
    unlinked = replace(item, permalink="")
    assert "Link to this view" not in "\n".join(
        p.text for p in Document(io.BytesIO(office.to_docx(unlinked, png))).paragraphs
    )
