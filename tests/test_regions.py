"""Tests of the gazetteer, the region geometry and the build script's code assignment."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pycountry
import pytest
import shapely

from dashboard import DATA_DIR
from dashboard.core.region_geometry import load_context, load_geometry, region_geometry
from dashboard.core.regions import (
    COLUMNS,
    LEVELS,
    Gazetteer,
    Region,
    load_gazetteer,
)

REGIONS = DATA_DIR / "regions"
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_regions.py"
NEIGHBOURS = {"IR", "TM", "UZ", "TJ", "CN", "IN"}
AF_CODES = {s.code for s in pycountry.subdivisions.get(country_code="AF")}
PK_CODES = {s.code for s in pycountry.subdivisions.get(country_code="PK")}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


@pytest.fixture(scope="module")
def geometry():
    return load_geometry()


@pytest.fixture(scope="module")
def context_layer():
    return load_context()


# -- names and aliases ------------------------------------------------------------------------

ALIASES = [
    # countries and neighbours
    ("Afghanistan", "AF"),
    ("Islamic Republic of Afghanistan", "AF"),
    ("Pakistan", "PK"),
    ("Islamic Republic of Pakistan", "PK"),
    ("Iran", "IR"),
    ("Islamic Republic of Iran", "IR"),
    ("Iran, Islamic Republic of", "IR"),
    ("Turkmenistan", "TM"),
    ("Uzbekistan", "UZ"),
    ("Tajikistan", "TJ"),
    ("China", "CN"),
    ("People's Republic of China", "CN"),
    ("India", "IN"),
    # supra-regions and non-spatial regions
    ("Af-Pak", "AFPAK"),
    ("AfPak", "AFPAK"),
    ("Afghanistan and Pakistan region", "AFPAK"),
    ("Afghanistan-Pakistan", "AFPAK"),
    ("Afghanistan-Pakistan region", "AFPAK"),
    ("South Asia", "SOUTH-ASIA"),
    ("Worldwide", "GLOBAL"),
    ("global", "GLOBAL"),
    ("the world", "GLOBAL"),
    ("world", "GLOBAL"),
    ("Cyberspace", "CYBERSPACE"),
    ("online", "CYBERSPACE"),
    ("internet", "CYBERSPACE"),
    ("diaspora", "DIASPORA"),
    ("Afghan and Pakistani diaspora", "DIASPORA"),
    ("Afghanistan-Pakistan diaspora", "DIASPORA"),
    ("Iraq and Syria", "IQ-SY"),
    ("Syria and Iraq", "IQ-SY"),
    # Afghan provinces: preferred, pycountry (diacritics), old and variant spellings
    ("Nangarhar", "AF-NAN"),
    ("Nangarhār", "AF-NAN"),
    ("Ningarhar", "AF-NAN"),
    ("Nangrahar", "AF-NAN"),
    ("NANGARHAR", "AF-NAN"),
    ("Helmand", "AF-HEL"),
    ("Hilmand", "AF-HEL"),
    ("Herat", "AF-HER"),
    ("Hirat", "AF-HER"),
    ("Herāt", "AF-HER"),
    ("Jawzjan", "AF-JOW"),
    ("Jowzjan", "AF-JOW"),
    ("Jowzjān", "AF-JOW"),
    ("Wilayat-e Jowzjan", "AF-JOW"),
    ("Paktya", "AF-PIA"),
    ("Paktia", "AF-PIA"),
    ("Paktiyā", "AF-PIA"),
    ("Wilayat-e Paktiya", "AF-PIA"),
    ("Sari Pul", "AF-SAR"),
    ("Sar-e Pul", "AF-SAR"),
    ("Sar-i-Pul", "AF-SAR"),
    ("Panjshir", "AF-PAN"),
    ("Panjsher", "AF-PAN"),
    ("Panjshayr", "AF-PAN"),
    ("Parwan", "AF-PAR"),
    ("Daykundi", "AF-DAY"),
    ("Daikundi", "AF-DAY"),
    ("Dāykundī", "AF-DAY"),
    ("Wilayat-e Daykundi", "AF-DAY"),
    ("Uruzgan", "AF-URU"),
    ("Urozgan", "AF-URU"),
    ("Oruzgan", "AF-URU"),
    ("Kunar", "AF-KNR"),
    ("Kunaṟ", "AF-KNR"),
    ("Wilayat-e Kunar", "AF-KNR"),
    ("Nuristan", "AF-NUR"),
    ("Velayat-e Nurestan", "AF-NUR"),
    ("Khost", "AF-KHO"),
    ("Velayat-e Khowst", "AF-KHO"),
    ("Faryab Province", "AF-FYB"),
    ("Kabul", "AF-KAB"),
    ("Kandahar", "AF-KAN"),
    ("Kunduz", "AF-KDZ"),
    ("Wardak", "AF-WAR"),
    # Pakistani units, old and new names
    ("Balochistan", "PK-BA"),
    ("Baluchistan", "PK-BA"),
    ("Sindh", "PK-SD"),
    ("Sind", "PK-SD"),
    ("Khyber Pakhtunkhwa", "PK-KP"),
    ("Khyber Pakhtunkhwa Province", "PK-KP"),
    ("N.W.F.P.", "PK-KP"),
    ("NWFP", "PK-KP"),
    ("North-West Frontier Province", "PK-KP"),
    ("K.P.", "PK-KP"),
    ("KP", "PK-KP"),
    ("KPK", "PK-KP"),
    ("Gilgit-Baltistan", "PK-GB"),
    ("Northern Areas", "PK-GB"),
    ("Islamabad Capital Territory", "PK-IS"),
    ("F.C.T.", "PK-IS"),
    ("Islamabad", "PK-IS"),
    ("Azad Jammu and Kashmir", "PK-JK"),
    ("Azad Kashmir", "PK-JK"),
    ("AJK", "PK-JK"),
    ("Punjab", "PK-PB"),
    ("Federally Administered Tribal Areas", "PK-TA"),
    ("F.A.T.A.", "PK-TA"),
    ("FATA", "PK-TA"),
    ("Tribal Areas", "PK-TA"),
    # codes, any case; a trailing "province" for provinces
    ("af-nan", "AF-NAN"),
    ("AF-NAN", "AF-NAN"),
    (" pk-ta ", "PK-TA"),
    ("afpak", "AFPAK"),
    ("south-asia", "SOUTH-ASIA"),
    ("iq-sy", "IQ-SY"),
    ("Nangarhar Province", "AF-NAN"),
    ("Punjab province", "PK-PB"),
]


@pytest.mark.parametrize(("text", "code"), ALIASES)
def test_resolve_alias(gazetteer, text, code):
    assert gazetteer.resolve(text) == code


@pytest.mark.parametrize(
    "text", ["Nangahar", "Atlantis", "", "   ", "...", "Afghanistan Province", "province", "AF-XXX"]
)
def test_resolve_unknown(gazetteer, text):
    assert gazetteer.resolve(text) is None


@pytest.mark.parametrize("subdivision", sorted(AF_CODES | PK_CODES))
def test_pycountry_name_is_name_or_alias(gazetteer, subdivision):
    iso = pycountry.subdivisions.get(code=subdivision)
    region = gazetteer[subdivision]
    assert iso.name == region.name or iso.name in region.aliases
    assert gazetteer.resolve(iso.name) == subdivision


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Nangahar", "AF-NAN"),
        ("Kandahr", "AF-KAN"),
        ("Baluchstan", "PK-BA"),
        ("Nangarhar", "AF-NAN"),
    ],
)
def test_suggest_best_first(gazetteer, text, first):
    suggestions = gazetteer.suggest(text)
    assert suggestions[0] == first
    assert len(suggestions) == len(set(suggestions)) <= 3


@pytest.mark.parametrize("text", ["", "   ", "-.-"])
def test_suggest_blank(gazetteer, text):
    assert gazetteer.suggest(text) == []


def test_suggest_limit(gazetteer):
    assert len(gazetteer.suggest("Pak", limit=1, cutoff=0)) == 1
    assert len(gazetteer.suggest("Pak", limit=5, cutoff=0)) == 5
    assert gazetteer.suggest("Nangahar", limit=0) == []


# -- the gazetteer's structure ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AF-NAN", {"AF", "AFPAK", "SOUTH-ASIA", "GLOBAL"}),
        ("PK-TA", {"PK", "AFPAK", "SOUTH-ASIA", "GLOBAL"}),
        ("AF", {"AFPAK", "SOUTH-ASIA", "GLOBAL"}),
        ("AFPAK", {"SOUTH-ASIA", "GLOBAL"}),
        ("DIASPORA", {"GLOBAL"}),
        ("GLOBAL", set()),
        ("IR", set()),
    ],
)
def test_ancestors(gazetteer, code, expected):
    assert gazetteer.ancestors(code) == frozenset(expected)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("PK", PK_CODES | {"PK-TA"}),
        ("AF", AF_CODES),
        ("AFPAK", {"AF", "PK"} | AF_CODES | PK_CODES | {"PK-TA"}),
        ("SOUTH-ASIA", {"AFPAK", "AF", "PK"} | AF_CODES | PK_CODES | {"PK-TA"}),
        ("AF-NAN", set()),
        ("CYBERSPACE", set()),
    ],
)
def test_descendants(gazetteer, code, expected):
    assert gazetteer.descendants(code) == frozenset(expected)


def test_global_descendants(gazetteer):
    expected = {"SOUTH-ASIA", "AFPAK", "AF", "PK", "DIASPORA", "IQ-SY"} | AF_CODES | PK_CODES
    assert gazetteer.descendants("GLOBAL") == frozenset(expected | {"PK-TA"})


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("AFPAK", ("AF", "PK")),
        (
            "PK",
            ("PK-JK", "PK-BA", "PK-TA", "PK-GB", "PK-IS", "PK-KP", "PK-PB", "PK-SD"),
        ),
        ("GLOBAL", ("DIASPORA", "IQ-SY", "SOUTH-ASIA")),
        ("AF-NAN", ()),
    ],
)
def test_children(gazetteer, code, expected):
    assert gazetteer.children(code) == expected


def test_children_of_af_sorted_by_name(gazetteer):
    children = gazetteer.children("AF")
    assert set(children) == AF_CODES
    names = [gazetteer.name(c) for c in children]
    assert names == sorted(names)


@pytest.mark.parametrize("code", ["XX", "af-nan", ""])
def test_unknown_code_raises(gazetteer, code):
    with pytest.raises(KeyError):
        gazetteer[code]
    with pytest.raises(KeyError):
        gazetteer.ancestors(code)
    assert code not in gazetteer


def test_gazetteer_contents(gazetteer):
    expected = (
        {"AF", "PK", "AFPAK", "SOUTH-ASIA", "GLOBAL", "CYBERSPACE", "DIASPORA", "IQ-SY", "PK-TA"}
        | NEIGHBOURS
        | AF_CODES
        | PK_CODES
    )
    assert set(gazetteer.codes) == expected
    assert len(gazetteer) == len(expected) == len(list(gazetteer))
    assert [r.code for r in gazetteer] == list(gazetteer.codes)


@pytest.mark.parametrize(
    ("code", "level", "spatial", "country"),
    [
        ("AF", "country", True, "AF"),
        ("IR", "country", True, "IR"),
        ("AF-NAN", "province", True, "AF"),
        ("PK-TA", "province", True, "PK"),
        ("AFPAK", "supra", True, None),
        ("SOUTH-ASIA", "supra", True, None),
        ("GLOBAL", "nonspatial", False, None),
        ("CYBERSPACE", "nonspatial", False, None),
        ("DIASPORA", "nonspatial", False, None),
        ("IQ-SY", "nonspatial", False, None),
    ],
)
def test_region_fields(gazetteer, code, level, spatial, country):
    region = gazetteer[code]
    assert (region.level, region.spatial, region.country) == (level, spatial, country)
    assert region.level in LEVELS


def test_notes(gazetteer):
    assert gazetteer["PK-TA"].note == "historical: merged into Khyber Pakhtunkhwa in 2018"
    assert "outside the map's extent" in gazetteer["IQ-SY"].note
    assert "only its part in the map's extent" in gazetteer["SOUTH-ASIA"].note


def test_frame(gazetteer):
    frame = gazetteer.frame()
    assert tuple(frame.columns) == COLUMNS
    assert len(frame) == len(gazetteer)
    row = frame.set_index("code").loc["AF-NAN"]
    assert row["parents"] == ("AF",)
    assert isinstance(row["aliases"], tuple) and "Ningarhar" in row["aliases"]
    assert frame.set_index("code").loc["GLOBAL", "country"] is None
    assert frame["spatial"].dtype == bool


# -- the Gazetteer constructor rejects inconsistent input --------------------------------------


def _r(code, parents=(), aliases=(), level="supra", name=None):
    return Region(code, name or code.title(), level, tuple(parents), None, True, tuple(aliases))


@pytest.mark.parametrize(
    ("regions", "named"),
    [
        ([_r("A"), _r("A")], ["A"]),
        ([_r("A", parents=["B"])], ["A", "B"]),
        ([_r("A", parents=["B"]), _r("B", parents=["A"])], ["A", "B"]),
        ([_r("A", parents=["B"]), _r("B", parents=["C"]), _r("C", parents=["A"])], ["A", "B", "C"]),
        ([_r("A", parents=["A"])], ["A"]),
        ([_r("A", aliases=["Same Place"]), _r("B", aliases=["same-place"])], ["A", "B"]),
        ([_r("A", name="Khyber"), _r("B", aliases=["Khyber"])], ["A", "B"]),
        ([_r("A"), _r("B", aliases=["a"])], ["A", "B"]),
        ([_r("A", level="region")], ["A"]),
        ([Region("A", "A", "nonspatial", (), None, True)], ["A"]),
        ([Region("AF", "Afghanistan", "country", (), "PK", True)], ["AF"]),
        ([_r("A", aliases=["..."])], ["A"]),
    ],
    ids=[
        "duplicate-code",
        "unknown-parent",
        "cycle-2",
        "cycle-3",
        "self-parent",
        "shared-alias",
        "alias-is-other-name",
        "alias-is-other-code",
        "unknown-level",
        "nonspatial-but-spatial",
        "country-mismatch",
        "empty-alias-key",
    ],
)
def test_gazetteer_rejects(regions, named):
    with pytest.raises(ValueError) as error:
        Gazetteer(regions)
    for code in named:
        assert code in str(error.value)


def test_gazetteer_accepts_minimal():
    g = Gazetteer([_r("A"), _r("B", parents=["A"], aliases=["Bee"])])
    assert g.resolve("bee") == "B" and g.ancestors("B") == {"A"} and g.children("A") == ("B",)


HEADER = ",".join(COLUMNS)


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        (["A,Alpha,supra,,,true,,", "B,Beta,region,A,,true,,"], ":3: column 3 (level)"),
        (["A,Alpha,supra,,,yes,,"], ":2: column 6 (spatial)"),
        (["A,Alpha,supra,,,true,,", "A,Again,supra,,,true,,"], ":3: column 1 (code)"),
        (["a-b,Alpha,supra,,,true,,"], ":2: column 1 (code)"),
        (["A,,supra,,,true,,"], ":2: column 2 (name)"),
        (["A,Alpha,supra,,,true,x||y,"], ":2: column 7 (aliases)"),
        (["A,Alpha,supra,B|,,true,,"], ":2: column 4 (parents)"),
        (["A,Alpha,supra,,Pak,true,,"], ":2: column 5 (country)"),
        (["A,Alpha,supra,,,true,,", "B,Beta,supra,C,,true,,"], ":3: column 4 (parents)"),
        (["A,Alpha,supra,,,true,Same,", "B,Beta,supra,,,true,same,"], ":3: column 7 (aliases)"),
        (["A,Alpha,supra,,,true"], ":2: "),
    ],
)
def test_load_gazetteer_reports_line_and_column(tmp_path, rows, where):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_gazetteer(path)
    message = str(error.value)
    assert message.startswith(str(path) + where), message


def test_load_gazetteer_bad_header(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,name\nA,Alpha\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.csv:1: header"):
        load_gazetteer(path)


# -- geometry ---------------------------------------------------------------------------------


def test_geometry_codes(geometry):
    assert list(geometry.columns) == ["code", "name", "level", "country", "geometry"]
    assert geometry.crs.to_epsg() == 4326
    assert geometry["code"].is_unique
    provinces = set(geometry.loc[geometry.level == "province", "code"])
    assert provinces == AF_CODES | PK_CODES | {"PK-TA"}
    assert len(AF_CODES) == 34 and len(PK_CODES) == 7
    assert set(geometry.loc[geometry.level == "country", "code"]) == {"AF", "PK"}


def test_geometry_matches_gazetteer(gazetteer, geometry):
    for row in geometry.itertuples():
        region = gazetteer[row.code]
        assert (row.name, row.level, row.country) == (region.name, region.level, region.country)


def test_every_drawn_region_has_geometry(gazetteer, geometry, context_layer):
    drawn = set(geometry.code) | set(context_layer.loc[context_layer.kind == "neighbour", "code"])
    for region in gazetteer:
        if region.spatial and region.level in ("country", "province"):
            assert region.code in drawn, region.code
    assert set(context_layer.loc[context_layer.kind == "neighbour", "code"]) == NEIGHBOURS


@pytest.mark.parametrize(
    ("code", "lon", "lat"),
    [
        ("AF-PAN", 69.9, 35.3),  # Panjshir (Natural Earth labels it "Parwan")
        ("AF-PAR", 68.9, 35.0),
        ("AF-DAY", 66.2, 33.7),  # Daykundi (Natural Earth labels it "Uruzgan")
        ("AF-URU", 66.0, 32.9),
        ("AF-NAN", 70.5, 34.3),
        ("AF-KNR", 71.0, 35.0),
        ("PK-TA", 70.3, 33.2),
        ("PK-GB", 74.8, 35.8),
    ],
)
def test_province_location(geometry, code, lon, lat):
    shape = geometry.loc[geometry.code == code, "geometry"].item()
    centroid = shape.centroid
    assert abs(centroid.x - lon) < 0.5 and abs(centroid.y - lat) < 0.5, (centroid.x, centroid.y)
    assert shape.contains(shapely.Point(lon, lat)) or code == "PK-TA"


@pytest.mark.parametrize(("fixed", "other"), [("AF-PAN", "AF-PAR"), ("AF-DAY", "AF-URU")])
def test_fixed_rows_are_distinct(geometry, fixed, other):
    a = geometry.loc[geometry.code == fixed, "geometry"].item()
    b = geometry.loc[geometry.code == other, "geometry"].item()
    assert a.intersection(b).area < 1e-9
    assert a.touches(b)  # neighbours, sharing a border


@pytest.mark.parametrize("name", ["afpak.geojson", "context.geojson"])
def test_file_size(name):
    assert (REGIONS / name).stat().st_size < 150_000


@pytest.mark.parametrize("name", ["afpak.geojson", "context.geojson"])
def test_feature_ids_and_rounding(name):
    collection = json.loads((REGIONS / name).read_text(encoding="utf-8"))
    ids = [f["id"] for f in collection["features"]]
    assert len(ids) == len(set(ids))
    for f in collection["features"]:
        if f["properties"]["code"] is not None:
            assert f["id"] == f["properties"]["code"]
        coords = shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        assert (abs(coords * 1000 - (coords * 1000).round()) < 1e-6).all()


@pytest.mark.parametrize("loader", [load_geometry, load_context])
def test_geometry_valid(loader):
    frame = loader()
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()


def test_rings_counter_clockwise(geometry, context_layer):
    shapes = list(geometry.geometry) + list(
        context_layer.loc[context_layer.kind == "neighbour", "geometry"]
    )
    for shape in shapes:
        for polygon in shapely.get_parts(shape):
            assert polygon.exterior.is_ccw


@pytest.mark.parametrize("country", ["AF", "PK"])
def test_no_gaps(geometry, country):
    outline = geometry.loc[geometry.code == country, "geometry"].item()
    assert not outline.is_empty and outline.area > 10
    members = geometry[(geometry.level == "province") & (geometry.country == country)]
    union = shapely.union_all(members.geometry.to_numpy())
    assert abs(union.area - outline.area) <= 0.005 * outline.area
    assert outline.symmetric_difference(union).area <= 0.005 * outline.area


def test_borders_coincide(geometry, context_layer):
    provinces = geometry.loc[geometry.level == "province", "geometry"].to_numpy()
    neighbours = context_layer.loc[context_layer.kind == "neighbour", "geometry"].to_numpy()
    assert shapely.coverage_is_valid(list(provinces) + list(neighbours))
    af = geometry.loc[geometry.code == "AF", "geometry"].item()
    pk = geometry.loc[geometry.code == "PK", "geometry"].item()
    assert af.intersection(pk).area < 1e-9 and af.touches(pk)


def test_context(context_layer):
    assert list(context_layer.columns) == ["code", "name", "kind", "geometry"]
    assert set(context_layer.kind) == {"neighbour", "disputed"}
    disputed = context_layer[context_layer.kind == "disputed"]
    assert len(disputed) >= 1
    assert disputed.code.isna().all()
    assert set(disputed.geometry.geom_type) <= {"LineString", "MultiLineString"}
    assert disputed.name.str.len().gt(0).all()
    assert (
        shapely.box(58, 22, 80, 40).buffer(1e-9).contains(shapely.union_all(context_layer.geometry))
    )


def test_loaders_return_fresh_objects(geometry):
    first = load_geometry()
    first.loc[:, "name"] = "changed"
    assert (load_geometry()["name"] == geometry["name"]).all()


# -- region_geometry ----------------------------------------------------------------------------


def test_region_geometry_own_shape(gazetteer, geometry):
    for code in ["AF", "PK", "AF-NAN", "PK-TA"]:
        expected = geometry.loc[geometry.code == code, "geometry"].item()
        assert region_geometry(gazetteer, geometry, code).equals(expected)


@pytest.mark.parametrize("code", ["AFPAK", "SOUTH-ASIA"])
def test_region_geometry_supra(gazetteer, geometry, code):
    af = geometry.loc[geometry.code == "AF", "geometry"].item()
    pk = geometry.loc[geometry.code == "PK", "geometry"].item()
    shape = region_geometry(gazetteer, geometry, code)
    assert shape.is_valid
    assert shape.area == pytest.approx(af.area + pk.area, rel=1e-6)


@pytest.mark.parametrize("code", ["GLOBAL", "CYBERSPACE", "DIASPORA", "IQ-SY", "IR"])
def test_region_geometry_none(gazetteer, geometry, code):
    assert region_geometry(gazetteer, geometry, code) is None


def test_region_geometry_neighbour_from_context(gazetteer, context_layer):
    shape = region_geometry(gazetteer, context_layer, "IR")
    assert shape is not None and shape.contains(shapely.Point(59.6, 36.3))  # Mashhad


def test_region_geometry_unknown(gazetteer, geometry):
    with pytest.raises(KeyError):
        region_geometry(gazetteer, geometry, "XX")


# -- the build script maps Natural Earth rows to ISO codes --------------------------------------

# Natural Earth v4.1.0 states_provinces rows of AF and PK: fips, name, woe_name, gn_name, code.
NATURAL_EARTH_ROWS = [
    ("AF18", "Nangarhar", "Nangarhar", "Nangarhar", "AF-NAN"),
    ("AF36", "Paktya", "Paktya", "Wilayat-e Paktiya", "AF-PIA"),
    ("PK05", "Sind", "Sind", "Sindh", "PK-SD"),
    ("AF30", "Balkh", "Balkh", "Balkh", "AF-BAL"),
    ("AF24", "Kunduz", "Kunduz", "Kunduz", "AF-KDZ"),
    ("AF07", "Faryab", "Faryab", "Faryab Province", "AF-FYB"),
    ("AF11", "Hirat", "Hirat", "Herat", "AF-HER"),
    ("AF06", "Farah", "Farah", "Farah", "AF-FRA"),
    ("PK03", "K.P.", "N.W.F.P.", "Khyber Pakhtunkhwa Province", "PK-KP"),
    ("AF38", "Nuristan", "Nuristan", "Velayat-e Nurestan", "AF-NUR"),
    ("AF34", "Kunar", "Kunar", "Wilayat-e Kunar", "AF-KNR"),
    ("PK01", "F.A.T.A.", "F.A.T.A.", "Federally Administered Tribal Areas", "PK-TA"),
    ("AF37", "Khost", "Khost", "Velayat-e Khowst", "AF-KHO"),
    ("PK02", "Baluchistan", "Baluchistan", "Balochistan", "PK-BA"),
    ("AF28", "Zabul", "Zabul", "Wilayat-e Zabul", "AF-ZAB"),
    ("AF29", "Paktika", "Paktika", "Wilayat-e Paktika", "AF-PKA"),
    ("PK08", "F.C.T.", "F.C.T.", "Islamabad Capital Territory", "PK-IS"),
    ("AF01", "Badakhshan", "Badakhshan", "Badakhshan", "AF-BDS"),
    ("AF40", "Parwan", "Parwan", "Panjshir", "AF-PAN"),
    ("AF13", "Kabul", "Kabul", "Wilayat-e Kabul", "AF-KAB"),
    ("AF35", "Laghman", "Laghman", "Wilayat-e Laghman", "AF-LAG"),
    ("AF17", "Logar", "Logar", "Wilayat-e Logar", "AF-LOG"),
    ("AF08", "Ghazni", "Ghazni", "Wilayat-e Ghazni", "AF-GHA"),
    ("AF14", "Kapisa", "Kapisa", "Wilayat-e Kapisa", "AF-KAP"),
    ("AF27", "Wardak", "Wardak", "Wardak", "AF-WAR"),
    ("AF05", "Bamyan", "Bamyan", "Wilayat-e Bamyan", "AF-BAM"),
    ("AF40", "Parwan", "Parwan", "Parwan", "AF-PAR"),
    ("AF33", "Sari Pul", "Sari Pul", "Sar-e Pul", "AF-SAR"),
    ("AF10", "Hilmand", "Hilmand", "Helmand", "AF-HEL"),
    ("AF09", "Ghor", "Ghor", "Wilayat-e Ghor", "AF-GHO"),
    ("AF02", "Badghis", "Badghis", "Badghis", "AF-BDG"),
    ("AF03", "Baghlan", "Baghlan", "Wilayat-e Baghlan", "AF-BGL"),
    ("AF32", "Samangan", "Samangan", "Samangan", "AF-SAM"),
    ("AF39", "Uruzgan", "Daykundi", "Wilayat-e Daykundi", "AF-DAY"),
    ("PK07", "Northern Areas", "Northern Areas", "Northern Areas", "PK-GB"),
    ("PK06", "Azad Kashmir", "Azad Kashmir", "Azad Kashmir", "PK-JK"),
    ("PK04", "Punjab", "Punjab", "Punjab", "PK-PB"),
    ("AF26", "Takhar", "Takhar", "Wilayat-e Takhar", "AF-TAK"),
    ("AF31", "Jawzjan", "Jawzjan", "Wilayat-e Jowzjan", "AF-JOW"),
    ("AF19", "Nimroz", "Nimroz", "Wilayat-e Nimroz", "AF-NIM"),
    ("AF23", "Kandahar", "Kandahar", "Kandahar", "AF-KAN"),
    ("AF39", "Uruzgan", "Uruzgan", "Uruzgan", "AF-URU"),
]


@pytest.fixture(scope="module")
def build_script():
    spec = importlib.util.spec_from_file_location("build_regions", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rows(rows):
    return pd.DataFrame([r[:4] for r in rows], columns=["fips", "name", "woe_name", "gn_name"])


def test_build_assigns_codes(build_script, gazetteer):
    codes, names = build_script.assign_codes(_rows(NATURAL_EARTH_ROWS), gazetteer)
    assert codes == [r[4] for r in NATURAL_EARTH_ROWS]
    assert names[codes.index("AF-PAN")] == "Panjshir"
    assert names[codes.index("AF-DAY")] == "Daykundi"


@pytest.mark.parametrize(
    "change",
    ["drop-daykundi", "duplicate-row", "unknown-fips", "alias-missing"],
)
def test_build_fails_loudly(build_script, gazetteer, change):
    rows = list(NATURAL_EARTH_ROWS)
    if change == "drop-daykundi":
        rows = [r for r in rows if r[4] != "AF-DAY"]
    elif change == "duplicate-row":
        rows.append(rows[0])
    elif change == "unknown-fips":
        rows[0] = ("AF99", *rows[0][1:])
    elif change == "alias-missing":
        rows[0] = (*rows[0][:3], "Nangarhar Wilayat", *rows[0][4:])
    with pytest.raises(build_script.BuildError):
        build_script.assign_codes(_rows(rows), gazetteer)


# -- spellings analysts use: ISO 3166-1 alpha-3, ISO 3166-2 written loosely, old codes ---------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("AFG", "AF"),
        ("pak", "PK"),
        ("IRN", "IR"),
        ("AF_HEL", "AF-HEL"),
        ("af hel", "AF-HEL"),
        ("PKKP", "PK-KP"),
        ("PK-NW", "PK-KP"),
        ("PK-NA", "PK-GB"),
        ("ICT", "PK-IS"),
        ("KPK", "PK-KP"),
        ("Hilmand", "AF-HEL"),
        ("Baluchistan", "PK-BA"),
        ("USA", None),  # a real code, but no region of this gazetteer
        ("XYZ", None),
        ("Helmund", None),  # a misspelling is suggested, never applied
    ],
)
def test_resolve_codes_as_analysts_write_them(gazetteer, text, code):
    assert gazetteer.resolve(text) == code


def test_a_misspelling_is_only_suggested(gazetteer):
    assert gazetteer.resolve("Helmund") is None
    assert gazetteer.suggest("Helmund")[0] == "AF-HEL"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Hilmand", "AF-HEL"),
        ("helm", "AF-HEL"),
        ("baluch", "PK-BA"),
        ("AFG", "AF"),
        ("nwfp", "PK-KP"),
    ],
)
def test_search_finds_a_region_by_any_spelling(gazetteer, text, first):
    assert gazetteer.search(text)[0] == first


def test_search_of_nothing_is_empty(gazetteer):
    assert gazetteer.search("") == [] and gazetteer.search("  ") == []


def test_every_spelling_resolves_to_its_region(gazetteer):
    for region in gazetteer:
        for spelling in gazetteer.spellings(region.code):
            assert gazetteer.resolve(spelling) == region.code, spelling


def test_label_with_spellings(gazetteer):
    assert gazetteer.label_with_spellings("PK-KP").startswith("Khyber Pakhtunkhwa (N.W.F.P.")
    assert gazetteer.label_with_spellings("PK-PB") == "Punjab (PK-PB)"
