"""When findings hold: a sheet's date column read as periods, the report's year for the rest,
and every refused or doubtful date located by row and column with a fix."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from dashboard.core.findings import load_findings_bytes
from dashboard.core.problems import errors

HEADER = "id,report_id,kind,title,excerpt,themes,Date\n"


def row(n: int, when: str) -> str:
    return f"f{n},small,analysis,T{n},ISKP’s propaganda,propaganda,{when}\n"


def load(context, cells: list[str], **options):
    text = HEADER + "".join(row(n, c) for n, c in enumerate(cells, start=1))
    return load_findings_bytes(text.encode(), "dated.csv", replace(context, **options))


@pytest.mark.parametrize(
    ("cell", "period"),
    [
        ("2017", "2017"),
        ("2017-03", "2017-03"),
        ("March 2017", "2017-03"),
        ("Q2 2017", "2017-Q2"),
        ("2017-03-04", "2017-03-04"),
        ("4 March 2017", "2017-03-04"),
        ("2015–2017", "2015–2017"),
        ("2015-2017", "2015–2017"),
        ("25/03/2017", "2017-03-25"),  # day-first is the only reading
    ],
)
def test_a_date_cell_is_the_period_it_names_never_padded(findings_context, cell, period):
    result = load(findings_context, [f'"{cell}"'])
    assert result.problems == []
    finding = result.findings.iloc[0]
    assert finding["period"] == period and "period" not in finding["derived"]


def test_a_blank_date_takes_the_reports_year_marked_as_derived(findings_context):
    result = load(findings_context, ["", "2016"])
    assert result.problems == []
    assert list(result.findings["period"]) == ["2020", "2016"]  # the small report is of 2020
    assert [("period" in d) for d in result.findings["derived"]] == [True, False]


def test_with_no_date_column_every_finding_takes_its_reports_year(findings_context):
    text = (
        "id,report_id,kind,title,excerpt,themes\nf1,small,analysis,T,ISKP’s propaganda,propaganda\n"
    )
    result = load_findings_bytes(text.encode(), "plain.csv", findings_context)
    assert list(result.findings["period"]) == ["2020"]
    assert result.findings.iloc[0]["derived"] == ("period",)


def test_a_report_without_a_year_leaves_blank_dates_undated(findings_context):
    undated = replace(findings_context.reports["small"], year=None)
    result = load(findings_context, [""], reports={"small": undated})
    assert list(result.findings["period"]) == [""]


def test_bad_dates_are_refused_by_row_and_column_with_a_fix(findings_context):
    result = load(findings_context, ["2017-02-30", "03/04/2017", "soon", "2017"])
    refused = errors(result.problems)
    assert [(p.file, p.row, p.column) for p in refused] == [
        ("dated.csv", 2, "period"),
        ("dated.csv", 3, "period"),
        ("dated.csv", 4, "period"),
    ]
    assert "30" in refused[0].message and "February" in refused[0].message
    assert refused[0].suggestion
    assert "day" in refused[1].message.lower() or "ambiguous" in refused[1].message.lower()
    assert list(result.findings["id"]) == ["f4"]  # the rest stay out; nothing is guessed


def test_the_files_day_order_reads_ambiguous_dates(findings_context):
    assert load(findings_context, ["03/04/2017"], day_first=True).findings.iloc[0]["period"] == (
        "2017-04-03"
    )
    assert load(findings_context, ["03/04/2017"], day_first=False).findings.iloc[0]["period"] == (
        "2017-03-04"
    )


def test_doubtful_dates_are_kept_with_a_notice(findings_context):
    result = load(findings_context, [str(date.today().year + 3), "1975", "42795"])
    assert not errors(result.problems)
    notices = [p for p in result.problems if p.severity == "warning"]
    assert [(p.row, p.column) for p in notices] == [(2, "period"), (3, "period"), (4, "period")]
    assert list(result.findings["period"]) == [
        str(date.today().year + 3),
        "1975",
        "2017-03-01",  # an Excel serial number, said so
    ]


def test_a_workbooks_date_cells_are_days_and_its_text_cells_periods(findings_context):
    book = Workbook()
    sheet = book.active
    sheet.append(["id", "report_id", "kind", "title", "excerpt", "themes", "As of"])
    for n, when in enumerate([date(2017, 5, 1), datetime(2016, 2, 3, 0, 0), "Q3 2016", None]):
        sheet.append([f"f{n}", "small", "analysis", "T", "ISKP’s propaganda", "propaganda", when])
    out = io.BytesIO()
    book.save(out)
    result = load_findings_bytes(out.getvalue(), "log.xlsx", findings_context)
    assert not errors(result.problems), result.problems
    assert list(result.findings["period"]) == ["2017-05-01", "2016-02-03", "2016-Q3", "2020"]


def test_the_fast_and_the_careful_path_give_the_same_periods(findings_context):
    cells = ["2017", "Q2 2017", "", "2015–2017", "1975", "4 March 2017"]
    together = load(findings_context, cells).findings
    # A row with a notice takes the careful path; alone, each plain row takes the fast one.
    alone = [load(findings_context, [c]).findings.iloc[0]["period"] for c in cells]
    assert list(together["period"]) == alone


def test_a_card_says_when_its_finding_holds(corpus):
    from dashboard.views.cards import finding_card

    finding = corpus.findings.iloc[0].to_dict()
    card = finding_card(finding, corpus.report_of(finding), corpus.taxonomy, corpus.gazetteer)
    assert "2017 (the report&#x27;s date)" in card and "given on import" not in card
    dated = {**finding, "period": "2016-Q3", "derived": ()}
    card = finding_card(dated, corpus.report_of(finding), corpus.taxonomy, corpus.gazetteer)
    assert "Q3 2016 ·" in card


def test_every_bundled_finding_takes_the_reports_2017_marked_as_such(corpus):
    assert set(corpus.findings["period"]) == {"2017"}
    assert all("period" in d for d in corpus.findings["derived"])
