"""Validation of findings files: each bad input gives a problem with its place and a fix."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.core.findings import COLUMNS, load_findings_bytes, match_columns
from dashboard.core.problems import Problem, problems_frame

HEADER = "id,report_id,kind,title,summary,excerpt,start,end,themes,regions,actors,page\n"
GOOD = "f1,small,analysis,A title,A summary,ISKP’s propaganda,,,propaganda,Nangarhar,ISKP,\n"


def load(findings_context, text: str | bytes, file: str = "f.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_findings_bytes(data, file, findings_context)


def test_good_row_loads_with_offsets_and_context(findings_context):
    result = load(findings_context, HEADER + GOOD)
    assert result.problems == []
    row = result.findings.iloc[0]
    assert list(result.findings.columns) == list(COLUMNS)
    assert (row["start"], row["end"]) == (0, len("ISKP’s propaganda"))
    assert row["regions"] == ("AF-NAN",)
    assert row["themes"] == ("propaganda",)
    assert row["suffix"].startswith(" reaches")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "",
            Problem(
                "f.csv",
                None,
                None,
                "the file is empty",
                "export the findings with a header row and one row per finding",
            ),
            id="empty-file",
        ),
        pytest.param(
            HEADER,
            Problem(
                "f.csv",
                None,
                None,
                "the file has a header but no findings",
                "add one row per finding below the header",
            ),
            id="header-only",
        ),
        pytest.param(
            HEADER.replace("themes", "Theme list") + GOOD,
            Problem(
                "f.csv",
                1,
                "themes",
                "required column 'themes' is missing",
                "is the column 'Theme list' meant to be 'themes'? map it to 'themes'",
            ),
            id="misspelt-column",
        ),
        pytest.param(
            HEADER.replace("themes", "colour") + GOOD,
            Problem(
                "f.csv",
                1,
                "themes",
                "required column 'themes' is missing",
                "add a column named 'themes', or map one of the file's columns to it",
            ),
            id="missing-column",
        ),
        pytest.param(
            HEADER + GOOD.replace("propaganda,Nangarhar", "propoganda,Nangarhar"),
            Problem(
                "f.csv", 2, "themes", "unknown theme 'propoganda'", "did you mean 'propaganda'?"
            ),
            id="unknown-theme",
        ),
        pytest.param(
            HEADER + GOOD.replace("Nangarhar", "Nangahar"),
            Problem("f.csv", 2, "regions", "unknown region 'Nangahar'", None),
            id="unknown-region",
        ),
        pytest.param(
            HEADER + GOOD.replace("ISKP’s propaganda", "ISKP’s radio"),
            Problem("f.csv", 2, "excerpt", "excerpt does not occur in the report text", None),
            id="excerpt-not-in-report",
        ),
        pytest.param(
            HEADER + GOOD.replace(",,,propaganda", ",3,20,propaganda"),
            Problem(
                "f.csv",
                2,
                "start",
                "text at offsets 3-20 is not the excerpt",
                "the excerpt occurs at start=0, end=17",
            ),
            id="offsets-mismatch",
        ),
        pytest.param(
            HEADER + GOOD + GOOD,
            Problem(
                "f.csv", 3, "id", "duplicate id 'f1' (also row 2)", "give each finding its own id"
            ),
            id="duplicate-id",
        ),
        pytest.param(
            HEADER + GOOD.replace("analysis", "analysys"),
            Problem("f.csv", 2, "kind", "unknown kind 'analysys'", "did you mean 'analysis'?"),
            id="unknown-kind",
        ),
        pytest.param(
            HEADER + GOOD.replace("f1", "f 1"),
            Problem("f.csv", 2, "id", "id 'f 1' has characters that cannot go in a link", None),
            id="bad-id",
        ),
        pytest.param(
            HEADER + GOOD.replace(",small,", ",big,"),
            Problem("f.csv", 2, "report_id", "unknown report 'big'", "known reports: small"),
            id="unknown-report",
        ),
        pytest.param(
            HEADER + GOOD.replace(",,,propaganda", ",0,,propaganda"),
            Problem("f.csv", 2, "end", "give both start and end, or neither", None),
            id="half-offsets",
        ),
        pytest.param(
            HEADER + GOOD.replace(",,,propaganda", ",x,17,propaganda"),
            Problem(
                "f.csv",
                2,
                "start",
                "expected a whole number, got 'x'",
                "leave blank to have it computed",
            ),
            id="offset-not-a-number",
        ),
        pytest.param(
            HEADER + GOOD.replace("ISKP,", "ISKP,0"),
            Problem("f.csv", 2, "page", "page 0 is not a page number", None),
            id="page-zero",
        ),
        pytest.param(
            HEADER + GOOD.replace("propaganda,Nangarhar", ",Nangarhar"),
            Problem("f.csv", 2, "themes", "no theme given", None),
            id="no-theme",
        ),
        pytest.param(
            HEADER + GOOD.replace("ISKP’s propaganda", "ISKP's propaganda"),
            Problem(
                "f.csv",
                2,
                "excerpt",
                "excerpt differs from the report text in spaces, quotes or dashes",
                "use the report's exact characters (offsets 0-17): «ISKP’s propaganda»",
            ),
            id="straight-quote",
        ),
    ],
)
def test_problem_table(findings_context, text, expected):
    result = load(findings_context, text)
    matching = [
        p
        for p in result.problems
        if (p.file, p.row, p.column, p.message)
        == (expected.file, expected.row, expected.column, expected.message)
    ]
    assert matching, f"expected {expected} in {result.problems}"
    if expected.suggestion is not None:
        assert matching[0].suggestion == expected.suggestion
    assert matching[0].suggestion, "every problem suggests a fix"


def test_unknown_region_suggests_nearest(findings_context):
    result = load(findings_context, HEADER + GOOD.replace("Nangarhar", "Nangahar"))
    assert "(AF-NAN)" in result.problems[0].suggestion


def test_excerpt_not_found_suggests_nearest_passage(findings_context):
    result = load(
        findings_context, HEADER + GOOD.replace("ISKP’s propaganda", "ISKP’s propoganda reaches")
    )
    assert "«ISKP’s propaganda reaches»" in result.problems[0].suggestion


def test_bad_rows_are_left_out_good_rows_kept(findings_context):
    bad = GOOD.replace("f1", "f2").replace("propaganda,Nangarhar", "nonsense,Nangarhar")
    result = load(findings_context, HEADER + GOOD + bad)
    assert list(result.findings["id"]) == ["f1"]
    assert [p.row for p in result.problems] == [3]


def test_undecidable_encoding(findings_context):
    # Bytes that are neither UTF-8 nor Windows-1252 (0x81, 0x8D, 0x8F, 0x90 and 0x9D are
    # undefined there) nor UTF-16 without a byte-order mark.
    result = load(findings_context, (HEADER.encode() + b"\x81\x8d\x8f\x90\x9d" * 40))
    assert result.findings.empty
    [problem] = result.problems
    assert problem.message == (
        "cannot tell which encoding this text is in (tried UTF-8, UTF-16, Windows-1252)"
    )
    assert "UTF-8" in problem.suggestion


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "cp1252"])
def test_other_encodings_are_read(findings_context, encoding):
    text = HEADER + GOOD.replace("A summary", "A “quoted” summary")
    result = load(findings_context, text.encode(encoding))
    assert result.ok, result.problems
    assert result.findings.iloc[0]["summary"] == "A “quoted” summary"
    assert result.findings.iloc[0]["excerpt"] == "ISKP’s propaganda"


def test_utf8_with_bom(findings_context):
    result = load(findings_context, b"\xef\xbb\xbf" + (HEADER + GOOD).encode())
    assert result.problems == []
    assert list(result.findings["id"]) == ["f1"]


def test_existing_ids_are_duplicates(findings_context):
    from dataclasses import replace

    result = load(replace(findings_context, existing_ids=frozenset({"f1"})), HEADER + GOOD)
    assert result.problems[0].message == "id 'f1' is already in use by a loaded finding"


def test_json_records_and_lists(findings_context):
    record = {
        "id": "j1",
        "report_id": "small",
        "kind": "Analysis",
        "title": "T",
        "excerpt": "Refugees returned from Pakistan.",
        "themes": ["Refugees"],
        "regions": ["Pakistan"],
        "actors": [],
    }
    result = load(findings_context, json.dumps([record]), "f.json")
    assert result.problems == []
    row = result.findings.iloc[0]
    assert (row["kind"], row["themes"], row["regions"]) == ("analysis", ("refugees",), ("PK",))
    wrapped = load(findings_context, json.dumps({"findings": [record]}), "f.json")
    assert list(wrapped.findings["id"]) == ["j1"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ('"x"', "JSON must be a list of findings"),
        ("[]", "the file has no findings"),
        ("[1]", "record is a int, not an object"),
        (
            '[{"id": {"a": 1}, "report_id": "small", "kind": "analysis", "title": "T", '
            '"excerpt": "Refugees returned from Pakistan.", "themes": "refugees"}]',
            "expected text, got a dict",
        ),
        ('[{"id": "x"}]', "required column 'kind' is missing"),
        ("[" * 5000 + "]" * 5000, "not readable JSON: nested too deeply"),
    ],
)
def test_json_problems(findings_context, text, message):
    result = load(findings_context, text, "f.json")
    assert any(p.message.startswith(message) for p in result.problems), result.problems


def test_synonym_columns():
    assert match_columns(["Quote", "Theme", "Headline", "Type", "Region", "Ref"]) == {
        "Quote": "excerpt",
        "Theme": "themes",
        "Headline": "title",
        "Type": "kind",
        "Region": "regions",
        "Ref": "id",
    }


def test_default_report_makes_report_id_optional(findings_context):
    from dataclasses import replace

    text = "id,kind,title,excerpt,themes\nf1,analysis,T,ISKP’s propaganda,propaganda\n"
    assert load(findings_context, text).problems[0].column == "report_id"
    result = load(replace(findings_context, default_report="small"), text)
    assert result.problems == [] and result.findings.iloc[0]["report_id"] == "small"


def test_problems_frame_keeps_columns_when_empty():
    frame = problems_frame([])
    assert list(frame.columns) == ["severity", "file", "row", "column", "message", "suggestion"]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.binary(max_size=400),
    name=st.sampled_from(["f.csv", "f.json", "f.tsv", "f.xlsx", "f.txt", "f.odt"]),
)
def test_any_bytes_give_findings_or_problems(findings_context, data, name):
    result = load(findings_context, data, name)
    text = findings_context.reports["small"].text
    for row in result.findings.itertuples():
        assert text[row.start : row.end] == row.excerpt
    assert all(isinstance(p, Problem) for p in result.problems)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.text(max_size=30), min_size=12, max_size=12))
def test_any_row_gives_valid_findings_or_problems(findings_context, cells):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([HEADER.strip().split(","), cells])
    result = load(findings_context, out.getvalue())
    text = findings_context.reports["small"].text
    for row in result.findings.itertuples():
        assert text[row.start : row.end] == row.excerpt
        assert set(row.themes) <= set(findings_context.taxonomy.theme_keys)
        assert all(code in findings_context.gazetteer for code in row.regions)
    # One row in: either it is accepted, or there is at least one problem saying why not.
    assert (len(result.findings) == 1) != bool(result.problems)


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=600), name=st.sampled_from(["r.txt", "r.pdf", "r.doc"]))
def test_any_bytes_give_a_report_text_or_problems(data, name):
    from dashboard.io.report_files import read_report_text

    text, problems = read_report_text(data, name)
    assert (text is not None and text.strip()) or problems
    assert all(isinstance(p, Problem) for p in problems)


@settings(max_examples=60, deadline=None)
@given(prefix=st.binary(max_size=200))
def test_corrupted_pdf_gives_problems(prefix):
    from dashboard.io.report_files import read_report_text

    text, problems = read_report_text(b"%PDF-1.4\n" + prefix + b"\n%%EOF", "r.pdf")
    assert text is None or text.strip()
    assert text is not None or problems


# --- the column-wise path for plain rows equals the row-by-row validator ------------------------


def load_row_by_row(findings_context, data: bytes, file: str, monkeypatch):
    """The same load with every row sent through ``validate_row`` (the reference)."""
    from dashboard.core import plain_rows

    with monkeypatch.context() as patch:
        patch.setattr(plain_rows, "plain_rows", lambda records, *args: [None] * len(records))
        return load_findings_bytes(data, file, findings_context)


def same_load(a, b) -> bool:
    return (
        a.findings.equals(b.findings)
        and list(a.findings.dtypes) == list(b.findings.dtypes)
        and a.problems == b.problems
    )


#: Cells each column draws from: right values (drawn most often, so that whole rows are often
#: right), then values with problems or warnings.
GOOD_CELLS = {
    "id": ["f1", "f2", " f3 ", "F-4.x_5"],
    "report_id": ["small", " small "],
    "kind": ["analysis", "Analysis", "quotation", " claim "],
    "title": ["A title", " A title ", "Cafe\u0301", "Ünïcode"],
    "summary": ["", "A summary", "Cafe\u0301 ", "  "],
    "themes": ["propaganda", "Propaganda; recruitment", "propaganda|propaganda", "Refugees"],
    "regions": ["", "Nangarhar", "PK; AF", "AF;AF", "pakistan"],
    "actors": ["", "ISKP", "ISKP; ISKP", "Cafe\u0301; Café", " a | b "],
    "page": ["", "1", " 3 ", "12"],
}
BAD_CELLS = {
    "id": ["", "bad id", "x" * 81, "f1"],
    "report_id": ["", "nope"],
    "kind": ["", "analisys"],
    "title": ["", "=cmd()", "@x", "x" * 20_001],
    "summary": ["+1 more", "-x"],
    "themes": ["", "propoganda", "; ;"],
    "regions": ["Narnia", "PK; Atlantis"],
    "actors": [],
    "page": ["0", "2.5", "x", "-1"],
}
#: (excerpt, start, end): anchored ones, then ones with problems.
GOOD_ANCHORS = [
    ("ISKP’s propaganda", "", ""),
    ("ISKP’s propaganda", "0", "17"),
    ("Refugees returned", "54", "71"),
    ("Refugees returned", " 87 ", "104"),
    ("urban youth", "", ""),
]
BAD_ANCHORS = [
    ("Refugees returned", "", ""),
    ("ISKP's propaganda", "", ""),
    ("", "", ""),
    ("  ", "", ""),
    ("not in it", "", ""),
    ("reaches", "0", ""),
    ("reaches", "x", "3"),
    ("reaches", "-1", "3"),
    ("reaches", "١", "٣"),
    ("ISKP’s propaganda", "1", "18"),
]


def cells(good, bad):
    return st.sampled_from(good * 4 + bad)


ROWS = st.lists(
    st.tuples(
        st.fixed_dictionaries({c: cells(GOOD_CELLS[c], BAD_CELLS[c]) for c in GOOD_CELLS}),
        cells(GOOD_ANCHORS, BAD_ANCHORS),
    ),
    min_size=1,
    max_size=8,
)


def as_records(rows) -> list[dict]:
    return [dict(row, excerpt=excerpt, start=start, end=end) for row, (excerpt, start, end) in rows]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=ROWS)
def test_plain_rows_path_equals_row_by_row(findings_context, monkeypatch, rows):
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*list(GOOD_CELLS), "excerpt", "start", "end"])
    writer.writeheader()
    writer.writerows(as_records(rows))
    data = out.getvalue().encode("utf-8")
    fast = load_findings_bytes(data, "f.csv", findings_context)
    assert same_load(fast, load_row_by_row(findings_context, data, "f.csv", monkeypatch))


ODD_VALUES = st.one_of(
    st.none(),
    st.integers(-2, 120),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.sampled_from(["PK", "propaganda", "x"]), max_size=2),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=ROWS,
    odd=st.lists(
        st.tuples(st.sampled_from([*list(GOOD_CELLS), "start", "end"]), ODD_VALUES), max_size=4
    ),
)
def test_plain_rows_path_equals_row_by_row_for_json_values(
    findings_context, monkeypatch, rows, odd
):
    records = as_records(rows)
    for k, (column, value) in enumerate(odd):
        records[k % len(records)][column] = value
    data = json.dumps(records).encode("utf-8")
    fast = load_findings_bytes(data, "f.json", findings_context)
    assert same_load(fast, load_row_by_row(findings_context, data, "f.json", monkeypatch))


def test_plain_rows_path_takes_the_plain_rows(findings_context):
    # The fast path must actually be used (else the tests above compare a path with itself).
    from dashboard.core import plain_rows
    from dashboard.io.formats import read_table

    data = (HEADER + GOOD + GOOD.replace("f1", "f2").replace("A title", "=cmd")).encode()
    table = read_table(data, "f.csv")
    mapping = match_columns(table.columns)
    plain = plain_rows.plain_rows(table.records, mapping, findings_context, "s")
    assert plain[0] is not None and plain[0][0] == "f1" and plain[1] is None


def test_bundled_findings_load_the_same_both_ways(monkeypatch):
    from dashboard import DATA_DIR
    from dashboard.core.corpus import load_corpus

    corpus = load_corpus()
    context = findings_context_of(corpus)
    for path in sorted((DATA_DIR / "findings").glob("*.csv")):
        data = path.read_bytes()
        fast = load_findings_bytes(data, path.name, context)
        assert not fast.findings.empty
        assert same_load(fast, load_row_by_row(context, data, path.name, monkeypatch))


def findings_context_of(corpus):
    from dashboard.core.findings import Context

    return Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)


def test_concatenated_findings_are_one_chunk_and_equal(findings_context):
    from dashboard.core.findings import concat_findings

    one = load(findings_context, HEADER + GOOD).findings
    two = load(findings_context, HEADER + GOOD.replace("f1", "f2")).findings
    joined = concat_findings([one, two])
    import pandas as pd

    pd.testing.assert_frame_equal(joined, pd.concat([one, two], ignore_index=True))
    for column in joined.columns:
        chunked = getattr(joined[column].array, "_pa_array", None)
        assert chunked is None or chunked.num_chunks == 1, column
    assert concat_findings([]).empty


# --- found in review: inputs that used to raise instead of giving a problem ---------------------


def json_row(**changes) -> bytes:
    row = {
        "id": "f1",
        "report_id": "small",
        "kind": "analysis",
        "title": "A title",
        "excerpt": "ISKP’s propaganda",
        "themes": "propaganda",
    }
    row.update(changes)
    return json.dumps([row]).encode("utf-8")


def test_half_of_a_surrogate_pair_is_a_problem_not_a_crash(findings_context):
    data = json_row().replace(b'"A title"', b'"A \\ud800 title"')
    result = load(findings_context, data, "f.json")
    assert result.findings.empty
    [problem] = result.problems
    assert (problem.row, problem.column) == (1, "title") and "UTF-16" in problem.message
    good = load(findings_context, json_row(title="A \U0001f600 title"), "f.json")
    assert good.problems == [] and good.findings["title"].iloc[0] == "A \U0001f600 title"


def test_numbers_with_thousands_of_digits_are_problems(findings_context):
    result = load(findings_context, json_row(page="1" * 5000), "f.json")
    assert result.findings.empty and result.problems[0].column == "page"
    assert "whole number" in result.problems[0].message
    result = load(findings_context, b'[{"id": "f1", "page": ' + b"1" * 5000 + b"}]", "f.json")
    assert result.findings.empty and "digits" in result.problems[0].message


@pytest.mark.parametrize("cell", ["\x1c1", " 1\x1f", "\u20031"])
def test_number_cells_padded_with_odd_white_space_load_the_same_both_ways(
    findings_context, monkeypatch, cell
):
    for data, name in (
        (json_row(page=cell), "f.json"),
        (json_row(page=cell, title="=A title"), "f.json"),
    ):
        fast = load_findings_bytes(data, name, findings_context)
        slow = load_row_by_row(findings_context, data, name, monkeypatch)
        assert same_load(fast, slow)
        assert list(fast.findings["page"]) == [1]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=ROWS,
    blanks=st.lists(st.sampled_from(["kind", "title", "report_id"]), max_size=3),
    extra=st.lists(st.sampled_from(["", "high", " low ", "=1+1", "Café\u0301"]), min_size=8),
)
def test_plain_rows_path_equals_row_by_row_with_defaults_and_extras(
    findings_context, monkeypatch, rows, blanks, extra
):
    """Defaults for kind and report, derived titles and extra columns: both paths agree."""
    import csv
    import dataclasses
    import io

    records = as_records(rows)
    for k, record in enumerate(records):
        for column in blanks:
            record[column] = ""
        record["Confidence"] = extra[k]
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=[*list(GOOD_CELLS), "excerpt", "start", "end", "Confidence"]
    )
    writer.writeheader()
    writer.writerows(records)
    data = out.getvalue().encode("utf-8")
    context = dataclasses.replace(
        findings_context, default_kind="analysis", default_report="small", derive_titles=True
    )
    fast = load_findings_bytes(data, "f.csv", context)
    assert same_load(fast, load_row_by_row(context, data, "f.csv", monkeypatch))
    from dashboard.core.row_checks import derive_title

    for row in fast.findings.itertuples():
        assert row.title and ("title" not in row.derived or row.title == derive_title(row.excerpt))
        assert ("title" in row.derived) or "title" not in blanks
        assert all(name == "Confidence" and value.strip() for name, value in row.extra)


def test_defaults_and_derived_titles_are_marked(findings_context):
    import dataclasses

    context = dataclasses.replace(
        findings_context, default_kind="analysis", default_report="small", derive_titles=True
    )
    data = "id,excerpt,themes,Confidence\nf1,ISKP’s propaganda,propaganda,high\n"
    result = load(context, data)
    assert result.problems == []
    row = result.findings.iloc[0]
    assert (row["kind"], row["report_id"], row["title"]) == (
        "analysis",
        "small",
        "ISKP’s propaganda",
    )
    assert row["derived"] == ("report_id", "kind", "title", "period")
    assert row["extra"] == (("Confidence", "high"),)


def test_required_fields_without_defaults_say_how_to_give_them(findings_context):
    result = load(findings_context, "id,excerpt,themes\nf1,ISKP’s propaganda,propaganda\n")
    by_column = {p.column: p for p in result.problems}
    assert (
        by_column["kind"].suggestion == "choose a kind for the whole file, or add a 'kind' column"
    )
    assert "report the findings quote" in by_column["report_id"].suggestion
    assert "opening words" in by_column["title"].suggestion


@pytest.mark.parametrize(
    ("cell", "regions"),
    [
        ("Baluchistan, Khyber Pakhtunkhwa", ("PK-BA", "PK-KP")),
        ("Hilmand\nNangarhar", ("AF-HEL", "AF-NAN")),
        ("PAK | AFG", ("PK", "AF")),
        ("Iran, Islamic Republic of", ("IR",)),
        ("Iran, Islamic Republic of; Pakistan", ("IR", "PK")),
        ("af_nan;  ", ("AF-NAN",)),
    ],
)
def test_region_cells_as_analysts_write_them(findings_context, cell, regions):
    data = HEADER + GOOD.replace(",Nangarhar,", ',"' + cell + '",')
    result = load(findings_context, data)
    assert result.problems == []
    assert result.findings.iloc[0]["regions"] == regions


def test_an_unknown_piece_of_a_list_is_named_with_a_suggestion(findings_context):
    data = HEADER + GOOD.replace(",Nangarhar,", ',"Hilmand, Nangahar",')
    result = load(findings_context, data)
    assert [(p.column, p.message, p.suggestion) for p in result.problems] == [
        ("regions", "unknown region 'Nangahar'", "did you mean 'Nangarhar' (AF-NAN)?")
    ]
