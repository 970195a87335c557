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
    the *chosen* date range (from, to) are marked by a band behind them.

    Built from plain values and wrapped without plotly's validation, which took 10-12 ms of
    every rerun of the explorer (the figure is the same; a test proves it valid)."""
    return go.Figure(figure_dict(line, taxonomy, height, chosen), _validate=False)


def figure_dict(
    line: Timeline,
    taxonomy: Taxonomy,
    height: int = HEIGHT,
    chosen: tuple[date | None, date | None] = (None, None),
) -> dict:
    """The plotly figure of :func:`figure`, as a dict."""
    x = list(range(len(line.bars)))
    labels = list(line.labels)

    def bars(counts: Sequence[int], name: str, colour: str | None, hover: str) -> dict:
        return {
            "type": "bar",
            "x": x,
            "y": list(counts),
            "name": name,
            "marker": {"color": colour},
            "customdata": labels,
            "hovertemplate": f"%{{customdata}}: %{{y}} finding(s) {hover}<extra></extra>",
        }

    data = []
    for key, counts in line.by_theme.items():
        if any(counts):
            theme = taxonomy.theme(key)
            data.append(bars(counts, theme.label, theme.colour, f"on {theme.label}"))
    data.append(bars(line.others, "Not in this view", OTHERS_COLOUR, "not in this view"))
    step = max(1, ceil(len(x) / 16))
    layout: dict = {
        "barmode": "stack",
        "dragmode": "select",
        "selectdirection": "h",
        "height": height,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 30},
        "legend": {"orientation": "h", "y": -0.22, "x": 0, "font": {"size": 11, "color": INK}},
        "xaxis": {
            "tickvals": x[::step],
            "ticktext": labels[::step],
            "fixedrange": True,
            "showgrid": False,
            "tickfont": {"color": INK},
        },
        "yaxis": {
            "title": {"text": "findings", "font": {"color": INK}},
            "tickfont": {"color": INK},
            "gridcolor": "#e0e0e0",
            "fixedrange": True,
            "rangemode": "tozero",
        },
        # A sheet of its own, like the map: the same on Streamlit's light and dark themes.
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "font": {"color": INK},
        "bargap": BAR_GAP,
    }
    start, end = chosen
    if start is not None or end is not None:
        inside = [
            i
            for i, bar in enumerate(line.bars)
            if (end is None or bar.first <= end) and (start is None or bar.last >= start)
        ]
        if inside:
            layout["shapes"] = [
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y domain",
                    "x0": inside[0] - 0.5,
                    "x1": inside[-1] + 0.5,
                    "y0": 0,
                    "y1": 1,
                    "fillcolor": "#fdd9a0",
                    "opacity": 0.45,
                    "line": {"width": 0},
                    "layer": "below",
                }
            ]
    return {"data": data, "layout": layout}


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
    unit = line.precision  # "year", "quarter", "month" or "day": the word itself
    words = (
        f"Findings per {unit}, stacked by theme (a finding of two themes counts in both), "
        f"the rest in grey. A finding counts in every {unit} its period overlaps, as the date "
        "filter keeps it. Click a bar, or drag across bars, to filter to that period."
    )
    if line.undated:
        words += f" {line.undated} finding(s) in view have no date and are not shown."
    return words


def one_period(line: Timeline) -> str | None:
    """When every dated finding of the corpus falls in one bar, the timeline in words (a
    chart of one bar says nothing of time, and the theme counts are in the sidebar); None when
    there are bars to draw."""
    if len(line.bars) != 1:
        return None
    unit = line.precision  # "year", "quarter", "month" or "day": the word itself
    (bar,) = line.bars
    words = (
        f"Every dated finding falls in {bar.label()}, so there is no timeline to draw: it shows "
        f"once findings span more than one {unit}. {line.in_view[0]} of them "
        f"{'is' if line.in_view[0] == 1 else 'are'} in this view."
    )
    if line.undated:
        words += f" {line.undated} finding(s) in view have no date."
    return words
