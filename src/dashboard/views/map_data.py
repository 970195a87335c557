"""The map's geography: the region shapes prepared once for drawing (:class:`MapData`, made by
:func:`prepare`), and the frame the map shows them in (the bounds that must show whole, the
extent the neighbours are drawn for, the centre and the zoom that fits a viewport).

Coordinates reach the browser rounded to :data:`DISPLAY_DECIMALS` and as float arrays, one per
run of points, so that copying a figure (on every rerun) stays cheap. The figure itself is
:func:`dashboard.views.maps.build_map`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas
import numpy as np
from shapely import line_merge
from shapely.geometry import mapping
from shapely.ops import unary_union

from dashboard.core.regions import Gazetteer


def _mercator_middle(south: float, north: float) -> float:
    """The latitude halfway between two others on a Mercator map (higher than their mean)."""
    import math

    y = (
        math.log(math.tan(math.pi / 4 + math.radians(south) / 2))
        + math.log(math.tan(math.pi / 4 + math.radians(north) / 2))
    ) / 2
    return round(math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2), 3)


#: Afghanistan and Pakistan with a little margin: what the map must show whole.
AFPAK_BOUNDS = {"west": 60.2, "east": 77.9, "south": 23.4, "north": 38.7}
CENTER = {
    "lat": _mercator_middle(AFPAK_BOUNDS["south"], AFPAK_BOUNDS["north"]),
    "lon": (AFPAK_BOUNDS["west"] + AFPAK_BOUNDS["east"]) / 2,
}
#: The extent the neighbouring countries are drawn for (see scripts/build_regions.py).
EXTENT = {"west": 58.0, "east": 80.0, "south": 22.0, "north": 40.0}


def fit_zoom(width: float, height: float, bounds: Mapping[str, float] = AFPAK_BOUNDS) -> float:
    """The MapLibre zoom at which *bounds* fit a viewport of *width* x *height* CSS pixels.

    >>> round(fit_zoom(700, 640), 2)
    4.65
    """
    import math

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    span_x = math.radians(bounds["east"] - bounds["west"])
    span_y = mercator_y(bounds["north"]) - mercator_y(bounds["south"])
    # At zoom z the world is 512 * 2**z pixels wide (MapLibre's 512-pixel tiles) = 2*pi radians.
    scale = min(width / span_x, height / span_y)
    return math.log2(scale * 2 * math.pi / 512)


@dataclass(frozen=True)
class MapData:
    """Geometry prepared once for drawing: GeoJSON dicts, label points, supra-region outlines."""

    countries: dict
    provinces: dict
    neighbours: dict
    disputed: dict
    label_points: dict[str, tuple[float, float]]
    outlines: dict[str, dict]
    names: dict[str, str]
    province_boundaries: dict[str, object]
    _lines: dict = field(default_factory=dict, repr=False, compare=False)

    def province_lines(self, drawn: frozenset[str] = frozenset()) -> dict:
        """The outlines of the provinces not drawn as areas, every shared border once (a
        province drawn as an area has its own outline). Remembered per set of drawn codes."""
        if drawn not in self._lines:
            if len(self._lines) > 64:
                self._lines.clear()
            shapes = [g for code, g in self.province_boundaries.items() if code not in drawn]
            self._lines[drawn] = _geojson(line_merge(unary_union(shapes))) if shapes else None
        return self._lines[drawn]


#: Decimals of the coordinates sent to the browser: 0.01 degrees is about 1 km, under a pixel at
#: the zoom that shows Afghanistan and Pakistan whole (about 0.03 degrees a pixel).
DISPLAY_DECIMALS = 2


def _coordinates(value):
    """GeoJSON coordinates with every run of points as one float array (n x 2).

    A figure is deep-copied each time it is turned into JSON (by ``st.plotly_chart`` on every
    rerun); copying one array per ring instead of one tuple per point makes that several times
    faster, and the JSON is the same (plotly writes arrays out as lists; orjson does it natively).
    """
    if len(value) == 0 or isinstance(value[0], (int, float)):
        return value
    if isinstance(value[0][0], (int, float)):
        points = np.asarray(value, dtype=np.float64)
        points.setflags(write=False)  # cached and shared by every session
        return points
    return [_coordinates(part) for part in value]


def _geojson(geometry) -> dict:
    """The GeoJSON mapping of a shapely *geometry*, its coordinates as arrays."""
    result = dict(mapping(geometry))
    if "coordinates" in result:
        result["coordinates"] = _coordinates(result["coordinates"])
    else:
        result["geometries"] = [_geojson(part) for part in geometry.geoms]
    return result


def _display(geometry):
    """*geometry* with coordinates rounded for drawing and the points that then repeat removed."""
    import shapely

    rounded = shapely.transform(geometry, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return shapely.remove_repeated_points(rounded)


def prepare(
    geometry: geopandas.GeoDataFrame, context: geopandas.GeoDataFrame, gazetteer: Gazetteer
) -> MapData:
    """Turn the region frames into what the figure needs. Call once and cache the result.

    Coordinates are rounded to :data:`DISPLAY_DECIMALS`; the province outlines are one set of
    lines with every shared border once; identical supra-region outlines are kept once.
    """

    def collection(frame: geopandas.GeoDataFrame) -> dict:
        features = []
        for row in frame.itertuples():
            features.append(
                {
                    "type": "Feature",
                    "id": row.code,
                    "properties": {"code": row.code, "name": row.name},
                    "geometry": _geojson(_display(row.geometry)),
                }
            )
        return {"type": "FeatureCollection", "features": features}

    countries = geometry[geometry["level"] == "country"]
    provinces = geometry[geometry["level"] == "province"]
    neighbours = context[context["kind"] == "neighbour"]
    disputed = context[context["kind"] == "disputed"]
    points = {}
    for frame in (countries, provinces, neighbours):
        for row in frame.itertuples():
            point = row.geometry.representative_point()
            points[row.code] = (round(point.x, 3), round(point.y, 3))
    outlines: dict[str, dict] = {}
    shared: dict[bytes, dict] = {}  # equal outlines are one object, drawn once (see build_map)

    def outline(shape) -> dict:
        shape = _display(shape)
        key = shape.normalize().wkb
        if key not in shared:
            shared[key] = _geojson(shape)
        return shared[key]

    country_shapes = dict(zip(countries["code"], countries.geometry))
    for region in gazetteer:
        if region.level != "supra":
            continue
        members = [
            country_shapes[c] for c in gazetteer.descendants(region.code) if c in country_shapes
        ]
        if members:
            outlines[region.code] = outline(unary_union(members).boundary)
    for row in geometry.itertuples():
        outlines[row.code] = outline(row.geometry.boundary)
    disputed_lines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": row.name},
                "geometry": _geojson(_display(row.geometry)),
            }
            for row in disputed.itertuples()
        ],
    }
    return MapData(
        countries=collection(countries),
        provinces=collection(provinces),
        neighbours=collection(neighbours),
        disputed=disputed_lines,
        label_points=points,
        outlines=outlines,
        names={r.code: r.name for r in gazetteer},
        province_boundaries={
            row.code: _display(row.geometry.boundary) for row in provinces.itertuples()
        },
    )
