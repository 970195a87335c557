"""The corpus: every report, every finding, the gazetteer and the taxonomy, loaded together."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dashboard import DATA_DIR, gc_paused
from dashboard.core import corpus_cache, corpus_workers
from dashboard.core.findings import Context, LoadResult, concat_findings, load_findings_bytes
from dashboard.core.periods import Period
from dashboard.core.problems import Problem
from dashboard.core.regions import Gazetteer, load_gazetteer
from dashboard.core.reports import Report, load_report
from dashboard.core.row_checks import derived_order
from dashboard.core.taxonomy import Taxonomy, load_taxonomy
from dashboard.io.columns import synonyms

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


def load_corpus(
    data_dir: Path | None = None,
    *,
    cache: bool = True,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> Corpus:
    """Load the bundled data in *data_dir* (default: the project's ``data/``).

    Reports come from ``reports/*/``, findings from ``findings/*.csv`` and ``findings/*.json``.
    Problems are collected, never raised: a bad file leaves out its bad rows and says why.

    With *cache*, the validated findings and their problems are kept on disk in *cache_dir*
    (default :func:`dashboard.core.corpus_cache.cache_dir`), keyed by the contents of every file
    read and by the code reading them: the next load of the same files reads them back instead
    of checking every row again (see :mod:`dashboard.core.corpus_cache`). Many large findings
    files are validated by *workers* processes beside this one (default: as many as
    :func:`dashboard.core.corpus_workers.worker_count` says; 0 for none). The result is the same.
    """
    folder = None
    if cache:
        folder = Path(cache_dir) if cache_dir is not None else corpus_cache.cache_dir()
    with gc_paused():
        return _load_corpus(data_dir, folder, workers)


def _load_corpus(data_dir: Path | None, cache_dir: Path | None, workers: int | None) -> Corpus:
    data_dir = Path(data_dir or DATA_DIR)
    gazetteer_path = data_dir / "regions" / "gazetteer.csv"
    taxonomy_path = data_dir / "taxonomy.toml"
    folders = sorted(p for p in (data_dir / "reports").iterdir() if p.is_dir())
    paths = [
        p
        for p in sorted((data_dir / "findings").iterdir())
        if p.suffix.lower() in FINDINGS_SUFFIXES
    ]
    settings = json.dumps(synonyms(), sort_keys=True)  # the column synonyms in use
    # The small files are hashed before and after they are read (an edit in between is then
    # not cached); the findings files as they are read.
    small = [
        gazetteer_path,
        taxonomy_path,
        *(folder / name for folder in folders for name in ("report.txt", "report.toml")),
    ]
    key, small_digests, digests = None, [], []
    if cache_dir is not None:
        small_digests = corpus_cache.file_digests(small)
        digests = corpus_cache.file_digests(paths)
        key = corpus_cache.corpus_key(
            data_dir, zip([*small, *paths], [*small_digests, *digests]), settings
        )
    gazetteer = load_gazetteer(gazetteer_path)
    taxonomy = load_taxonomy(taxonomy_path)
    reports: dict[str, Report] = {}
    problems: list[Problem] = []
    for folder in folders:
        report, found = load_report(folder)
        problems.extend(found)
        if report is not None:
            reports[report.id] = report
    if key is not None and corpus_cache.file_digests(small) != small_digests:
        key = None  # changed while read: load it, but do not keep it
    if key is not None and cache_dir is not None:
        cached = corpus_cache.read_findings(cache_dir, key)
        if cached is not None:
            findings, kept = cached
            return Corpus(reports, findings, gazetteer, taxonomy, (*problems, *kept))

    def load(index: int, taken: AbstractSet[str] = frozenset()) -> tuple[LoadResult, str]:
        """File *index* validated here, against the ids *taken* by the files before it."""
        path = paths[index]
        data = path.read_bytes()
        context = Context(reports, gazetteer, taxonomy, existing_ids=taken)
        result = load_findings_bytes(data, str(path), context, source=f"bundled: {path.name}")
        return result, hashlib.sha256(data).hexdigest() if key is not None else ""

    if workers is None:
        workers = corpus_workers.worker_count([_size(p) for p in paths])
    done: list[tuple[LoadResult, str]] | None = None
    if workers > 0 and len(paths) > 1:
        setup = corpus_workers.Setup(
            str(gazetteer_path),
            str(taxonomy_path),
            tuple(map(str, folders)),
            tuple(map(str, small)),
            corpus_cache.code_version(),
            settings,
        )
        done = corpus_workers.load_files(
            len(paths),
            load,
            lambda i: (str(paths[i]), f"bundled: {paths[i].name}"),
            setup,
            small_digests or corpus_cache.file_digests(small),
            workers,
        )
    frames = []
    findings_problems: list[Problem] = []
    seen: set[str] = set()
    for index in range(len(paths)):
        if done is None:
            # The ids of the earlier files, as they are (not copied: a load only reads them).
            result, digest = load(index, seen)
        else:
            result, digest = done[index]
            if result.row_ids & seen:  # checked without the earlier files' ids: again, with
                result, digest = load(index, seen)
        if key is not None and digest != digests[index]:
            key = None  # changed since it was hashed
        findings_problems.extend(result.problems)
        seen.update(result.findings["id"].tolist())
        frames.append(result.findings)
    findings = concat_findings(frames)
    if key is not None and cache_dir is not None:
        # In the background: the frame is not changed by anyone (the corpus is read-only).
        folder, name = cache_dir, key
        corpus_cache.in_background(
            corpus_cache.findings_entry(folder, name),
            lambda: corpus_cache.write_findings(folder, name, findings, findings_problems),
        )
    return Corpus(reports, findings, gazetteer, taxonomy, (*problems, *findings_problems))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def merge(corpus: Corpus, findings: pd.DataFrame, reports: dict[str, Report]) -> Corpus:
    """The corpus with analysts' own reports and findings (from the store) added.

    Bundled data wins nothing silently: the store refuses ids that clash, so this only adds.
    """
    if findings.empty and not reports:
        return corpus
    all_reports = {**corpus.reports, **reports}
    findings = dated_by_report(findings, all_reports)
    merged = concat_findings([corpus.findings, findings]) if len(findings) else corpus.findings
    return Corpus(all_reports, merged, corpus.gazetteer, corpus.taxonomy, corpus.problems)


def dated_by_report(findings: pd.DataFrame, reports: Mapping[str, Report]) -> pd.DataFrame:
    """*findings* with each undated one given its report's year, marked as derived, as the
    loader does (findings stored before periods were kept come back undated)."""
    if findings.empty:
        return findings
    undated = findings["period"].fillna("").astype(str) == ""
    if not undated.any():
        return findings
    years = findings["report_id"].map(lambda r: getattr(reports.get(r), "year", None) or 0)
    fill = undated & (years > 0)
    if not fill.any():
        return findings
    findings = findings.copy()
    findings.loc[fill, "period"] = [Period.year(int(y)).text() for y in years[fill]]
    derived = list(findings["derived"])
    for i in fill.to_numpy().nonzero()[0]:
        derived[i] = derived_order((*derived[i], "period"))
    findings["derived"] = pd.Series(derived, index=findings.index, dtype=object)
    return findings
