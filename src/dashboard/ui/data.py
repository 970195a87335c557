"""Cached loading: the bundled corpus, the analysts' store, the merged corpus with its index, and
the map geometry. Each cache is keyed on simple values (paths and fingerprints), shared by every
session, and so read-only to its callers."""

from __future__ import annotations

import dataclasses
import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import DATA_DIR
from dashboard.core.access import AccessPolicy, Reader, Rules
from dashboard.core.corpus import Corpus, load_corpus, merge
from dashboard.io.store import Store
from dashboard.io.store_file import default_store
from dashboard.io.store_records import StoreError
from dashboard.query.index import FindingsIndex
from dashboard.views import maps
from dashboard.views.inert import inert
from dashboard.views.map_data import MapData, prepare_files

if TYPE_CHECKING:
    import geopandas

_FINGERPRINTS: dict[str, tuple[float, str]] = {}
#: Seconds a data fingerprint is reused: a rerun asks for it several times.
FINGERPRINT_TTL = 1.0


def data_fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A key that changes whenever a data file changes: path, size and modification time.

    Walking the folder is reused for :data:`FINGERPRINT_TTL` seconds, so one rerun walks it once.
    """
    now = time.monotonic()
    cached = _FINGERPRINTS.get(str(data_dir))
    if cached and now - cached[0] < FINGERPRINT_TTL:
        return cached[1]
    digest = hashlib.sha256()
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(
                f"{path.relative_to(data_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
    fingerprint = digest.hexdigest()
    _FINGERPRINTS[str(data_dir)] = (now, fingerprint)
    return fingerprint


@st.cache_resource(show_spinner="Loading the reports and findings…")
def _cached_corpus(data_dir: str, fingerprint: str) -> Corpus:
    # Keyed on the fingerprint so that an edited data file is picked up.
    return load_corpus(Path(data_dir))


@st.cache_resource(show_spinner=False)
def _cached_store(target: str) -> Store:
    # One Store object for every session: each call opens its own short connection.
    return Store(target)


def store(*, say: bool = False) -> Store | None:
    """The analysts' store, or None when it cannot be opened; with *say*, the reason is shown.

    Every page says it once, at its top (:func:`base`, which the page's frame calls); the other
    callers only do without the store."""
    try:
        return _cached_store(str(default_store()))
    except StoreError as err:
        if say:
            st.error(
                "Your imported findings cannot be shown: " + inert(err),
                icon=":material/error:",
            )
        return None


@st.cache_resource(show_spinner="Loading and indexing the findings…", max_entries=4)
def _cached_base(
    data_dir: str, fingerprint: str, store_path: str, store_fingerprint: str
) -> tuple[Corpus, FindingsIndex, Rules]:
    # The corpus (bundled + imported), its index and who may read each finding, rebuilt
    # together whenever either source changes; shared by every reader.
    corpus = _cached_corpus(data_dir, fingerprint)
    rules = Rules.of([()] * len(corpus.findings), {})
    if store_path:
        contents = _cached_store(store_path).contents()
        bundled = len(corpus.findings)
        corpus = merge(corpus, contents.findings, contents.reports)
        rows = [()] * bundled + list(contents.finding_rules)
        if len(rows) != len(corpus.findings):  # merge only appends; never guess otherwise
            raise StoreError("The store's findings could not be matched to their markings.")
        rules = Rules.of(rows, contents.report_rules)
    index = FindingsIndex.build(corpus.findings, corpus.gazetteer, reports=corpus.reports)
    return corpus, index, rules


@st.cache_resource(show_spinner=False, max_entries=32)
def _cached_scope(
    data_dir: str,
    fingerprint: str,
    store_path: str,
    store_fingerprint: str,
    markings: tuple[str, ...],
    clearance: str,
    groups: tuple[str, ...],
    everything: bool,
) -> tuple[Corpus, FindingsIndex]:
    # What one reader may read: the shared index with their mask, the corpus without what they
    # may not read. Cached per clearance and groups, so readers alike share it.
    corpus, index, rules = _cached_base(data_dir, fingerprint, store_path, store_fingerprint)
    policy = AccessPolicy(markings=markings)
    who = Reader(name="", clearance=clearance, groups=frozenset(groups), everything=everything)
    visible = rules.visible(policy, who)
    hidden = rules.hidden_reports(policy, who)
    if visible is None and not hidden:
        return corpus, index
    scoped = corpus
    if visible is not None:
        scoped = dataclasses.replace(scoped, findings=corpus.findings[visible])
    if hidden:
        scoped = dataclasses.replace(
            scoped, reports={k: r for k, r in corpus.reports.items() if k not in hidden}
        )
    return scoped, index.restricted(visible)


def base(*, say: bool = True, who: Reader | None = None) -> tuple[Corpus, FindingsIndex]:
    """The bundled corpus with the analysts' imports and its index, as the reader of this run
    (*who*, else :func:`dashboard.ui.signin.reader`) may read them: what they may not read is in
    neither. When the store cannot be opened, the reason is shown (with *say*: the page's frame,
    once a run)."""
    from dashboard.ui import signin

    analysts = store(say=say)
    who = who if who is not None else signin.reader()
    return _cached_scope(
        str(DATA_DIR),
        data_fingerprint(),
        analysts.target if analysts else "",
        analysts.fingerprint() if analysts else "",
        signin.policy().markings,
        who.clearance,
        tuple(sorted(who.groups)),
        who.everything,
    )


def corpus() -> Corpus:
    return base(say=False)[0]


@st.cache_resource(show_spinner=False)
def _cached_map_data(data_dir: str, fingerprint: str) -> MapData:
    gazetteer = _cached_corpus(data_dir, fingerprint).gazetteer
    regions = Path(data_dir) / "regions"
    return prepare_files(regions / "afpak.geojson", regions / "context.geojson", gazetteer)


def map_data() -> MapData:
    """Region geometry prepared for drawing, once per change of the data files."""
    return _cached_map_data(str(DATA_DIR), data_fingerprint())


@st.cache_resource(show_spinner=False)
def _cached_geometry(data_dir: str, fingerprint: str) -> geopandas.GeoDataFrame:
    # geopandas is imported here, on the first GeoJSON download, not at the app's start.
    from dashboard.core.region_geometry import load_geometry

    return load_geometry(Path(data_dir) / "regions" / "afpak.geojson")


def geometry() -> geopandas.GeoDataFrame:
    """The region geometry (for GeoJSON downloads)."""
    return _cached_geometry(str(DATA_DIR), data_fingerprint())


@st.cache_resource(show_spinner=False, max_entries=128)
def _cached_map_figure(
    data_dir: str,
    fingerprint: str,
    counts: tuple[tuple[str, int], ...],
    selected: str | None,
    height: int,
    before: tuple[tuple[str, int], ...] | None = None,
    periods: tuple[str, str] = ("", ""),
):
    # Building the figure (plotly validates every GeoJSON coordinate) is most of a rerun's
    # cost; the same counts and selection give the same figure, so views an analyst returns to
    # cost nothing. The figure is only read by st.plotly_chart.
    gazetteer = _cached_corpus(data_dir, fingerprint).gazetteer
    return maps.build_map(
        _cached_map_data(data_dir, fingerprint),
        gazetteer,
        dict(counts),
        selected,
        height=height,
        before=dict(before) if before is not None else None,
        periods=periods,
    )


def map_figure(
    counts: dict[str, int],
    selected: str | None,
    height: int,
    before: dict[str, int] | None = None,
    periods: tuple[str, str] = ("", ""),
):
    """The map figure for these counts and this selection (cached); with *before*, shaded by
    the change from the period before (see :func:`dashboard.views.maps.build_map`)."""
    return _cached_map_figure(
        str(DATA_DIR),
        data_fingerprint(),
        tuple(sorted(counts.items())),
        selected,
        height,
        tuple(sorted(before.items())) if before is not None else None,
        periods,
    )
