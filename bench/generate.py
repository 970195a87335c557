"""Seeded generator of clearly synthetic corpora for the benchmarks.

Nothing here is real: every report is titled "SYNTHETIC REPORT n" and its text is sentences of
words drawn from a fixed list; every finding's ``source`` says it is synthetic; actors are
"SYNTHETIC ACTOR nn". Excerpts are real substrings of their report's text at the recorded
offsets (one or two whole sentences), with the loader's prefix and suffix, so the frame is exactly
what ``dashboard.core.findings.load_findings_bytes`` gives for the same CSV (``check`` proves it).

Findings spread over every gazetteer region code, every theme, every kind and every actor (the
first rows name each once, so even a 1k corpus holds all of them); the rest draw from skewed
pools, and about one in seven findings names no place.

The big frames are built directly with numpy and pandas, with the loader's ``COLUMNS`` and
dtypes, not through the CSV loader: a million findings take seconds. ``csv_bytes`` writes a CSV
of a (small) corpus for timing the real loader; ``write_data_dir`` writes a whole data folder that
``dashboard.core.corpus.load_corpus`` reads.

    python bench/generate.py --size 10k --out /tmp/synthetic   # a data folder
    python bench/generate.py --size 1m --time                   # just time the generator
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard import DATA_DIR
from dashboard.core.corpus import Corpus
from dashboard.core.findings import (
    COLUMNS,
    INPUT_COLUMNS,
    LIST_COLUMNS,
    Context,
    load_findings_bytes,
)
from dashboard.core.regions import Gazetteer, load_gazetteer
from dashboard.core.reports import CONTEXT_CHARS, Report
from dashboard.core.taxonomy import Taxonomy, load_taxonomy

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "1m": 1_000_000}
SOURCE = "synthetic: bench/generate.py, not a real finding"
FINDINGS_PER_REPORT = 1_000
SENTENCES_PER_REPORT = 400
SENTENCE_POOL = 20_000
ACTORS = tuple(f"SYNTHETIC ACTOR {n:02d}" for n in range(1, 17))

#: The words of every generated text (bench/words.txt, in that order: the seeded draws index it).
#: Plain words, a few with diacritics and curly quotes (as real reports have), and "radio", which
#: the text-search benchmark looks for.
WORDS = tuple(Path(__file__).with_name("words.txt").read_text(encoding="utf-8").split())


#: The columns of a findings CSV in the bundled files' layout: the frame's columns that a file
#: holds (the loader derives the rest: prefix and suffix from the report, the source).
CSV_COLUMNS = tuple(c for c in COLUMNS if c in INPUT_COLUMNS)


def context(corpus: Corpus) -> Context:
    """What the loader checks a findings file of *corpus* against."""
    return Context(corpus.reports, corpus.gazetteer, corpus.taxonomy)


def csv_bytes(findings: pd.DataFrame) -> bytes:
    """*findings* as a CSV in the bundled files' layout (lists separated by ';')."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    cells = {c: findings[c].tolist() for c in CSV_COLUMNS}
    for c in LIST_COLUMNS:
        cells[c] = [";".join(values) for values in cells[c]]
    cells["page"] = ["" if pd.isna(p) else int(p) for p in findings["page"]]
    if "period" in cells:  # a finding with no period has an empty cell (not "nan")
        cells["period"] = ["" if p is None or p != p else p for p in cells["period"]]
    writer.writerows(zip(*(cells[c] for c in CSV_COLUMNS)))
    return out.getvalue().encode("utf-8")


def parse_size(text: str) -> int:
    """``"10k"`` -> 10000, ``"1m"`` -> 1000000, ``"2500"`` -> 2500."""
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    if text.endswith("k"):
        return int(float(text[:-1]) * 1_000)
    if text.endswith("m"):
        return int(float(text[:-1]) * 1_000_000)
    return int(text)


def size_label(n: int) -> str:
    for label, value in SIZES.items():
        if value == n:
            return label
    return str(n)


def _object_array(items: list) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array


def _pool(
    rng: np.random.Generator,
    values: tuple[str, ...],
    weights: np.ndarray,
    size: int,
    lengths: tuple[int, ...],
    length_p: tuple[float, ...],
) -> np.ndarray:
    """Tuples of distinct values: first each value alone (so every value occurs), then random
    tuples with the given length distribution, values drawn with *weights*."""
    p = weights / weights.sum()
    pool: list[tuple[str, ...]] = [(v,) for v in values]
    for k in rng.choice(lengths, size=size - len(pool), p=length_p):
        picked = rng.choice(len(values), size=k, replace=False, p=p) if k else []
        pool.append(tuple(values[j] for j in picked))
    return _object_array(pool)


def _pick(rng: np.random.Generator, pool_size: int, n: int, first: int) -> np.ndarray:
    """Pool indices for *n* findings: the first *first* rows take the pool's first entries in
    turn (every value once), the rest draw from the whole pool."""
    picked = rng.integers(0, pool_size, size=n)
    head = min(first, n)
    picked[:head] = np.arange(head)
    return picked


def _sentences(rng: np.random.Generator, count: int) -> list[str]:
    words = np.array(WORDS, dtype=object)
    lengths = rng.integers(6, 15, size=count)
    picks = rng.integers(0, len(words), size=int(lengths.sum()))
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    sentences = []
    for i in range(count):
        chosen = words[picks[bounds[i] : bounds[i + 1]]]
        sentence = " ".join(chosen)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    return sentences


def generate(
    n: int, seed: int = 0, gazetteer: Gazetteer | None = None, taxonomy: Taxonomy | None = None
) -> Corpus:
    """A synthetic corpus of *n* findings over ``ceil(n / 1000)`` reports."""
    # Independent streams, so that a value's share of the findings is the same at every size.
    rng = np.random.default_rng([seed, 0])  # report texts
    pools = np.random.default_rng([seed, 1])  # pools of tuples, titles, summaries
    rows = np.random.default_rng([seed, 2])  # per-finding draws
    gazetteer = gazetteer or load_gazetteer()
    taxonomy = taxonomy or load_taxonomy()
    n_reports = max(1, -(-n // FINDINGS_PER_REPORT))

    # Reports: SENTENCES_PER_REPORT sentences each from a shared pool, a paragraph every 5.
    pool = _sentences(rng, SENTENCE_POOL)
    pool_len = np.fromiter(map(len, pool), dtype=np.int64, count=len(pool))
    chosen = rng.integers(0, len(pool), size=(n_reports, SENTENCES_PER_REPORT))
    seps = np.where(np.arange(SENTENCES_PER_REPORT) % 5 == 4, "\n\n", " ")
    seps[-1] = "\n"
    sep_len = np.fromiter(map(len, seps), dtype=np.int64, count=len(seps))
    header_len = np.zeros(n_reports, dtype=np.int64)
    texts, reports = [], {}
    headers = [f"SYNTHETIC REPORT {r + 1}\n\n" for r in range(n_reports)]
    for r in range(n_reports):
        parts = [headers[r]]
        for s, sep in zip(chosen[r], seps):
            parts.append(pool[s])
            parts.append(sep)
        texts.append("".join(parts))
        header_len[r] = len(headers[r])
        report_id = f"syn-r{r + 1:05d}"
        reports[report_id] = Report(
            id=report_id,
            title=f"SYNTHETIC REPORT {r + 1}",
            author="bench/generate.py",
            text=texts[r],
            text_kind="synthetic text",
            publisher="none (synthetic)",
            text_note="Generated for benchmarks from a fixed word list; not a real report.",
            source="synthetic",
        )
    lengths = pool_len[chosen]  # (reports, sentences)
    starts = header_len[:, None] + np.cumsum(lengths + sep_len, axis=1) - (lengths + sep_len)
    ends = starts + lengths

    # Findings: report, first sentence, one or two sentences.
    report_of = np.minimum(np.arange(n) // FINDINGS_PER_REPORT, n_reports - 1)
    first = rows.integers(0, SENTENCES_PER_REPORT - 1, size=n)
    span = rows.choice([1, 2], size=n, p=[0.7, 0.3])
    start = starts[report_of, first]
    end = ends[report_of, first + span - 1]
    excerpt, prefix, suffix = [], [], []
    for r, a, b in zip(report_of.tolist(), start.tolist(), end.tolist()):
        text = texts[r]
        excerpt.append(text[a:b])
        prefix.append(text[max(0, a - CONTEXT_CHARS) : a])
        suffix.append(text[b : b + CONTEXT_CHARS])

    # Themes, regions, actors, kinds: every value in the first rows, then skewed draws.
    themes = taxonomy.theme_keys
    theme_pool = _pool(
        pools, themes, pools.uniform(0.3, 1.0, len(themes)), 512, (1, 2, 3), (0.55, 0.35, 0.10)
    )
    codes = gazetteer.codes
    weights = np.array(
        [
            {"country": 6.0, "province": 1.0, "supra": 2.0, "nonspatial": 1.0}[gazetteer[c].level]
            for c in codes
        ]
    )
    weights[[codes.index("AF"), codes.index("PK")]] = 20.0
    region_pool = _pool(pools, codes, weights, 4096, (0, 1, 2, 3), (0.15, 0.55, 0.22, 0.08))
    actor_pool = _pool(
        pools, ACTORS, np.linspace(4.0, 0.5, len(ACTORS)), 256, (0, 1, 2), (0.2, 0.6, 0.2)
    )
    kinds = np.array(taxonomy.kind_keys, dtype=object)

    title_pool = [
        f"on {a} and {b}"
        for a, b in zip(pools.choice(WORDS[:-6], 4096), pools.choice(WORDS[:-6], 4096))
    ]
    summary_pool = [f"Synthetic summary: {s}" for s in _sentences(pools, 4096)]
    title_pick = rows.integers(0, len(title_pool), size=n)
    summary_pick = rows.integers(0, len(summary_pool), size=n)
    page = rows.integers(1, 60, size=n)
    page_missing = rows.random(n) < 0.3

    report_ids = np.array(list(reports), dtype=object)
    findings = pd.DataFrame(
        {
            "id": [f"syn-{i + 1:07d}" for i in range(n)],
            "report_id": report_ids[report_of].tolist(),
            "kind": kinds[_pick(rows, len(kinds), n, len(kinds))].tolist(),
            "title": [
                f"Synthetic finding {i + 1} {title_pool[j]}"
                for i, j in enumerate(title_pick.tolist())
            ],
            "summary": [summary_pool[j] for j in summary_pick.tolist()],
            "excerpt": excerpt,
            "start": start.astype(np.int64),
            "end": end.astype(np.int64),
            "prefix": prefix,
            "suffix": suffix,
            "themes": theme_pool[_pick(rows, len(theme_pool), n, len(themes))],
            "regions": region_pool[_pick(rows, len(region_pool), n, len(codes))],
            "actors": actor_pool[_pick(rows, len(actor_pool), n, len(ACTORS))],
            "page": pd.arrays.IntegerArray(page.astype(np.int64), page_missing),
            "source": [SOURCE] * n,
            # Columns of the frame a plain file leaves empty (taken only where COLUMNS has them).
            "extra": _object_array([()] * n),
            "derived": _object_array([()] * n),
        },
        columns=list(COLUMNS),
    )
    return Corpus(reports, findings, gazetteer, taxonomy)


def write_data_dir(corpus: Corpus, out: Path) -> Path:
    """A data folder ``load_corpus(out)`` reads: the reports, the findings CSV, and copies of the
    bundled gazetteer and taxonomy."""
    out = Path(out)
    (out / "regions").mkdir(parents=True, exist_ok=True)
    (out / "findings").mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "regions" / "gazetteer.csv", out / "regions" / "gazetteer.csv")
    shutil.copy(DATA_DIR / "taxonomy.toml", out / "taxonomy.toml")
    for report in corpus.reports.values():
        folder = out / "reports" / report.id
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "report.txt").write_text(report.text, encoding="utf-8", newline="")
        (folder / "report.toml").write_text(
            f'id = "{report.id}"\ntitle = "{report.title}"\nauthor = "{report.author}"\n'
            f'publisher = "{report.publisher}"\ntext_kind = "{report.text_kind}"\n'
            f'text_note = "{report.text_note}"\n',
            encoding="utf-8",
        )
    (out / "findings" / "synthetic.csv").write_bytes(csv_bytes(corpus.findings))
    return out


def check(n: int = 1_000, seed: int = 0) -> None:
    """The generated frame is exactly what the real loader reads from the generated CSV."""
    corpus = generate(n, seed)
    f = corpus.findings
    for r, a, b, e in zip(f["report_id"], f["start"], f["end"], f["excerpt"]):
        assert corpus.reports[r].text[a:b] == e, (r, a, b)
    result = load_findings_bytes(csv_bytes(f), "synthetic.csv", context(corpus), source=SOURCE)
    assert not result.problems, result.problems[:3]
    pd.testing.assert_frame_equal(result.findings, f, check_exact=True)
    assert set(c for row in f["regions"] for c in row) == set(corpus.gazetteer.codes)
    assert set(t for row in f["themes"] for t in row) == set(corpus.taxonomy.theme_keys)
    assert set(f["kind"]) == set(corpus.taxonomy.kind_keys)
    assert set(a for row in f["actors"] for a in row) == set(ACTORS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="10k", help="1k, 10k, 100k, 1m or a number")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="write a data folder here")
    parser.add_argument("--time", action="store_true", help="only time the generator")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the frame against the real loader (use a small size)",
    )
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    started = time.perf_counter()
    corpus = generate(n, args.seed)
    print(
        f"generated {n:,} findings in {len(corpus.reports):,} reports in "
        f"{time.perf_counter() - started:.2f} s"
    )
    if args.check:
        check(n, args.seed)
        print("the loader reads the generated CSV back to the same frame")
    if args.out:
        write_data_dir(corpus, args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
