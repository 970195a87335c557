"""Tests of the exports: CSV (neutralised against formula injection), JSON, GeoJSON, file names."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
import shapely.geometry

from dashboard.core.findings import empty_findings
from dashboard.core.region_geometry import load_geometry
from dashboard.exports.files import (
    CSV_FIELDS,
    JSON_FIELDS,
    export_rows,
    neutralise_cell,
    safe_filename,
    to_csv,
    to_geojson,
    to_json,
)

BOM = "\ufeff"
AF_BOUNDS = (60.0, 29.0, 75.0, 39.0)  # lon/lat box around Afghanistan


@pytest.fixture(scope="module")
def geometry():
    return load_geometry()


def one(corpus, finding_id: str, **changes) -> pd.DataFrame:
    """The corpus finding *finding_id* as a one-row frame, with *changes* applied."""
    frame = corpus.findings[corpus.findings.id == finding_id]
    assert len(frame) == 1, finding_id
    return frame.assign(**{k: [v] for k, v in changes.items()})


def parse_csv(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text[len(BOM) :], newline="")))


def features_by_id(data: bytes) -> dict[str, dict]:
    collection = json.loads(data.decode("utf-8"))
    assert collection["type"] == "FeatureCollection"
    return {f["id"]: f for f in collection["features"]}


def finding_naming(corpus, regions: tuple[str, ...]) -> str:
    """The id of a corpus finding whose regions are exactly *regions*, in any order."""
    matches = corpus.findings[corpus.findings.regions.map(lambda r: set(r) == set(regions))]
    assert len(matches), f"no finding names exactly {regions}"
    return matches.id.iloc[0]


# --- neutralise_cell ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "-",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "\nx",
        '=HYPERLINK("http://x")',
        "==",
        "+",
        "@",
    ],
)
def test_neutralise_dangerous_first_character(value):
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a=b",
        "plain text",
        "1+1",
        "x-y",
        "'=already",
        " =leading space",
        "ISKP’s “urban youth”",
        "<script>alert(1)</script>",
        "0",
        "a\tb",
    ],
)
def test_neutralise_leaves_safe_text(value):
    assert neutralise_cell(value) == value


# --- rows --------------------------------------------------------------------------------------


def test_export_rows_keys_order_and_values(corpus):
    rows = export_rows(corpus.findings, corpus)
    assert [r["id"] for r in rows] == list(corpus.findings.id)
    assert all(tuple(r) == CSV_FIELDS for r in rows)
    row = export_rows(one(corpus, "hjs2017-ko-08"), corpus)[0]
    report = corpus.reports[row["report_id"]]
    assert row["regions"] == "AF; PK"
    assert row["region_names"] == "Afghanistan; Pakistan"
    assert row["report_title"] == report.title
    assert row["page"] == ""
    assert row["citation"] == report.citation(None)
    assert row["theme_labels"] == "; ".join(
        corpus.taxonomy.theme(k).label for k in row["themes"].split("; ")
    )


def test_export_rows_page_and_citation(corpus):
    row = export_rows(one(corpus, "hjs2017-ko-08", page=7).astype({"page": "Int64"}), corpus)[0]
    assert row["page"] == 7
    assert "p. 7" in row["citation"]


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_neutralises_hostile_cells(corpus):
    frame = one(
        corpus,
        "hjs2017-ko-08",
        title='=HYPERLINK("http://x")',
        summary="@SUM(1)",
        actors=("-2+3", "NATO"),
    )
    [row] = parse_csv(to_csv(frame, corpus))
    assert row["title"] == '\'=HYPERLINK("http://x")'
    assert row["summary"] == "'@SUM(1)"
    assert row["actors"] == "'-2+3; NATO"
    assert row["id"] == "hjs2017-ko-08"


def test_csv_round_trip_keeps_every_excerpt(corpus):
    data = to_csv(corpus.findings, corpus)
    rows = parse_csv(data)
    assert len(rows) == len(corpus.findings)
    assert list(rows[0]) == list(CSV_FIELDS)
    for row, (_, finding) in zip(rows, corpus.findings.iterrows()):
        assert row["id"] == finding["id"]
        assert row["excerpt"] == neutralise_cell(finding["excerpt"])
        assert row["excerpt"] == finding["excerpt"]  # the real excerpts need no neutralising
        assert (int(row["start"]), int(row["end"])) == (finding["start"], finding["end"])


def test_csv_bom_and_crlf(corpus):
    data = to_csv(one(corpus, "hjs2017-ko-08"), corpus)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") >= 2


def test_csv_empty_frame_gives_header_only(corpus):
    data = to_csv(empty_findings(), corpus)
    text = data.decode("utf-8")
    assert text == BOM + ",".join(CSV_FIELDS) + "\r\n"
    assert parse_csv(data) == []


# --- JSON --------------------------------------------------------------------------------------


def test_json_has_every_finding_with_lists(corpus):
    data = json.loads(to_json(corpus.findings, corpus, description="all findings"))
    assert data["description"] == "all findings"
    assert data["count"] == len(corpus.findings)
    assert [f["id"] for f in data["findings"]] == list(corpus.findings.id)
    for item, (_, finding) in zip(data["findings"], corpus.findings.iterrows()):
        assert tuple(item) == JSON_FIELDS
        for key in ("themes", "regions", "actors", "region_names", "theme_labels"):
            assert isinstance(item[key], list), key
        assert item["themes"] == list(finding["themes"])
        assert item["regions"] == list(finding["regions"])
        assert item["actors"] == list(finding["actors"])
        assert item["excerpt"] == finding["excerpt"]
        assert isinstance(item["start"], int) and isinstance(item["end"], int)
        assert item["page"] is None
        assert item["prefix"] == finding["prefix"] and item["suffix"] == finding["suffix"]


def test_json_page_is_a_number(corpus):
    frame = one(corpus, "hjs2017-ko-08", page=12).astype({"page": "Int64"})
    [item] = json.loads(to_json(frame, corpus))["findings"]
    assert item["page"] == 12
    assert item["citation"].endswith(".") and "p. 12" in item["citation"]


def test_json_is_utf8_not_escaped(corpus):
    frame = one(corpus, "hjs2017-ko-08", title="Nangarhār “urban youth”")
    data = to_json(frame, corpus)
    assert "Nangarhār “urban youth”".encode() in data
    assert b"\\u" not in data


@pytest.mark.parametrize(
    "title",
    [
        "<script>alert('x')</script>",
        "<img src=x onerror=alert(1)>",
        '=HYPERLINK("http://x")',
        "&amp; &lt;",
    ],
)
def test_json_keeps_hostile_text_as_data(corpus, title):
    frame = one(corpus, "hjs2017-ko-08", title=title)
    [item] = json.loads(to_json(frame, corpus))["findings"]
    assert item["title"] == title


def test_json_empty_frame(corpus):
    assert json.loads(to_json(empty_findings(), corpus)) == {
        "description": "",
        "count": 0,
        "findings": [],
    }


# --- GeoJSON -----------------------------------------------------------------------------------


def test_geojson_one_feature_per_finding(corpus, geometry):
    features = features_by_id(to_geojson(corpus.findings, corpus, geometry))
    assert list(features) == list(corpus.findings.id)
    for feature in features.values():
        assert feature["type"] == "Feature"
        assert tuple(feature["properties"]) == JSON_FIELDS
        assert isinstance(feature["properties"]["regions"], list)


def test_geojson_afghanistan_inside_its_bounds(corpus, geometry):
    finding_id = finding_naming(corpus, ("AF",))
    feature = features_by_id(to_geojson(one(corpus, finding_id), corpus, geometry))[finding_id]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    minx, miny, maxx, maxy = shapely.geometry.shape(feature["geometry"]).bounds
    lo_x, lo_y, hi_x, hi_y = AF_BOUNDS
    assert lo_x <= minx < maxx <= hi_x
    assert lo_y <= miny < maxy <= hi_y


@pytest.mark.parametrize("regions", [("CYBERSPACE", "GLOBAL"), ("CYBERSPACE",), ("GLOBAL",), ()])
def test_geojson_null_geometry_without_spatial_regions(corpus, geometry, regions):
    frame = one(corpus, "hjs2017-ko-08", regions=regions)
    feature = features_by_id(to_geojson(frame, corpus, geometry))["hjs2017-ko-08"]
    assert feature["geometry"] is None
    assert feature["properties"]["regions"] == list(regions)


def test_geojson_union_spans_afghanistan_and_pakistan(corpus, geometry):
    frame = one(corpus, "hjs2017-ko-08")
    assert set(frame.regions.iloc[0]) == {"AF", "PK"}
    shape = shapely.geometry.shape(
        features_by_id(to_geojson(frame, corpus, geometry))["hjs2017-ko-08"]["geometry"]
    )
    af = shapely.geometry.shape(
        features_by_id(to_geojson(one(corpus, "hjs2017-ko-08", regions=("AF",)), corpus, geometry))[
            "hjs2017-ko-08"
        ]["geometry"]
    )
    assert shape.geom_type in ("Polygon", "MultiPolygon")
    _, miny, maxx, maxy = shape.bounds
    assert miny < 25 < 37 < maxy  # Pakistan's south coast and Afghanistan's north
    assert maxx > 75  # Pakistan reaches further east than Afghanistan
    assert shape.area > af.area * 1.5


def test_geojson_mixed_spatial_and_nonspatial_uses_spatial_only(corpus, geometry):
    frame = one(corpus, "hjs2017-ko-08", regions=("AF", "GLOBAL"))
    feature = features_by_id(to_geojson(frame, corpus, geometry))["hjs2017-ko-08"]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert shapely.geometry.shape(feature["geometry"]).bounds[2] <= AF_BOUNDS[2]


def test_geojson_coordinates_rounded(corpus, geometry):
    features = features_by_id(to_geojson(corpus.findings, corpus, geometry))

    def numbers(value):
        if isinstance(value, list):
            for item in value:
                yield from numbers(item)
        else:
            yield value

    for feature in features.values():
        if feature["geometry"] is not None:
            assert all(round(x, 3) == x for x in numbers(feature["geometry"]["coordinates"]))


# --- determinism -------------------------------------------------------------------------------


@pytest.mark.parametrize("export", ["csv", "json", "geojson"])
def test_exports_are_deterministic(corpus, geometry, export):
    call = {
        "csv": lambda: to_csv(corpus.findings, corpus),
        "json": lambda: to_json(corpus.findings, corpus, description="d"),
        "geojson": lambda: to_geojson(corpus.findings, corpus, geometry),
    }[export]
    first, second = call(), call()
    assert isinstance(first, bytes)
    assert first == second


# --- file names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, suffix, expected",
    [
        ("refugees · Pakistan", ".csv", "iskp-findings-refugees-pakistan.csv"),
        ("", ".csv", "iskp-findings.csv"),
        ("   ", ".json", "iskp-findings.json"),
        ("Nangarhār", ".geojson", "iskp-findings-nangarhar.geojson"),
        ("../../etc/passwd", ".csv", "iskp-findings-etc-passwd.csv"),
        ('a/b\\c:d*e?f"g<h>i|j', ".csv", "iskp-findings-a-b-c-d-e-f-g-h-i-j.csv"),
        ("داعش", ".csv", "iskp-findings.csv"),
    ],
)
def test_safe_filename(text, suffix, expected):
    assert safe_filename(text, suffix) == expected


@pytest.mark.parametrize("text", ["x" * 200, "word " * 60, "a-" * 100])
def test_safe_filename_is_short_and_plain(text):
    name = safe_filename(text, ".csv")
    assert len(name) <= 80
    assert name.endswith(".csv")
    stem = name[: -len(".csv")]
    assert stem.startswith("iskp-findings")
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in stem)
    assert not stem.endswith("-")


def test_every_export_says_when_each_finding_holds(corpus):
    findings = corpus.findings.iloc[:2].assign(period=["2015–2016", ""])
    first, second = export_rows(findings, corpus)
    assert (first["period"], first["period_first"], first["period_last"]) == (
        "2015–2016",
        "2015-01-01",
        "2016-12-31",
    )
    assert (second["period"], second["period_first"], second["period_last"]) == ("", "", "")
    bundled = export_rows(corpus.findings.iloc[:1], corpus)[0]
    assert bundled["period"] == "2017" and "period" in bundled["derived"]
