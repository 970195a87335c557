"""reader: a 300-page report (about 1 MB of text, 2,000 highlights, some nested) in the report
reader, server side (``AppTest``): opening it at a finding, as shipped (read in parts), beside
the same page drawing the whole text at once and beside Streamlit's empty page; and the HTML of
one part against the whole text.

The report is synthetic (``bench/generate.py``'s words, titled SYNTHETIC), stored as an
imported PDF would be, with its page boundaries, in a store of its own.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.generate import SOURCE, _sentences
from bench.measures.base import Context
from bench.report import Column, Table
from bench.serving import EMPTY_PAGE, apptest
from bench.timing import fmt_ratio, fmt_stats, interleaved, log, summary
from dashboard.core.findings import COLUMNS
from dashboard.core.reports import CONTEXT_CHARS, Report
from dashboard.views import report_text

NAME = "reader"
TITLE = "Report reader: a 300-page report"
PAGES = 300
#: Sentences on a page: about 3,300 characters, so 300 pages are about 1 MB.
PER_PAGE = 46
FINDINGS = 2_000
REPORT_ID = "syn-long"
EMPTY = "empty page"
#: The server-side target for opening the reader at a finding of the long report.
TARGET_S = 0.5


def long_report(seed: int = 0) -> tuple[Report, pd.DataFrame]:
    """A synthetic 300-page report of about 1 MB and 2,000 findings on it: whole sentences,
    one in ten nested inside another finding."""
    rng = np.random.default_rng([seed, 7])
    sentences = _sentences(rng, PAGES * PER_PAGE)
    pages, spans, at = [], [], 0
    for p in range(PAGES):
        parts, offset = [], 0
        for s in sentences[p * PER_PAGE : (p + 1) * PER_PAGE]:
            spans.append((at + offset, at + offset + len(s)))
            parts.append(s)
            offset += len(s) + 1
        page = " ".join(parts)
        pages.append(page)
        at += len(page) + 2
    text = "\n\n".join(pages)
    starts, position = [], 0
    for page in pages:
        starts.append(position)
        position += len(page) + 2
    report = Report(
        REPORT_ID,
        "SYNTHETIC LONG REPORT (300 pages)",
        "bench/measures/reader.py",
        text,
        "synthetic text",
        "none (synthetic)",
        None,
        "Generated for benchmarks; not a real report.",
        page_starts=tuple(starts),
    )
    chosen = sorted(rng.choice(len(spans), size=FINDINGS, replace=False).tolist())
    rows = []
    for n, i in enumerate(chosen):
        start, end = spans[i]
        if n % 10 == 9:  # nested: the sentence's second half inside the finding of the sentence
            start = start + (end - start) // 2
            while text[start] == " ":
                start += 1
        rows.append(
            {
                "id": f"syn-long-{n + 1:05d}",
                "report_id": REPORT_ID,
                "kind": "analysis",
                "title": f"Synthetic finding {n + 1}",
                "summary": "",
                "excerpt": text[start:end],
                "start": start,
                "end": end,
                "prefix": text[max(0, start - CONTEXT_CHARS) : start],
                "suffix": text[end : end + CONTEXT_CHARS],
                "themes": (("propaganda", "recruitment", "refugees", "ideology")[n % 4],),
                "regions": (("AF", "PK", "AF-NAN")[n % 3],),
                "actors": (),
                "page": report.page_at(start),
                "period": "",
                "source": SOURCE,
                "extra": (),
                "derived": (),
            }
        )
    findings = pd.DataFrame(rows, columns=list(COLUMNS)).astype(
        {"start": "int64", "end": "int64", "page": "Int64"}
    )
    return report, findings


def run(ctx: Context) -> None:
    from dashboard.io.store import Store

    report, findings = long_report()
    folder = Path(tempfile.mkdtemp(prefix="bench-reader-"))
    store = Store(folder / "store.sqlite3")
    store.import_report(report, file_name="synthetic-long.pdf")
    store.import_findings(
        findings,
        file_name="synthetic-long.csv",
        sha256="0" * 64,
        rows_total=FINDINGS,
        rows_rejected=0,
    )
    previous = os.environ.get("DASHBOARD_STORE")
    os.environ["DASHBOARD_STORE"] = str(store.path)
    try:
        _measure(ctx, report, findings)
    finally:
        if previous is None:
            os.environ.pop("DASHBOARD_STORE", None)
        else:
            os.environ["DASHBOARD_STORE"] = previous


def _measure(ctx: Context, report: Report, findings: pd.DataFrame) -> None:
    ids = list(findings["id"])
    targets = [ids[len(ids) // 4], ids[3 * len(ids) // 4]]  # in different parts
    parted = apptest("pages/reader.py")
    whole = apptest("pages/reader.py")
    coding = apptest("pages/reader.py")
    coding.toggle(key="coding_on").set_value(True).run()
    empty = apptest(script=EMPTY_PAGE)
    turn = {"parted": 0, "whole": 0, "coding": 0}

    def open_at(at, name: str, size: int | None = None):
        def go():
            turn[name] += 1
            at.query_params["finding"] = targets[turn[name] % 2]
            saved = report_text.WINDOW_CHARS
            report_text.WINDOW_CHARS = size or saved
            try:
                at.run()
            finally:
                report_text.WINDOW_CHARS = saved
            assert not at.exception, [e.value for e in at.exception]
            assert at.title[0].value.startswith("SYNTHETIC LONG REPORT"), "the long report"

        return go

    samples, _ = interleaved(
        {
            "reader, in parts (as shipped)": open_at(parted, "parted"),
            "reader, coding view, in parts": open_at(coding, "coding"),
            "reader, the whole text at once": open_at(whole, "whole", size=10**9),
            EMPTY: empty.run,
        },
        max(ctx.repeat, 5),
        max(ctx.budget, 30.0),
    )
    floor = summary(samples[EMPTY])
    for name, s in samples.items():
        record = ctx.results.add(NAME, case=name, **summary(s))
        log(f"  {name:<34} {fmt_stats(record)}  ({fmt_ratio(record, floor)} the empty page)")
    part = report_text.text_windows(report)[0]
    html_samples, first = interleaved(
        {
            "HTML of one part": lambda: report_text.highlight_html(
                report, findings, _taxonomy(), window=part, runs=True
            ),
            "HTML of the whole text": lambda: report_text.highlight_html(
                report, findings, _taxonomy()
            ),
        },
        max(ctx.repeat, 5),
        ctx.budget,
    )
    for name, s in html_samples.items():
        ctx.results.add(f"{NAME}-html", case=name, chars=len(str(first[name])), **summary(s))
        log(f"  {name:<34} {fmt_stats(summary(s))}, {len(str(first[name])):,} characters")
    ctx.results.add(
        f"{NAME}-size",
        chars=len(report.text),
        pages=len(report.page_starts),
        findings=len(findings),
        parts=len(report_text.text_windows(report)),
    )


def _taxonomy():
    from dashboard.core.taxonomy import load_taxonomy

    return load_taxonomy()


def tables(s: dict) -> list[Table]:
    size = s.get(f"{NAME}-size", [{}])[0]
    floor = next(r for r in s[NAME] if r["case"] == EMPTY)
    return [
        Table(
            title="Report reader: a 300-page report (server side, `AppTest`)",
            intro=(
                f"A synthetic report of {size.get('chars', 0):,} characters on "
                f"{size.get('pages', 0)} pages with {size.get('findings', 0):,} findings (one "
                f"in ten nested), read in {size.get('parts', 0)} parts; each run opens it at a "
                f"finding in another part. Target: <= {TARGET_S * 1000:.0f} ms.",
            ),
            columns=(
                Column("case", "case", left=True),
                Column("rerun", fmt_stats),
                Column("vs empty page", lambda r: fmt_ratio(r, floor)),
            ),
            rows=s[NAME],
        ),
        Table(
            title="Report reader: the HTML drawn",
            columns=(
                Column("case", "case", left=True),
                Column("time", fmt_stats),
                Column("characters", "chars", lambda n: f"{n:,}"),
            ),
            rows=s.get(f"{NAME}-html", []),
        ),
    ]
