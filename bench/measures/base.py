"""What every measure is given: the settings of the run, where it records, the corpora built."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bench.peers import DuckPeer
from bench.report import Results
from dashboard.core.corpus import Corpus
from dashboard.query.index import FindingsIndex


@dataclass
class Sized:
    """A generated corpus of one size, its index and (when the filter section runs) DuckDB."""

    n: int
    label: str
    corpus: Corpus
    index: FindingsIndex
    duck: DuckPeer | None = None


@dataclass
class Context:
    results: Results
    #: Corpus sizes (numbers of findings) of the run.
    sizes: list[int]
    #: Runs per measurement, and the seconds one measurement may spend before it stops repeating.
    repeat: int = 5
    budget: float = 12.0
    #: Cold starts of the server, and clicks per start (browser); clicks per corpus (browser-sizes).
    starts: int = 3
    clicks: int = 2
    size_clicks: int = 3
    #: Repetitions of each interaction in the browser (interactions).
    interaction_reps: int = 9
    #: Filter changes measured under tracemalloc (heap).
    heap_reruns: int = 100
    #: The table page is run by apptest-sizes up to this many findings.
    table_max: int = 100_000
    #: Server logs of the browser sections.
    tmp: Path = Path("bench/results/logs.tmp")
    #: The corpora of ``sizes`` with their indexes (built by the build section, when wanted).
    built: list[Sized] = field(default_factory=list)

    def add(self, section: str, sized: Sized, **record) -> dict:
        """Record a measurement on the corpus *sized* (its size label and number of findings)."""
        return self.results.add(section, size=sized.label, n=sized.n, **record)

    def corpus_of(self, n: int) -> Corpus | None:
        """The generated corpus of *n* findings, when the build section made it."""
        return next((b.corpus for b in self.built if b.n == n), None)
