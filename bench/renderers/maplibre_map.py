"""The map drawn by MapLibre (WebGL), as the app drew it before e82f674: the BASELINE the map's
renderer was chosen against (bench/measures/renderers.py). It is not app code, and nothing in
the app imports it.

Adapted from the old ``dashboard/views/maps.py`` (``go.Choroplethmap`` traces on a style of our
own with no tiles and a ``data:`` glyphs URL, so nothing is fetched) so that it draws the same map
as :func:`dashboard.views.maps.build_map` from the same :class:`~dashboard.views.map_data.MapData`
(``map_data.prepare_files``): the same areas with the same counts, colours and hover texts (the
app's own ``maps.hover_text``), the same province borders, disputed boundaries, wider-region and
chosen-area outlines (the new ``Line`` arrays, split at their NaNs into GeoJSON for MapLibre's line
layers), and a label for every name at the same points. Where the old map differed it still does:
the colour bar stands over the map (bottom left) and MapLibre itself drops the names that collide.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go

from dashboard.core.regions import Gazetteer
from dashboard.views import maps
from dashboard.views.map_data import AFPAK_BOUNDS, EXTENT, Line, MapData, view_centre

#: A MapLibre style that needs nothing from the network (the old ``maps.OFFLINE_STYLE``).
OFFLINE_STYLE: dict = {
    "version": 8,
    # One empty inline source: an empty "sources" object is dropped on the way to the browser.
    "sources": {
        "empty": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    },
    "glyphs": "data:application/x-protobuf;base64,{fontstack}{range}",
    "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": "#ffffff"}}
    ],
}


def fit_zoom(width: float, height: float, bounds: Mapping[str, float] = AFPAK_BOUNDS) -> float:
    """The MapLibre zoom at which *bounds* fit a *width* x *height* viewport (old map_data).

    >>> round(fit_zoom(700, 640), 2)
    4.65
    """

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = math.radians(bounds["east"] - bounds["west"])
    span_y = mercator_y(bounds["north"]) - mercator_y(bounds["south"])
    # At zoom z the world is 512 * 2**z pixels wide (MapLibre's 512-pixel tiles) = 2*pi radians.
    return math.log2(min(width / span_x, height / span_y) * 2 * math.pi / 512)


def line_geojson(line: Line) -> dict:
    """A :data:`~dashboard.views.map_data.Line` (NaN between parts) as a GeoJSON MultiLineString,
    each part one n x 2 array (as the old map data kept its coordinates)."""
    lon, lat = line
    breaks = np.flatnonzero(np.isnan(lon))
    parts = [
        np.column_stack((x, y))
        for x, y in zip(np.split(lon, breaks), np.split(lat, breaks), strict=True)
    ]
    parts = [p[~np.isnan(p[:, 0])] for p in parts]
    return {"type": "MultiLineString", "coordinates": [p for p in parts if len(p) > 1]}


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
    """The old MapLibre map figure of *counts*, with the same arguments as ``maps.build_map``."""
    spatial = [
        c for c in counts if c in gazetteer and gazetteer[c].level in ("country", "province")
    ]
    top = max([counts[c] for c in spatial] + [maps.MIN_SCALE_TOP])

    def px(size: float) -> int:
        return max(6, round(size * text_scale))

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
                colorscale=[[0, maps.NEIGHBOUR_FILL], [1, maps.NEIGHBOUR_FILL]],
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
    figure.add_trace(_labels(data, counts, faint, px(11), "#8a8a8a", counted=False))
    # Dark text on light fills, white text on dark fills (the scale's upper half).
    for codes, size in ((province_codes, px(11)), (["AF", "PK", *named_neighbours], px(14))):
        dark = [c for c in codes if counts.get(c, 0) / top > 0.5]
        light = [c for c in codes if c not in dark]
        for group, colour in ((light, "#111111"), (dark, "#ffffff")):
            if group:
                figure.add_trace(_labels(data, counts, group, size, colour))

    layers = []
    lines = data.province_lines(frozenset(province_codes))
    if lines is not None:
        layers.append(_line_layer(lines, maps.PROVINCE_LINE, 0.5))
    layers.append(_line_layer(data.disputed, maps.DISPUTED_LINE, 1.6, dash=[2.5, 2]))
    drawn: set[int] = set()
    for code in maps.spatial_supra(counts, gazetteer, data):
        if id(data.outlines[code]) not in drawn:  # equal outlines are one object (prepare)
            drawn.add(id(data.outlines[code]))
            layers.append(_line_layer(data.outlines[code], maps.SUPRA_LINE, 2.6))
    if selected and selected in data.outlines:
        layers.append(_line_layer(data.outlines[selected], maps.SELECTED_LINE, 3.5))
    figure.update_layout(
        map={
            "style": OFFLINE_STYLE,
            "center": view_centre(AFPAK_BOUNDS),
            "zoom": round(fit_zoom(width or maps.TYPICAL_WIDTH, height), 2),
            "layers": layers,
            "bounds": EXTENT,  # the view stays inside the extent the neighbours are drawn for
        },
        coloraxis={
            "colorscale": maps.COLOURSCALE,
            "cmin": 0,
            "cmax": top,
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
                    f"<span style='color:{maps.DISPUTED_LINE}'>- - -</span> disputed boundary · "
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


def _choropleth(geojson: dict, codes: list[str], counts, gazetteer, name: str, line_width: float):
    return go.Choroplethmap(
        geojson=geojson,
        locations=codes,
        featureidkey="id",
        z=[counts.get(c, 0) for c in codes],
        coloraxis="coloraxis",
        customdata=[maps.hover_text(c, counts, gazetteer) for c in codes],
        hovertemplate="%{customdata}<extra></extra>",
        marker={"line": {"color": maps.BORDER, "width": line_width}, "opacity": 0.92},
        selected={"marker": {"opacity": 0.92}},
        unselected={"marker": {"opacity": 0.92}},
        name=name,
    )


def _labels(data: MapData, counts, codes, size: int, colour: str, counted: bool = True):
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


def _line_layer(line: Line, colour: str, width: float, dash=None) -> dict:
    layer: dict[str, Any] = {
        "sourcetype": "geojson",
        "source": line_geojson(line),
        "type": "line",
        "color": colour,
        "line": {"width": width},
    }
    if dash:
        layer["line"]["dash"] = dash
    return layer
