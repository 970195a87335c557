"""The briefing as an A4 landscape PDF: an HTML document (the map cut out of the slide PNG, then
every finding) printed by Debian's Chromium.

The HTML holds its one image inline and names no other resource; Chromium runs with every host
name unresolvable. The ``@page`` rules of :data:`_PDF_CSS` print the marking at the top and bottom
of every page, and the footer (title, export date, page numbers).
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from html import escape
from pathlib import Path

from dashboard.exports.briefing import (
    BOUNDARY_CAVEAT,
    NO_FINDINGS,
    PLACEMENT_CAVEAT,
    PRINTED_FINDINGS,
    Briefing,
    ExportError,
)
from dashboard.exports.png import _chromium, map_panel

_PDF_CSS = """
@page { size: A4 landscape; margin: 20mm 15mm 18mm 15mm;
  @top-center { content: MARKING; font: bold 11pt "DejaVu Sans", sans-serif;
                font-variant-ligatures: none; white-space: nowrap; }
  @bottom-center { content: MARKING; font: bold 11pt "DejaVu Sans", sans-serif;
                   font-variant-ligatures: none; white-space: nowrap; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 9pt "DejaVu Sans", sans-serif; color: #444; }
  @bottom-left { content: FOOTER; font: 9pt "DejaVu Sans", sans-serif; color: #444;
                 font-variant-ligatures: none; } }
body { font: 10.5pt/1.4 "DejaVu Sans", "Liberation Sans", sans-serif; color: #111;
       hyphens: none; font-variant-ligatures: none; font-feature-settings: "liga" 0, "clig" 0; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; }
.subtitle { font-size: 12pt; color: #444; margin: 0 0 3mm 0; }
.front { display: flex; gap: 6mm; align-items: flex-start; }
.map { height: 140mm; width: auto; display: block; border: 0.3pt solid #bbb; }
.side { flex: 1; }
.meta { font-size: 9.5pt; line-height: 1.35; color: #333; margin: 1mm 0; }
h2 { font-size: 14pt; margin: 0 0 3mm 0; break-before: page; }
article { break-inside: avoid; border-top: 0.4pt solid #999; padding: 2.5mm 0; }
article h3 { font-size: 11.5pt; margin: 0 0 1mm 0; }
.tags { font-size: 9pt; color: #333; }
blockquote { margin: 1.5mm 0 1.5mm 5mm; font-style: normal; white-space: pre-wrap; }
.cite { font-size: 9pt; color: #444; }
.none { font-size: 13pt; font-weight: bold; margin-top: 8mm; }
"""


def _css_string(text: str) -> str:
    """*text* as a CSS string literal, every character but letters, digits and spaces written as
    a CSS escape, so that nothing in it can end the string or the ``<style>`` element."""
    return (
        '"'
        + "".join(
            ch if (ch.isalnum() and ch.isascii()) or ch == " " else f"\\{ord(ch):x} " for ch in text
        )
        + '"'
    )


#: Findings printed in full in the PDF: a briefing of more is not read, and Chromium would take
#: minutes to lay out 100,000 of them. The PDF says how many more there are and where they are.
#: (A briefing carries at most ``briefing.PRINTED_FINDINGS`` in full in the first place.)
PDF_FINDINGS = PRINTED_FINDINGS


def briefing_html(briefing: Briefing, png: bytes | None) -> str:
    """The PDF's source: an HTML document with its one image inline and no other resource."""
    css = _PDF_CSS.replace("MARKING", _css_string(briefing.marking)).replace(
        "FOOTER", _css_string(f"{briefing.title} · exported {briefing.exported}")
    )
    parts = [
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(briefing.title)}</title><style>{css}</style></head><body>",
        f"<h1>{escape(briefing.title)}</h1>",
    ]
    if briefing.subtitle:
        parts.append(f'<p class="subtitle">{escape(briefing.subtitle)}</p>')
    side = [
        '<div class="side">',
        '<p class="meta"><b>Findings naming each area:</b> '
        + escape("; ".join(f"{name} {n}" for name, n in briefing.areas) or "none")
        + "</p>",
    ]
    if briefing.elsewhere:
        side.append(
            '<p class="meta"><b>Not on the map:</b> '
            + escape("; ".join(f"{name} {n}" for name, n in briefing.elsewhere))
            + "</p>"
        )
    if briefing.unplaced:
        side.append(f'<p class="meta">Naming no place: {briefing.unplaced}</p>')
    side += [
        f'<p class="meta"><b>Filters:</b> {escape(briefing.filters_text)}</p>',
        f'<p class="meta">{escape(briefing.dates)}</p>' if briefing.dates else "",
        f'<p class="meta">{escape(briefing.source_line)}</p>',
        f'<p class="meta">Exported {escape(briefing.exported)}'
        + (
            f" · Link to this view in the dashboard: {escape(briefing.permalink)}"
            if briefing.permalink
            else ""
        )
        + "</p>",
        f'<p class="meta">{escape(BOUNDARY_CAVEAT)} {escape(PLACEMENT_CAVEAT)}</p>',
    ]
    if briefing.note:
        side.append(f'<p class="meta"><b>Analyst\'s note:</b> {escape(briefing.note)}</p>')
    side.append("</div>")
    if png:
        parts.append(
            '<div class="front"><img class="map" alt="Map of the findings by area" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            + "".join(side)
            + "</div>"
        )
    else:
        parts += side
    if not briefing.findings:
        parts.append(f'<p class="none">{NO_FINDINGS}</p>')
    else:
        parts.append(f"<h2>Findings ({briefing.total:,})</h2>")
        for item in briefing.findings[:PDF_FINDINGS]:
            tags = " · ".join(
                filter(
                    None,
                    [
                        item.kind,
                        ", ".join(item.themes),
                        ", ".join(item.regions) or "no place named",
                    ],
                )
            )
            parts.append(
                f"<article><h3>{escape(item.title)}</h3>"
                f'<div class="tags">{escape(tags)} · {escape(item.id)}</div>'
                f"<blockquote>“{escape(item.excerpt)}”</blockquote>"
                f'<div class="cite">{escape(item.citation)}</div></article>'
            )
        left = briefing.total - min(len(briefing.findings), PDF_FINDINGS)
        if left > 0:
            parts.append(
                f'<p class="none">… and {left:,} more findings in this view, not printed here: '
                "narrow the filters, or take them all from the findings table's CSV.</p>"
            )
    parts.append("</body></html>")
    return "".join(parts)


def html_to_pdf(html: str, *, timeout: float = 60) -> bytes:
    """Print *html* to PDF with headless Chromium, with every host name unresolvable."""
    chromium = _chromium()
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        source, target = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        source.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise ExportError(f"Chromium did not finish the PDF within {timeout:.0f} s") from err
        if not target.exists() or target.stat().st_size == 0:
            tail = result.stderr.decode(errors="replace").strip().splitlines()[-3:]
            raise ExportError("Chromium could not print the PDF: " + " ".join(tail))
        return target.read_bytes()


def to_pdf(briefing: Briefing, png: bytes | None) -> bytes:
    """The briefing as an A4 landscape PDF: the map (from the slide PNG), then every finding."""
    return html_to_pdf(briefing_html(briefing, map_panel(png) if png else None))
