#!/usr/bin/env python3
"""Build the region geometry in ``data/regions/`` from Natural Earth.

Source: Natural Earth Admin-1 states/provinces v4.1.0 (public domain), generalised, as
shipped in Debian's ``qgis-common`` package (``world_map.gpkg``). The GeoPackage is taken
from, in order: ``--gpkg PATH``; ``--deb PATH`` (a downloaded ``qgis-common`` .deb,
extracted with ``dpkg -x``); an installed ``/usr/share/qgis/resources/data/world_map.gpkg``;
else ``apt-get download qgis-common`` into a temporary directory (QGIS itself is never
installed; ``apt-get update`` is run once if the download fails and we are root).

Writes (deterministically: same input, byte-identical output):

* ``afpak.geojson``: Afghanistan and Pakistan (outlines dissolved from their units) and
  their 34 + 8 first-level units, keyed by ISO 3166-1/3166-2 code, names from
  ``gazetteer.csv``;
* ``context.geojson``: the neighbouring countries' outlines clipped to the map's extent,
  and the disputed boundary lines in that extent.

All polygons (Af-Pak units and neighbours) are simplified together as one coverage with
:func:`shapely.coverage_simplify`, so shared borders stay identical (no gaps, no
slivers), then rounded to ``DECIMALS`` decimals. The hand-curated ``gazetteer.csv`` is
checked against the source: every unit's (corrected) Natural Earth labels must resolve to
the unit's code, and the codes must be exactly pycountry's for AF and PK plus PK-TA.

Usage::

    python scripts/build_regions.py [--gpkg PATH | --deb PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pycountry
import pyogrio
import shapely
import shapely.geometry

ROOT = Path(__file__).resolve().parents[1]
try:
    from dashboard.core.regions import Gazetteer, load_gazetteer
except ImportError:  # not installed: run from a checkout
    sys.path.insert(0, str(ROOT / "src"))
    from dashboard.core.regions import Gazetteer, load_gazetteer

GPKG_IN_PACKAGE = Path("usr/share/qgis/resources/data/world_map.gpkg")
SYSTEM_GPKG = Path("/") / GPKG_IN_PACKAGE
PACKAGE = "qgis-common"
KNOWN_PACKAGE_VERSION = "3.22.16+dfsg-1"  # the version this script was checked against

OUT_DIR = ROOT / "data" / "regions"
MAX_BYTES = 150_000

AFPAK = ("AF", "PK")
NEIGHBOURS = ("CN", "IN", "IR", "TJ", "TM", "UZ")
#: Disputed areas that Natural Earth keeps apart from any country (by ``adm0_a3``): they
#: take part in the coverage (so their borders match the neighbours') and their outline
#: is written to the context layer as a disputed line.
DISPUTED_AREAS = {"KAS": "Siachen Glacier (disputed area, outline)"}
#: The map's extent (lon/lat): Af-Pak (60.5-77.8 E, 23.7-38.5 N) plus a margin.
EXTENT = (58.0, 22.0, 80.0, 40.0)
#: coverage_simplify tolerance, in degrees (roughly the square root of the area of the
#: triangles removed); 0.03 degrees is about 3 km, below one pixel on a full Af-Pak map.
TOLERANCE = 0.03
#: Tolerance (degrees) for the disputed lines (Douglas-Peucker, topology-preserving).
LINE_TOLERANCE = 0.01
#: Decimals kept in coordinates: 3 decimals is about 100 m.
DECIMALS = 3

#: FIPS 10-4 first-level codes -> ISO 3166-2. Natural Earth's ``fips`` column uses these,
#: except that its rows for Daykundi and Panjshir (provinces created in 2004) carry the
#: codes of the provinces they were split from (AF39 Uruzgan, AF40 Parwan): see FIXES.
FIPS_TO_ISO = {
    "AF01": "AF-BDS", "AF02": "AF-BDG", "AF03": "AF-BGL", "AF05": "AF-BAM",
    "AF06": "AF-FRA", "AF07": "AF-FYB", "AF08": "AF-GHA", "AF09": "AF-GHO",
    "AF10": "AF-HEL", "AF11": "AF-HER", "AF13": "AF-KAB", "AF14": "AF-KAP",
    "AF17": "AF-LOG", "AF18": "AF-NAN", "AF19": "AF-NIM", "AF23": "AF-KAN",
    "AF24": "AF-KDZ", "AF26": "AF-TAK", "AF27": "AF-WAR", "AF28": "AF-ZAB",
    "AF29": "AF-PKA", "AF30": "AF-BAL", "AF31": "AF-JOW", "AF32": "AF-SAM",
    "AF33": "AF-SAR", "AF34": "AF-KNR", "AF35": "AF-LAG", "AF36": "AF-PIA",
    "AF37": "AF-KHO", "AF38": "AF-NUR", "AF39": "AF-URU", "AF40": "AF-PAR",
    "AF41": "AF-DAY", "AF42": "AF-PAN",
    "PK01": "PK-TA", "PK02": "PK-BA", "PK03": "PK-KP", "PK04": "PK-PB",
    "PK05": "PK-SD", "PK06": "PK-JK", "PK07": "PK-GB", "PK08": "PK-IS",
}  # fmt: skip

#: Mislabelled Natural Earth rows: (fips, column, value identifying the row) ->
#: (ISO code, corrected name, labels of the row that are wrong and must not be trusted).
FIXES = {
    ("AF40", "gn_name", "Panjshir"): ("AF-PAN", "Panjshir", {"Parwan"}),
    ("AF39", "woe_name", "Daykundi"): ("AF-DAY", "Daykundi", {"Uruzgan"}),
}

#: Historical units kept although ISO 3166-2 no longer lists them.
HISTORICAL = {"PK-TA": "Federally Administered Tribal Areas (merged into PK-KP in 2018)"}

LABEL_COLUMNS = ("name", "woe_name", "gn_name")


class BuildError(RuntimeError):
    """The source or the gazetteer is not what this script expects."""


# -- getting the GeoPackage -------------------------------------------------------------------


def _run(command: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    print("+", " ".join(command), file=sys.stderr)
    return subprocess.run(command, cwd=cwd, check=False, capture_output=True, text=True)


def _extract(deb: Path, into: Path) -> Path:
    if shutil.which("dpkg") is None:
        raise BuildError("dpkg is needed to extract the .deb (or pass --gpkg PATH)")
    version = _run(["dpkg-deb", "-f", str(deb), "Version"]).stdout.strip()
    done = _run(["dpkg", "-x", str(deb), str(into)])
    if done.returncode != 0:
        raise BuildError(f"dpkg -x {deb} failed: {done.stderr.strip()}")
    gpkg = into / GPKG_IN_PACKAGE
    if not gpkg.is_file():
        raise BuildError(f"{deb} does not contain {GPKG_IN_PACKAGE}")
    print(f"source package: {PACKAGE} {version or '(unknown version)'}")
    if version and version != KNOWN_PACKAGE_VERSION:
        print(
            f"warning: this script was checked against {PACKAGE} {KNOWN_PACKAGE_VERSION};"
            " the checks below will tell whether this one still fits",
            file=sys.stderr,
        )
    return gpkg


def _download(into: Path) -> Path:
    if shutil.which("apt-get") is None:
        raise BuildError("apt-get not found: pass --gpkg PATH or --deb PATH")
    done = _run(["apt-get", "download", PACKAGE], cwd=into)
    if done.returncode != 0 and hasattr(os, "geteuid") and os.geteuid() == 0:
        updated = _run(["apt-get", "update", "-qq"])
        if updated.returncode == 0:
            done = _run(["apt-get", "download", PACKAGE], cwd=into)
    if done.returncode != 0:
        raise BuildError(
            f"apt-get download {PACKAGE} failed (run `apt-get update` as root, or pass"
            f" --gpkg/--deb): {done.stderr.strip()}"
        )
    debs = sorted(into.glob(f"{PACKAGE}_*.deb"))
    if len(debs) != 1:
        raise BuildError(f"expected one {PACKAGE} .deb in {into}, found {debs}")
    return debs[0]


def find_gpkg(args: argparse.Namespace, scratch: Path) -> Path:
    """The GeoPackage to read, downloading/extracting into *scratch* when needed."""
    if args.gpkg:
        gpkg = Path(args.gpkg)
        if not gpkg.is_file():
            raise BuildError(f"--gpkg {gpkg}: no such file")
        return gpkg
    if args.deb:
        return _extract(Path(args.deb), scratch / "root")
    if SYSTEM_GPKG.is_file():
        print(f"using the installed {SYSTEM_GPKG}")
        return SYSTEM_GPKG
    return _extract(_download(scratch), scratch / "root")


# -- codes --------------------------------------------------------------------------------------


def expected_codes() -> set[str]:
    """pycountry's ISO 3166-2 codes for AF and PK, plus the historical units."""
    codes = {s.code for cc in AFPAK for s in pycountry.subdivisions.get(country_code=cc)}
    return codes | set(HISTORICAL)


def assign_codes(units, gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    """ISO codes and corrected names for the Af-Pak rows of ``states_provinces``.

    The code comes from the row's FIPS code (with FIXES for the two mislabelled rows) and
    is cross-checked against the gazetteer: every trustworthy label of the row (name,
    woe_name, gn_name) must resolve to the same code.
    """
    codes, names, problems = [], [], []
    used_fixes = {key: 0 for key in FIXES}
    for row in units.itertuples(index=False):
        fix = None
        for key in FIXES:
            fips, column, value = key
            if row.fips == fips and getattr(row, column) == value:
                fix, used_fixes[key] = FIXES[key], used_fixes[key] + 1
        if fix is not None:
            code, name, wrong = fix
        else:
            code, name, wrong = FIPS_TO_ISO.get(row.fips), row.name, set()
        labels = {getattr(row, c) for c in LABEL_COLUMNS if getattr(row, c)} - wrong
        for label in sorted(labels):
            resolved = gazetteer.resolve(label)
            if resolved != code:
                problems.append(
                    f"row fips={row.fips} name={row.name!r}: label {label!r} resolves to"
                    f" {resolved} in gazetteer.csv, expected {code}"
                )
        if code is None:
            problems.append(f"row fips={row.fips} name={row.name!r}: no ISO code")
        codes.append(code)
        names.append(name)
    for key, count in used_fixes.items():
        if count != 1:
            problems.append(f"fix {key} matched {count} rows, expected exactly 1")
    duplicated = sorted({c for c in codes if c is not None and codes.count(c) > 1})
    if duplicated:
        problems.append(f"codes assigned to more than one row: {duplicated}")
    expected = expected_codes()
    if set(codes) != expected:
        problems.append(
            f"codes differ from pycountry's AF/PK subdivisions + {sorted(HISTORICAL)}:"
            f" missing {sorted(expected - set(codes))},"
            f" unexpected {sorted(set(codes) - expected, key=str)}"
        )
    if problems:
        raise BuildError("cannot map Natural Earth rows to ISO codes:\n  " + "\n  ".join(problems))
    return codes, names


def check_gazetteer(gazetteer: Gazetteer, province_codes: list[str]) -> None:
    """The gazetteer must hold exactly the mapped provinces, the countries and neighbours."""
    problems = []
    spatial = {
        r.code for r in gazetteer if r.level == "province" and r.country in AFPAK and r.spatial
    }
    if spatial != set(province_codes):
        problems.append(
            f"gazetteer provinces of AF/PK differ from the geometry: only in gazetteer"
            f" {sorted(spatial - set(province_codes))}, only in geometry"
            f" {sorted(set(province_codes) - spatial)}"
        )
    for code in AFPAK + NEIGHBOURS:
        if code not in gazetteer or gazetteer[code].level != "country":
            problems.append(f"gazetteer lacks country {code}")
    for code, region in ((r.code, r) for r in gazetteer if r.level == "province"):
        if region.country in AFPAK and code in province_codes:
            iso = pycountry.subdivisions.get(code=code)
            if iso is not None and region.name != iso.name and iso.name not in region.aliases:
                problems.append(f"{code}: pycountry's name {iso.name!r} is neither name nor alias")
    if problems:
        raise BuildError("gazetteer.csv does not match the geometry:\n  " + "\n  ".join(problems))


# -- geometry -----------------------------------------------------------------------------------


def polygons_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """Drop the points and lines an intersection may leave, keep (Multi)Polygons."""
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def dissolve_clipped(parts: np.ndarray, extent: shapely.Geometry) -> shapely.Geometry:
    """The union of the coverage *parts*, clipped to *extent* (polygons only)."""
    return polygons_only(shapely.coverage_union_all(parts).intersection(extent))


def round_coordinates(geometries: np.ndarray) -> np.ndarray:
    """Round to DECIMALS and drop the repeated points rounding creates."""
    rounded = shapely.transform(geometries, lambda xy: np.round(xy, DECIMALS))
    return shapely.remove_repeated_points(rounded, tolerance=0.0)


def finish(geometry: shapely.Geometry) -> shapely.Geometry:
    """Single parts unwrapped, canonical ring order and start points, exteriors
    counter-clockwise (RFC 7946)."""
    parts = shapely.get_parts(geometry)
    if len(parts) == 1:
        geometry = parts[0]
    return shapely.orient_polygons(shapely.normalize(geometry), exterior_cw=False)


def check_polygons(label: str, codes: list[str], geometries: np.ndarray) -> None:
    problems = []
    for code, geometry in zip(codes, geometries):
        if geometry is None or geometry.is_empty:
            problems.append(f"{code}: empty")
        elif not geometry.is_valid:
            problems.append(f"{code}: {shapely.is_valid_reason(geometry)}")
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{code}: {geometry.geom_type}")
    if not problems and not shapely.coverage_is_valid(geometries):
        problems.append("not a valid coverage (overlaps or mismatched shared borders)")
    if problems:
        raise BuildError(f"{label}:\n  " + "\n  ".join(problems))


def build_polygons(gpkg: Path, gazetteer: Gazetteer):
    """Codes and shapes of the Af-Pak units, the clipped neighbours and disputed areas.

    Returns ``(unit_codes, unit_shapes, neighbour_codes, neighbour_shapes, areas)`` where
    *areas* is a list of ``(label, outline)`` for :data:`DISPUTED_AREAS`.
    """
    wanted = AFPAK + NEIGHBOURS
    where = "iso_a2 IN ({}) OR adm0_a3 IN ({})".format(
        ",".join(f"'{c}'" for c in wanted), ",".join(f"'{a}'" for a in sorted(DISPUTED_AREAS))
    )
    frame = pyogrio.read_dataframe(gpkg, layer="states_provinces", where=where)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise BuildError(f"states_provinces is in {frame.crs}, expected EPSG:4326")
    units = frame[frame.iso_a2.isin(AFPAK)].reset_index(drop=True)
    counts = units.iso_a2.value_counts().to_dict()
    if counts != {"AF": 34, "PK": 8}:
        raise BuildError(f"expected 34 AF and 8 PK units in states_provinces, found {counts}")
    codes, _names = assign_codes(units, gazetteer)
    check_gazetteer(gazetteer, codes)

    order = sorted(range(len(codes)), key=codes.__getitem__)
    unit_codes = [codes[i] for i in order]
    unit_shapes = [units.geometry.iloc[i] for i in order]

    extent = shapely.box(*EXTENT)
    neighbour_shapes = []
    for code in NEIGHBOURS:
        parts = frame.geometry[(frame.iso_a2 == code).to_numpy()].to_numpy()
        if len(parts) == 0:
            raise BuildError(f"no units of neighbour {code} in states_provinces")
        neighbour_shapes.append(dissolve_clipped(parts, extent))

    area_shapes = []
    for adm0 in sorted(DISPUTED_AREAS):
        parts = frame.geometry[(frame.adm0_a3 == adm0).to_numpy()].to_numpy()
        if len(parts) == 0:
            raise BuildError(f"no unit with adm0_a3 {adm0} in states_provinces")
        area_shapes.append(dissolve_clipped(parts, extent))

    all_codes = unit_codes + list(NEIGHBOURS) + sorted(DISPUTED_AREAS)
    coverage = np.array(unit_shapes + neighbour_shapes + area_shapes, dtype=object)
    check_polygons("source polygons", all_codes, coverage)
    simplified = shapely.coverage_simplify(coverage, TOLERANCE)
    rounded = round_coordinates(simplified)
    label = f"polygons simplified ({TOLERANCE}) and rounded ({DECIMALS} decimals)"
    check_polygons(label, all_codes, rounded)
    source_coords = int(shapely.get_num_coordinates(coverage).sum())
    kept_coords = int(shapely.get_num_coordinates(rounded).sum())
    print(f"polygons: {source_coords} source vertices -> {kept_coords} after simplification")
    n, m = len(unit_codes), len(unit_codes) + len(NEIGHBOURS)
    areas = [
        (DISPUTED_AREAS[adm0], shapely.normalize(shape.boundary))
        for adm0, shape in zip(sorted(DISPUTED_AREAS), rounded[m:])
    ]
    return unit_codes, rounded[:n], list(NEIGHBOURS), rounded[n:m], areas


def build_disputed(gpkg: Path) -> list[tuple[str, shapely.Geometry]]:
    """(name, lines) of the disputed boundary lines in the map's extent, one per label."""
    frame = pyogrio.read_dataframe(gpkg, layer="disputed_borders")
    extent = shapely.box(*EXTENT)
    groups: dict[str, list] = {}
    for row in frame.itertuples(index=False):
        clipped = row.geometry.intersection(extent)
        lines = [
            p for p in shapely.get_parts(clipped) if p.geom_type == "LineString" and not p.is_empty
        ]
        if not lines:
            continue
        if row.adm0_left == row.adm0_right:
            label = f"{row.name} (in {row.adm0_left}-administered territory)"
        else:
            label = f"{row.name} ({row.adm0_left} / {row.adm0_right})"
        groups.setdefault(label, []).extend(lines)
    result = []
    for label in sorted(groups):
        merged = shapely.line_merge(shapely.MultiLineString(groups[label]))
        simplified = shapely.simplify(merged, LINE_TOLERANCE, preserve_topology=True)
        rounded = round_coordinates(np.array([simplified], dtype=object))[0]
        parts = [p for p in shapely.get_parts(rounded) if p.length > 0]
        if not parts:
            continue
        geometry = parts[0] if len(parts) == 1 else shapely.MultiLineString(parts)
        result.append((label, shapely.normalize(geometry)))
    return result


# -- output -------------------------------------------------------------------------------------


def feature(feature_id: str, properties: dict, geometry: shapely.Geometry) -> str:
    mapping = shapely.geometry.mapping(geometry)
    body = {
        "type": "Feature",
        "id": feature_id,
        "properties": properties,
        "geometry": {"type": mapping["type"], "coordinates": mapping["coordinates"]},
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def collection(features: list[str]) -> bytes:
    """A FeatureCollection, one feature per line (readable diffs)."""
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(features) + "\n]}\n"
    return text.encode("utf-8")


def write(path: Path, data: bytes) -> None:
    if len(data) >= MAX_BYTES:
        raise BuildError(f"{path.name} would be {len(data)} bytes, over the {MAX_BYTES} limit")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def build(gpkg: Path, out_dir: Path, gazetteer_path: Path) -> None:
    gazetteer = load_gazetteer(gazetteer_path)
    polygons = build_polygons(gpkg, gazetteer)
    unit_codes, unit_shapes, neighbour_codes, neighbour_shapes, areas = polygons

    afpak = []
    for country in AFPAK:
        members = [s for c, s in zip(unit_codes, unit_shapes) if gazetteer[c].country == country]
        outline = shapely.coverage_union_all(np.array(members, dtype=object))
        outline = polygons_only(outline)
        if outline.is_empty or not outline.is_valid:
            raise BuildError(f"outline of {country} is empty or invalid")
        afpak.append((country, "country", country, outline))
    for code, shape in zip(unit_codes, unit_shapes):
        afpak.append((code, "province", gazetteer[code].country, shape))
    afpak_features = [
        feature(
            code,
            {"code": code, "name": gazetteer.name(code), "level": level, "country": country},
            finish(shape),
        )
        for code, level, country, shape in afpak
    ]

    context_features = [
        feature(
            code,
            {"code": code, "name": gazetteer.name(code), "kind": "neighbour"},
            finish(shape),
        )
        for code, shape in zip(neighbour_codes, neighbour_shapes)
    ]
    disputed = sorted(build_disputed(gpkg) + areas, key=lambda item: item[0])
    context_features += [
        feature(f"disputed-{i}", {"code": None, "name": label, "kind": "disputed"}, geometry)
        for i, (label, geometry) in enumerate(disputed, start=1)
    ]

    afpak_bytes, context_bytes = collection(afpak_features), collection(context_features)
    write(out_dir / "afpak.geojson", afpak_bytes)
    write(out_dir / "context.geojson", context_bytes)

    n_af = sum(gazetteer[c].country == "AF" for c in unit_codes)
    print(
        f"afpak.geojson: 2 countries + {len(unit_codes)} provinces"
        f" ({n_af} AF, {len(unit_codes) - n_af} PK), {len(afpak_bytes):,} bytes"
    )
    print(
        f"context.geojson: {len(neighbour_codes)} neighbours ({', '.join(neighbour_codes)})"
        f" + {len(disputed)} disputed-line features, {len(context_bytes):,} bytes"
    )
    print(f"written to {out_dir}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--gpkg", help="Natural Earth world_map.gpkg from qgis-common")
    source.add_argument("--deb", help="a downloaded qgis-common .deb to extract")
    parser.add_argument("--out", default=str(OUT_DIR), help="output folder (default data/regions)")
    parser.add_argument(
        "--gazetteer", default=None, help="gazetteer.csv (default data/regions/gazetteer.csv)"
    )
    args = parser.parse_args(argv)
    out_dir = Path(args.out)
    gazetteer_path = Path(args.gazetteer) if args.gazetteer else OUT_DIR / "gazetteer.csv"
    try:
        with tempfile.TemporaryDirectory(prefix="build_regions.") as scratch:
            gpkg = find_gpkg(args, Path(scratch))
            print(f"reading {gpkg}")
            build(gpkg, out_dir, gazetteer_path)
    except BuildError as exc:
        print(f"build_regions: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
