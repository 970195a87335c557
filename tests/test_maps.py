"""The map figure: what is drawn at which level, the offline style, hover text, clicks."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.views import map_data, maps


@pytest.fixture(scope="module")
def data(gazetteer):
    return map_data.prepare(load_geometry(), load_context(), gazetteer)


def trace(figure, name):
    return next(t for t in figure.data if t.name == name)


def z_of(figure, name):
    t = trace(figure, name)
    return dict(zip(t.locations, t.z))


def test_counts_at_the_level_named(data, gazetteer):
    counts = Counter({"PK": 4, "PK-KP": 1, "AF": 2, "AFPAK": 3, "CYBERSPACE": 2})
    figure = maps.build_map(data, gazetteer, counts)
    assert z_of(figure, "countries") == {"AF": 2, "PK": 4}
    # Only provinces that findings name are drawn (and shaded) on top of the countries.
    assert z_of(figure, "provinces") == {"PK-KP": 1}


def test_no_province_layer_when_none_named(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 1}))
    assert "provinces" not in [t.name for t in figure.data]


def test_selected_province_is_drawn_and_outlined(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 1}), selected="AF-NAN")
    assert z_of(figure, "provinces") == {"AF-NAN": 0}
    colours = [layer.color for layer in figure.layout.map.layers]
    assert maps.SELECTED_LINE in colours


def test_neighbours_named_by_findings_are_shaded(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"IR": 2}))
    assert z_of(figure, "countries")["IR"] == 2
    assert "IR" not in trace(figure, "neighbours").locations


def test_supra_regions_are_outlines_and_nonspatial_are_not_drawn(data, gazetteer):
    counts = Counter({"AFPAK": 3, "GLOBAL": 2, "CYBERSPACE": 1})
    figure = maps.build_map(data, gazetteer, counts)
    drawn = {loc for t in figure.data if t.type == "choroplethmap" for loc in t.locations}
    assert not drawn & {"AFPAK", "GLOBAL", "CYBERSPACE"}
    assert maps.SUPRA_LINE in [layer.color for layer in figure.layout.map.layers]
    assert maps.nonspatial_counts(counts, gazetteer) == [("GLOBAL", 2), ("CYBERSPACE", 1)]


def test_disputed_lines_are_dashed(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter())
    dashed = [layer for layer in figure.layout.map.layers if layer.line.dash]
    assert dashed and dashed[0].color == maps.DISPUTED_LINE
    assert len(dashed[0].source["features"]) >= 4


def test_offline_style_and_no_urls(data, gazetteer, corpus):
    figure = maps.build_map(data, gazetteer, maps.region_counts(corpus.findings), selected="PK")
    style = figure.layout.map.style
    assert isinstance(style, dict)
    assert all(
        source["type"] == "geojson" and isinstance(source["data"], dict)
        for source in style["sources"].values()
    )
    assert style["glyphs"].startswith("data:")
    assert maps.figure_urls(figure) == []
    assert "http" not in figure.to_json()


def test_payload_does_not_grow_with_counts(data, gazetteer):
    small = maps.build_map(data, gazetteer, Counter({"PK": 1}))
    large = maps.build_map(data, gazetteer, Counter({"PK": 10**6, "AF": 10**6}))
    size = len(small.to_json())
    assert abs(len(large.to_json()) - size) < 2_000


@pytest.mark.parametrize(
    ("code", "counts", "lines"),
    [
        (
            "PK",
            {"PK": 4, "PK-KP": 1, "AFPAK": 3},
            [
                "<b>Pakistan</b>",
                "4 findings name Pakistan as a whole",
                "1 names a place inside it: Khyber Pakhtunkhwa (1)",
                "3 name the wider Afghanistan-Pakistan region",
            ],
        ),
        ("PK", {"PK": 1}, ["1 finding names Pakistan as a whole"]),
        ("AF", {}, ["0 findings name Afghanistan as a whole"]),
        (
            "PK-KP",
            {"PK": 4, "PK-KP": 1},
            [
                "<b>Khyber Pakhtunkhwa</b>",
                "1 finding names Khyber Pakhtunkhwa",
                "4 name Pakistan as a whole",
            ],
        ),
        ("PK-TA", {}, ["merged into Khyber Pakhtunkhwa in 2018"]),
    ],
)
def test_hover_text(gazetteer, code, counts, lines):
    text = maps.hover_text(code, Counter(counts), gazetteer)
    for line in lines:
        assert line in text


def test_hover_is_on_the_traces(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 4}))
    countries = trace(figure, "countries")
    assert countries.hovertemplate == "%{customdata}<extra></extra>"
    assert "4 findings name Pakistan" in countries.customdata[list(countries.locations).index("PK")]


def test_labels_carry_counts(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 4, "AF": 1}))
    texts = [text for t in figure.data if t.type == "scattermap" for text in t.text]
    assert "Pakistan (4)" in texts and "Afghanistan (1)" in texts and "Iran" in texts


@pytest.mark.parametrize(
    ("points", "current", "expected"),
    [
        ([{"location": "PK"}], None, "PK"),
        ([{"location": "PK"}], "AF", "PK"),
        ([{"location": "PK"}], "PK", None),  # clicking the chosen area again clears it
        ([], "PK", None),
        ([{"point_index": 3}], "PK", None),
        ([{"location": "XX"}], None, None),
        ([{"location": "AF-NAN"}], "AF", "AF-NAN"),
    ],
)
def test_clicked_region(gazetteer, points, current, expected):
    assert maps.clicked_region(points, current, gazetteer) == expected


def test_alt_text(gazetteer):
    text = maps.alt_text(Counter({"PK": 2, "CYBERSPACE": 1}), gazetteer, 3)
    assert text == (
        "Map of Afghanistan and Pakistan shading 3 filtered findings by the areas "
        "they name. Areas named: Pakistan 2. Not on the map: Cyberspace 1."
    )


@pytest.mark.parametrize("selected", [None, "PK", "AF-NAN", "AFPAK"])
def test_payload_stays_under_150_kb_even_when_every_region_is_named(data, gazetteer, selected):
    every = Counter({code: 10**6 for code in gazetteer.codes})
    assert len(maps.build_map(data, gazetteer, every, selected).to_json().encode()) < 150_000
    almost = Counter({code: 3 for code in gazetteer.codes if code != "AF-KAB"})
    assert len(maps.build_map(data, gazetteer, almost, selected).to_json().encode()) < 150_000


def test_province_outlines_skip_provinces_drawn_as_areas(data, gazetteer):
    none_drawn = data.province_lines(frozenset())
    assert none_drawn["type"] in ("MultiLineString", "LineString")
    all_codes = frozenset(data.province_boundaries)
    assert data.province_lines(all_codes) is None
    figure = maps.build_map(data, gazetteer, Counter({c: 1 for c in all_codes}))
    assert maps.PROVINCE_LINE not in [layer.color for layer in figure.layout.map.layers]


def test_coordinates_reach_the_browser_as_plain_geojson(data, gazetteer):
    # Coordinates are held as arrays (cheap to copy on every rerun); the JSON must still be
    # ordinary GeoJSON: lists of [lon, lat] pairs, rounded for display.
    figure = json.loads(
        maps.build_map(data, gazetteer, Counter({"PK": 2, "PK-KP": 1}), "PK").to_json()
    )
    countries = next(t for t in figure["data"] if t.get("name") == "countries")
    pakistan = next(f for f in countries["geojson"]["features"] if f["id"] == "PK")
    rings = pakistan["geometry"]["coordinates"]
    points = (
        [p for polygon in rings for ring in polygon for p in ring]
        if pakistan["geometry"]["type"] == "MultiPolygon"
        else [p for ring in rings for p in ring]
    )
    assert points and all(isinstance(p, list) and len(p) == 2 for p in points)
    assert all(round(v, map_data.DISPLAY_DECIMALS) == v for p in points for v in p)
    assert 60 < min(p[0] for p in points) < max(p[0] for p in points) < 78
    for layer in figure["layout"]["map"]["layers"]:
        assert layer["source"]["type"] in (
            "FeatureCollection",
            "MultiLineString",
            "LineString",
            "Polygon",
            "MultiPolygon",
            "GeometryCollection",
        )


def test_equal_outlines_are_one_object_drawn_once(data, gazetteer):
    assert data.outlines["AFPAK"] is data.outlines["SOUTH-ASIA"]
    figure = maps.build_map(data, gazetteer, Counter({"AFPAK": 1, "SOUTH-ASIA": 1}))
    assert [layer.color for layer in figure.layout.map.layers].count(maps.SUPRA_LINE) == 1
