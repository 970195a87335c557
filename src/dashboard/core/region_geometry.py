"""The map geometry of regions: Afghanistan, Pakistan and their provinces
(``data/regions/afpak.geojson``), the neighbouring countries and disputed lines drawn for
orientation (``data/regions/context.geojson``), and the shape to draw for any region of the
gazetteer (:func:`region_geometry`). Both files are built by ``scripts/build_regions.py``; see
``data/regions/README.md``.

Nothing here is cached: callers cache the loaders (they are cheap and return fresh objects on
each call).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pandas
import shapely
import shapely.geometry

from dashboard.core.regions import REGIONS_DIR, Gazetteer

if TYPE_CHECKING:
    import geopandas

__all__ = [
    "CONTEXT_COLUMNS",
    "GEOMETRY_COLUMNS",
    "load_context",
    "load_geometry",
    "region_geometry",
]

GEOMETRY_PATH = REGIONS_DIR / "afpak.geojson"
CONTEXT_PATH = REGIONS_DIR / "context.geojson"

GEOMETRY_COLUMNS = ("code", "name", "level", "country", "geometry")
CONTEXT_COLUMNS = ("code", "name", "kind", "geometry")


def _read_features(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    if collection.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: not a GeoJSON FeatureCollection")
    return collection["features"]


def _frame(path: Path, columns: tuple[str, ...]) -> geopandas.GeoDataFrame:
    # geopandas (with pyproj) takes about half a second to import: only the pages and exports
    # that need a frame of shapes pay for it, when they first do.
    import geopandas

    features = _read_features(path)
    rows = [{c: (f.get("properties") or {}).get(c) for c in columns[:-1]} for f in features]
    geometries = [shapely.geometry.shape(f["geometry"]) for f in features]
    frame = geopandas.GeoDataFrame(
        pandas.DataFrame(rows, columns=list(columns[:-1])),
        geometry=geopandas.GeoSeries(geometries, crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    return frame[list(columns)]


def load_geometry(path: Path | None = None) -> geopandas.GeoDataFrame:
    """Afghanistan, Pakistan and their provinces (``afpak.geojson``), in EPSG:4326.

    Columns ``code, name, level, country, geometry``; one row per code; ``level`` is
    ``"country"`` or ``"province"``. The shapes form a coverage: borders coincide exactly.

    Examples
    --------
    >>> frame = load_geometry()
    >>> frame.loc[frame.code == "AF-NAN", "name"].item()
    'Nangarhar'
    """
    return _frame(Path(path) if path is not None else GEOMETRY_PATH, GEOMETRY_COLUMNS)


def load_context(path: Path | None = None) -> geopandas.GeoDataFrame:
    """Orientation layer (``context.geojson``), in EPSG:4326.

    Columns ``code, name, kind, geometry``. ``kind == "neighbour"``: a neighbouring
    country's outline clipped to the map's extent (``code`` is its ISO 3166-1 code);
    ``kind == "disputed"``: a disputed boundary line (``code`` is missing: NA).

    Examples
    --------
    >>> sorted(load_context().query("kind == 'neighbour'").code)
    ['CN', 'IN', 'IR', 'TJ', 'TM', 'UZ']
    """
    return _frame(Path(path) if path is not None else CONTEXT_PATH, CONTEXT_COLUMNS)


def region_geometry(
    gazetteer: Gazetteer, geometry: geopandas.GeoDataFrame, code: str
) -> shapely.Geometry | None:
    """The shape to draw for *code*, or ``None`` when it has none on this map.

    * a code with rows in *geometry* (AF, PK, provinces; or neighbours when *geometry*
      is :func:`load_context`): its own shape;
    * a supra-region: the union of its member countries present in *geometry*
      (``AFPAK`` and ``SOUTH-ASIA`` are both Afghanistan plus Pakistan on this map);
    * non-spatial regions, and spatial ones absent from *geometry*: ``None``.

    Raises
    ------
    KeyError
        For a code not in *gazetteer*.

    Examples
    --------
    >>> from dashboard.core.regions import load_gazetteer
    >>> g, geo = load_gazetteer(), load_geometry()
    >>> region_geometry(g, geo, "AF-NAN").geom_type, region_geometry(g, geo, "GLOBAL")
    ('Polygon', None)
    """
    region = gazetteer[code]
    if not region.spatial:
        return None
    codes = geometry["code"]
    own = geometry.geometry[(codes == code).to_numpy()]
    if len(own) == 1:
        return own.iloc[0]
    if len(own) > 1:
        return shapely.union_all(own.to_numpy())
    if region.level != "supra":
        return None
    members = [c for c in sorted(gazetteer.descendants(code)) if gazetteer[c].level == "country"]
    shapes = geometry.geometry[codes.isin(members).to_numpy()]
    if len(shapes) == 0:
        return None
    return shapely.union_all(shapes.to_numpy())
