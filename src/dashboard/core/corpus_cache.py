"""The validated corpus on disk, keyed by the content of everything it was made from.

Loading a million findings means reading, checking and anchoring every row (about 20 s); the
result depends only on the bytes of the files read and on the code that reads them. So the
validated findings frame and its problems are kept in a cache entry named by a SHA-256 over

* :data:`CACHE_FORMAT` and :func:`code_version` (the source of ``dashboard.core``, ``io`` and
  ``query``, the package version, and the versions of Python, Unicode, pandas, pyarrow, numpy,
  rapidfuzz and pycountry): new validation code never reads an old entry;
* the data folder's path as given (problems name their files by it);
* the path and the SHA-256 of the contents of every file :func:`dashboard.core.corpus.load_corpus`
  reads (a missing file counts too), so an edited byte gives another key.

An entry is one file, ``corpus-<key>.arrow``: an Arrow IPC file (LZ4-compressed) of the frame,
the problems and the column types in its metadata, then a trailer holding the SHA-256 of all
that. Text columns are stored as they are held (Arrow strings); list columns (tuples) as a
dictionary of their distinct values (JSON) and a code per row, which gives back tuples shared as
the loader shares them. An entry that cannot be read, whose checksum, key or format differ, or
whose columns do not decode is ignored (and replaced by the next write): the load then runs as
if there were no cache. An entry is written in a background thread (:func:`in_background`; the
load does not wait for it, the interpreter does before it exits), to a temporary file renamed
over the entry (``os.replace``), so a reader sees a whole entry or none, and two writers of one
key both write the same thing. Only the :data:`KEEP` most recently used entries of each kind
stay.

:func:`cached_strings` keeps, the same way, text derived from a frame's text columns (the
index's folded search text), keyed by those columns' contents.

Where: ``$DASHBOARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/dashboard``, else
``~/.cache/dashboard``. A folder that cannot be written only means no cache.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import secrets
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from pandas.core.dtypes.dtypes import BaseMaskedDtype

from dashboard import __version__
from dashboard.core.problems import Problem

__all__ = [
    "CACHE_DIR_ENV",
    "CACHE_FORMAT",
    "KEEP",
    "cache_dir",
    "cached_strings",
    "code_version",
    "corpus_key",
    "file_digests",
    "findings_entry",
    "flush",
    "in_background",
    "read_findings",
    "write_findings",
]

log = logging.getLogger(__name__)

#: Bump when the layout of an entry changes.
CACHE_FORMAT = 1
CACHE_DIR_ENV = "DASHBOARD_CACHE_DIR"
#: Entries of each kind kept (the most recently used).
KEEP = 3
#: Frames with fewer rows are not worth a derived-text entry (computing is as fast).
MIN_DERIVED_ROWS = 20_000
#: Temporary files older than this (seconds) are a crashed writer's and are removed.
STALE_TEMP_S = 3600
#: Strings converted to Arrow at a time by a background write.
_SLICE = 50_000

_TRAILER_MAGIC = b"DASHCCH1"
_TRAILER = len(_TRAILER_MAGIC) + 32
_META = b"dashboard"
_CODE_DIRS = ("core", "io", "query")
_LIBRARIES = ("pandas", "pyarrow", "numpy", "rapidfuzz", "pycountry")


def cache_dir() -> Path:
    """Where entries live: ``$DASHBOARD_CACHE_DIR``, ``$XDG_CACHE_HOME/dashboard`` or
    ``~/.cache/dashboard``."""
    given = os.environ.get(CACHE_DIR_ENV)
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "dashboard"


@functools.cache
def code_version() -> str:
    """A digest of the code that makes an entry's content: the source of the package's
    ``core``, ``io`` and ``query`` folders, its version, and the versions of what they use."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    digest.update(
        f"format {CACHE_FORMAT}\ndashboard {__version__}\npython {sys.version}\n"
        f"unicode {unicodedata.unidata_version}\n".encode()
    )
    for library in _LIBRARIES:
        try:
            digest.update(f"{library} {version(library)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{library} -\n".encode())
    root = Path(__file__).resolve().parents[1]
    sources = [root / "__init__.py"]
    for folder in _CODE_DIRS:
        sources.extend(sorted((root / folder).rglob("*.py")))
    for path in sources:
        digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --- keys -------------------------------------------------------------------------------------


def _file_digest(path: Path) -> str | None:
    """SHA-256 of the file's bytes, or None when it is not a readable file."""
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def file_digests(paths: Sequence[Path]) -> list[str | None]:
    """The digest of each of *paths* (None for one that is missing or unreadable), in two
    threads (every other file each): hashing a large file releases the interpreter's lock, and
    330 MB take about 0.3 s on one core."""
    paths = list(paths)
    if len(paths) < 2:
        return [_file_digest(p) for p in paths]

    def digest_all(part: list[Path]) -> list[str | None]:
        return [_file_digest(p) for p in part]

    with ThreadPoolExecutor(max_workers=2) as pool:
        evens, odds = pool.map(digest_all, (paths[0::2], paths[1::2]))
    digests: list[str | None] = [None] * len(paths)
    digests[0::2], digests[1::2] = evens, odds
    return digests


def corpus_key(
    data_dir: Path, inputs: Iterable[tuple[Path, str | None]], settings: str = ""
) -> str:
    """The key of the corpus loaded from *data_dir* out of *inputs* (each file read, with its
    digest from :func:`file_digests`) with *settings* (what else the loading read, as text: the
    column synonyms in use)."""
    digest = hashlib.sha256()
    digest.update(f"dashboard corpus\n{code_version()}\n".encode())
    # Paths as the file system's bytes: a name that is not UTF-8 has surrogates in its str.
    digest.update(os.fsencode(data_dir) + b"\n")
    digest.update(f"{len(settings)}\n{settings}\n".encode(errors="surrogatepass"))
    for path, content in inputs:
        digest.update(os.fsencode(path) + f"\t{content or 'missing'}\n".encode())
    return digest.hexdigest()


# --- entries ------------------------------------------------------------------------------------


def _entry(directory: Path, kind: str, key: str) -> Path:
    return directory / f"{kind}-{key}.arrow"


def _read_entry(path: Path, key: str):
    """The Arrow table and metadata of the entry at *path*, checked; None when there is none or
    it is damaged or for another key."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    flush(path)  # this entry, if this process is still writing it (a second load of the same)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        log.warning("corpus cache: cannot read %s: %s", path, err)
        return None
    try:
        body = memoryview(data)[:-_TRAILER]
        if (
            len(data) <= _TRAILER
            or data[-_TRAILER : -_TRAILER + len(_TRAILER_MAGIC)] != _TRAILER_MAGIC
            or hashlib.sha256(body).digest() != data[-32:]
        ):
            raise ValueError("checksum does not match (a damaged or partly written file)")
        table = ipc.open_file(pa.py_buffer(body)).read_all()
        meta = json.loads((table.schema.metadata or {})[_META])
        if meta.get("format") != CACHE_FORMAT or meta.get("key") != key:
            raise ValueError("written for another key or format")
        if meta.get("rows") != table.num_rows:
            raise ValueError("row count differs from its metadata")
    except Exception as err:  # a damaged entry of any kind is only a miss
        log.warning("corpus cache: ignoring %s: %s", path, err)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: kept longest
    return table, meta


def _write_entry(directory: Path, kind: str, key: str, table) -> Path | None:
    """Write *table* as the entry *kind*-*key*, atomically; None when it cannot be written."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    final = _entry(directory, kind, key)
    temp = directory / f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        # LZ4: a third of the size, and read back (decompressed) faster than zstd or than
        # reading the uncompressed file and checking its sum.
        codec = next((c for c in ("lz4", "zstd") if pa.Codec.is_available(c)), None)
        sink = pa.BufferOutputStream()
        options = ipc.IpcWriteOptions(compression=codec)
        with ipc.new_file(sink, table.schema, options=options) as out:
            out.write_table(table)
        body = sink.getvalue()
        with open(temp, "xb") as handle:
            handle.write(body)
            handle.write(_TRAILER_MAGIC + hashlib.sha256(body).digest())
        os.replace(temp, final)
    except (OSError, pa.ArrowException) as err:
        log.warning("corpus cache: cannot write %s: %s", final, err)
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        return None
    _evict(directory, kind)
    return final


def _evict(directory: Path, kind: str, keep: int = KEEP) -> None:
    """Remove all but the *keep* most recently used entries of *kind*, and stale temp files."""
    entries = []
    now = time.time()
    try:
        for path in directory.iterdir():
            name = path.name
            try:
                stat = path.stat()
            except OSError:
                continue
            if name.startswith(f"{kind}-") and name.endswith(".arrow"):
                entries.append((stat.st_mtime, name, path))
            elif (
                name.startswith(f".{kind}-")
                and name.endswith(".tmp")
                and now - stat.st_mtime > STALE_TEMP_S
            ):
                path.unlink(missing_ok=True)
    except OSError:
        return
    entries.sort(reverse=True)
    for _, _, path in entries[keep:]:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


# --- writing in the background -----------------------------------------------------------------

_writers: list[tuple[Path, threading.Thread]] = []
_writers_lock = threading.Lock()


def in_background(path: Path, write: Callable[[], object]) -> None:
    """Run *write* (the encoding and writing of the entry at *path*) in a thread of its own, so
    that the load does not wait for it. Not a daemon: the interpreter waits for it before
    exiting, so that a short-lived process still leaves its entry. :func:`flush` waits."""

    def run() -> None:
        try:
            write()
        except Exception as err:  # the cache must never fail anything
            log.warning("corpus cache: a write failed: %s", err)

    thread = threading.Thread(target=run, name="corpus-cache-write")
    with _writers_lock:
        _writers[:] = [(p, t) for p, t in _writers if t.is_alive()]
        _writers.append((Path(path), thread))
    thread.start()


def flush(path: Path | None = None, timeout: float | None = None) -> None:
    """Wait for the entries being written in the background (only the one at *path*, if given)."""
    with _writers_lock:
        pending = [t for p, t in _writers if path is None or p == Path(path)]
    for thread in pending:
        thread.join(timeout)


# --- frames to Arrow and back ------------------------------------------------------------------


class _Unsupported(ValueError):
    """A frame holds something an entry cannot give back exactly (it is then not cached)."""


def _is_value(value: object) -> bool:
    """A value a list column may hold: text, None, or a tuple of such values."""
    if value is None or type(value) is str:
        return True
    return type(value) is tuple and all(_is_value(v) for v in value)


def _as_tuples(value: object) -> object:
    if isinstance(value, list):
        return tuple(_as_tuples(v) for v in value)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"unexpected value {value!r} in a list column")


def _encode_column(series: pd.Series):
    """The Arrow array of one column and how to decode it."""
    import pyarrow as pa

    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        chunked = getattr(series.array, "_pa_array", None)
        if dtype.storage != "pyarrow" or chunked is None:
            raise _Unsupported(f"{series.name}: strings stored as {dtype.storage}")
        na = "nan" if dtype.na_value is not pd.NA else "NA"
        return chunked.combine_chunks(), {"kind": "string", "na": na}
    if isinstance(dtype, np.dtype) and dtype.kind in "iufb":
        return pa.array(series.to_numpy()), {"kind": "numpy", "dtype": dtype.str}
    if isinstance(dtype, BaseMaskedDtype):
        return pa.array(series.array), {"kind": "masked", "dtype": dtype.name}
    if dtype == np.dtype(object):
        try:
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
        except TypeError as err:  # unhashable values: lists, dicts
            raise _Unsupported(f"{series.name}: {err}") from err
        values = series.to_numpy()
        if (codes < 0).any() and not all(v is None for v in values[codes < 0]):
            raise _Unsupported(f"{series.name}: a missing value other than None")
        if not all(_is_value(u) for u in uniques):
            raise _Unsupported(f"{series.name}: values other than text and tuples of text")
        encoded = [json.dumps(u, ensure_ascii=False, separators=(",", ":")) for u in uniques]
        indices = pa.array(codes.astype(np.int32), mask=codes < 0)
        return pa.DictionaryArray.from_arrays(indices, pa.array(encoded, pa.string())), {
            "kind": "json"
        }
    raise _Unsupported(f"{series.name}: dtype {dtype}")


def _decode_column(column, spec: dict):
    import pyarrow as pa

    kind = spec["kind"]
    if kind == "string":
        na = np.nan if spec["na"] == "nan" else pd.NA
        return pd.array(column, dtype=pd.StringDtype("pyarrow", na_value=na))
    if kind == "numpy":
        return column.to_numpy().astype(np.dtype(spec["dtype"]), copy=True)
    if kind == "masked":
        dtype = pd.api.types.pandas_dtype(spec["dtype"])
        if not isinstance(dtype, BaseMaskedDtype):
            raise ValueError(f"{spec['dtype']} is not a masked dtype")
        # pd.array() would go through Python objects: seconds at a million rows.
        return cast(Any, dtype).__from_arrow__(column)
    if kind == "json":
        array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        uniques = np.empty(len(array.dictionary) + 1, dtype=object)  # the last stands for None
        uniques[:-1] = [_as_tuples(json.loads(s)) for s in array.dictionary.to_pylist()]
        codes = array.indices.fill_null(-1).to_numpy()
        # As a Series of dtype object: pandas would read a column of text as strings.
        return pd.Series(uniques[codes], dtype=object, copy=False)
    raise ValueError(f"unknown column kind {kind!r}")


def _encode_frame(frame: pd.DataFrame) -> tuple[list, list[str], list[dict]]:
    index = frame.index
    if not (
        isinstance(index, pd.RangeIndex)
        and index.start == 0
        and index.step == 1
        and index.name is None
    ):
        raise _Unsupported("the frame's index is not 0, 1, 2, ...")
    if frame.attrs or not all(type(c) is str for c in frame.columns) or frame.columns.name:
        raise _Unsupported("the frame has attributes or column names that are not text")
    arrays, names, specs = [], [], []
    for name in frame.columns:
        array, spec = _encode_column(frame[name])
        arrays.append(array)
        names.append(name)
        specs.append(spec)
    return arrays, names, specs


def _decode_frame(table, specs: Sequence[dict]) -> pd.DataFrame:
    names = table.column_names
    if len(names) != len(specs) or len(set(names)) != len(names):
        raise ValueError("columns differ from the metadata")
    index = pd.RangeIndex(table.num_rows)
    columns = {
        n: pd.Series(_decode_column(table.column(n), s), index=index, copy=False)
        for n, s in zip(names, specs)
    }
    frame = pd.DataFrame(columns, index=index, columns=names, copy=False)
    if len(frame.columns) != len(names):
        raise ValueError("columns did not decode")
    return frame


def _problems_to_json(problems: Sequence[Problem]) -> list[dict]:
    return [asdict(p) for p in problems]


_PROBLEM_FIELDS = {f.name for f in fields(Problem)}


def _problems_from_json(items: object) -> tuple[Problem, ...]:
    if not isinstance(items, list):
        raise ValueError("problems are not a list")
    problems = []
    for item in items:
        if not isinstance(item, dict) or set(item) != _PROBLEM_FIELDS:
            raise ValueError("a problem has other fields")
        problems.append(Problem(**item))
    return tuple(problems)


# --- the corpus's findings -------------------------------------------------------------------


def findings_entry(directory: Path, key: str) -> Path:
    """Where the findings entry of *key* lives."""
    return _entry(directory, "corpus", key)


def read_findings(directory: Path, key: str) -> tuple[pd.DataFrame, tuple[Problem, ...]] | None:
    """The findings frame and findings problems stored under *key*, or None."""
    found = _read_entry(findings_entry(directory, key), key)
    if found is None:
        return None
    table, meta = found
    try:
        frame = _decode_frame(table, meta["columns"])
        problems = _problems_from_json(meta["problems"])
    except Exception as err:  # damaged or for other code: a miss
        log.warning("corpus cache: ignoring the entry for %s: %s", key, err)
        return None
    return frame, problems


def write_findings(
    directory: Path, key: str, frame: pd.DataFrame, problems: Sequence[Problem]
) -> Path | None:
    """Store *frame* and *problems* under *key*; the entry's path, or None when the frame holds
    something an entry cannot give back exactly, or the folder cannot be written."""
    import pyarrow as pa

    try:
        arrays, names, specs = _encode_frame(frame)
    except _Unsupported as err:
        log.info("corpus cache: not cached: %s", err)
        return None
    except Exception as err:  # the cache must never fail a load: a frame it cannot encode
        log.warning("corpus cache: not cached: %s", err)
        return None
    meta = {
        "format": CACHE_FORMAT,
        "key": key,
        "rows": len(frame),
        "columns": specs,
        "problems": _problems_to_json(problems),
    }
    try:
        # ASCII JSON: a file name that is not UTF-8 (surrogates in its str) comes back as it was.
        table = pa.Table.from_arrays(arrays, names=names).replace_schema_metadata(
            {_META: json.dumps(meta)}
        )
    except Exception as err:  # never fail a load for the cache's sake
        log.warning("corpus cache: not cached: %s", err)
        return None
    return _write_entry(directory, "corpus", key, table)


# --- text derived from a frame's text columns ---------------------------------------------------


def _strings_digest(series: pd.Series, digest) -> bool:
    """Add the contents of the Arrow string column *series* to *digest*; False (nothing added
    that counts) when it is not such a column or holds missing values."""
    import pyarrow as pa

    chunked = getattr(series.array, "_pa_array", None)
    if chunked is None or not isinstance(chunked, pa.ChunkedArray):
        return False
    if chunked.null_count or not (
        pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)
    ):
        return False
    digest.update(f"column {len(chunked)} {chunked.num_chunks}\n".encode())
    for chunk in chunked.chunks:
        _, offsets_buffer, data_buffer = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(offsets_buffer, dtype=width)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ].astype(np.int64)
        first, last = int(offsets[0]), int(offsets[-1])
        digest.update((offsets - first).tobytes())
        if data_buffer is not None and last > first:
            digest.update(memoryview(data_buffer)[first:last])
    return True


def cached_strings(
    kind: str,
    sources: Sequence[pd.Series],
    compute: Callable[[], list[str]],
    *,
    directory: Path | None = None,
    enabled: bool = True,
) -> list[str]:
    """``compute()`` (one text per row of *sources*), kept in the cache under a key of *kind*,
    :func:`code_version` and the contents of *sources* (Arrow string columns of one frame).

    Computed without the cache when it is off, the frame is small (:data:`MIN_DERIVED_ROWS`), or
    a source is not an Arrow string column without missing values.
    """
    import pyarrow as pa

    rows = len(sources[0]) if sources else 0
    if not enabled or rows < MIN_DERIVED_ROWS:
        return compute()
    digest = hashlib.sha256()
    digest.update(f"dashboard derived {kind}\n{code_version()}\n{len(sources)}\n".encode())
    if not all(len(s) == rows and _strings_digest(s, digest) for s in sources):
        return compute()
    key = digest.hexdigest()
    folder = directory if directory is not None else cache_dir()
    found = _read_entry(_entry(folder, "derived", key), key)
    if found is not None:
        table, _ = found
        try:
            column = table.column(0)
            if column.null_count or len(column) != rows:
                raise ValueError("rows differ")
            return column.to_pylist()
        except Exception as err:
            log.warning("corpus cache: ignoring derived %s: %s", key, err)
    values = compute()
    meta = {"format": CACHE_FORMAT, "key": key, "rows": rows, "kind": kind}

    def write() -> None:
        try:
            # In slices: converting a million strings holds the interpreter's lock for 0.7 s,
            # which the loading thread should not wait for in one piece.
            column = pa.chunked_array(
                [
                    pa.array(values[at : at + _SLICE], pa.large_string())
                    for at in range(0, rows, _SLICE)
                ],
                pa.large_string(),
            )
        except Exception as err:  # text Arrow cannot hold (lone surrogates): not kept
            log.info("corpus cache: %s not cached: %s", kind, err)
            return
        table = pa.table({"value": column}).replace_schema_metadata({_META: json.dumps(meta)})
        _write_entry(folder, "derived", key, table)

    # *values* is not changed by anyone: the index only reads it.
    in_background(_entry(folder, "derived", key), write)
    return values
