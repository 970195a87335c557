"""The child process of the corpus-cache section: one load of a data folder, as the app's first
run does it (``load_corpus``, then ``FindingsIndex.build``), timed, in a fresh interpreter.

    python -m bench.measures.corpus_cache_child DATA CACHE MODE

MODE is ``first`` (CACHE is empty: the load validates every row and writes the cache),
``cached`` (CACHE holds the entries a ``first`` run wrote) or ``uncached`` (no cache and no
worker processes: the load as it was before the cache). Prints one JSON object: the seconds of
each part, what was loaded, and a digest of it (the same for every mode, or the cache is wrong).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path


def digest(corpus) -> str:
    """A digest of every column of the findings and of the problems."""
    h = hashlib.sha256()
    frame = corpus.findings
    for name in frame.columns:
        h.update(name.encode())
        h.update(str(frame[name].dtype).encode())
        h.update("\x1f".join(map(repr, frame[name].tolist())).encode())
    h.update(repr(corpus.problems).encode())
    return h.hexdigest()


def main(argv: list[str]) -> int:
    data, cache, mode = Path(argv[0]), Path(argv[1]), argv[2]
    from dashboard.core.corpus_cache import CACHE_DIR_ENV

    os.environ[CACHE_DIR_ENV] = str(cache)  # the index's search text is kept there too
    from dashboard.core.corpus import load_corpus
    from dashboard.query.index import FindingsIndex

    use = mode != "uncached"
    cpu = time.process_time()
    started = time.perf_counter()
    corpus = load_corpus(data, cache=use, workers=None if use else 0)
    loaded = time.perf_counter()
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, words="never", cache=use)
    built = time.perf_counter()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "mode": mode,
        "load_s": loaded - started,
        "build_s": built - loaded,
        "total_s": built - started,
        # CPU seconds of this process and of its (ended) worker processes: on a busy machine
        # the wall times above grow, these much less.
        "cpu_s": time.process_time() - cpu,
        "workers_cpu_s": workers.ru_utime + workers.ru_stime,
        "findings": len(corpus.findings),
        "problems": len(corpus.problems),
        "index_rows": len(index),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "digest": digest(corpus),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
