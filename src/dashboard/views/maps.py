"""The Af-Pak map as a plotly figure, drawn as SVG on plotly's ``geo`` subplot.

The renderer was chosen by measurement (docs/design.md, "The map renderer"): a filter change
remounts the chart in the browser (Streamlit puts the figure into the element's identity), and
an SVG map is rebuilt in a fraction of the time a WebGL (MapLibre) map takes to start again.

Nothing is fetched from the network. The geo subplot has no base map here (``visible=False``):
every shape drawn is one of ours. plotly.js still loads a topology for the base map it does not
draw, from ``topojsonURL + "world_110m.json"`` (by default on plotly's CDN). :data:`TOPOJSON_URL`
is an empty topology as a ``data:`` URL ending in ``#``, so the file name becomes a fragment and
nothing is fetched at all: the page (:data:`CHART_CONFIG`) and kaleido
(:mod:`dashboard.exports.png`) use it alike, with no static files to serve and no path that a
proxy's base URL could break.

Counts are shown at the level the findings name a place: a finding that names Pakistan shades
Pakistan as a whole, not each of its provinces. Supra-regions (the Af-Pak region, South Asia) are
drawn as the outline of the union of their members; non-spatial regions (worldwide, cyberspace,
the diaspora, Iraq and Syria) are not drawn at all: the page lists them beside the map.

The shapes, and the frame they are drawn in, are prepared in :mod:`dashboard.views.map_data`;
the names are placed without overlaps by :mod:`dashboard.views.map_labels`. This module stays
about 400 lines: :func:`build_map`, the trace helpers only it calls, and the hover and
alternative texts that say what it shows are one figure, and change together.
"""

from __future__ import annotations

import json
import urllib.parse
from collections import Counter
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from dashboard.core.regions import Gazetteer
from dashboard.views.map_data import Frame, Line, MapData, view_bounds, view_centre
from dashboard.views.map_labels import Label, Placed, place

#: An empty TopoJSON topology with the layers plotly's geo subplot looks for.
EMPTY_TOPOLOGY = {
    "type": "Topology",
    "objects": {
        name: {"type": "GeometryCollection", "geometries": []}
        for name in ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
    },
    "arcs": [],
}
#: Where plotly.js reads its base-map topology: :data:`EMPTY_TOPOLOGY` itself. plotly.js
#: appends a file name, which the ``#`` turns into a fragment of the data URL.
TOPOJSON_URL = (
    "data:application/json;charset=utf-8,"
    + urllib.parse.quote(json.dumps(EMPTY_TOPOLOGY, separators=(",", ":")))
    + "#"
)
#: The chart's plotly.js configuration on the page.
CHART_CONFIG = {
    "topojsonURL": TOPOJSON_URL,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select", "lasso"],
}

#: Sequential single-hue scale (ColorBrewer Blues): ordered by lightness, so it reads the same
#: under every common form of colour-blindness and in greyscale print. It stops at Blues' seventh
#: step so that one dark border keeps 3:1 against every fill, and black labels 4.5:1 on every
#: fill (WCAG 1.4.11 and 1.4.3; tests/test_palette.py checks both from these values).
COLOURSCALE = [
    [0.0, "#f7fbff"],
    [1 / 6, "#deebf7"],
    [2 / 6, "#c6dbef"],
    [3 / 6, "#9ecae1"],
    [4 / 6, "#6baed6"],
    [5 / 6, "#4292c6"],
    [1.0, "#2171b5"],
]
#: How opaque the areas are drawn (over the white paper).
FILL_OPACITY = 0.92
#: How the other areas are drawn the moment one is clicked, until the page has rerun.
UNSELECTED_OPACITY = 0.35
#: The text of the map and the timeline, drawn on their white ground whatever the page's theme.
INK = "#262730"
#: The labels of the areas: black reads on every fill of the scale.
LABEL_INK = "#000000"
#: Labels of the neighbouring countries, on their faint fill.
NEIGHBOUR_INK = "#595959"
NEIGHBOUR_FILL = "#eeeeee"
BORDER = "#1f1f1f"
PROVINCE_LINE = "#262626"
DISPUTED_LINE = "#b2182b"
SELECTED_LINE = "#e66101"
#: Width of the chosen area's outline (and of the outline a click draws at once in the page).
SELECTED_WIDTH = 3.5
SUPRA_LINE = "#222222"


#: The colour scale reaches its darkest at no fewer than this many findings, so that a single
#: finding does not look like a hotspot.
MIN_SCALE_TOP = 5
#: The "change" map's diverging scale: fewer findings than the period before in orange, more in
#: purple, no change white (PuOr, which stays readable to red-green colour blindness).
CHANGE_SCALE = [
    [0.0, "#b35806"],
    [0.25, "#f1a340"],
    [0.5, "#f7f7f7"],
    [0.75, "#998ec3"],
    [1.0, "#542788"],
]
#: Width of the map on the explorer page that labels are placed for, in CSS pixels: the
#: narrowest it is on a laptop screen (1280 px wide, sidebar open). The view's ranges are fitted
#: to this width, so a wider map is fitted by its height at the same scale: its labels are as far
#: apart as placed, never nearer.
TYPICAL_WIDTH = 600
#: Height of the strip under the map for the colour scale and the line key, in pixels at 1x.
KEY_HEIGHT = 64


def clicked_region(points: list[dict], current: str | None, gazetteer: Gazetteer) -> str | None:
    """The region filter after a click on the map.

    *points* is what ``st.plotly_chart(on_select=...)`` reports: ``[{"location": code, ...}]``.
    A click on an area chooses it; a click on the chosen area again, on empty map, or on
    something that is not a known region clears the choice.

    >>> from dashboard.core.regions import load_gazetteer
    >>> gaz = load_gazetteer()
    >>> pk = [{"location": "PK"}]
    >>> clicked_region(pk, None, gaz), clicked_region(pk, "PK", gaz)
    ('PK', None)
    """
    code = next((p.get("location") for p in points if p.get("location")), None)
    if code is None or code == current or code not in gazetteer:
        return None
    return code


def region_counts(findings) -> Counter:
    """How many findings name each region code directly (at the level they name it)."""
    counts: Counter = Counter()
    for regions in findings["regions"]:
        counts.update(set(regions))
    return counts


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def hover_text(code: str, counts: Mapping[str, int], gazetteer: Gazetteer) -> str:
    """What the map says about one area, at each level the findings name it.

    e.g. ``"<b>Pakistan</b><br>4 findings name Pakistan as a whole<br>1 names a place inside it:
    Khyber Pakhtunkhwa (1)<br>…"``
    """
    region = gazetteer[code]
    lines = [f"<b>{region.name}</b>"]
    own = counts.get(code, 0)
    if region.level == "province":
        lines.append(f"{_plural(own, 'finding names', 'findings name')} {region.name}")
        parent = region.parents[0] if region.parents else None
        if parent:
            lines.append(
                f"{_plural(counts.get(parent, 0), 'names', 'name')} "
                f"{gazetteer.name(parent)} as a whole"
            )
        if region.note:
            lines.append(f"<i>{region.note}</i>")
    else:
        lines.append(f"{_plural(own, 'finding names', 'findings name')} {region.name} as a whole")
        inside = [
            (gazetteer.name(c), counts[c])
            for c in sorted(gazetteer.descendants(code))
            if counts.get(c)
        ]
        if inside:
            total = sum(n for _, n in inside)
            lines.append(
                f"{_plural(total, 'names a place', 'name places')} inside it: "
                + ", ".join(f"{name} ({n})" for name, n in inside)
            )
    wider = [
        (gazetteer.name(c), counts[c])
        for c in _sorted_ancestors(code, gazetteer)
        if counts.get(c) and gazetteer[c].level == "supra"
    ]
    for name, n in wider:
        lines.append(f"{_plural(n, 'names', 'name')} the wider {name}")
    lines.append("<i>Click to filter by this area</i>")
    return "<br>".join(lines)


def _sorted_ancestors(code: str, gazetteer: Gazetteer) -> list[str]:
    return sorted(gazetteer.ancestors(code), key=lambda c: len(gazetteer.descendants(c)))


def build_map(
    data: MapData,
    gazetteer: Gazetteer,
    counts: Mapping[str, int],
    selected: str | None = None,
    *,
    height: int = 620,
    width: int | None = None,
    show_scale: bool = True,
    text_scale: float = 1.0,
    domain: tuple[float, float] = (0.0, 1.0),
    before: Mapping[str, int] | None = None,
    periods: tuple[str, str] = ("", ""),
) -> go.Figure:
    """The map figure: countries and provinces shaded by the findings that name them.

    With *before* (the counts of the period before, *periods* naming it and the range in
    words), the areas are shaded instead by the change from *before* to *counts* on a
    diverging scale, both counts in the hover.

    Countries are always drawn and clickable; a province is drawn on top (and so clickable) when a
    finding names it or it is selected; every province is outlined. Neighbouring countries are
    drawn faintly for orientation and disputed boundaries as dashed lines. The map takes the
    share *domain* of the figure's width (*width* pixels in all, or :data:`TYPICAL_WIDTH`); the
    colour scale and the line key sit in a strip below it, off the polygons.
    """
    spatial = [
        c for c in counts if c in gazetteer and gazetteer[c].level in ("country", "province")
    ]
    data_top = max([counts[c] for c in spatial] + [1])
    top = max(data_top, MIN_SCALE_TOP)  # what the darkest colour stands for

    def px(size: float) -> int:
        return max(6, round(size * text_scale))

    key_height = px(KEY_HEIGHT)
    figure = go.Figure()
    neighbour_codes = [f["id"] for f in data.neighbours["features"]]
    named_neighbours = [c for c in neighbour_codes if counts.get(c)]
    faint = [c for c in neighbour_codes if c not in named_neighbours]
    if faint:
        figure.add_trace(
            go.Choropleth(
                geojson=_subset(data.neighbours, faint),
                locations=faint,
                z=[0] * len(faint),
                featureidkey="id",
                colorscale=[[0, NEIGHBOUR_FILL], [1, NEIGHBOUR_FILL]],
                showscale=False,
                marker={"line": {"color": "#c8c8c8", "width": 0.6}},
                hoverinfo="skip",
                name="neighbours",
            )
        )
    country_codes = [f["id"] for f in data.countries["features"]] + named_neighbours
    country_geojson = {
        "type": "FeatureCollection",
        "features": data.countries["features"]
        + _subset(data.neighbours, named_neighbours)["features"],
    }
    figure.add_trace(
        _choropleth(country_geojson, country_codes, counts, gazetteer, "countries", 1.4)
    )
    province_codes = [
        f["id"] for f in data.provinces["features"] if counts.get(f["id"]) or f["id"] == selected
    ]
    if province_codes:
        figure.add_trace(
            _choropleth(
                _subset(data.provinces, province_codes),
                province_codes,
                counts,
                gazetteer,
                "provinces",
                0.8,
            )
        )
    lines = data.province_lines(frozenset(province_codes))
    if lines is not None:
        figure.add_trace(_line(lines, PROVINCE_LINE, 0.5, "province borders"))
    figure.add_trace(_line(data.disputed, DISPUTED_LINE, 1.6, "disputed boundaries", "dot"))
    drawn: set[int] = set()
    for code in spatial_supra(counts, gazetteer, data):
        # Equal outlines are one object (prepare): South Asia on this map is the Af-Pak one.
        if id(data.outlines[code]) not in drawn:
            drawn.add(id(data.outlines[code]))
            figure.add_trace(_line(data.outlines[code], SUPRA_LINE, 2.6, "wider region"))
    if selected and selected in data.outlines:
        figure.add_trace(
            _line(data.outlines[selected], SELECTED_LINE, SELECTED_WIDTH, "chosen area")
        )

    map_width = (width or TYPICAL_WIDTH) * (domain[1] - domain[0])
    bounds = view_bounds(map_width, height - key_height)
    frame = Frame(map_width, height - key_height, bounds)
    traces, unnamed = _labels(data, counts, province_codes, named_neighbours, frame, px)
    for trace in traces:
        figure.add_trace(trace)
    key_share = key_height / height
    # One layout, given whole: plotly's update_layout walks every property path it is given
    # (three quarters of this function's time when it was called for it).
    figure.layout = go.Layout(
        # The areas drawn with a count whose name found no free place: listed beside the map.
        meta={"unnamed": unnamed},
        geo={
            "domain": {"x": list(domain), "y": [key_share, 1.0]},
            "projection": {"type": "mercator"},
            "lonaxis": {"range": [bounds["west"], bounds["east"]]},
            "lataxis": {"range": [bounds["south"], bounds["north"]]},
            "center": view_centre(bounds),
            # No base map: every shape drawn is one of ours (and the base map would be fetched).
            "visible": False,
            "bgcolor": "#ffffff",
            "fitbounds": False,
        },
        coloraxis={
            # The scale ends at the highest count, in whole steps; below MIN_SCALE_TOP it ends
            # short of the darkest colour, so a single finding does not look like a hotspot.
            "colorscale": truncated_scale(COLOURSCALE, data_top / top),
            "cmin": 0,
            "cmax": data_top,
            "colorbar": {
                "title": {"text": "Findings naming the area", "side": "top"},
                "title_font": {"size": px(12), "color": INK},
                "tickfont": {"size": px(11), "color": INK},
                "orientation": "h",
                "thickness": px(10),
                "len": 0.42 * (domain[1] - domain[0]),
                "x": domain[0] + 0.01,
                "xanchor": "left",
                # Above the bottom edge by the height of its tick labels (drawn under the bar).
                "y": px(18) / height,
                "yanchor": "bottom",
                "ypad": 0,
                "dtick": 1 if data_top <= 10 else None,
            },
            "showscale": show_scale,
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        # The map is a sheet of paper of its own, the same on Streamlit's light and dark themes:
        # its labels, key and scale are drawn for a white ground, whatever the page's.
        paper_bgcolor="#ffffff",
        font={"color": INK},
        height=height,
        showlegend=False,
        uirevision="afpak-map",
        clickmode="event+select",
        dragmode="pan",
        annotations=[
            {
                "text": _key_text(bool(selected and selected in data.outlines), bool(drawn)),
                "xref": "paper",
                "yref": "paper",
                "x": domain[1] - 0.01,
                "y": 0.0,
                "xanchor": "right",
                "yanchor": "bottom",
                "align": "right",
                "showarrow": False,
                "font": {"size": px(11), "color": "#333"},
            }
        ],
    )
    if before is not None:
        _shade_change(figure, counts, before, gazetteer, periods, px)
    return figure


def change_hover(
    code: str, now: Mapping[str, int], before: Mapping[str, int], gazetteer, periods
) -> str:
    """e.g. ``"<b>Pakistan</b><br>2017: 4 findings name it as such<br>2016: 1<br>change: +3"``."""
    earlier, current = periods
    n, b = now.get(code, 0), before.get(code, 0)
    return (
        f"<b>{gazetteer.name(code)}</b><br>"
        f"{current}: {_plural(n, 'finding names', 'findings name')} it as such"
        f"<br>{earlier}: {b}<br>change: {n - b:+d}"
    )


def _shade_change(figure: go.Figure, now, before, gazetteer, periods, px) -> None:
    """Shade the countries and provinces by the change from *before* to *now*."""
    biggest = 1
    for trace in figure.data:
        if trace.name in ("countries", "provinces"):
            codes = list(trace.locations)
            trace.z = [now.get(c, 0) - before.get(c, 0) for c in codes]
            trace.customdata = [change_hover(c, now, before, gazetteer, periods) for c in codes]
            biggest = max([biggest, *(abs(z) for z in trace.z)])
    earlier, current = periods
    figure.update_layout(
        coloraxis={
            "colorscale": CHANGE_SCALE,
            "cmin": -biggest,
            "cmax": biggest,
            "colorbar": {
                "title": {"text": f"Change from {earlier} to {current}", "side": "top"},
                "dtick": 1 if biggest <= 10 else None,
            },
        }
    )


def truncated_scale(scale: list, share: float) -> list:
    """The first *share* (0-1] of a colour *scale*, stretched over 0-1.

    >>> truncated_scale([[0, "rgb(0, 0, 0)"], [1, "rgb(200, 100, 0)"]], 0.5)
    [[0.0, 'rgb(0, 0, 0)'], [1.0, 'rgb(100, 50, 0)']]
    """
    if share >= 1:
        return scale
    stops = [[float(p) / share, c] for p, c in scale if p < share]
    end = sample_colorscale(scale, [share])[0]
    return [*stops, [1.0, end]]


def _key_text(chosen: bool, wider: bool) -> str:
    """The line key: only the kinds of line the map draws."""
    parts = [f"<span style='color:{DISPUTED_LINE}'><b>┅┅</b></span> disputed boundary"]
    if wider:
        parts.append("<b>━━</b> wider region named by findings")
    if chosen:
        parts.append(f"<span style='color:{SELECTED_LINE}'><b>━━</b></span> chosen area")
    return "<br>".join(parts)


def spatial_supra(counts: Mapping[str, int], gazetteer: Gazetteer, data: MapData) -> list[str]:
    """Supra-regions named by the findings that can be drawn (as their members' outline)."""
    return [
        c
        for c in sorted(counts)
        if counts[c] and c in gazetteer and gazetteer[c].level == "supra" and c in data.outlines
    ]


def nonspatial_counts(counts: Mapping[str, int], gazetteer: Gazetteer) -> list[tuple[str, int]]:
    """Regions named by findings that are not drawn on the map, with their counts."""
    return [
        (c, counts[c])
        for c in sorted(counts, key=lambda c: (-counts[c], c))
        if counts[c] and c in gazetteer and not gazetteer[c].spatial
    ]


def _choropleth(
    geojson: dict, codes: list[str], counts, gazetteer, name: str, line_width: float
) -> go.Choropleth:
    return go.Choropleth(
        geojson=geojson,
        locations=codes,
        featureidkey="id",
        z=[counts.get(c, 0) for c in codes],
        coloraxis="coloraxis",
        customdata=[hover_text(c, counts, gazetteer) for c in codes],
        hovertemplate="%{customdata}<extra></extra>",
        marker={"line": {"color": BORDER, "width": line_width}, "opacity": FILL_OPACITY},
        # A click fades every other area at once, in the browser, before the rerun that
        # filters by the area (and outlines it) has come back.
        selected={"marker": {"opacity": FILL_OPACITY}},
        unselected={"marker": {"opacity": UNSELECTED_OPACITY}},
        name=name,
    )


def _line(line: Line, colour: str, width: float, name: str, dash: str = "solid") -> go.Scattergeo:
    lon, lat = line
    return go.Scattergeo(
        lon=lon,
        lat=lat,
        mode="lines",
        line={"color": colour, "width": width, "dash": dash},
        hoverinfo="skip",
        name=name,
    )


def _labels(data: MapData, counts, provinces, neighbours, frame: Frame, px):
    """The text traces of the names that fit without overlapping (see map_labels), and the
    codes of the countries and provinces whose names did not fit."""

    wanted: list[Label] = []
    for code in ("AF", "PK", *neighbours):
        wanted.append(
            _label(data, code, f"{data.names[code]} ({counts.get(code, 0)})", px(14), LABEL_INK)
        )
    for code in sorted(provinces, key=lambda c: (-counts.get(c, 0), data.names[c])):
        wanted.append(
            _label(data, code, f"{data.names[code]} ({counts.get(code, 0)})", px(11), LABEL_INK)
        )
    for feature in data.neighbours["features"]:
        if feature["id"] not in neighbours:
            wanted.append(
                _label(data, feature["id"], data.names[feature["id"]], px(11), NEIGHBOUR_INK)
            )
    groups: dict[tuple[float, str], list[Placed]] = {}
    fitted = place(wanted, frame)
    for placed in fitted:
        groups.setdefault((placed.label.size, placed.label.colour), []).append(placed)
    named = {p.label.code for p in fitted}
    unnamed = [
        c
        for c in ("AF", "PK", *sorted(provinces, key=lambda c: (-counts.get(c, 0), data.names[c])))
        if c not in named
    ]
    return [
        go.Scattergeo(
            lon=[p.label.lon for p in group],
            lat=[p.label.lat for p in group],
            mode="text",
            text=[p.label.text for p in group],
            textposition=[p.position for p in group],
            textfont={"size": size, "color": colour},
            hoverinfo="skip",
            name="labels",
        )
        for (size, colour), group in groups.items()
    ], unnamed


def unnamed_areas(figure: go.Figure) -> list[str]:
    """The codes of the areas :func:`build_map` drew but found no room to name (most findings
    first): for a list beside the map."""
    meta = figure.layout.meta
    return list(meta.get("unnamed", ())) if isinstance(meta, dict) else []


def _label(data: MapData, code: str, text: str, size: float, colour: str) -> Label:
    lon, lat = data.label_points[code]
    return Label(code, text, lon, lat, size, colour)


def _subset(collection: dict, codes: list[str]) -> dict:
    wanted = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in collection["features"] if f["id"] in wanted],
    }


def figure_urls(figure: go.Figure) -> list[str]:
    """Every http(s) URL in the figure's JSON (there must be none)."""
    import re

    text = json.dumps(
        figure.to_plotly_json(),
        default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o),
    )
    return re.findall(r"https?://[^\"'\s]+", text)


def alt_text(counts: Mapping[str, int], gazetteer: Gazetteer, total: int, view: str = "") -> str:
    """A text alternative for the map, for screen readers and for the briefing: what it shades,
    the view's filters in words (*view*, e.g. ``View.describe()``), and the count of every area
    named, on the map or not."""
    spatial = [
        (c, n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n and c in gazetteer and gazetteer[c].spatial
    ]
    parts = [
        f"Map of Afghanistan and Pakistan shading {total} filtered "
        f"finding{'s' if total != 1 else ''} by the areas they name"
        + (f" (view: {view})." if view else ".")
    ]
    if spatial:
        parts.append(
            "Areas named: " + "; ".join(f"{gazetteer.name(c)} {n}" for c, n in spatial) + "."
        )
    else:
        parts.append("No finding names an area on the map.")
    off = nonspatial_counts(counts, gazetteer)
    if off:
        parts.append(
            "Not on the map: " + "; ".join(f"{gazetteer.name(c)} {n}" for c, n in off) + "."
        )
    return " ".join(parts)
