"""Previews of the Office files as made, drawn in HTML from the files themselves.

A preview reads the produced bytes back with the library that wrote them (python-pptx,
python-docx), so it shows what the file holds, not what the code meant to write: each slide's
shapes at their own positions and sizes with their own text, sizes and weights (text that would
run off the slide runs off the preview too); the note's opening in Word's styles, on an A4 page
as wide as the note's text column, cut where that page ends.

Neither is a typesetter: Office and LibreOffice choose the fonts, line breaks and page breaks.
Every text is escaped, controls made visible (:func:`~dashboard.views.inert.inert_html`); the
only markup is this module's own.
"""

from __future__ import annotations

import base64
import functools
import io
import re

from docx import Document
from docx.oxml.ns import qn
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.enum.text import PP_ALIGN

from dashboard.views.inert import inert_html

#: EMU (the files' unit) in a point.
_EMU_PER_PT = 12700
#: The A4 page of the note's preview, in points, when the file does not say its size.
A4_WIDTH, A4_HEIGHT = 595, 842
#: The smallest text the note uses (its captions), in points, and the line height: no page
#: holds more paragraphs than lines of that size, so the preview stops reading there.
_SMALLEST_PT, _LINE_HEIGHT = 9, 1.25

_ALIGN = {PP_ALIGN.CENTER: "center", PP_ALIGN.RIGHT: "right", PP_ALIGN.JUSTIFY: "justify"}


def slide_count(pptx: bytes) -> int:
    return len(Presentation(io.BytesIO(pptx)).slides)


def _image_uri(blob: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(blob).decode('ascii')}"


def _pct(value: int, whole: int) -> str:
    return f"{100 * value / whole:.3f}%"


@functools.lru_cache(maxsize=8)
def slide_html(pptx: bytes, number: int) -> str:
    """Slide *number* (from 1) of the deck *pptx* as an HTML block of the slide's proportions:
    its pictures and text boxes where the file puts them, font sizes scaled with the block."""
    deck = Presentation(io.BytesIO(pptx))
    width, height = int(deck.slide_width or 1), int(deck.slide_height or 1)
    slide = deck.slides[number - 1]
    # Sizes in container units: a font of s points is s / (slide width in points) of the width.
    width_pt = width / _EMU_PER_PT
    parts = []
    for shape in slide.shapes:
        box = (
            f"position:absolute;left:{_pct(shape.left or 0, width)};"
            f"top:{_pct(shape.top or 0, height)};width:{_pct(shape.width or 0, width)};"
            f"height:{_pct(shape.height or 0, height)};"
        )
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE:
            alt = shape._element.nvPicPr.cNvPr.get("descr") or ""
            uri = _image_uri(shape.image.blob, shape.image.content_type)
            parts.append(
                f'<img src="{uri}" alt="{inert_html(alt)}" style="{box}object-fit:contain">'
            )
        elif shape.has_text_frame:
            paragraphs = []
            for paragraph in shape.text_frame.paragraphs:
                size = paragraph.font.size or next(
                    (r.font.size for r in paragraph.runs if r.font.size), None
                )
                points = size.pt if size is not None else 18
                bold = paragraph.font.bold or any(r.font.bold for r in paragraph.runs)
                colour = paragraph.font.color
                grey = colour is not None and colour.type is not None
                style = (
                    f"margin:0 0 {0.25 * points / width_pt:.3f}cqw 0;padding:0;"
                    f"font-size:{100 * points / width_pt:.3f}cqw;line-height:1.2;"
                    f"font-weight:{700 if bold else 400};"
                    f"text-align:{_ALIGN.get(paragraph.alignment, 'left')};"
                    + (f"color:#{colour.rgb};" if grey else "")
                )
                paragraphs.append(
                    f'<p style="{style}">{inert_html(paragraph.text) or "&nbsp;"}</p>'
                )
            inset = f"padding:{100 * 7.2 / width_pt:.3f}cqw;box-sizing:border-box;"
            parts.append(f'<div style="{box}{inset}">{"".join(paragraphs)}</div>')
    return (
        '<div class="office-preview" style="container-type:inline-size;position:relative;'
        f"width:100%;aspect-ratio:{width}/{height};background:#fff;color:#111;"
        "border:1px solid #999;box-shadow:0 1px 4px rgba(0,0,0,.25);overflow:visible;"
        'font-family:Calibri,Carlito,Arial,sans-serif">' + "".join(parts) + "</div>"
    )


#: How each of Word's styles that the note uses is drawn: the inline style of its paragraph
#: (sizes in points, scaled with the page as the slides are).
_STYLES = {
    "Title": "font-size:26pt;color:#17365d;margin:0 0 6pt 0",
    "Subtitle": "font-size:15pt;color:#4f81bd;font-style:italic;margin:0 0 6pt 0",
    "Heading 1": "font-size:14pt;font-weight:700;color:#365f91;margin:14pt 0 4pt 0",
    "Heading 2": "font-size:13pt;font-weight:700;color:#4f81bd;margin:10pt 0 2pt 0",
    "Quote": "font-size:11pt;font-style:italic;margin:4pt 0 4pt 18pt;color:#222",
    "Caption": "font-size:9pt;font-weight:700;color:#4f81bd;margin:2pt 0 8pt 0",
    "List Bullet": "font-size:11pt;margin:0 0 2pt 18pt;text-indent:-10pt",
}


def _pictures(document, paragraph) -> list[str]:
    """The images inside *paragraph*, as ``<img>`` tags with their alt text."""
    images = []
    for blip in paragraph._p.iter(qn("a:blip")):
        part = document.part.related_parts.get(blip.get(qn("r:embed")))
        if part is None:
            continue
        described = next(paragraph._p.iter(qn("wp:docPr")), None)
        alt = described.get("descr", "") if described is not None else ""
        images.append(
            f'<img src="{_image_uri(part.blob, part.content_type)}" alt="{inert_html(alt)}" '
            'style="width:100%;display:block;margin:4pt 0">'
        )
    return images


@functools.lru_cache(maxsize=2)
def note_html(docx: bytes) -> str:
    """The first page of the Word note *docx*, approximately: its header and footer marking,
    and its paragraphs in their styles from the start, on an A4 page cut at its foot.

    Only as many paragraphs are read as the page could hold (a note of 500 findings took half
    a second to draw whole, nearly all of it cut away)."""
    document = Document(io.BytesIO(docx))
    section = document.sections[0]
    margin = {
        side: (getattr(section, f"{side}_margin") or 914400) / _EMU_PER_PT
        for side in ("left", "right", "top", "bottom")
    }
    page_width = (section.page_width or A4_WIDTH * _EMU_PER_PT) / _EMU_PER_PT
    page_height = (section.page_height or A4_HEIGHT * _EMU_PER_PT) / _EMU_PER_PT
    header = " ".join(p.text for p in section.header.paragraphs if p.text)
    footer = " ".join(p.text for p in section.footer.paragraphs if p.text)
    text_height = page_height - margin["top"] - margin["bottom"]
    room = int(text_height / (_SMALLEST_PT * _LINE_HEIGHT)) + 1
    body = []
    for paragraph in document.paragraphs[:room]:
        name = paragraph.style.name if paragraph.style is not None else "Normal"
        # Every style names its size: the page's own stylesheet (Streamlit's) sizes paragraphs.
        style = _pt_to_cqw(_STYLES.get(name, "font-size:11pt;margin:0 0 6pt 0"), page_width)
        text = inert_html(paragraph.text)
        if name == "List Bullet":
            text = "•&nbsp;&nbsp;" + text
        pictures = _pictures(document, paragraph)
        body.append("".join(pictures) if pictures else f'<p style="{style}">{text}</p>')

    def scaled(points: float) -> str:
        return f"{100 * points / page_width:.3f}cqw"

    def marking(text: str, where: str) -> str:
        return (
            f'<div style="position:absolute;{where}:{scaled(margin["top"] / 2)};left:0;right:0;'
            f'text-align:center;font-weight:700;font-size:{scaled(11)}">{inert_html(text)}</div>'
        )

    column = "".join(body)
    return (
        '<div class="office-preview" style="container-type:inline-size;position:relative;'
        f"width:100%;aspect-ratio:{page_width:.1f}/{page_height:.1f};background:#fff;"
        "color:#111;border:1px solid #999;box-shadow:0 1px 4px rgba(0,0,0,.25);"
        'overflow:hidden;font-family:Calibri,Carlito,Arial,sans-serif">'
        + (marking(header, "top") if header else "")
        + f'<div style="position:absolute;left:{scaled(margin["left"])};'
        f"right:{scaled(margin['right'])};top:{scaled(margin['top'])};"
        f"bottom:{scaled(margin['bottom'])};overflow:hidden;font-size:{scaled(11)};"
        f'line-height:1.25">{column}</div>'
        + (marking(footer, "bottom") if footer else "")
        + "</div>"
    )


def _pt_to_cqw(style: str, page_width: float) -> str:
    """Every ``<n>pt`` length of one of this module's inline *style* strings as container
    units of the page (1 pt is 100 / page width in points of the width), so the page's text
    scales with the page."""
    return re.sub(
        r"(?<![\w.])(\d+(?:\.\d+)?)pt\b",
        lambda m: f"{100 * float(m.group(1)) / page_width:.3f}cqw",
        style,
    )
