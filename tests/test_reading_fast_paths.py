"""The faster ways of reading delimited text give what the general way gives: rows of text cells
taken as they are (``build_table(text_cells=True)``) only when no cell can begin with the quote
that guards a formula in our CSV exports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
