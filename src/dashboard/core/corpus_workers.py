"""Validating the findings files of a large corpus in worker processes beside this one.

Reading, checking and anchoring a findings file is Python work that one interpreter does on one
core: at a million findings (20 files) that is most of the first load. When the files are many
and large (:func:`worker_count`), :func:`load_files` starts worker processes
(``python -m dashboard.core.corpus_workers``, the same interpreter and package) that load the
same gazetteer, taxonomy and reports, and then takes files one at a time, like this process
does, until none is left. Each file is validated exactly as it would be here; what a worker
sends back (the :class:`~dashboard.core.findings.LoadResult`, pickled over its own pipe) is what
this process would have made.

A file is validated without the other files' ids (which are known only once those files are
done); :func:`dashboard.core.corpus.load_corpus` then checks the ids of each file against those
of the files before it, in order, and validates a file again here in the rare case one clashes,
so that the result is the one of loading the files one after the other.

A worker that cannot start, runs other code (another
:func:`~dashboard.core.corpus_cache.code_version` or other column synonyms), read other
gazetteer, taxonomy or report files, fails or takes too long is stopped, and this process
validates the files it did not send back. ``DASHBOARD_LOAD_WORKERS``
sets the number of workers (``0``: none).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dashboard.core.findings import LoadResult

log = logging.getLogger(__name__)

WORKERS_ENV = "DASHBOARD_LOAD_WORKERS"
#: At most this many workers.
MAX_WORKERS = 3
#: Workers only for this many findings files and bytes at least: starting one (an interpreter
#: importing pandas and loading the reports) takes about a second, a file of 50,000 findings
#: (16 MB) about one second to validate.
MIN_FILES = 3
MIN_BYTES = 48 * 2**20
#: A worker that has not answered for this long (seconds) is stopped.
TASK_TIMEOUT_S = 300

#: How a worker is started: this interpreter, this package (see ``_Feeder``).
COMMAND = (sys.executable, "-m", "dashboard.core.corpus_workers")

_LENGTH = struct.Struct(">Q")


@dataclass(frozen=True)
class Setup:
    """What a worker loads before it validates files, and what it must find."""

    gazetteer: str
    taxonomy: str
    folders: tuple[str, ...]
    #: The files whose digests the worker sends back (the gazetteer, taxonomy and reports).
    small: tuple[str, ...]
    code_version: str
    settings: str


#: One file validated: its result and the SHA-256 of the bytes read.
Done = tuple[LoadResult, str]


def worker_count(sizes: Sequence[int]) -> int:
    """How many workers to start for findings files of *sizes* bytes: none for few or small
    files; else one fewer than the CPUs, at most :data:`MAX_WORKERS`, and no more than the CPUs
    the load average leaves idle."""
    given = os.environ.get(WORKERS_ENV, "").strip()
    if given:
        try:
            return max(0, min(int(given), len(sizes) - 1))
        except ValueError:
            log.warning("%s=%r is not a number; using the default", WORKERS_ENV, given)
    if len(sizes) < MIN_FILES or sum(sizes) < MIN_BYTES:
        return 0
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    try:
        # CPUs other programs leave idle: on a busy machine a worker only takes time from this
        # process (1M findings, 2 cores, load average 2.5: 21.4 s with one worker, 20.3 s
        # without; with the other core mostly idle, 16.2 s against 26.5 s).
        idle = round(cpus - os.getloadavg()[0])
    except OSError:  # no load average
        idle = cpus
    return max(0, min(cpus - 1, idle, MAX_WORKERS, len(sizes) - 1))


def _send(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) != _LENGTH.size:
        raise EOFError("the worker ended")
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) != size:
        raise EOFError("the worker ended mid-answer")
    return pickle.loads(data)


def load_files(
    count: int,
    load_here: Callable[[int], Done],
    task: Callable[[int], tuple[str, str]],
    setup: Setup,
    small_digests: Sequence[str | None],
    workers: int,
) -> list[Done]:
    """Validate files ``0 .. count - 1``: *load_here(i)* in this process, and in *workers*
    worker processes the file *task(i)* (its path and source) names. Every file once, whoever
    takes it first; the results in file order."""
    results: list[Done | None] = [None] * count
    lock = threading.Lock()
    following = iter(range(count))
    stopped = threading.Event()

    def take() -> int | None:
        with lock:
            return None if stopped.is_set() else next(following, None)

    feeders = [_Feeder(setup, list(small_digests), take, task, results, n) for n in range(workers)]
    for feeder in feeders:
        feeder.start()
    try:
        while (index := take()) is not None:
            results[index] = load_here(index)
    except BaseException:  # the load fails here as it would alone: the workers stop too
        stopped.set()
        raise
    finally:
        for feeder in feeders:
            feeder.finish()
    # What a failed worker did not send back.
    return [r if r is not None else load_here(i) for i, r in enumerate(results)]


class _Feeder(threading.Thread):
    """Runs one worker process: starts it, hands it files, keeps its answers."""

    def __init__(self, setup, small_digests, take, task, results, number):
        super().__init__(name=f"corpus-worker-{number}", daemon=True)
        self.setup, self.small_digests = setup, small_digests
        self.take, self.task, self.results = take, task, results
        self.process: subprocess.Popen | None = None

    def run(self) -> None:
        try:
            self._run()
        except Exception as err:  # any failure: this process validates what is left
            log.warning("corpus worker stopped: %s", err)
        finally:
            self._end_process()

    def _run(self) -> None:
        started = time.perf_counter()
        package_root = str(Path(__file__).resolve().parents[2])
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, path]))}
        env[WORKERS_ENV] = "0"
        self.process = process = subprocess.Popen(
            list(COMMAND),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None and process.stdout is not None
        _send(process.stdin, self.setup)
        ready = _receive(process.stdout)
        if ready != ("ready", self.small_digests):
            raise RuntimeError(f"the worker read other files or runs other code: {ready!r:.200}")
        log.debug("%s ready after %.2f s", self.name, time.perf_counter() - started)
        done = 0
        while (index := self.take()) is not None:
            _send(process.stdin, (index, *self.task(index)))
            answer = _receive(process.stdout)
            if not (isinstance(answer, tuple) and answer[0] == index):
                raise RuntimeError(f"the worker failed on file {index}: {answer!r:.2000}")
            _, result, digest = answer
            self.results[index] = (result, digest)
            done += 1
        _send(process.stdin, None)
        log.debug("%s validated %d files in %.2f s", self.name, done, time.perf_counter() - started)

    def _end_process(self) -> None:
        process = self.process
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def finish(self) -> None:
        """Wait for the worker's last answer; stop it if it hangs."""
        self.join(TASK_TIMEOUT_S)
        if self.is_alive() and self.process is not None:
            log.warning("corpus worker did not answer in %s s: stopped", TASK_TIMEOUT_S)
            self.process.kill()
            self.join()


# --- the worker's side ------------------------------------------------------------------------


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    import json

    from dashboard import gc_paused
    from dashboard.core import corpus_cache
    from dashboard.core.findings import Context, load_findings_bytes
    from dashboard.core.regions import load_gazetteer
    from dashboard.core.reports import Report, load_report
    from dashboard.core.taxonomy import load_taxonomy
    from dashboard.io.columns import synonyms

    setup: Setup = _receive(requests)
    with gc_paused():
        gazetteer = load_gazetteer(Path(setup.gazetteer))
        taxonomy = load_taxonomy(Path(setup.taxonomy))
        reports: dict[str, Report] = {}
        for folder in setup.folders:
            report, _ = load_report(Path(folder))
            if report is not None:
                reports[report.id] = report
    same_code = (
        corpus_cache.code_version() == setup.code_version
        and json.dumps(synonyms(), sort_keys=True) == setup.settings
    )
    digests = corpus_cache.file_digests([Path(p) for p in setup.small])
    _send(answers, ("ready", digests) if same_code else ("other code", None))
    if not same_code:
        return
    context = Context(reports, gazetteer, taxonomy)
    while (request := _receive(requests)) is not None:
        index, path, source = request
        try:
            data = Path(path).read_bytes()
            with gc_paused():
                result = load_findings_bytes(data, path, context, source=source)
            answer: tuple = (index, result, hashlib.sha256(data).hexdigest())
        except Exception as err:
            answer = ("error", index, repr(err))
        _send(answers, answer)


def main() -> int:
    # The answers go to the real standard output; anything printed goes to standard error.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        _serve(sys.stdin.buffer, answers)
    except EOFError:  # the loading process went away
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
