"""Findings sheets as analysts keep them, generated in every format they save: the header in their
own words, no kind or title column, several regions in a cell; CSV with commas, semicolons or
tabs, UTF-16, Windows-1252, an .xlsx with a README sheet and title rows, an .ods from LibreOffice.
Every valid row imports, every column is accounted for, and the file says how it was read."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook

from dashboard.core.corpus import load_corpus, merge
from dashboard.core.problems import errors
from dashboard.io import importer, report_plans
from dashboard.io.formats import MAX_COLUMNS, FormulaCell, read_table
from dashboard.io.store import Store

HEADER = ["Finding ID", "Quote", "Province", "Theme(s)", "Actor", "Confidence", "Date"]
ROWS = [
    [
        "k-1",
        "Pakistan can play a key role in either compelling or constraining the lure of ISKP.",
        "Baluchistan, Khyber Pakhtunkhwa",
        "State response",
        "Pakistan",
        "high",
        date(2017, 5, 1),
    ],
    [
        "k-2",
        "deploying mobile radio broadcasting and social media",
        "Hilmand\nNangarhar",
        "propaganda; online radicalisation",
        "ISKP",
        "medium",
        date(2017, 5, 2),
    ],
    [
        "k-3",
        "ISKP’s rising influence",
        "PAK",
        "state-response",
        "ISKP",
        "",
        date(2017, 5, 3),
    ],
]
REGIONS = [("PK-BA", "PK-KP"), ("AF-HEL", "AF-NAN"), ("PK",)]
DEFAULTS = {"kind": "analysis"}


def text_sheet(delimiter: str = ",", encoding: str = "utf-8", title_rows: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for n in range(title_rows):
        writer.writerow([f"ISKP findings log, part {n + 1}"])
    writer.writerow(HEADER)
    writer.writerows([[str(c) for c in row] for row in ROWS])
    return out.getvalue().encode(encoding)


def xlsx_sheet(*, readme: bool = True, title_rows: bool = True, rows=ROWS, header=HEADER) -> bytes:
    book = Workbook()
    book.remove(book.active)
    if readme:
        notes = book.create_sheet("README")
        notes.append(["How to fill in the findings sheet"])
        notes.append(["One row per finding; quote the report exactly."])
    sheet = book.create_sheet("Findings 2017")
    if title_rows:
        sheet.append(["ISKP findings log"])
        sheet.merge_cells("A1:G1")
        sheet.append([])
    for values in [header, *rows]:
        sheet.append(values)
    for _ in range(3):  # formatted blank rows below the data
        sheet.append([None] * len(header))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ods_sheet(*, readme: bool = True, title_rows: bool = True) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()

    def add(table, values):
        row = TableRow()
        for value in values:
            if isinstance(value, date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.strftime("%d/%m/%Y")))
            else:
                cell = TableCell(valuetype="string")
                for line in str(value).split("\n"):
                    cell.addElement(P(text=line))
            row.addElement(cell)
        table.addElement(row)

    if readme:
        notes = Table(name="README")
        add(notes, ["How to fill in the findings sheet"])
        doc.spreadsheet.addElement(notes)
    table = Table(name="Findings 2017")
    if title_rows:
        add(table, ["ISKP findings log"])
        add(table, [""])
    for values in [HEADER, *ROWS]:
        add(table, values)
    blank = TableRow(numberrowsrepeated=1_048_000)  # what LibreOffice writes below the data
    blank.addElement(TableCell(numbercolumnsrepeated=1024))
    table.addElement(blank)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def bundled():
    return load_corpus()


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "store.sqlite3")


FORMATS = [
    ("comma.csv", lambda: text_sheet(","), "comma-separated, UTF-8, 3 rows"),
    ("semicolon.csv", lambda: text_sheet(";"), "semicolon-separated, UTF-8, 3 rows"),
    ("tabs.tsv", lambda: text_sheet("\t"), "tab-separated, UTF-8, 3 rows"),
    ("pipes.txt", lambda: text_sheet("|"), "pipe-separated, UTF-8, 3 rows"),
    ("utf16.csv", lambda: text_sheet(",", "utf-16"), "comma-separated, UTF-16, 3 rows"),
    (
        "excel.csv",
        lambda: text_sheet(";", "cp1252"),
        "semicolon-separated, Windows-1252, 3 rows",
    ),
    (
        "titled.csv",
        lambda: text_sheet(",", title_rows=2),
        "comma-separated, UTF-8, header on row 3, 3 rows",
    ),
    (
        "book.xlsx",
        xlsx_sheet,
        "Excel workbook, sheet 'Findings 2017', header on row 3, 3 rows",
    ),
    (
        "book.ods",
        ods_sheet,
        "OpenDocument spreadsheet, sheet 'Findings 2017', header on row 3, 3 rows",
    ),
]


@pytest.mark.parametrize(("file", "make", "read_as"), FORMATS, ids=[f[0] for f in FORMATS])
def test_the_analysts_sheet_imports_in_every_format(bundled, store, file, make, read_as):
    data = make()
    plan = importer.plan_findings(data, file, bundled, store, defaults=DEFAULTS)
    assert not errors(plan.problems), plan.problems
    assert plan.read_as is not None and plan.read_as.describe() == read_as
    assert plan.rows_total == plan.rows_valid == 3 and plan.can_import_all
    assert plan.mapping == {
        "Finding ID": "id",
        "Quote": "excerpt",
        "Province": "regions",
        "Theme(s)": "themes",
        "Actor": "actors",
        "Confidence": "extra",
        "Date": "period",
    }
    frame = plan.result.findings
    assert list(frame["regions"]) == REGIONS
    assert list(frame["themes"]) == [
        ("state-response",),
        ("propaganda", "online-radicalisation"),
        ("state-response",),
    ]
    assert list(frame["kind"]) == ["analysis"] * 3
    assert all(d == ("report_id", "kind", "title") for d in frame["derived"])
    assert frame.iloc[2]["title"] == "ISKP’s rising influence"
    extra = [dict(e) for e in frame["extra"]]
    assert [e.get("Confidence") for e in extra] == ["high", "medium", None]
    # The sheet's dates are when each finding holds: ISO days, whatever the sheet shows.
    assert list(frame["period"]) == ["2017-05-01", "2017-05-02", "2017-05-03"]
    record = importer.commit_findings(plan, store, only_valid=False)
    settings = record.settings_dict()
    assert settings["extra_columns"] == ["Confidence"]
    assert settings["defaults"]["kind"] == "analysis"
    stored = store.findings()
    assert list(stored["extra"]) == list(frame["extra"])
    assert list(stored["derived"]) == list(frame["derived"])


def test_workbook_sheet_choice_is_shown_and_can_be_changed(bundled, store):
    data = xlsx_sheet()
    plan = importer.plan_findings(data, "book.xlsx", bundled, store, defaults=DEFAULTS)
    assert plan.sheets == ["README", "Findings 2017"] and plan.sheet == "Findings 2017"
    assert plan.sheet_notes["README"].startswith("no row in its first 30 names")
    assert any(p.message == "read sheet 'Findings 2017'" for p in plan.problems)
    other = importer.plan_findings(data, "book.xlsx", bundled, store, sheet="README")
    assert other.sheet == "README" and other.rows_valid == 0


@pytest.mark.parametrize("make", [xlsx_sheet, ods_sheet], ids=["xlsx", "ods"])
def test_workbook_without_findings_lists_its_sheets(bundled, store, make):
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    book.create_sheet("Budget").append([1, 2, 3])
    out = io.BytesIO()
    book.save(out)
    plan = importer.plan_findings(out.getvalue(), "x.xlsx", bundled, store)
    message = errors(plan.problems)[0].message
    assert message.startswith("no sheet looks like a table of findings (sheets: 'Notes':")
    assert "'Budget'" in message


def test_formula_without_stored_value_is_named(bundled, store):
    # openpyxl stores formulas without a calculated value, as some tools do.
    rows = [[*ROWS[0][:4], '=A1&"x"', "high", "2017"]]
    data = xlsx_sheet(rows=rows, readme=False, title_rows=False)
    assert any(
        isinstance(v, FormulaCell) for r in read_table(data, "f.xlsx").records for v in r.values()
    )
    plan = importer.plan_findings(data, "f.xlsx", bundled, store, defaults=DEFAULTS)
    problem = errors(plan.problems)[0]
    assert (problem.row, problem.column) == (2, "actors")
    assert problem.message == "the cell holds the formula '=A1&\"x\"' with no stored value"
    assert "save it again" in problem.suggestion


def test_columns_nobody_mapped_are_kept_and_look_alikes_warned(bundled, store):
    header = [*HEADER, "District"]
    rows = [[*r, "Nangarhar"] for r in ROWS]
    out = io.StringIO()
    csv.writer(out).writerows([header, *[[str(c) for c in r] for r in rows]])
    plan = importer.plan_findings(
        out.getvalue().encode(), "d.csv", bundled, store, defaults=DEFAULTS
    )
    assert plan.mapping["District"] == "extra"
    warning = next(p for p in plan.problems if p.column == "District")
    assert warning.severity == "warning" and "looks like regions" in warning.message


def test_explicit_ignore_is_recorded(bundled, store):
    plan = importer.plan_findings(
        text_sheet(),
        "c.csv",
        bundled,
        store,
        defaults=DEFAULTS,
        column_map={"Date": "ignore"},
    )
    assert plan.ignored_columns == ["Date"] and plan.extra_columns == ["Confidence"]
    record = importer.commit_findings(plan, store, only_valid=False)
    assert record.settings_dict()["ignored_columns"] == ["Date"]
    assert all("Date" not in dict(e) for e in store.findings()["extra"])


def test_mapping_is_remembered_for_the_same_headers(bundled, store):
    data = text_sheet().replace(b"Quote", b"Zitat")
    first = importer.plan_findings(
        data, "a.csv", bundled, store, defaults=DEFAULTS, column_map={"Zitat": "excerpt"}
    )
    importer.commit_findings(first, store, only_valid=False)
    again = data.replace(b"k-", b"n-")
    merged = merge(bundled, store.findings(), store.reports())
    second = importer.plan_findings(again, "b.csv", merged, store)
    assert second.remembered and second.mapping["Zitat"] == "excerpt"
    assert second.defaults["kind"] == "analysis" and second.rows_valid == 3


def test_new_version_is_a_difference_applied_at_once_and_restorable(bundled, store):
    first = importer.plan_findings(text_sheet(), "log.csv", bundled, store, defaults=DEFAULTS)
    one = importer.commit_findings(first, store, only_valid=False)
    edited = [list(r) for r in ROWS[:2]]
    edited[1][5] = "high"  # k-2 changed, k-3 removed, k-4 added
    edited.append(["k-4", "middle-class youth", "Pakistan", "recruitment", "", "low", ""])
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *[[str(c) for c in r] for r in edited]])
    merged = merge(bundled, store.findings(), store.reports())
    plan = importer.plan_findings(out.getvalue().encode(), "log.csv", merged, store)
    assert plan.previous is not None and plan.previous.id == one.id
    assert (plan.diff.added, plan.diff.changed, plan.diff.removed) == (("k-4",), ("k-2",), ("k-3",))
    assert plan.diff.fields["k-2"] == ("extra",)
    two = importer.commit_findings(plan, store, only_valid=False)
    assert sorted(store.findings()["id"]) == ["k-1", "k-2", "k-4"]
    versions = store.versions(two.id)
    assert [(v.id, v.current) for v in versions] == [(one.id, False), (two.id, True)]
    store.restore_import(one.id)
    assert sorted(store.findings()["id"]) == ["k-1", "k-2", "k-3"]
    assert not store.get_import(two.id).current
    assert b"k-4" in store.export_import(two.id)  # the replaced version is kept whole


# --- bad input ---------------------------------------------------------------------------------


def plan_of(bundled, store, data: bytes, file: str, **kwargs):
    return importer.plan_findings(data, file, bundled, store, defaults=DEFAULTS, **kwargs)


def test_duplicate_and_empty_header_cells_keep_their_values(bundled, store):
    header = [*HEADER, "Confidence", ""]
    rows = [[*(str(c) for c in r), "checked", "note"] for r in ROWS]
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    plan = plan_of(bundled, store, out.getvalue().encode(), "d.csv")
    assert "Confidence [column 8]" in plan.columns and "[column 9]" in plan.columns
    extra = dict(plan.result.findings.iloc[0]["extra"])
    assert extra["Confidence [column 8]"] == "checked" and extra["[column 9]"] == "note"
    messages = [p.message for p in plan.problems if p.severity == "warning"]
    assert any(m.startswith("two columns are named 'Confidence'") for m in messages)
    assert any(m.startswith("this column has no name") for m in messages)


def test_header_only_sheet(bundled, store):
    plan = plan_of(bundled, store, xlsx_sheet(rows=[], readme=False), "h.xlsx")
    assert [p.message for p in errors(plan.problems)] == ["the file has a header but no findings"]


def test_sheet_with_one_column(bundled, store):
    data = xlsx_sheet(rows=[[ROWS[0][1]]], header=["Quote"], readme=False, title_rows=False)
    plan = plan_of(bundled, store, data, "one.xlsx")
    missing = {p.column for p in errors(plan.problems)}
    assert plan.mapping == {"Quote": "excerpt"} and missing == {"id", "themes"}


@pytest.mark.parametrize("file", ["wide.csv", "wide.xlsx"])
def test_ten_thousand_columns_are_refused_quickly(bundled, store, file):
    header = [f"c{i}" for i in range(10_000)]
    if file.endswith(".csv"):
        data = (",".join(header) + "\n" + ",".join("x" for _ in header) + "\n").encode()
    else:
        data = xlsx_sheet(rows=[["x"] * 10_000], header=header, readme=False, title_rows=False)
    started = time.monotonic()
    plan = plan_of(bundled, store, data, file)
    elapsed = time.monotonic() - started
    message = errors(plan.problems)[0].message
    assert f"at most {MAX_COLUMNS:,}" in message and "10,000" in message
    assert plan.rows_valid == 0 and elapsed < 30  # a bound on hanging, not a speed measure


def test_cell_of_one_megabyte(bundled, store):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, [*(str(c) for c in ROWS[0][:5]), "x" * 1_000_000, ""]])
    plan = plan_of(bundled, store, out.getvalue().encode(), "big.csv")
    problem = errors(plan.problems)[0]
    assert (problem.row, problem.column) == (2, "Confidence")
    assert problem.message == "text is 1,000,000 characters; the limit is 20,000"


def test_two_columns_sent_to_one_field_are_refused_before_import(bundled, store):
    plan = plan_of(
        bundled, store, text_sheet(), "c.csv", column_map={"Province": "themes", "Actor": "themes"}
    )
    assert plan.rows_valid == 0 and not plan.can_import_valid
    assert errors(plan.problems)[0].message == (
        "columns 'Province' and 'Actor' are both mapped to 'themes'"
    )


def _zip_bomb(real: bytes, member: str, size: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(real)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename), zipfile.ZIP_DEFLATED)
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(size >> 20):
                part.write(chunk)
    return out.getvalue()


def test_workbook_that_unpacks_to_gigabytes_is_refused_before_parsing(bundled, store):
    data = _zip_bomb(xlsx_sheet(), "xl/sharedStrings2.xml", 300 << 20)
    assert len(data) < 2 << 20
    plan = plan_of(bundled, store, data, "bomb.xlsx")
    assert errors(plan.problems)[0].message.startswith("the Excel workbook unpacks to 30")


def test_ods_with_a_million_repeated_rows_of_text_is_refused(bundled, store):
    data = ods_sheet()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        content = source.read("content.xml").decode()
    row = (
        '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    head, tail = content.rsplit("</table:table>", 1)  # in the findings sheet
    content = head + row + "</table:table>" + tail
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = content.encode() if item.filename == "content.xml" else source.read(item)
            target.writestr(item, body)
    plan = plan_of(bundled, store, out.getvalue(), "bomb.ods")
    assert "rows" in errors(plan.problems)[0].message and plan.rows_valid == 0


def test_json_duplicate_keys_are_refused_with_key_and_row(bundled, store):
    data = (
        b'[{"id": "j-1", "excerpt": "ISKP\xe2\x80\x99s rising influence", "themes": "ideology",'
        b' "themes": "state-response"}]'
    )
    plan = plan_of(bundled, store, data, "d.json")
    problem = errors(plan.problems)[0]
    assert (problem.row, problem.column) == (1, "themes")
    assert problem.message == "the key 'themes' is given twice in this record"


def test_binary_report_gets_report_advice(bundled, store):
    _, problems = report_plans.plan_report(
        bytes(range(256)) * 8, "r.txt", {"id": "r", "title": "t", "author": "a"}, bundled, store
    )
    assert problems[0].suggestion.startswith("a report is a .txt file")


@pytest.mark.parametrize("name", ["a\x00b.csv", "\u202egnp.csv", "[x](javascript:alert)*.csv"])
def test_awkward_file_names_plan_and_import(bundled, store, name):
    plan = plan_of(bundled, store, text_sheet(), name)
    record = importer.commit_findings(plan, store, only_valid=False)
    assert record.rows_imported == 3
    assert store.get_import(record.id).file_name == name


def test_problems_download_carries_the_values(bundled, store):
    rows = [list(ROWS[0])]
    rows[0][2] = "Nangahar"
    plan = plan_of(bundled, store, xlsx_sheet(rows=rows), "p.xlsx")
    text = importer.problems_csv(plan).decode("utf-8-sig")
    assert "row,column,value,severity,message,suggestion" in text
    assert (
        "regions,Nangahar,error,unknown region 'Nangahar',did you mean 'Nangarhar' (AF-NAN)?"
        in text
    )
