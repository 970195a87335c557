"""The Af-Pak map as a plotly figure.

Drawn by MapLibre with no tiles and no request off the machine.

Plotly's ``geo`` subplot fetches its base map from a CDN, and the named MapLibre styles fetch
glyphs for text labels from the internet. This module uses ``Choroplethmap`` traces on a style
object of our own: a plain background and a ``glyphs`` URL that is a ``data:`` URL, so MapLibre
never asks the network for anything and draws labels with a local font.

Counts are shown at the level the findings name a place: a finding that names Pakistan shades
Pakistan as a whole, not each of its provinces. Supra-regions (the Af-Pak region, South Asia) are
drawn as the outline of the union of their members; non-spatial regions (worldwide, cyberspace,
the diaspora, Iraq and Syria) are not drawn at all: the page lists them beside the map.

The shapes drawn, and the frame they are drawn in, are prepared in :mod:`dashboard.views.map_data`.
This module stays a little over 400 lines: :func:`build_map`, the trace, label and layer helpers
only it calls, and the hover and alternative texts that say what it shows are one figure, and
change together.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.core.regions import Gazetteer
from dashboard.views.map_data import CENTER, EXTENT, MapData, fit_zoom

#: A MapLibre style that needs nothing from the network: no sources, a white background, and a
#: glyphs URL that resolves to nothing on the machine (MapLibre then draws labels locally).
OFFLINE_STYLE: dict = {
    "version": 8,
    # One empty inline source rather than none: an empty "sources" object is dropped from the
    # figure on its way to the browser, and MapLibre then rejects the style on the next redraw
    # ("missing required property sources"), which leaves the map deaf to hovers and clicks.
    "sources": {
        "empty": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    },
    "glyphs": "data:application/x-protobuf;base64,{fontstack}{range}",
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#ffffff"}}
    ],
}

#: Sequential single-hue scale (ColorBrewer Blues): ordered by lightness, so it reads the same
#: under every common form of colour-blindness and in greyscale print.
COLOURSCALE = [
    [0.0, "#f7fbff"],
    [0.125, "#deebf7"],
    [0.25, "#c6dbef"],
    [0.375, "#9ecae1"],
    [0.5, "#6baed6"],
    [0.625, "#4292c6"],
    [0.75, "#2171b5"],
    [0.875, "#08519c"],
    [1.0, "#08306b"],
]
NEIGHBOUR_FILL = "#eeeeee"
BORDER = "#555555"
PROVINCE_LINE = "#9a9a9a"
DISPUTED_LINE = "#b2182b"
SELECTED_LINE = "#e66101"
SUPRA_LINE = "#222222"


#: The colour scale reaches its darkest at no fewer than this many findings, so that a single
#: finding does not look like a hotspot.
MIN_SCALE_TOP = 5
#: Typical width of the map on the explorer page, in CSS pixels (the page is responsive; the
#: view is bounded to the extent, which keeps wider maps filled).
TYPICAL_WIDTH = 720


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
) -> go.Figure:
    """The map figure: countries and provinces shaded by the findings that name them.

    Countries are always drawn and clickable; a province is drawn on top (and so clickable) when a
    finding names it or it is selected; every province is outlined. Neighbouring countries are
    drawn faintly for orientation and disputed boundaries as dashed lines.
    """
    spatial = [
        c for c in counts if c in gazetteer and gazetteer[c].level in ("country", "province")
    ]
    top = max([counts[c] for c in spatial] + [MIN_SCALE_TOP])
    figure = go.Figure()
    neighbour_codes = [f["id"] for f in data.neighbours["features"]]
    named_neighbours = [c for c in neighbour_codes if counts.get(c)]
    faint = [c for c in neighbour_codes if c not in named_neighbours]
    if faint:
        figure.add_trace(
            go.Choroplethmap(
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
        _choropleth(
            country_geojson,
            country_codes,
            counts,
            gazetteer,
            name="countries",
            line_width=1.4,
            show_scale=show_scale,
        )
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
                name="provinces",
                line_width=0.8,
                show_scale=False,
            )
        )
    grey = [c for c in neighbour_codes if c not in named_neighbours]

    def px(size: float) -> int:
        return max(6, round(size * text_scale))

    figure.add_trace(_labels(data, counts, grey, size=px(11), colour="#8a8a8a", counted=False))
    # Dark text on light fills, white text on dark fills (the scale's upper half).
    for codes, size in ((province_codes, px(11)), (["AF", "PK", *named_neighbours], px(14))):
        dark = [c for c in codes if counts.get(c, 0) / top > 0.5]
        light = [c for c in codes if c not in dark]
        for group, colour in ((light, "#111111"), (dark, "#ffffff")):
            if group:
                figure.add_trace(_labels(data, counts, group, size=size, colour=colour))

    layers = []
    lines = data.province_lines(frozenset(province_codes))
    if lines:
        layers.append(_line_layer(lines, PROVINCE_LINE, 0.5))
    layers.append(_line_layer(data.disputed, DISPUTED_LINE, 1.6, dash=[2.5, 2]))
    drawn: set[int] = set()
    for code in spatial_supra(counts, gazetteer, data):
        # Equal outlines are one object (prepare): South Asia on this map is the Af-Pak one.
        if id(data.outlines[code]) not in drawn:
            drawn.add(id(data.outlines[code]))
            layers.append(_line_layer(data.outlines[code], SUPRA_LINE, 2.6))
    if selected and selected in data.outlines:
        layers.append(_line_layer(data.outlines[selected], SELECTED_LINE, 3.5))
    figure.update_layout(
        map={
            "style": OFFLINE_STYLE,
            "center": CENTER,
            "zoom": round(fit_zoom(width or TYPICAL_WIDTH, height), 2),
            "layers": layers,
            # Keep the view inside the extent the context layer covers.
            "bounds": EXTENT,
        },
        coloraxis={
            "colorscale": COLOURSCALE,
            "cmin": 0,
            "cmax": top,
            # Bottom left, over Iran and the sea, above the line legend: nothing of
            # Af-Pak lies under it.
            "colorbar": {
                "title": {"text": "Findings<br>naming<br>the area"},
                "title_font": {"size": px(13)},
                "tickfont": {"size": px(12)},
                "thickness": px(14),
                "len": 0.3,
                "x": 0.01,
                "xanchor": "left",
                "y": 0.06,
                "yanchor": "bottom",
                "dtick": 1 if top <= 10 else None,
                "bgcolor": "rgba(255,255,255,0.9)",
            },
            "showscale": show_scale,
        },
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        height=height,
        showlegend=False,
        uirevision="afpak-map",
        clickmode="event+select",
        annotations=[
            {
                "text": (
                    f"<span style='color:{DISPUTED_LINE}'>- - -</span> disputed boundary · "
                    "outlines: <b>━</b> wider region named by findings"
                ),
                "xref": "paper",
                "yref": "paper",
                "x": 0.01,
                "y": 0.01,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": px(11), "color": "#333"},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        ],
    )
    return figure


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
    geojson: dict,
    codes: list[str],
    counts,
    gazetteer,
    *,
    name: str,
    line_width: float,
    show_scale: bool,
) -> go.Choroplethmap:
    return go.Choroplethmap(
        geojson=geojson,
        locations=codes,
        featureidkey="id",
        z=[counts.get(c, 0) for c in codes],
        coloraxis="coloraxis",
        customdata=[hover_text(c, counts, gazetteer) for c in codes],
        hovertemplate="%{customdata}<extra></extra>",
        marker={"line": {"color": BORDER, "width": line_width}, "opacity": 0.92},
        selected={"marker": {"opacity": 0.92}},
        unselected={"marker": {"opacity": 0.92}},
        name=name,
    )


def _labels(
    data: MapData, counts, codes: list[str], *, size: int, colour: str, counted: bool = True
) -> go.Scattermap:
    texts = [f"{data.names[c]} ({counts.get(c, 0)})" if counted else data.names[c] for c in codes]
    return go.Scattermap(
        lon=[data.label_points[c][0] for c in codes],
        lat=[data.label_points[c][1] for c in codes],
        mode="text",
        text=texts,
        textfont={"size": size, "color": colour},
        hoverinfo="skip",
        name="labels",
    )


def _subset(collection: dict, codes: list[str]) -> dict:
    wanted = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in collection["features"] if f["id"] in wanted],
    }


def _line_layer(geometry: dict, colour: str, width: float, dash=None, below=None) -> dict:
    layer: dict[str, Any] = {
        "sourcetype": "geojson",
        "source": geometry,
        "type": "line",
        "color": colour,
        "line": {"width": width},
    }
    if dash:
        layer["line"]["dash"] = dash
    if below:
        layer["below"] = below
    return layer


def figure_urls(figure: go.Figure) -> list[str]:
    """Every http(s) URL in the figure's JSON (there must be none)."""
    import re

    text = json.dumps(
        figure.to_plotly_json(),
        default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o),
    )
    return re.findall(r"https?://[^\"'\s]+", text)


def alt_text(counts: Mapping[str, int], gazetteer: Gazetteer, total: int) -> str:
    """A text alternative for the map, for screen readers and for the briefing."""
    spatial = [
        (c, n)
        for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n and c in gazetteer and gazetteer[c].spatial
    ]
    parts = [
        f"Map of Afghanistan and Pakistan shading {total} filtered "
        f"finding{'s' if total != 1 else ''} by the areas they name."
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
