"""The faster ways of reading give what the general ways give: rows of text cells taken as they
are (``build_table(text_cells=True)``) only when no cell can begin with the quote that guards a
formula in our CSV exports; the findings frame built a column at a time
(``findings.findings_frame``) equal to pandas' ``from_records``."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.core.findings import COLUMNS, findings_frame
from dashboard.io.delimited import _may_guard, read_csv
from dashboard.io.formats import Table, build_table


def _built(rows, text_cells: bool) -> Table:
    table = Table()
    build_table(table, rows, 0, "f.csv", strict_width=True, text_cells=text_cells)
    return table


CELLS = st.sampled_from(["", " ", "a", "id", "title", "x y", "'quoted", "''", "'=1+1", "\t"])


@settings(max_examples=300, deadline=None)
@given(
    header=st.lists(st.sampled_from(["id", "title", "excerpt", "", "themes", "id"]), max_size=5),
    body=st.lists(st.lists(CELLS.filter(lambda c: not c.startswith("'")), max_size=7), max_size=6),
)
def test_text_cells_build_the_same_table(header, body):
    rows = [header, *body]
    fast, general = _built(rows, True), _built(rows, False)
    assert fast.records == general.records
    assert fast.numbers == general.numbers
    assert fast.columns == general.columns
    assert fast.problems == general.problems


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("id,title\n1,plain\n", False),
        ("id,title\n1,ISKP's reach\n", False),  # an apostrophe inside a cell
        ("'id,title\n1,x\n", True),  # at the very start
        ("id,title\n1,'=1+1\n", True),  # after the delimiter
        ("id,title\n'1,x\n", True),  # after a line break
        ("id,title\r\n'1,x\r\n", True),
        ('id,title\n1,"\'=1+1"\n', True),  # after the opening quotation mark
    ],
)
def test_a_guard_quote_is_never_missed(text, may):
    assert _may_guard(text, ",") is may


def test_a_guarded_cell_is_still_read_back():
    table = read_csv("id,title\nf-1,'=1+1\nf-2,ISKP's\n", "f.csv", ".csv")
    assert [r["title"] for r in table.records] == ["=1+1", "ISKP's"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_a_guard_after_any_delimiter(delimiter):
    text = delimiter.join(["id", "title", "kind"]) + "\n" + delimiter.join(["a", "'=2", "k"])
    assert _may_guard(text, delimiter)
    assert read_csv(text + "\n", "f.csv", ".csv").records[0]["title"] == "=2"


TEXT = st.text(alphabet=st.sampled_from("aZ é’“ \t\n0"), max_size=6)
NAMES = st.lists(st.sampled_from(["AF", "PK", "x y", "ß"]), max_size=3).map(tuple)
ROW = st.tuples(
    *[TEXT] * 6,  # id, report_id, kind, title, summary, excerpt
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    TEXT,
    TEXT,
    NAMES,
    NAMES,
    NAMES,
    st.none() | st.integers(1, 500),
    st.sampled_from(["", "2017", "2017-Q2", "2015–2017"]),  # period
    TEXT,
    st.lists(st.tuples(TEXT, TEXT), max_size=2).map(tuple),
    st.sampled_from([(), ("title",), ("report_id", "kind")]),
)


def _from_records(rows) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    return frame.astype({"start": "int64", "end": "int64", "page": "Int64"})


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=8))
def test_the_findings_frame_is_what_from_records_gives(rows):
    pd.testing.assert_frame_equal(findings_frame(rows), _from_records(rows), check_exact=True)


def test_a_frame_with_a_cell_of_another_type_is_built_as_pandas_would():
    row = ("f-1", "r", "k", "t", "s", "e", 0, 1, "p", "x", (), (), (), None, "2017", "src", (), ())
    odd = (7, *row[1:])  # an id that is a number
    for rows in ([row], [row, odd]):
        pd.testing.assert_frame_equal(findings_frame(rows), _from_records(rows), check_exact=True)
