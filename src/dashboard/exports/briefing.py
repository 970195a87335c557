"""The briefing: what it prints (the :class:`Briefing` value, composed from the filtered
findings) and the slide figure (the map with title, marking, counts, caveats and source).

Pure functions, view in, value or figure out. The slide is rendered to PNG in
:mod:`dashboard.exports.png` and the A4 PDF is printed in :mod:`dashboard.exports.pdf`, both by
Debian's Chromium and without asking the network for anything; :class:`ExportError` is what
either raises when it cannot.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from urllib.parse import urlencode

import plotly.graph_objects as go

from dashboard.core.periods import describe_range, period_of_text
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy
from dashboard.query.filters import Filters, apply
from dashboard.views import maps
from dashboard.views.cards import page_of
from dashboard.views.map_data import MapData

#: Protective markings an analyst may print on a briefing ("" = none).
MARKINGS = ("", "OFFICIAL", "OFFICIAL-SENSITIVE")
#: Slide size of the PNG at 1x; it is written at 2x.
PNG_WIDTH, PNG_HEIGHT, PNG_SCALE = 1600, 900, 2
#: Margins of the slide at 1x: title and marking above the map, source and marking below.
MARGIN = {"l": 40, "r": 40, "t": 150, "b": 110}
#: Characters on a line of the slide's side column (14 px text, from the map to the right
#: margin: about 770 px at 1x, a DejaVu Sans character 7-8 px wide).
NOTES_CHARS = 90
#: Finding titles listed on the slide (the PDF lists up to PRINTED_FINDINGS).
SLIDE_FINDINGS = 6
#: Findings a briefing carries in full (the PDF prints them); beyond these only the counts.
#: Composing 100,000 findings into printable items took seconds on every rerun of the page.
PRINTED_FINDINGS = 500
BOUNDARY_CAVEAT = (
    "Boundaries are not an endorsement; disputed lines dashed. FATA is shown as "
    "the unit it was in 2017 (merged into Khyber Pakhtunkhwa in 2018)."
)
PLACEMENT_CAVEAT = (
    "Findings are placed at the level the report names: a finding naming Pakistan "
    "counts for Pakistan as a whole, not for each of its provinces."
)
NO_FINDINGS = "No findings match these filters."


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
    #: When the findings of the view hold, and the data cut-off (the newest date), in words.
    dates: str = ""
    #: The note's key points as the analyst wrote them (none: the first findings' titles).
    key_points: tuple[str, ...] = ()
    #: Findings in the view: ``findings`` holds the first of them (at most the limit given to
    #: :func:`compose`), the counts are of them all. ``-1``: as many as ``findings``.
    total: int = -1

    def __post_init__(self) -> None:
        if self.marking not in MARKINGS:
            raise ValueError(f"unknown marking {self.marking!r}: use one of {MARKINGS}")
        if self.total < 0:
            object.__setattr__(self, "total", len(self.findings))
        if self.total < len(self.findings):
            raise ValueError(f"total {self.total} is below the {len(self.findings)} findings")

    @property
    def left_out(self) -> int:
        """Findings of the view that the briefing counts but does not carry in full."""
        return self.total - len(self.findings)


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
    if not filters.dates.is_open:
        parts.append(filters.dates.describe())
    return "ISKP findings" + (": " + " - ".join(parts) if parts else "")


def default_subtitle(reports: Sequence[Report]) -> str:
    """Where the findings come from, e.g. "From the publisher's summary page of ..."."""
    return "; ".join(
        f"From the {r.text_kind} of {r.author}, “{r.title}”"
        + (f" ({r.publisher}, {r.year})" if r.publisher else "")
        for r in reports
    )


def dates_line(findings) -> str:
    """When the findings hold and the newest date among them (the data cut-off), e.g.
    ``"Dates covered: 2015–2017; data cut-off: 2017. 2 findings undated."``"""
    if findings.empty:
        return ""
    counts = findings["period"].fillna("").value_counts()
    dated = [(period_of_text(text), n) for text, n in counts.items()]
    periods = [p for p, _ in dated if p is not None]
    undated = sum(n for p, n in dated if p is None)
    tail = f" {undated} finding(s) undated." if undated else ""
    if not periods:
        return "No finding is dated." if undated else ""
    first, last = min(p.first for p in periods), max(p.last for p in periods)
    by_report = all(
        "period" in (d or ()) for d, p in zip(findings["derived"], findings["period"]) if p
    )
    basis = " (the reports' dates)" if by_report else ""
    return (
        f"Dates covered: {describe_range(first, last)}{basis}; "
        f"data cut-off: {max(periods, key=lambda p: p.last).end.label(short=True)}.{tail}"
    )


def source_line(reports: Sequence[Report]) -> str:
    """Who wrote what the briefing quotes, and what the quoted text is."""
    return "Source: " + " ".join(r.citation() for r in reports)


def permalink(base_url: str, filters: Filters) -> str:
    """The link that reproduces the view. *base_url* is the app's address, without a query."""
    query = urlencode(filters.to_query_params(), doseq=True)
    return base_url + ("?" + query if query else "")


def chosen_order(rows: Iterable[tuple[str, bool, float | None]]) -> list[str]:
    """The ids of the ticked rows, in the order the analyst set: by the number they gave, the
    rows given none after those numbered; equal numbers, and no number, keep the view's order.

    *rows* are ``(id, ticked, number)`` in the view's order; a number that is blank or not a
    number counts as none.

    >>> chosen_order([("a", True, None), ("b", True, 2), ("c", False, 1), ("d", True, 1)])
    ['d', 'b', 'a']
    """
    ticked = []
    for position, (finding, include, number) in enumerate(rows):
        if not include:
            continue
        try:
            rank = float(number) if number is not None else math.inf
        except (TypeError, ValueError):
            rank = math.inf
        ticked.append((math.inf if math.isnan(rank) else rank, position, finding))
    return [finding for _, _, finding in sorted(ticked)]


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
    limit: int = PRINTED_FINDINGS,
    key_points: Sequence[str] = (),
) -> Briefing:
    """Gather what a briefing prints from the filtered findings frame: the first *limit*
    findings in full, the counts of them all."""
    items = []
    for row in findings.iloc[:limit].to_dict("records"):
        report = reports[row["report_id"]]
        items.append(
            BriefingFinding(
                id=row["id"],
                title=row["title"],
                kind=taxonomy.kind(row["kind"]).label,
                themes=tuple(taxonomy.theme(t).label for t in row["themes"]),
                regions=tuple(gazetteer.name(r) for r in row["regions"]),
                excerpt=row["excerpt"],
                citation=report.citation(page_of(row, report)),
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
        total=len(findings),
        dates=dates_line(findings),
        key_points=tuple(p.strip() for p in key_points if p.strip()),
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


def compose_view(
    corpus, filters: Filters, *, base_url: str = "", exported: date, found=None, **options
) -> Briefing:
    """The briefing of *filters* over *corpus* as the briefing page first shows it: the view's
    findings (or *found*, already filtered), the filters in words, the default title, the link
    under *base_url* (none when empty). *options* are :func:`compose`'s words (``subtitle``,
    ``marking``, ``note``, ``title``, ...). For the command line, scripts and tests."""
    if found is None:
        found = apply(corpus.findings, filters, corpus.gazetteer)
    words = {"title": default_title(filters, corpus.taxonomy, corpus.gazetteer), **options}
    return compose(
        findings=found,
        reports=corpus.reports,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        filters_text=filters.describe(
            len(found), taxonomy=corpus.taxonomy, gazetteer=corpus.gazetteer
        ),
        permalink_url=permalink(base_url, filters) if base_url else "",
        exported=exported,
        **words,
    )


# --- the slide ----------------------------------------------------------------------------------


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
    data: MapData,
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
        width=round(map_width / split),  # the plot's width: the map takes the share split
        text_scale=scale,
        domain=(0.0, split),
    )
    figure.update_layout(
        width=width,
        height=height,
        font={"family": "DejaVu Sans, Liberation Sans, sans-serif", "size": round(12 * scale)},
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
    notes += ["", "<b>Filters</b>", _wrap(briefing.filters_text, NOTES_CHARS)]
    if briefing.dates:
        notes.append(_wrap(briefing.dates, NOTES_CHARS))
    if not briefing.findings:
        notes += ["", f"<b>{NO_FINDINGS}</b>"]
    else:
        notes += ["", f"<b>Findings ({briefing.total:,})</b>"]
        notes += [
            "• " + _text(_shorten(f.title, NOTES_CHARS - 2))
            for f in briefing.findings[:SLIDE_FINDINGS]
        ]
        if briefing.total > SLIDE_FINDINGS:
            where = (
                "all are in the PDF, with their excerpts"
                if not briefing.left_out
                else f"the first {len(briefing.findings):,} are in the PDF, with their excerpts"
            )
            notes.append(f"… and {briefing.total - SLIDE_FINDINGS:,} more: {where}")
    if briefing.note:
        note = _wrap(briefing.note, NOTES_CHARS).split("<br>")
        notes += (
            ["", "<b>Analyst's note</b>"]
            + note[:4]
            + (["… (the whole note is in the PDF)"] if len(note) > 4 else [])
        )
    notes += [
        "",
        "<b>Caveats</b>",
        _wrap(BOUNDARY_CAVEAT, NOTES_CHARS),
        _wrap(PLACEMENT_CAVEAT, NOTES_CHARS),
    ]
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
            + _text(
                f"Exported {briefing.exported}"
                + (f" · {briefing.permalink}" if briefing.permalink else "")
            ),
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
