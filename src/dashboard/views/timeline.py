"""The timeline: findings per year, quarter or month, stacked by theme, and a choice on it read
back as a date range.

A finding counts in every bar its period overlaps, exactly as the date filter keeps it: a click
on a bar filters to that bar's period and shows the number the bar showed. Bars span every dated
finding of the corpus, so they stay put while the filters change; the findings in view are drawn
in their themes' colours and the rest in grey above them.

Pure functions: index and mask in, value or figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil, floor

import numpy as np
import plotly.graph_objects as go

from dashboard.core.periods import PRECISIONS, Period, Precision, units_covering
from dashboard.core.taxonomy import Taxonomy
from dashboard.query.index import FindingsIndex
from dashboard.views.maps import INK

#: Spans (in days) up to which bars are months, then quarters; beyond, years.
MONTHS_UP_TO, QUARTERS_UP_TO = 3 * 366, 12 * 366
#: Colour of the findings the other filters leave out.
OTHERS_COLOUR = "#d4d4d4"
HEIGHT = 230
#: The gap between bars, as a share of a bar's slot.
BAR_GAP = 0.15


@dataclass(frozen=True)
class Timeline:
    """The bars of a timeline and what each counts."""

    precision: Precision
    bars: tuple[Period, ...]
    #: Per theme key (taxonomy order), the findings in view holding it, per bar.
    by_theme: Mapping[str, tuple[int, ...]]
    #: Findings in view per bar (a finding of two themes once).
    in_view: tuple[int, ...]
    #: Findings not in view per bar.
    others: tuple[int, ...]
    #: Findings in view with no date (not on the timeline).
    undated: int

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(bar.label(short=True) for bar in self.bars)

    def range_of(self, low: int, high: int) -> tuple[date, date] | None:
        """The days from bar *low* to bar *high* (clipped to the bars; None if none is left)."""
        low, high = max(0, min(low, high)), min(len(self.bars) - 1, max(low, high))
        if low > high:
            return None
        return self.bars[low].first, self.bars[high].last


def precision_for(periods: Sequence[Period]) -> Precision:
    """Bars by the span of *periods*, never finer than the finest of them: findings dated by
    the year alone are counted per year even over a short span."""
    first = min(p.first for p in periods)
    last = max(p.last for p in periods)
    days = (last - first).days + 1
    by_span: Precision = (
        "month" if days <= MONTHS_UP_TO else "quarter" if days <= QUARTERS_UP_TO else "year"
    )
    finest = max(PRECISIONS.index(q) for p in periods for q in (p.precision, p.end_precision) if q)
    return PRECISIONS[min(PRECISIONS.index(by_span), finest)]


def timeline(
    index: FindingsIndex, mask: np.ndarray, taxonomy: Taxonomy, by_report: bool = False
) -> Timeline | None:
    """The timeline of the findings in *mask* against the whole corpus; None when no finding
    of the corpus has a date."""
    periods, all_totals, _, _ = index.period_counts(None, by_report)
    dated = [p for p, n in zip(periods, all_totals) if p is not None and n]
    if not dated:
        return None
    precision = precision_for(dated)
    bars = units_covering(precision, min(p.first for p in dated), max(p.last for p in dated))
    _, totals, by_theme, themes = index.period_counts(mask, by_report)
    first = np.array([p.first.toordinal() if p else 1 for p in periods])
    last = np.array([p.last.toordinal() if p else 0 for p in periods])  # undated: never

    def per_bar(counts: np.ndarray) -> np.ndarray:
        return np.array(
            [
                counts[(first <= b.last.toordinal()) & (last >= b.first.toordinal())].sum(axis=0)
                for b in bars
            ]
        )

    view, everything = per_bar(totals), per_bar(all_totals)
    theme_bars = per_bar(by_theme) if by_theme.shape[1] else np.zeros((len(bars), 0))
    position = {t: j for j, t in enumerate(themes)}
    return Timeline(
        precision=precision,
        bars=tuple(bars),
        by_theme={
            key: tuple(int(n) for n in theme_bars[:, position[key]])
            for key in taxonomy.theme_keys
            if key in position
        },
        in_view=tuple(int(n) for n in view),
        others=tuple(int(n) for n in everything - view),
        undated=int(sum(n for p, n in zip(periods, totals) if p is None)),
    )


def figure(
    line: Timeline,
    taxonomy: Taxonomy,
    height: int = HEIGHT,
    chosen: tuple[date | None, date | None] = (None, None),
) -> go.Figure:
    """The timeline as stacked bars: each theme in its colour, then the findings not in view
    in grey. x is the bar's number (its label below), so a drag gives bar numbers. The bars of
    the *chosen* date range (from, to) are marked by a band behind them."""
    x = list(range(len(line.bars)))
    labels = line.labels
    fig = go.Figure()
    for key, counts in line.by_theme.items():
        if not any(counts):
            continue
        theme = taxonomy.theme(key)
        fig.add_bar(
            x=x,
            y=counts,
            name=theme.label,
            marker_color=theme.colour,
            customdata=labels,
            hovertemplate=f"%{{customdata}}: %{{y}} finding(s) on {theme.label}<extra></extra>",
        )
    fig.add_bar(
        x=x,
        y=line.others,
        name="Not in this view",
        marker_color=OTHERS_COLOUR,
        customdata=labels,
        hovertemplate="%{customdata}: %{y} finding(s) not in this view<extra></extra>",
    )
    step = max(1, ceil(len(x) / 16))
    fig.update_layout(
        barmode="stack",
        dragmode="select",
        selectdirection="h",
        height=height,
        margin={"l": 40, "r": 10, "t": 10, "b": 30},
        legend={"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 11, "color": INK}},
        xaxis={
            "tickvals": x[::step],
            "ticktext": list(labels[::step]),
            "fixedrange": True,
            "showgrid": False,
            "tickfont": {"color": INK},
        },
        yaxis={
            "title": {"text": "findings", "font": {"color": INK}},
            "tickfont": {"color": INK},
            "gridcolor": "#e0e0e0",
            "fixedrange": True,
            "rangemode": "tozero",
        },
        # A sheet of its own, like the map: the same on Streamlit's light and dark themes.
        plot_bgcolor="white",
        paper_bgcolor="white",
        font={"color": INK},
        bargap=BAR_GAP,
    )
    start, end = chosen
    if start is not None or end is not None:
        inside = [
            i
            for i, bar in enumerate(line.bars)
            if (end is None or bar.first <= end) and (start is None or bar.last >= start)
        ]
        if inside:
            fig.add_vrect(
                x0=inside[0] - 0.5,
                x1=inside[-1] + 0.5,
                fillcolor="#fdd9a0",
                opacity=0.45,
                line_width=0,
                layer="below",
            )
    return fig


def chosen_bars(selection: Mapping, bars: int) -> tuple[int, int] | None:
    """The first and last bar a plotly selection event chose: a drag (``box``) keeps the bars
    it touches, a click (``points``) its bar. None when it chose none."""
    boxes = selection.get("box") or []
    for box in boxes:
        xs = box.get("x") or []
        if len(xs) >= 2:
            half = (1 - BAR_GAP) / 2  # a bar's half width, in bars
            low, high = ceil(min(xs) - half), floor(max(xs) + half)
            low, high = max(0, low), min(bars - 1, high)
            if low <= high:
                return low, high
    numbers = [
        round(p["x"]) for p in selection.get("points") or [] if isinstance(p.get("x"), int | float)
    ]
    numbers = [n for n in numbers if 0 <= n < bars]
    return (min(numbers), max(numbers)) if numbers else None


def describe(line: Timeline) -> str:
    """What the timeline counts, in words."""
    unit = {"year": "year", "quarter": "quarter", "month": "month", "day": "day"}[line.precision]
    words = (
        f"Findings per {unit}, stacked by theme (a finding of two themes counts in both), "
        f"the rest in grey. A finding counts in every {unit} its period overlaps, as the date "
        "filter keeps it. Click a bar, or drag across bars, to filter to that period."
    )
    if line.undated:
        words += f" {line.undated} finding(s) in view have no date and are not shown."
    return words
