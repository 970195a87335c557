"""The briefing as Office files: a PowerPoint deck (python-pptx) and a Word briefing note
(python-docx), made from the same :class:`~dashboard.exports.briefing.Briefing` value and slide
image as the PNG and the PDF.

Both use the programs' own structures, so an office's template can restyle them: the deck's
slides carry the marking at their top and bottom, the analyst's note in the speaker notes and
alt text on the map; the note uses Word's Title, Heading, List Bullet, Quote and Caption styles
and the marking in every page's header and footer. Pure functions, bytes out; nothing is
fetched.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm as DocMm
from docx.shared import Pt as DocPt
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard.core.row_checks import derive_title
from dashboard.exports.briefing import (
    BOUNDARY_CAVEAT,
    NO_FINDINGS,
    PLACEMENT_CAVEAT,
    PNG_HEIGHT,
    PNG_WIDTH,
    Briefing,
    BriefingFinding,
)
from dashboard.exports.png import map_panel

#: The deck's page: 16:9, 13.333 x 7.5 inches.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
#: Lines of text a findings slide holds at its font size (quote lines counted by characters).
SLIDE_LINES = 24
#: Characters on one line of a quote across the slide at 14 pt.
QUOTE_CHARS = 120
#: Characters of a title or subtitle the title slide shows (the whole is in its speaker notes).
TITLE_CHARS = 160
#: Width of the note's map figure: with the title and key points it keeps to the first page.
MAP_WIDTH_MM = 130
#: Key points the note is pre-filled with (the findings' titles), at most.
KEY_POINTS = 5
GREY = RGBColor(0x44, 0x44, 0x44)


def map_alt_text(item: Briefing) -> str:
    """What the map shows, for a screen reader: the counts by area and the view's filters."""
    areas = "; ".join(f"{name} {n}" for name, n in item.areas) or "no area named"
    return f"Map of the findings by area ({item.filters_text}). Findings naming each area: {areas}."


# --- PowerPoint ------------------------------------------------------------------------------


def _text_box(slide, left, top, width, height, lines: Sequence[tuple[str, int, bool]], align=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    for number, (text, size, bold) in enumerate(lines):
        paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
        paragraph.text = text
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        if align is not None:
            paragraph.alignment = align
    return box


def _marking(slide, marking: str) -> None:
    """The protective marking, centred at the top and the bottom of the slide."""
    if not marking:
        return
    for top in (Inches(0.1), SLIDE_HEIGHT - Inches(0.45)):
        box = _text_box(
            slide,
            MARGIN,
            top,
            SLIDE_WIDTH - 2 * MARGIN,
            Inches(0.35),
            [(marking, 12, True)],
            PP_ALIGN.CENTER,
        )
        box.name = "Marking"


def _notes(slide, text: str) -> None:
    if text:
        slide.notes_slide.notes_text_frame.text = text


def _quote_lines(finding: BriefingFinding) -> int:
    """Lines one finding takes on a findings slide: title, quote, citation and a gap."""
    quote = len(finding.excerpt) + 2
    return 1 + max(1, -(-quote // QUOTE_CHARS)) + 1 + 1


def finding_pages(findings: Sequence[BriefingFinding], lines: int = SLIDE_LINES):
    """The findings split into slides that each hold at most *lines* lines (a finding longer
    than a slide has one to itself)."""
    page: list[BriefingFinding] = []
    used = 0
    for finding in findings:
        need = _quote_lines(finding)
        if page and used + need > lines:
            yield page
            page, used = [], 0
        page.append(finding)
        used += need
    if page:
        yield page


def to_pptx(item: Briefing, png: bytes) -> bytes:
    """The briefing as a deck: a title slide, the map slide, then the findings, paged."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    width = SLIDE_WIDTH - 2 * MARGIN

    title = deck.slides.add_slide(blank)
    _marking(title, item.marking)
    lines = [(derive_title(item.title, TITLE_CHARS), 36 if len(item.title) <= 60 else 24, True)]
    if item.subtitle:
        lines.append((derive_title(item.subtitle, TITLE_CHARS), 18, False))
    lines += [("", 12, False), (item.filters_text, 16, False)]
    if item.dates:
        lines.append((item.dates, 14, False))
    lines.append((f"Exported {item.exported}", 14, False))
    _text_box(title, MARGIN, Inches(2.0), width, Inches(4.5), lines)
    long = [t for t in (item.title, item.subtitle) if len(t) > TITLE_CHARS]
    _notes(title, "\n\n".join([*long, item.note]).strip())

    picture = deck.slides.add_slide(blank)
    _marking(picture, item.marking)
    top = Inches(0.55)
    height = int(SLIDE_HEIGHT - 2 * top)  # the image keeps its aspect ratio
    image_width = int(height * PNG_WIDTH / PNG_HEIGHT)
    if image_width > width:
        image_width = int(width)
        height = int(width * PNG_HEIGHT / PNG_WIDTH)
    left = Emu(int((SLIDE_WIDTH - image_width) / 2))
    shape = picture.shapes.add_picture(io.BytesIO(png), left, top, Emu(image_width), Emu(height))
    shape.name = "Map of the findings"
    shape._element.nvPicPr.cNvPr.set("descr", map_alt_text(item))
    _notes(picture, item.note)

    if not item.findings:
        empty = deck.slides.add_slide(blank)
        _marking(empty, item.marking)
        _text_box(empty, MARGIN, Inches(1), width, Inches(1), [(NO_FINDINGS, 24, True)])
    pages = list(finding_pages(item.findings))
    for number, page in enumerate(pages, start=1):
        slide = deck.slides.add_slide(blank)
        _marking(slide, item.marking)
        heading = f"Findings ({item.total:,})" + (
            f", {number} of {len(pages)}" if len(pages) > 1 else ""
        )
        lines = [(heading, 22, True)]
        for finding in page:
            lines += [
                (finding.title, 14, True),
                (f"“{finding.excerpt}”", 14, False),
                (
                    f"{finding.citation} · {', '.join(finding.regions) or 'no place named'}",
                    11,
                    False,
                ),
            ]
        box = _text_box(slide, MARGIN, Inches(0.55), width, SLIDE_HEIGHT - Inches(1.1), lines)
        for paragraph in box.text_frame.paragraphs[3::3]:
            paragraph.font.color.rgb = GREY
    if item.left_out:
        last = deck.slides[-1]
        _text_box(
            last,
            MARGIN,
            SLIDE_HEIGHT - Inches(0.9),
            width,
            Inches(0.4),
            [(f"… and {item.left_out:,} more findings in this view, not shown here.", 11, False)],
        )

    sources = deck.slides.add_slide(blank)
    _marking(sources, item.marking)
    lines = [("Source and caveats", 22, True), (item.source_line, 14, False)]
    lines += [(f"Filters: {item.filters_text}", 14, False)]
    if item.dates:
        lines.append((item.dates, 14, False))
    lines += [(BOUNDARY_CAVEAT, 14, False), (PLACEMENT_CAVEAT, 14, False)]
    if item.permalink:
        lines.append(("Link to this view: ", 12, False))
    box = _text_box(sources, MARGIN, Inches(0.6), width, SLIDE_HEIGHT - Inches(1.2), lines)
    if item.permalink:  # a link that opens, not only its words
        run = box.text_frame.paragraphs[-1].add_run()
        run.text = item.permalink
        run.font.size = Pt(12)
        run.hyperlink.address = item.permalink

    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


# --- Word ------------------------------------------------------------------------------------


def key_points(item: Briefing) -> list[str]:
    """The note's key points: the analyst's, else the titles of its first findings."""
    return list(item.key_points) or [f.title for f in item.findings[:KEY_POINTS]]


def _hyperlink(paragraph, url: str) -> None:
    """Append *url* to *paragraph* as a hyperlink Word and LibreOffice open (python-docx has
    no call for one: a ``w:hyperlink`` with an external relationship, blue and underlined)."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    for tag, value in (("w:color", "0563C1"), ("w:u", "single")):
        element = OxmlElement(tag)
        element.set(qn("w:val"), value)
        properties.append(element)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def _bullets(document, items: Iterable[str]) -> None:
    for text in items:
        document.add_paragraph(text, style="List Bullet")


def to_docx(item: Briefing, png: bytes, points: Sequence[str] | None = None) -> bytes:
    """The briefing as a Word note: marking in every header and footer, title, key points
    (*points*, else the first findings' titles), the map as a figure with a caption and alt
    text, the findings with their quotes and citations, then filters, source, dates and
    caveats. Word's own styles throughout, so a template restyles it."""
    document = Document()
    section = document.sections[0]
    # A4, as the offices whose markings these are print (python-docx's template is US Letter).
    section.page_width, section.page_height = DocMm(210), DocMm(297)
    for side in ("left", "right", "top", "bottom"):
        setattr(section, f"{side}_margin", DocMm(25))
    if item.marking:
        for part in (section.header, section.footer):
            paragraph = part.paragraphs[0]
            paragraph.text = item.marking
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.runs[0].bold = True
    document.add_paragraph(derive_title(item.title, TITLE_CHARS), style="Title")
    if item.subtitle:
        document.add_paragraph(derive_title(item.subtitle, TITLE_CHARS), style="Subtitle")
    for label, text in (("Title", item.title), ("Subtitle", item.subtitle)):
        if len(text) > TITLE_CHARS:  # cut above to fit the heading; kept whole here
            document.add_paragraph(f"{label} in full: {text}")
    document.add_paragraph(f"{item.filters_text}. Exported {item.exported}.")

    document.add_heading("Key points", level=1)
    _bullets(document, list(points) if points is not None else key_points(item))
    if item.note:
        document.add_paragraph(item.note)

    # The map alone, with its colour key: the slide's words are in the note as text, and
    # shrunk into a figure they would be too small to read.
    document.add_picture(io.BytesIO(map_panel(png)), width=DocMm(MAP_WIDTH_MM))
    drawing = document.paragraphs[-1]._p.xpath(".//wp:docPr")
    if drawing:
        drawing[0].set("descr", map_alt_text(item))
    areas = "; ".join(f"{name} {n}" for name, n in item.areas) or "none"
    document.add_paragraph(
        f"Figure 1. Findings by the areas they name ({areas}). {PLACEMENT_CAVEAT}",
        style="Caption",
    )

    document.add_heading(f"Findings ({item.total:,})", level=1)
    if not item.findings:
        document.add_paragraph(NO_FINDINGS)
    for finding in item.findings:
        document.add_heading(finding.title, level=2)
        document.add_paragraph(f"“{finding.excerpt}”", style="Quote")
        tags = " · ".join(
            filter(None, [finding.kind, ", ".join(finding.themes), ", ".join(finding.regions)])
        )
        cite = document.add_paragraph(f"{finding.citation} ({finding.id}; {tags})")
        cite.runs[0].font.size = DocPt(9)
    if item.left_out:
        document.add_paragraph(
            f"… and {item.left_out:,} more findings in this view, not printed here: narrow "
            "the filters, or take them all from the findings table's CSV."
        )

    document.add_heading("Filters, source and caveats", level=1)
    lines = [f"Filters: {item.filters_text}"]
    if item.dates:
        lines.append(item.dates)
    lines += [item.source_line, BOUNDARY_CAVEAT, PLACEMENT_CAVEAT]
    for line in lines:
        document.add_paragraph(line)
    if item.permalink:
        _hyperlink(document.add_paragraph("Link to this view: "), item.permalink)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
