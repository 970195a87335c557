"""The fast .xlsx reader (python-calamine behind a scan of the XML) gives the very table the
streaming openpyxl reader gives, for generated workbooks; and it declines every workbook it could
not read safely or exactly, leaving it to openpyxl."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dashboard.io import workbooks

HEADER = ["Finding ID", "Quote", "Province", "Theme(s)", "Actor", "Confidence", "Date"]

cells = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).filter(
        lambda s: not s.startswith("=")
    ),
    st.integers(min_value=-(10**14), max_value=10**14),
    st.floats(min_value=-(2.0**40), max_value=2.0**40, width=32),
    st.booleans(),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.builds(datetime, st.just(2017), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23)),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)


def _book(rows, *, readme: bool, title: bool, merged: bool, hidden: bool) -> bytes:
    book = Workbook()
    book.remove(book.active)
    if readme:
        book.create_sheet("README").append(["How to fill in the findings sheet"])
    if hidden:
        secret = book.create_sheet("Hidden")
        secret.append(HEADER)
        secret.sheet_state = "hidden"
    sheet = book.create_sheet("Findings")
    if title:
        sheet.append(["ISKP findings log"])
        if merged:
            sheet.merge_cells("A1:G1")
        sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _both(data: bytes, sheet: str | None = None):
    archive = zipfile.ZipFile(io.BytesIO(data))
    fast = workbooks._read_xlsx_fast(data, archive, "f.xlsx", sheet)
    slow = workbooks._read_xlsx_openpyxl(data, archive, "f.xlsx", sheet)
    return fast, slow


def _same(fast, slow) -> None:
    assert fast is not None
    assert fast.records == slow.records
    assert fast.problems == slow.problems
    assert fast.sheets == slow.sheets and fast.sheet_notes == slow.sheet_notes
    assert fast.read_as == slow.read_as and fast.sheet == slow.sheet


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.lists(cells, max_size=9), max_size=12),
    readme=st.booleans(),
    title=st.booleans(),
    merged=st.booleans(),
    hidden=st.booleans(),
)
def test_fast_and_streaming_readers_give_the_same_table(rows, readme, title, merged, hidden):
    fast, slow = _both(_book(rows, readme=readme, title=title, merged=merged, hidden=hidden))
    _same(fast, slow)


def test_same_table_when_a_sheet_is_chosen_and_cells_start_off_a1():
    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Log")
    sheet["C4"], sheet["D4"] = "Finding ID", "Quote"
    sheet["C5"], sheet["D5"] = "k-1", date(2017, 5, 1)
    out = io.BytesIO()
    book.save(out)
    for chosen in (None, "Log", "Notes", "Nope"):
        _same(*_both(out.getvalue(), chosen))


def _with_sheet_xml(data: bytes, old: bytes, new: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/") and old in part:
                part = part.replace(old, new, 1)
            target.writestr(item, part)
    return out.getvalue()


def test_formulas_error_cells_and_long_integers_are_left_to_openpyxl():
    base = _book([["k-1", "quote"]], readme=False, title=False, merged=False, hidden=False)
    for cell in (
        b'<c r="C2"><f>A1&amp;"x"</f></c>',
        b'<c r="C2" t="e"><v>#N/A</v></c>',
        b'<c r="C2" t="n"><v>12345678901234567</v></c>',
    ):
        data = _with_sheet_xml(base, b"</row></sheetData>", cell + b"</row></sheetData>")
        fast, slow = _both(data)
        assert fast is None and slow.records
    formula = _with_sheet_xml(
        base, b"</row></sheetData>", b'<c r="C2"><f>A1&amp;"x"</f></c></row></sheetData>'
    )
    assert any(
        isinstance(v, workbooks.FormulaCell)
        for r in workbooks.read_xlsx(formula, "f.xlsx").records
        for v in r.values()
    )


def test_far_apart_cells_and_unreferenced_cells_never_reach_the_fast_reader():
    base = _book([["k-1", "quote"]], readme=False, title=False, merged=False, hidden=False)
    far = _with_sheet_xml(
        base,
        b"</sheetData>",
        b'<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row></sheetData>',
    )
    bare = _with_sheet_xml(base, b'<c r="A2"', b"<c")
    for data in (far, bare):
        assert workbooks._scan_workbook(zipfile.ZipFile(io.BytesIO(data))) is None
    assert workbooks.read_xlsx(far, "far.xlsx").problems  # refused by the streaming reader
