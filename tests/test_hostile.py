"""Hostile input: each named case gives exactly the problem it should, and leaves the store as
it was. The bundled report's text is what the excerpts are checked against."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook
from pypdf import PdfWriter

from dashboard.core.corpus import load_corpus, merge
from dashboard.core.problems import errors
from dashboard.io import importer, report_plans
from dashboard.io.formats import MAX_ROWS
from dashboard.io.store import Store

REPORT = "hjs-2017-iskp"
HEADER = "id,report_id,kind,title,excerpt,themes,regions,actors\n"
EXCERPT = "Pakistan can play a key role in either compelling or constraining the lure of ISKP."
GOOD = f"x-01,{REPORT},analysis,A title,{EXCERPT},state-response,Pakistan,Pakistan\n"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return (header + "".join(rows)).encode(encoding)


def row(**changes) -> str:
    values = {
        "id": "x-01",
        "report_id": REPORT,
        "kind": "analysis",
        "title": "A title",
        "excerpt": EXCERPT,
        "themes": "state-response",
        "regions": "Pakistan",
        "actors": "Pakistan",
    }
    values.update(changes)
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values.values())
    return out.getvalue()


def json_bytes(data) -> bytes:
    return json.dumps(data).encode()


def with_offsets(start_end: str) -> bytes:
    """A file of one good row with start and end cells (``"0,10"``, ``"5,"``)."""
    return csv_bytes(
        row().replace("Pakistan,Pakistan\n", f"Pakistan,Pakistan,{start_end}\n"),
        header=HEADER.replace("actors", "actors,start,end"),
    )


def record(**changes) -> dict:
    values = {
        "id": "x-01",
        "report_id": REPORT,
        "kind": "analysis",
        "title": "A title",
        "excerpt": EXCERPT,
        "themes": ["state-response"],
        "regions": ["Pakistan"],
    }
    values.update(changes)
    return values


def xlsx_bytes(sheets: dict[str, list[list]], merge_cells: dict[str, str] | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
        for cells in (merge_cells or {}).get(name, "").split():
            sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


XLSX_HEADER = ["id", "report_id", "kind", "title", "excerpt", "themes", "regions"]
XLSX_ROW = ["x-01", REPORT, "analysis", "A title", EXCERPT, "state-response", "Pakistan"]


def many_rows(n: int) -> bytes:
    return csv_bytes(*(row(id=f"r-{i}") for i in range(n)))


E, W = "error", "warning"

#: (name, file name, bytes, [(severity, row, column, message start)], rows accepted)
CASES = [
    ("empty file", "f.csv", b"", [(E, None, None, "the file is empty")], 0),
    ("only white space", "f.csv", b" \r\n\n\t", [(E, None, None, "the file is empty")], 0),
    (
        "header only",
        "f.csv",
        csv_bytes(),
        [(E, None, None, "the file has a header but no findings")],
        0,
    ),
    (
        "binary garbage named .csv",
        "f.csv",
        bytes(range(256)) * 4,
        [(E, None, None, "this looks like a binary file, not text")],
        0,
    ),
    (
        "a PNG named .csv",
        "f.csv",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40,
        [(E, None, None, "this looks like a binary file, not text")],
        0,
    ),
    (
        "undecidable encoding",
        "f.csv",
        HEADER.encode() + b"\x81\x8d\x8f\x90\x9d" * 30,
        [
            (
                E,
                None,
                None,
                "cannot tell which encoding this text is in (tried UTF-8, UTF-16, Windows-1252)",
            )
        ],
        0,
    ),
    (
        "semicolon-separated",
        "f.csv",
        csv_bytes(GOOD.replace(",", ";"), header=HEADER.replace(",", ";")),
        [(W, 1, None, "read as semicolon-separated values")],
        1,
    ),
    (
        "tab-separated",
        "f.tsv",
        csv_bytes(GOOD.replace(",", "\t"), header=HEADER.replace(",", "\t")),
        [(W, 1, None, "read as tab-separated values")],
        1,
    ),
    (
        "missing required column",
        "f.csv",
        csv_bytes("x-01,r,analysis,T,state-response\n", header="id,report_id,kind,title,themes\n"),
        [(E, 1, "excerpt", "required column 'excerpt' is missing")],
        0,
    ),
    (
        "misspelt column name (matched by its spelling)",
        "f.csv",
        csv_bytes(GOOD, header=HEADER.replace("excerpt", "Exerpt")),
        [],
        1,
    ),
    (
        "column name like no field",
        "f.csv",
        csv_bytes(GOOD, header=HEADER.replace("excerpt", "Words")),
        [(E, 1, "excerpt", "required column 'excerpt' is missing")],
        0,
    ),
    (
        "duplicate id within the file",
        "f.csv",
        csv_bytes(GOOD, GOOD),
        [(E, 3, "id", "duplicate id 'x-01' (also row 2)")],
        1,
    ),
    (
        "duplicate id of a bundled finding",
        "f.csv",
        csv_bytes(row(id="hjs2017-ko-07")),
        [(E, 2, "id", "id 'hjs2017-ko-07' is already in use by a loaded finding")],
        0,
    ),
    (
        "unknown theme",
        "f.csv",
        csv_bytes(row(themes="refugess")),
        [(E, 2, "themes", "unknown theme 'refugess'")],
        0,
    ),
    (
        "misspelt region",
        "f.csv",
        csv_bytes(row(regions="Nangahar")),
        [(E, 2, "regions", "unknown region 'Nangahar'")],
        0,
    ),
    (
        "unknown kind",
        "f.csv",
        csv_bytes(row(kind="rumour")),
        [(E, 2, "kind", "unknown kind 'rumour'")],
        0,
    ),
    (
        "unknown report",
        "f.csv",
        csv_bytes(row(report_id="other-report")),
        [(E, 2, "report_id", "unknown report 'other-report'")],
        0,
    ),
    (
        "excerpt absent from the report",
        "f.csv",
        csv_bytes(row(excerpt="Pakistan can play no role")),
        [(E, 2, "excerpt", "excerpt does not occur in the report text")],
        0,
    ),
    (
        "straight quote where the report has a curly one",
        "f.csv",
        csv_bytes(row(excerpt="ISKP's rising influence")),
        [(E, 2, "excerpt", "excerpt differs from the report text in spaces, quotes or dashes")],
        0,
    ),
    (
        "doubled spaces in the excerpt",
        "f.csv",
        csv_bytes(row(excerpt="Pakistan can  play a key role")),
        [(E, 2, "excerpt", "excerpt differs from the report text in spaces, quotes or dashes")],
        0,
    ),
    (
        "excerpt occurring many times",
        "f.csv",
        csv_bytes(row(excerpt="ISKP")),
        [(E, 2, "excerpt", "excerpt occurs")],
        0,
    ),
    (
        "offsets out of range",
        "f.csv",
        with_offsets("0,99999"),
        [(E, 2, "start", "offsets 0-99999 are outside the report text")],
        0,
    ),
    (
        "offsets that point elsewhere",
        "f.csv",
        with_offsets("0,10"),
        [(E, 2, "start", "text at offsets 0-10 is not the excerpt")],
        0,
    ),
    (
        "only one offset",
        "f.csv",
        with_offsets("5,"),
        [(E, 2, "end", "give both start and end, or neither")],
        0,
    ),
    (
        "negative offset",
        "f.csv",
        with_offsets("-5,10"),
        [(E, 2, "start", "expected a whole number, got '-5'")],
        0,
    ),
    (
        "10 MB field",
        "f.csv",
        csv_bytes(row(summary_dummy=None, title="x" * 10_000_000).replace(",None\n", "\n")),
        [(E, 2, "title", "text is 10,000,000 characters; the limit is 20,000")],
        0,
    ),
    (
        "too many rows",
        "f.csv",
        many_rows(MAX_ROWS + 1),
        [
            (
                E,
                None,
                None,
                f"the file has {MAX_ROWS + 1:,} findings; the limit is {MAX_ROWS:,} per file",
            )
        ],
        0,
    ),
    (
        "row with more cells than the header",
        "f.csv",
        csv_bytes(GOOD.rstrip("\n") + ",extra,x\n"),
        [(E, 2, None, "row has 10 cells but the header has 8")],
        0,
    ),
    (
        "id that cannot go in a link",
        "f.csv",
        csv_bytes(row(id="x 01/../")),
        [(E, 2, "id", "id 'x 01/../' has characters that cannot go in a link")],
        0,
    ),
    ("empty id", "f.csv", csv_bytes(row(id="")), [(E, 2, "id", "id is empty")], 0),
    (
        "formula in the title",
        "f.csv",
        csv_bytes(row(title='=HYPERLINK("http://x","y")')),
        [(W, 2, "title", "text begins with '=', as a spreadsheet formula does")],
        1,
    ),
    (
        "formula-like summary in JSON",
        "f.json",
        json_bytes([record(summary="@SUM(A1)")]),
        [(W, 1, "summary", "text begins with '@', as a spreadsheet formula does")],
        1,
    ),
    (
        "HTML and script in text fields",
        "f.json",
        json_bytes(
            [
                record(
                    title="<img src=x onerror=alert(1)>",
                    summary="<script>x</script>",
                    actors=["<b>ISKP</b>"],
                )
            ]
        ),
        [],
        1,
    ),
    (
        "HTML in the excerpt",
        "f.csv",
        csv_bytes(row(excerpt="<script>alert(1)</script>")),
        [(E, 2, "excerpt", "excerpt does not occur in the report text")],
        0,
    ),
    (
        "markdown and $...$ in the excerpt",
        "f.csv",
        csv_bytes(row(excerpt="**ISKP** costs $5$")),
        [(E, 2, "excerpt", "excerpt does not occur in the report text")],
        0,
    ),
    (
        "markdown and $...$ in the title",
        "f.csv",
        csv_bytes(row(title="**Bold** $x^2$ # head")),
        [],
        1,
    ),
    (
        "NaN title in JSON",
        "f.json",
        b'[{"id": "x-01", "report_id": "'
        + REPORT.encode()
        + b'", "kind": "analysis", "title": NaN, "excerpt": "'
        + EXCERPT.encode()
        + b'", "themes": ["state-response"]}]',
        [],
        1,
    ),
    (
        "null regions and empty lists in JSON",
        "f.json",
        json_bytes([record(regions=None, actors=[])]),
        [],
        1,
    ),
    (
        "empty theme list in JSON",
        "f.json",
        json_bytes([record(themes=[])]),
        [(E, 1, "themes", "no theme given")],
        0,
    ),
    (
        "None inside a list in JSON",
        "f.json",
        json_bytes([record(themes=["state-response", None])]),
        [(E, 1, "themes", "list items must be text, got NoneType")],
        0,
    ),
    (
        "deeply nested JSON",
        "f.json",
        b"[" * 100_000 + b"]" * 100_000,
        [(E, None, None, "not readable JSON: nested too deeply")],
        0,
    ),
    (
        "object where text belongs",
        "f.json",
        json_bytes([record(title={"a": {"b": {"c": [1, 2, 3]}}})]),
        [(E, 1, "title", "expected text, got a dict")],
        0,
    ),
    (
        "JSON that is not a list",
        "f.json",
        b'"findings"',
        [(E, None, None, "JSON must be a list of findings")],
        0,
    ),
    (
        "JSON record that is not an object",
        "f.json",
        json_bytes([1, record()]),
        [(E, 1, None, "record is a int, not an object")],
        1,
    ),
    ("invalid JSON", "f.json", b'[{"id": "x",}]', [(E, 1, None, "not valid JSON")], 0),
    (
        "page zero",
        "f.json",
        json_bytes([record(page=0)]),
        [(E, 1, "page", "page 0 is not a page number")],
        0,
    ),
    (
        "Windows-1252 CSV with curly quotes",
        "f.csv",
        csv_bytes(
            row(excerpt="ISKP’s rising influence", title="“Rising” influence"), encoding="cp1252"
        ),
        [],
        1,
    ),
    ("UTF-16 CSV", "f.csv", csv_bytes(GOOD, encoding="utf-16"), [], 1),
    (
        "UTF-8 with BOM and CRLF",
        "f.csv",
        b"\xef\xbb\xbf" + csv_bytes(GOOD).replace(b"\n", b"\r\n"),
        [],
        1,
    ),
    (
        "xlsx with several sheets of findings",
        "f.xlsx",
        xlsx_bytes({"2017": [XLSX_HEADER, XLSX_ROW], "2018": [XLSX_HEADER, XLSX_ROW]}),
        [(W, None, None, "read sheet '2017'")],
        1,
    ),
    (
        "xlsx with a title row and merged header cells",
        "f.xlsx",
        xlsx_bytes(
            {
                "Findings": [
                    ["ISKP findings, 2017"],
                    [],
                    [*XLSX_HEADER[:-1], "regions", None, "actors"],
                    [*XLSX_ROW, None, "Pakistan"],
                ]
            },
            merge_cells={"Findings": "A1:G1 G3:H3"},
        ),
        [(W, 3, None, "the header is on row 3; rows above it were not read")],
        1,
    ),
    (
        "xlsx with values under a header cell left blank",
        "f.xlsx",
        xlsx_bytes({"Findings": [[*XLSX_HEADER, None], [*XLSX_ROW, "checked"]]}),
        [(W, 1, "column 8", "this column has no name (merged header cells?)")],
        1,
    ),
    (
        "xlsx with a notes sheet",
        "f.xlsx",
        xlsx_bytes({"Notes": [["read me"]], "Data": [XLSX_HEADER, XLSX_ROW]}),
        [(W, None, None, "read sheet 'Data'")],
        1,
    ),
    (
        "garbage named .xlsx",
        "f.xlsx",
        b"PK\x03\x04 not really a zip",
        [(E, None, None, "not a readable Excel workbook")],
        0,
    ),
    (
        "unsupported file type",
        "f.docx",
        b"whatever",
        [(E, None, None, "cannot read .docx files")],
        0,
    ),
]


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store.sqlite3")


@pytest.fixture(scope="module")
def bundled():
    return load_corpus()


def snapshot(store: Store):
    return store.fingerprint(), store.findings().to_json(), [r.id for r in store.imports()]


@pytest.mark.parametrize(
    ("name", "file", "data", "expected", "accepted"), CASES, ids=[c[0] for c in CASES]
)
def test_hostile_input(store, bundled, name, file, data, expected, accepted):
    before = snapshot(store)
    plan = importer.plan_findings(data, file, bundled, store)
    got = [(p.severity, p.row, p.column, p.message) for p in plan.problems]
    for severity, row_number, column, message in expected:
        assert any(
            g[:3] == (severity, row_number, column) and g[3].startswith(message) for g in got
        ), f"{name}: expected {message!r} in {got}"
    if not expected:
        assert not errors(plan.problems), got
    assert all(p.suggestion for p in errors(plan.problems)), "every error suggests a fix"
    assert plan.rows_valid == accepted
    assert snapshot(store) == before, "planning never writes"
    if not plan.can_import_valid:
        with pytest.raises(ValueError):
            importer.commit_findings(plan, store, only_valid=True)
        assert snapshot(store) == before


def test_case_count():
    assert len(CASES) >= 40


def test_duplicate_id_against_the_store(store, bundled):
    first = importer.plan_findings(csv_bytes(GOOD), "first.csv", bundled, store)
    importer.commit_findings(first, store, only_valid=False)
    before = snapshot(store)
    merged = merge(bundled, store.findings(), store.reports())
    second = importer.plan_findings(
        csv_bytes(GOOD.replace("A title", "Another")), "second.csv", merged, store
    )
    # The same ids as an earlier import: a new version of it, shown as a difference.
    assert second.previous is not None and second.previous.id == 1
    assert second.diff is not None and second.diff.changed == ("x-01",)
    assert second.diff.fields["x-01"] == ("title",)
    assert snapshot(store) == before
    third = importer.plan_findings(
        csv_bytes(GOOD.replace("x-01", "hjs2017-ko-07")), "third.csv", merged, store
    )
    assert third.problems[0].message == "id 'hjs2017-ko-07' is already in use by a loaded finding"


def test_same_file_twice(store, bundled):
    data = csv_bytes(GOOD)
    importer.commit_findings(
        importer.plan_findings(data, "a.csv", bundled, store), store, only_valid=False
    )
    before = snapshot(store)
    again = importer.plan_findings(data, "renamed.csv", bundled, store)
    assert again.problems[0].message.startswith("this file was already imported (import #1, a.csv")
    assert not again.can_import_valid and snapshot(store) == before


def test_hostile_text_is_kept_verbatim(store, bundled):
    data = json_bytes([record(title="<img src=x onerror=alert(1)>")])
    plan = importer.plan_findings(data, "h.json", bundled, store)
    importer.commit_findings(plan, store, only_valid=False)
    assert store.findings().iloc[0]["title"] == "<img src=x onerror=alert(1)>"


def _pdf(text_layer: bool, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    if text_layer:
        from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

        page = writer.pages[0]
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(b"BT /F1 12 Tf 20 200 Td (ISKP in Khorasan) Tj ET")
        page[NameObject("/Contents")] = writer._add_object(stream)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


META = {"id": "new-report", "title": "A report", "author": "An Author", "text_kind": "full text"}


@pytest.mark.parametrize(
    ("name", "file", "data", "meta", "message"),
    [
        (
            "PDF without a text layer",
            "r.pdf",
            _pdf(False),
            META,
            "the PDF has no text layer (it is a scan or an image)",
        ),
        (
            "password-protected PDF",
            "r.pdf",
            _pdf(True, "secret"),
            META,
            "the PDF is password-protected",
        ),
        ("not a PDF at all", "r.pdf", b"%PDF-1.7 nonsense", META, "not a readable PDF"),
        ("empty text file", "r.txt", b"   \n", META, "the report text is empty"),
        (
            "report id of the bundled report",
            "r.txt",
            b"text",
            {**META, "id": REPORT},
            f"a report with id '{REPORT}' is already loaded",
        ),
        ("report without a title", "r.txt", b"text", {**META, "title": " "}, "title is empty"),
        (
            "year that is not a year",
            "r.txt",
            b"text",
            {**META, "year": "20x7"},
            "year '20x7' is not a year",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_hostile_reports(store, bundled, name, file, data, meta, message):
    before = snapshot(store)
    report, problems = report_plans.plan_report(data, file, meta, bundled, store)
    assert report is None
    assert any(p.message.startswith(message) for p in problems), [p.message for p in problems]
    assert snapshot(store) == before


def test_pdf_with_text_layer_imports(store, bundled):
    report, problems = report_plans.plan_report(_pdf(True), "r.pdf", META, bundled, store)
    assert report is not None and "ISKP in Khorasan" in report.text
    assert [p.severity for p in problems] == ["warning"]
    store.import_report(report, file_name="r.pdf")
    assert "new-report" in store.reports()
