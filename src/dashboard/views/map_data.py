"""The map's geography: the region shapes prepared once for drawing (:class:`MapData`, made by
:func:`prepare` or :func:`prepare_files`), and the frame the map shows them in (the bounds that
must show whole and the Mercator projection of that frame onto a viewport, which places labels).

The map is drawn on plotly's ``geo`` subplot (SVG, d3-geo). d3-geo reads a polygon's outer ring
as clockwise, against GeoJSON's anticlockwise convention: a ring the other way round is taken as
"everything except this area", and the whole globe is filled but the region. So every polygon is
rewound once here. Lines (borders, disputed boundaries, outlines) are drawn as line traces:
each is one pair of longitude and latitude arrays with NaN between its parts.

Coordinates reach the browser rounded to :data:`DISPLAY_DECIMALS` and as float arrays, one per
run of points, so that copying a figure (on every rerun) stays cheap. Reading the shapes needs
shapely only (not geopandas), which keeps it out of the app's start. The figure itself is
:func:`dashboard.views.maps.build_map`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import shapely
from shapely import line_merge
from shapely.geometry import mapping, shape
from shapely.ops import polylabel, unary_union

from dashboard.core.regions import Gazetteer

#: Afghanistan and Pakistan with a little margin: what the map must show whole.
AFPAK_BOUNDS = {"west": 60.2, "east": 77.9, "south": 23.4, "north": 38.7}
#: The extent the neighbouring countries are drawn for (see scripts/build_regions.py).
EXTENT = {"west": 58.0, "east": 80.0, "south": 22.0, "north": 40.0}

#: A line set: longitudes and latitudes, NaN between parts (plotly breaks the line there).
Line = tuple[np.ndarray, np.ndarray]


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


@dataclass(frozen=True)
class Frame:
    """Where a longitude and latitude fall in a viewport of *width* x *height* CSS pixels, on a
    Mercator map fitted to *bounds* and centred (as plotly's geo subplot fits its axis ranges).

    >>> frame = Frame(700, 640)
    >>> x, y = frame.pixel(69.05, 31.36)
    >>> round(x), round(y)
    (350, 320)
    """

    width: float
    height: float
    bounds: Mapping[str, float] = field(default_factory=lambda: AFPAK_BOUNDS)

    @property
    def scale(self) -> float:
        """Pixels per radian of longitude."""
        span_x = math.radians(self.bounds["east"] - self.bounds["west"])
        span_y = _mercator_y(self.bounds["north"]) - _mercator_y(self.bounds["south"])
        return min(self.width / span_x, self.height / span_y)

    def pixel(self, lon: float, lat: float) -> tuple[float, float]:
        middle_lon = (self.bounds["east"] + self.bounds["west"]) / 2
        middle_y = (_mercator_y(self.bounds["north"]) + _mercator_y(self.bounds["south"])) / 2
        x = self.width / 2 + self.scale * math.radians(lon - middle_lon)
        y = self.height / 2 - self.scale * (_mercator_y(lat) - middle_y)
        return x, y


def view_bounds(width: float, height: float) -> dict[str, float]:
    """The longitudes and latitudes a *width* x *height* map shows: Afghanistan and Pakistan
    whole (:data:`AFPAK_BOUNDS`), widened to fill the viewport's shape as far as the neighbours
    are drawn (:data:`EXTENT`), so that a wide map is not a narrow one with white sides.

    >>> view_bounds(700, 640)["west"] < AFPAK_BOUNDS["west"]
    True
    """
    bounds = dict(AFPAK_BOUNDS)
    frame = Frame(width, height, bounds)
    span_x = math.degrees(width / frame.scale)
    span_y = height / frame.scale
    extra_x = max(0.0, span_x - (bounds["east"] - bounds["west"])) / 2
    bounds["west"] = max(EXTENT["west"], bounds["west"] - extra_x)
    bounds["east"] = min(EXTENT["east"], bounds["east"] + extra_x)
    middle = (_mercator_y(bounds["north"]) + _mercator_y(bounds["south"])) / 2
    if span_y > _mercator_y(bounds["north"]) - _mercator_y(bounds["south"]):

        def latitude(y: float) -> float:
            return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)

        bounds["south"] = max(EXTENT["south"], latitude(middle - span_y / 2))
        bounds["north"] = min(EXTENT["north"], latitude(middle + span_y / 2))
    return {key: round(value, 3) for key, value in bounds.items()}


def view_centre(bounds: Mapping[str, float]) -> dict[str, float]:
    """The centre of *bounds* on a Mercator map: the middle longitude, and the latitude halfway
    between south and north as drawn (higher than their mean). plotly centres a geo subplot on
    the mean latitude by default, which would push the north edge out of view.

    >>> view_centre({"west": 60, "east": 78, "south": 23.4, "north": 38.7})["lat"]
    31.36
    """
    middle = (_mercator_y(bounds["north"]) + _mercator_y(bounds["south"])) / 2
    return {
        "lon": round((bounds["west"] + bounds["east"]) / 2, 3),
        "lat": round(math.degrees(2 * math.atan(math.exp(middle)) - math.pi / 2), 3),
    }


class Shape(NamedTuple):
    """One feature of a region file: its code, name, level or kind, and shapely geometry."""

    code: str | None
    name: str
    level: str
    geometry: Any


def read_shapes(path: Path, level_key: str = "level") -> list[Shape]:
    """The features of a GeoJSON file as :class:`Shape` rows (no geopandas needed)."""
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    rows = []
    for feature in collection["features"]:
        properties = feature.get("properties") or {}
        rows.append(
            Shape(
                properties.get("code"),
                properties.get("name") or "",
                properties.get(level_key) or "",
                shape(feature["geometry"]),
            )
        )
    return rows


@dataclass(frozen=True)
class MapData:
    """Geometry prepared once for drawing: GeoJSON dicts with clockwise outer rings, line sets,
    label points and supra-region outlines."""

    countries: dict
    provinces: dict
    neighbours: dict
    disputed: Line
    label_points: dict[str, tuple[float, float]]
    outlines: dict[str, Line]
    names: dict[str, str]
    province_boundaries: dict[str, object]
    _lines: dict = field(default_factory=dict, repr=False, compare=False)

    def province_lines(self, drawn: frozenset[str] = frozenset()) -> Line | None:
        """The outlines of the provinces not drawn as areas, every shared border once (a
        province drawn as an area has its own outline). Remembered per set of drawn codes."""
        if drawn not in self._lines:
            if len(self._lines) > 64:
                self._lines.clear()
            shapes = [g for code, g in self.province_boundaries.items() if code not in drawn]
            self._lines[drawn] = line_of(line_merge(unary_union(shapes))) if shapes else None
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
    """*geometry* rounded for drawing, the points that then repeat removed, and every polygon's
    outer ring clockwise (what d3-geo expects)."""
    rounded = shapely.transform(geometry, lambda xy: np.round(xy, DISPLAY_DECIMALS))
    return shapely.orient_polygons(shapely.remove_repeated_points(rounded), exterior_cw=True)


def line_of(geometry) -> Line:
    """A (multi)line, polygon boundary or collection of them as one :data:`Line`."""
    parts = [
        p
        for p in shapely.get_parts(shapely.boundary(geometry) if _is_area(geometry) else geometry)
        if not p.is_empty
    ]
    lons: list[np.ndarray] = []
    lats: list[np.ndarray] = []
    for part in parts:
        if _is_area(part):
            lon, lat = line_of(part)
        else:
            xy = shapely.get_coordinates(part)
            lon, lat = xy[:, 0], xy[:, 1]
        if lons:
            lons.append(np.array([np.nan]))
            lats.append(np.array([np.nan]))
        lons.append(lon)
        lats.append(lat)
    lon = np.round(np.concatenate(lons), DISPLAY_DECIMALS) if lons else np.array([])
    lat = np.round(np.concatenate(lats), DISPLAY_DECIMALS) if lats else np.array([])
    lon.setflags(write=False)
    lat.setflags(write=False)
    return lon, lat


def _is_area(geometry) -> bool:
    return geometry.geom_type in ("Polygon", "MultiPolygon")


def _label_point(geometry, bounds: Mapping[str, float]) -> tuple[float, float]:
    """Where a name sits: the pole of inaccessibility of the largest part of *geometry* inside
    *bounds* (the visual middle, always inside the area and in view)."""
    inside = shapely.clip_by_rect(
        geometry, bounds["west"], bounds["south"], bounds["east"], bounds["north"]
    )
    if inside.is_empty:
        inside = geometry
    largest = max(shapely.get_parts(inside), key=lambda part: part.area)
    point = polylabel(largest, tolerance=0.02)
    return round(point.x, 3), round(point.y, 3)


def prepare_files(geometry_path: Path, context_path: Path, gazetteer: Gazetteer) -> MapData:
    """:func:`prepare` straight from the two region files."""
    return prepare(read_shapes(geometry_path), read_shapes(context_path, "kind"), gazetteer)


def _rows(frame) -> list[Shape]:
    if isinstance(frame, list):
        return frame
    level = "level" if "level" in frame.columns else "kind"
    return [
        Shape(row.code, row.name, getattr(row, level), row.geometry) for row in frame.itertuples()
    ]


def prepare(geometry: Iterable, context: Iterable, gazetteer: Gazetteer) -> MapData:
    """Turn the region shapes (lists of :class:`Shape`, or the frames of
    :mod:`dashboard.core.region_geometry`) into what the figure needs. Call once and cache it.

    Coordinates are rounded to :data:`DISPLAY_DECIMALS`; the province outlines are one set of
    lines with every shared border once; identical supra-region outlines are kept once.
    """
    shapes, context_shapes = _rows(geometry), _rows(context)

    def collection(rows: list[Shape]) -> dict:
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": row.code,
                    "properties": {"code": row.code, "name": row.name},
                    "geometry": _geojson(_display(row.geometry)),
                }
                for row in rows
            ],
        }

    countries = [s for s in shapes if s.level == "country"]
    provinces = [s for s in shapes if s.level == "province"]
    neighbours = [s for s in context_shapes if s.level == "neighbour"]
    disputed = [s for s in context_shapes if s.level == "disputed"]
    points = {
        row.code: _label_point(row.geometry, AFPAK_BOUNDS)
        for row in (*countries, *provinces, *neighbours)
        if row.code
    }
    outlines: dict[str, Line] = {}
    shared: dict[bytes, Line] = {}  # equal outlines are one object, drawn once (see build_map)

    def outline(area) -> Line:
        key = _display(area).normalize().wkb
        if key not in shared:
            shared[key] = line_of(_display(area))
        return shared[key]

    country_shapes = {s.code: s.geometry for s in countries}
    for region in gazetteer:
        if region.level != "supra":
            continue
        members = [
            country_shapes[c] for c in gazetteer.descendants(region.code) if c in country_shapes
        ]
        if members:
            outlines[region.code] = outline(unary_union(members))
    for row in shapes:
        outlines[str(row.code)] = outline(row.geometry)
    return MapData(
        countries=collection(countries),
        provinces=collection(provinces),
        neighbours=collection(neighbours),
        disputed=line_of(shapely.GeometryCollection([s.geometry for s in disputed])),
        label_points=points,
        outlines=outlines,
        names={r.code: r.name for r in gazetteer},
        province_boundaries={str(row.code): _display(row.geometry).boundary for row in provinces},
    )
