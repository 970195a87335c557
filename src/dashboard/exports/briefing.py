"""Briefing exports: the current view as a slide-sized PNG and an A4 landscape PDF.

Pure functions, view in, bytes out. The PNG is the map figure rendered by kaleido with Debian's
Chromium; the PDF is an HTML document (the PNG, then every finding) printed by the same
Chromium. Nothing here asks the network for anything: the map style is offline (see
:mod:`dashboard.views.maps`), kaleido runs without MathJax (its default loads MathJax from a CDN),
the
HTML holds its one image inline, and Chromium runs with every host name unresolvable.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import urlencode

import plotly.graph_objects as go

from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy
from dashboard.query.filters import Filters
from dashboard.views import maps
from dashboard.views.cards import page_of

#: Protective markings an analyst may print on a briefing ("" = none).
MARKINGS = ("", "OFFICIAL", "OFFICIAL-SENSITIVE")
#: Slide size of the PNG at 1x; it is written at 2x.
PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1600, 900, 2
#: Margins of the slide at 1x: title and marking above the map, source and marking below.
MARGIN = {"l": 40, "r": 40, "t": 150, "b": 110}
#: Finding titles listed on the slide (the PDF lists them all).
SLIDE_FINDINGS = 6
BOUNDARY_CAVEAT = (
    "Boundaries are not an endorsement; disputed lines dashed. FATA is shown as "
    "the unit it was in 2017 (merged into Khyber Pakhtunkhwa in 2018)."
)
PLACEMENT_CAVEAT = (
    "Findings are placed at the level the report names: a finding naming Pakistan "
    "counts for Pakistan as a whole, not for each of its provinces."
)
NO_FINDINGS = "No findings match these filters."
_CHROMIUM_HINT = (
    "Chromium was not found: install the chromium package "
    "(apt-get install chromium; `make run` installs it)"
)


class ExportError(RuntimeError):
    """An export could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BriefingFinding:
    id: str
    title: str
    kind: str
    themes: tuple[str, ...]
    regions: tuple[str, ...]
    excerpt: str
    citation: str


@dataclass(frozen=True)
class Briefing:
    """Everything printed on a briefing, as plain text."""

    title: str
    subtitle: str
    marking: str
    filters_text: str
    source_line: str
    exported: str
    permalink: str
    findings: tuple[BriefingFinding, ...]
    counts: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    unplaced: int = 0
    #: (name, count) of the areas on the map and of the regions not on it, most named first.
    areas: tuple[tuple[str, int], ...] = ()
    elsewhere: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.marking not in MARKINGS:
            raise ValueError(f"unknown marking {self.marking!r}: use one of {MARKINGS}")


def default_title(filters: Filters, taxonomy: Taxonomy, gazetteer: Gazetteer) -> str:
    """A title from the filters, e.g. ``"ISKP findings: refugees - Pakistan"``."""
    parts = []
    if filters.themes:
        parts.append(" & ".join(taxonomy.theme(t).label.lower() for t in filters.themes))
    if filters.region:
        parts.append(gazetteer.name(filters.region))
    if filters.actors:
        parts.append(" & ".join(filters.actors))
    if filters.kinds:
        parts.append(" & ".join(taxonomy.kind(k).label.lower() + "s" for k in filters.kinds))
    if filters.text.strip():
        parts.append(f"“{filters.text.strip()}”")
    return "ISKP findings" + (": " + " - ".join(parts) if parts else "")


def default_subtitle(reports: Sequence[Report]) -> str:
    """Where the findings come from, e.g. "From the publisher's summary page of ..."."""
    return "; ".join(
        f"From the {r.text_kind} of {r.author}, “{r.title}”"
        + (f" ({r.publisher}, {r.year})" if r.publisher else "")
        for r in reports
    )


def source_line(reports: Sequence[Report]) -> str:
    """Who wrote what the briefing quotes, and what the quoted text is."""
    return "Source: " + " ".join(r.citation() for r in reports)


def permalink(base_url: str, filters: Filters) -> str:
    """The link that reproduces the view. *base_url* is the app's address, without a query."""
    query = urlencode(filters.to_query_params(), doseq=True)
    return base_url + ("?" + query if query else "")


def compose(
    *,
    findings,
    reports: Mapping[str, Report],
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    filters_text: str,
    permalink_url: str,
    exported: date,
    title: str,
    subtitle: str = "",
    note: str = "",
    marking: str = "",
) -> Briefing:
    """Gather what a briefing prints from the filtered findings frame."""
    items = []
    for row in findings.to_dict("records"):
        report = reports[row["report_id"]]
        items.append(
            BriefingFinding(
                id=row["id"],
                title=row["title"],
                kind=taxonomy.kind(row["kind"]).label,
                themes=tuple(taxonomy.theme(t).label for t in row["themes"]),
                regions=tuple(gazetteer.name(r) for r in row["regions"]),
                excerpt=row["excerpt"],
                citation=report.citation(page_of(row)),
            )
        )
    used = sorted({r for r in findings["report_id"]}) or sorted(reports)
    counts = {c: n for c, n in maps.region_counts(findings).items() if c in gazetteer}
    return Briefing(
        title=title.strip() or "ISKP findings",
        subtitle=subtitle.strip(),
        marking=marking,
        filters_text=filters_text,
        source_line=source_line([reports[r] for r in used]),
        exported=exported.isoformat(),
        permalink=permalink_url,
        findings=tuple(items),
        counts=counts,
        note=note.strip(),
        unplaced=int((findings["regions"].map(len) == 0).sum()),
        areas=tuple(
            (gazetteer.name(c), n)
            for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            if gazetteer[c].spatial
        ),
        elsewhere=tuple(
            (gazetteer.name(c), n) for c, n in maps.nonspatial_counts(counts, gazetteer)
        ),
    )


# --- the PNG ------------------------------------------------------------------------------------


def _text(text: str) -> str:
    """Text for plotly: '<', '>' and '&' escaped; quotes left alone.

    Plotly shows '&quot;' as it is.
    """
    return escape(text, quote=False)


def _wrap(text: str, width: int) -> str:
    return "<br>".join(textwrap.wrap(_text(text), width)) if text else ""


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _slide_geometry(scale: float = 1.0):
    """Sizes of the slide at *scale*: width, height, margins, the map's width and height, and
    the share of the plot width the map takes."""
    width, height = round(PNG_WIDTH * scale), round(PNG_HEIGHT * scale)
    margin = {key: round(value * scale) for key, value in MARGIN.items()}
    plot_width = width - margin["l"] - margin["r"]
    plot_height = height - margin["t"] - margin["b"]
    # A map about as wide as it is high shows Afghanistan and Pakistan whole inside the extent.
    map_width = int(plot_height * 1.1)
    return width, height, margin, map_width, plot_height, map_width / plot_width


def _title_text(briefing: Briefing, scale: float) -> str:
    """Title (two lines at most, smaller when long) and subtitle, as one plotly title."""
    lines = textwrap.wrap(briefing.title, 66)
    size = 30 if len(lines) == 1 else 22
    text = "<br>".join(_text(line) for line in lines[:2])
    if briefing.subtitle:
        text += (
            f"<br><span style='font-size:{round(16 * scale)}px;color:#444'>"
            f"{_text(_shorten(briefing.subtitle, 170))}</span>"
        )
    return f"<span style='font-size:{round(size * scale)}px'>{text}</span>"


def briefing_figure(
    briefing: Briefing,
    data: maps.MapData,
    gazetteer: Gazetteer,
    selected: str | None = None,
    *,
    scale: float = 1.0,
) -> go.Figure:
    """The slide: title, marking top and bottom, the map with its legend, what is not on the
    map, the filters, caveats, source line, date and link.

    *scale* shrinks everything (size, margins, fonts) alike, for an on-screen preview.
    """
    width, height, margin, map_width, plot_height, split = _slide_geometry(scale)
    figure = maps.build_map(
        data,
        gazetteer,
        briefing.counts,
        selected,
        height=plot_height,
        width=map_width,
        text_scale=scale,
    )
    figure.update_layout(
        width=width,
        height=height,
        font={"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": round(12 * scale)},
        map={"domain": {"x": [0.0, split], "y": [0.0, 1.0]}},
        margin=margin,
        paper_bgcolor="#ffffff",
        # Below the top marking (which takes the first 30 pixels).
        title={
            "text": _title_text(briefing, scale),
            "x": 0.025,
            "xanchor": "left",
            "y": 0.955 if not briefing.marking else 0.935,
            "yanchor": "top",
            "font": {"color": "#111"},
        },
    )
    notes = []
    notes.append("<b>Findings naming each area</b>")
    notes += [f"{_text(name)}: {n}" for name, n in briefing.areas] or ["none"]
    if briefing.elsewhere:
        notes += ["", "<b>Not on the map</b>"]
        notes += [f"{_text(name)}: {n}" for name, n in briefing.elsewhere]
    if briefing.unplaced:
        notes.append(f"Naming no place: {briefing.unplaced}")
    notes += ["", "<b>Filters</b>", _wrap(briefing.filters_text, 70)]
    if not briefing.findings:
        notes += ["", f"<b>{NO_FINDINGS}</b>"]
    else:
        notes += ["", f"<b>Findings ({len(briefing.findings)})</b>"]
        notes += ["• " + _text(_shorten(f.title, 68)) for f in briefing.findings[:SLIDE_FINDINGS]]
        if len(briefing.findings) > SLIDE_FINDINGS:
            notes.append(
                f"… and {len(briefing.findings) - SLIDE_FINDINGS} more: all are in "
                "the PDF, with their excerpts"
            )
    if briefing.note:
        note = _wrap(briefing.note, 70).split("<br>")
        notes += (
            ["", "<b>Analyst's note</b>"]
            + note[:4]
            + (["… (the whole note is in the PDF)"] if len(note) > 4 else [])
        )
    notes += ["", "<b>Caveats</b>", _wrap(BOUNDARY_CAVEAT, 75), _wrap(PLACEMENT_CAVEAT, 75)]
    annotations = [
        *list(figure.layout.annotations),
        dict(
            text="<br>".join(notes),
            xref="paper",
            yref="paper",
            x=split + 0.03,
            y=1.0,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": round(14 * scale), "color": "#222"},
        ),
        dict(
            text=_wrap(briefing.source_line, 170)
            + "<br>"
            + _text(f"Exported {briefing.exported} · {briefing.permalink}"),
            xref="paper",
            yref="paper",
            x=0.0,
            y=-0.035,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": round(12 * scale), "color": "#444"},
        ),
    ]
    if briefing.marking:
        # Annotations take paper coordinates only: place the marking in the margins, 8 px from
        # the top and bottom edges of the image.
        gap = 8 * scale
        for y, anchor in (
            (1 + (margin["t"] - gap) / plot_height, "top"),
            (-(margin["b"] - gap) / plot_height, "bottom"),
        ):
            annotations.append(
                dict(
                    text=f"<b>{briefing.marking}</b>",
                    xref="paper",
                    yref="paper",
                    x=0.5,
                    y=y,
                    xanchor="center",
                    yanchor=anchor,
                    showarrow=False,
                    font={"size": round(18 * scale), "color": "#000"},
                )
            )
    figure.update_layout(annotations=annotations)
    return figure


_KALEIDO_LOCK = threading.Lock()
_kaleido_started = False


def _chromium() -> str:
    path = (
        os.environ.get("DASHBOARD_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path or not Path(path).exists():
        raise ExportError(_CHROMIUM_HINT)
    return path


def render_png(figure: go.Figure) -> bytes:
    """The figure as a PNG at 2x, through one long-lived kaleido/Chromium (started on first use)."""
    global _kaleido_started
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    chromium = _chromium()
    os.environ.setdefault("BROWSER_PATH", chromium)
    try:
        with _KALEIDO_LOCK:
            if not _kaleido_started:
                # mathjax=False: kaleido's default page loads MathJax from a CDN.
                kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
                _kaleido_started = True
            return kaleido.calc_fig_sync(
                figure,
                opts={
                    "format": "png",
                    "width": figure.layout.width or PNG_WIDTH,
                    "height": figure.layout.height or PNG_HEIGHT,
                    "scale": PNG_SCALE,
                },
            )
    except ChromeNotFoundError as err:
        raise ExportError(_CHROMIUM_HINT) from err


def to_png(
    briefing: Briefing, data: maps.MapData, gazetteer: Gazetteer, selected: str | None = None
) -> bytes:
    return render_png(briefing_figure(briefing, data, gazetteer, selected))


# --- the PDF ------------------------------------------------------------------------------------

_PDF_CSS = """
@page { size: A4 landscape; margin: 20mm 15mm 18mm 15mm;
  @top-center { content: MARKING; font: bold 11pt "DejaVu Sans", sans-serif;
                font-variant-ligatures: none; }
  @bottom-center { content: MARKING; font: bold 11pt "DejaVu Sans", sans-serif;
                   font-variant-ligatures: none; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages);
                  font: 9pt "DejaVu Sans", sans-serif; color: #444; }
  @bottom-left { content: FOOTER; font: 9pt "DejaVu Sans", sans-serif; color: #444;
                 font-variant-ligatures: none; } }
body { font: 10.5pt/1.4 "DejaVu Sans", "Liberation Sans", sans-serif; color: #111;
       hyphens: none; font-variant-ligatures: none; font-feature-settings: "liga" 0, "clig" 0; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; }
.subtitle { font-size: 12pt; color: #444; margin: 0 0 3mm 0; }
.front { display: flex; gap: 6mm; align-items: flex-start; }
.map { height: 128mm; width: auto; display: block; border: 0.3pt solid #bbb; }
.side { flex: 1; }
.meta { font-size: 9pt; line-height: 1.3; color: #333; margin: 1mm 0; }
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
        f'<p class="meta">{escape(briefing.source_line)}</p>',
        f'<p class="meta">Exported {escape(briefing.exported)} · '
        f"Link to this view in the dashboard: {escape(briefing.permalink)}</p>",
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
        parts.append(f"<h2>Findings ({len(briefing.findings)})</h2>")
        for item in briefing.findings:
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


def map_panel(png: bytes) -> bytes:
    """The map alone, cut out of the slide: the PDF prints title, marking, counts, caveats and
    source as text, so they are not repeated in the picture."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    scale = image.height / PNG_HEIGHT
    _, _, margin, map_width, plot_height, _ = _slide_geometry()
    box = tuple(
        round(v * scale)
        for v in (margin["l"], margin["t"], margin["l"] + map_width, margin["t"] + plot_height)
    )
    out = io.BytesIO()
    image.crop(box).save(out, format="PNG", optimize=True)
    return out.getvalue()


def to_pdf(briefing: Briefing, png: bytes | None) -> bytes:
    """The briefing as an A4 landscape PDF: the map (from the slide PNG), then every finding."""
    return html_to_pdf(briefing_html(briefing, map_panel(png) if png else None))
