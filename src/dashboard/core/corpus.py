"""The corpus: every report, every finding, the gazetteer and the taxonomy, loaded together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import DATA_DIR, gc_paused
from dashboard.core.findings import Context, concat_findings, load_findings
from dashboard.core.problems import Problem
from dashboard.core.regions import Gazetteer, load_gazetteer
from dashboard.core.reports import Report, load_report
from dashboard.core.taxonomy import Taxonomy, load_taxonomy

FINDINGS_SUFFIXES = (".csv", ".json")


@dataclass(frozen=True)
class Corpus:
    """Everything the pages show. Treat it as read-only: it is shared between sessions."""

    reports: dict[str, Report]
    findings: pd.DataFrame
    gazetteer: Gazetteer
    taxonomy: Taxonomy
    problems: tuple[Problem, ...] = field(default=())

    def report_of(self, finding: pd.Series | dict) -> Report:
        return self.reports[finding["report_id"]]


def load_corpus(data_dir: Path | None = None) -> Corpus:
    """Load the bundled data in *data_dir* (default: the project's ``data/``).

    Reports come from ``reports/*/``, findings from ``findings/*.csv`` and ``findings/*.json``.
    Problems are collected, never raised: a bad file leaves out its bad rows and says why.
    """
    with gc_paused():
        return _load_corpus(data_dir)


def _load_corpus(data_dir: Path | None) -> Corpus:
    data_dir = Path(data_dir or DATA_DIR)
    gazetteer = load_gazetteer(data_dir / "regions" / "gazetteer.csv")
    taxonomy = load_taxonomy(data_dir / "taxonomy.toml")
    reports: dict[str, Report] = {}
    problems: list[Problem] = []
    for folder in sorted(p for p in (data_dir / "reports").iterdir() if p.is_dir()):
        report, found = load_report(folder)
        problems.extend(found)
        if report is not None:
            reports[report.id] = report
    frames = []
    seen: set[str] = set()
    for path in sorted((data_dir / "findings").iterdir()):
        if path.suffix.lower() not in FINDINGS_SUFFIXES:
            continue
        # The ids of the earlier files, as they are (not copied: a file's load only reads them).
        context = Context(reports, gazetteer, taxonomy, existing_ids=seen)
        result = load_findings(path, context, source=f"bundled: {path.name}")
        problems.extend(result.problems)
        seen.update(result.findings["id"].tolist())
        frames.append(result.findings)
    findings = concat_findings(frames)
    return Corpus(reports, findings, gazetteer, taxonomy, tuple(problems))


def merge(corpus: Corpus, findings: pd.DataFrame, reports: dict[str, Report]) -> Corpus:
    """The corpus with analysts' own reports and findings (from the store) added.

    Bundled data wins nothing silently: the store refuses ids that clash, so this only adds.
    """
    if findings.empty and not reports:
        return corpus
    merged = concat_findings([corpus.findings, findings]) if len(findings) else corpus.findings
    return Corpus(
        {**corpus.reports, **reports}, merged, corpus.gazetteer, corpus.taxonomy, corpus.problems
    )
