"""The map figure: what is drawn at which level, nothing fetched, hover text, labels, clicks."""

from __future__ import annotations

import base64
import itertools
import json
import math
import urllib.parse
from collections import Counter

import numpy as np
import pytest

from dashboard.core.region_geometry import load_context, load_geometry
from dashboard.views import map_data, map_labels, maps


@pytest.fixture(scope="module")
def data(gazetteer):
    return map_data.prepare(load_geometry(), load_context(), gazetteer)


def trace(figure, name):
    return next(t for t in figure.data if t.name == name)


def lines(figure):
    """The line traces of the figure by name."""
    return {t.name: t for t in figure.data if t.type == "scattergeo" and t.mode == "lines"}


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
    assert lines(figure)["chosen area"].line.color == maps.SELECTED_LINE
    assert "chosen area" in figure.layout.annotations[0].text


def test_neighbours_named_by_findings_are_shaded(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"IR": 2}))
    assert z_of(figure, "countries")["IR"] == 2
    assert "IR" not in trace(figure, "neighbours").locations


def test_supra_regions_are_outlines_and_nonspatial_are_not_drawn(data, gazetteer):
    counts = Counter({"AFPAK": 3, "GLOBAL": 2, "CYBERSPACE": 1})
    figure = maps.build_map(data, gazetteer, counts)
    drawn = {loc for t in figure.data if t.type == "choropleth" for loc in t.locations}
    assert not drawn & {"AFPAK", "GLOBAL", "CYBERSPACE"}
    assert lines(figure)["wider region"].line.color == maps.SUPRA_LINE
    assert "wider region" in figure.layout.annotations[0].text
    # The key names only the lines drawn.
    plain = maps.build_map(data, gazetteer, Counter({"PK": 1}))
    assert "wider region" not in plain.layout.annotations[0].text
    assert "chosen area" not in plain.layout.annotations[0].text
    assert maps.nonspatial_counts(counts, gazetteer) == [("GLOBAL", 2), ("CYBERSPACE", 1)]


def test_disputed_lines_are_dashed(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter())
    disputed = lines(figure)["disputed boundaries"]
    assert disputed.line.dash == "dot" and disputed.line.color == maps.DISPUTED_LINE
    # Four or more separate lines: NaN between parts.
    assert sum(math.isnan(v) for v in disputed.lon) >= 3


def test_nothing_is_fetched(data, gazetteer, corpus):
    figure = maps.build_map(data, gazetteer, maps.region_counts(corpus.findings), selected="PK")
    # No base map: every shape drawn is ours.
    assert figure.layout.geo.visible is False
    # plotly.js reads topojsonURL + "world_110m.json": an inline topology with nothing in it.
    url = maps.CHART_CONFIG["topojsonURL"]
    assert url.startswith("data:application/json") and url.endswith("#")
    topology = json.loads(urllib.parse.unquote(url.split(",", 1)[1][:-1]))
    assert topology["type"] == "Topology"
    assert all(not layer["geometries"] for layer in topology["objects"].values())
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
    texts = [text for t in figure.data if getattr(t, "mode", None) == "text" for text in t.text]
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
    assert none_drawn is not None and len(none_drawn[0]) == len(none_drawn[1]) > 100
    all_codes = frozenset(data.province_boundaries)
    assert data.province_lines(all_codes) is None
    figure = maps.build_map(data, gazetteer, Counter({c: 1 for c in all_codes}))
    assert "province borders" not in lines(figure)


def _signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def test_coordinates_reach_the_browser_as_plain_geojson_wound_for_d3(data, gazetteer):
    # Coordinates are held as arrays (cheap to copy on every rerun); the JSON must still be
    # ordinary GeoJSON: lists of [lon, lat] pairs, rounded for display; and every outer ring
    # clockwise, or d3-geo fills the whole globe but the area.
    figure = json.loads(
        maps.build_map(data, gazetteer, Counter({"PK": 2, "PK-KP": 1, "IR": 1}), "PK").to_json()
    )
    outer_rings = 0
    for trace in (t for t in figure["data"] if t["type"] == "choropleth"):
        for feature in trace["geojson"]["features"]:
            geometry = feature["geometry"]
            polygons = (
                geometry["coordinates"]
                if geometry["type"] == "MultiPolygon"
                else [geometry["coordinates"]]
            )
            for outer, *holes in polygons:
                assert all(isinstance(p, list) and len(p) == 2 for p in outer)
                assert all(round(v, map_data.DISPLAY_DECIMALS) == v for p in outer for v in p)
                assert _signed_area(outer) < 0, f"{feature['id']}: outer ring anticlockwise"
                assert all(_signed_area(hole) > 0 for hole in holes)
                outer_rings += 1
    assert outer_rings >= 10
    pakistan = next(
        f
        for t in figure["data"]
        if t.get("name") == "countries"
        for f in t["geojson"]["features"]
        if f["id"] == "PK"
    )
    coordinates = pakistan["geometry"]["coordinates"]
    if pakistan["geometry"]["type"] == "Polygon":
        coordinates = [coordinates]
    xs = [p[0] for polygon in coordinates for ring in polygon for p in ring]
    assert 60 < min(xs) < max(xs) < 78
    for trace in (t for t in figure["data"] if t.get("mode") == "lines"):
        # Lines reach the browser as typed arrays (base64 float64); the NaN between parts is
        # where plotly.js breaks the line.
        lon, lat = (
            np.frombuffer(base64.b64decode(trace[k]["bdata"]), "f8") for k in ("lon", "lat")
        )
        assert trace["lon"]["dtype"] == "f8" and len(lon) == len(lat) > 10
        assert np.array_equal(np.isnan(lon), np.isnan(lat))
        assert np.nanmin(lon) >= 58 and np.nanmax(lon) <= 80


def test_labels_never_overlap_and_stay_in_the_map(data, gazetteer):
    every = Counter({code: 2 for code in gazetteer.codes})
    for counts, width, scale in (
        (every, None, 1.0),
        (Counter({"PK": 1}), 400, 1.0),
        (every, 1600, 2.0),
    ):
        figure = maps.build_map(data, gazetteer, counts, width=width, text_scale=scale)
        texts = [text for t in figure.data if getattr(t, "mode", None) == "text" for text in t.text]
        assert "Afghanistan (2)" in texts or "Afghanistan (0)" in texts
        frame = map_data.Frame(
            width or maps.TYPICAL_WIDTH,
            620 - round(maps.KEY_HEIGHT * scale),
            map_data.view_bounds(width or maps.TYPICAL_WIDTH, 620 - round(maps.KEY_HEIGHT * scale)),
        )
        labels = [
            map_labels.Label("", text, lon, lat, t.textfont.size, "")
            for t in figure.data
            if getattr(t, "mode", None) == "text"
            for text, lon, lat in zip(t.text, t.lon, t.lat)
        ]
        boxes = [
            map_labels.box_of(label, *frame.pixel(label.lon, label.lat), position)
            for label, position in zip(
                labels,
                [
                    p
                    for t in figure.data
                    if getattr(t, "mode", None) == "text"
                    for p in t.textposition
                ],
            )
        ]
        for i, a in enumerate(boxes):
            assert a[0] >= 0 and a[2] <= frame.width and a[1] >= 0 and a[3] <= frame.height
            assert not any(map_labels.overlaps(a, b) for b in boxes[i + 1 :]), labels[i].text


def test_place_gives_way_to_the_first_and_drops_what_does_not_fit():
    frame = map_data.Frame(300, 200)
    first = map_labels.Label("A", "Name (1)", 69.0, 31.0, 14, "#000")
    # B's point is 20 pixels below A's: on its point, or above it, B would cover A.
    below = next(
        lat / 1000
        for lat in range(31_000, 29_000, -5)
        if frame.pixel(69.0, lat / 1000)[1] - frame.pixel(69.0, 31.0)[1] >= 20
    )
    second = map_labels.Label("B", "Name (2)", 69.0, below, 14, "#000")
    same = map_labels.Label("C", "Name (3)", 69.0, 31.0, 14, "#000")
    outside = map_labels.Label("D", "Far away (1)", 85.0, 31.0, 14, "#000")
    placed = map_labels.place([first, second, same, outside], frame)
    assert [(p.label.code, p.position) for p in placed] == [
        ("A", "middle center"),
        ("B", "bottom center"),
    ]  # C, on A's point, has no free side; D is off the map.
    boxes = [p.box for p in placed]
    assert not any(map_labels.overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_the_key_sits_below_the_map(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 3}), "PK", height=620)
    bar = figure.layout.coloraxis.colorbar
    map_bottom = figure.layout.geo.domain.y[0] * 620
    assert bar.orientation == "h"
    assert bar.y * 620 + bar.thickness + bar.title.font.size + 4 <= map_bottom
    key = figure.layout.annotations[0]
    assert key.yanchor == "bottom" and key.y * 620 + 3 * 1.3 * key.font.size <= map_bottom + 2


def test_view_bounds_show_afpak_whole_within_the_drawn_extent():
    for width, height in ((400, 600), (720, 556), (1600, 900)):
        bounds = map_data.view_bounds(width, height)
        for side in ("west", "south"):
            assert map_data.EXTENT[side] <= bounds[side] <= map_data.AFPAK_BOUNDS[side]
        for side in ("east", "north"):
            assert map_data.AFPAK_BOUNDS[side] <= bounds[side] <= map_data.EXTENT[side]


def test_equal_outlines_are_one_object_drawn_once(data, gazetteer):
    assert data.outlines["AFPAK"] is data.outlines["SOUTH-ASIA"]
    figure = maps.build_map(data, gazetteer, Counter({"AFPAK": 1, "SOUTH-ASIA": 1}))
    assert [t.name for t in figure.data].count("wider region") == 1


def test_the_change_map_shades_the_difference_on_a_diverging_scale(data, gazetteer):
    fig = maps.build_map(
        data, gazetteer, {"AF": 1, "PK": 4}, before={"AF": 3, "PK": 1}, periods=("2016", "2017")
    )
    countries = next(t for t in fig.data if t.name == "countries")
    z = dict(zip(countries.locations, countries.z))
    assert (z["AF"], z["PK"]) == (-2, 3)
    axis = fig.layout.coloraxis
    assert (axis.cmin, axis.cmax) == (-3, 3) and axis.colorscale[0][1] == maps.CHANGE_SCALE[0][1]
    hover = dict(zip(countries.locations, countries.customdata))
    assert hover["AF"] == (
        "<b>Afghanistan</b><br>2017: 1 finding names it as such<br>2016: 3<br>change: -2"
    )


def test_alt_text_says_the_view_it_shades(gazetteer):
    text = maps.alt_text(Counter({"AF": 1}), gazetteer, 1, "1 finding · theme = Propaganda")
    assert text.startswith(
        "Map of Afghanistan and Pakistan shading 1 filtered finding by the areas they name "
        "(view: 1 finding · theme = Propaganda). Areas named: Afghanistan 1."
    )


def test_a_click_fades_the_other_areas_in_the_browser_at_once(data, gazetteer):
    figure = maps.build_map(data, gazetteer, Counter({"PK": 1}), None)
    areas = [t for t in figure.data if t.type == "choropleth" and t.name != "neighbours"]
    assert areas and figure.layout.clickmode == "event+select"
    for trace in areas:
        assert trace.unselected.marker.opacity < trace.selected.marker.opacity


def test_every_area_drawn_with_a_count_is_named_on_the_map_or_listed_beside_it(data, gazetteer):
    every = Counter({code: 2 for code in gazetteer.codes})
    figure = maps.build_map(data, gazetteer, every, width=400)
    texts = [text for t in figure.data if getattr(t, "mode", None) == "text" for text in t.text]
    unnamed = maps.unnamed_areas(figure)
    assert unnamed, "at 400 px some provinces have no room for their names"
    for code in unnamed:
        assert f"{data.names[code]} (2)" not in texts
    named = {t.rsplit(" (", 1)[0] for t in texts}
    provinces = [c for c in gazetteer.codes if gazetteer[c].level == "province" and c in data.names]
    missing = [c for c in provinces if data.names[c] not in named and c not in unnamed]
    assert missing == []
    wide = maps.build_map(data, gazetteer, Counter({"PK": 1}))
    assert maps.unnamed_areas(wide) == []
