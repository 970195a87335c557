"""The one place that names the app's own functions and constants, for the sections that serve
the app (``apptest-sizes`` times where a rerun's time goes; the filter peers take the page size).
When the app's modules are reorganised, only this list changes; :func:`check` says at the start
of a run which names no longer resolve, before any measurement has spent its time.

Each entry is (label in the report, module, attribute); an attribute may be ``Class.method``.
"""

from __future__ import annotations

import importlib

#: Cards on a page of the map explorer: the rows of the frame a page rerun builds.
PAGE_SIZE = ("dashboard.ui.explorer", "PAGE_SIZE")

#: What the first run of the map page spends in loading (the cold start of a corpus).
COLD_PARTS = (
    ("load_corpus (read + validate + anchor)", "dashboard.core.corpus", "load_corpus"),
    ("FindingsIndex.build", "dashboard.query.index", "FindingsIndex.build"),
    ("map_data.prepare", "dashboard.views.map_data", "prepare"),
)

#: The pieces of a warm rerun worth timing on their own.
RERUN_PARTS = (
    ("ui.frame", "dashboard.ui.frame", "frame"),
    ("ui.base", "dashboard.ui.data", "base"),
    ("ui.data_fingerprint", "dashboard.ui.data", "data_fingerprint"),
    ("ui.sidebar", "dashboard.ui.sidebar", "sidebar"),
    ("ui.show_problems", "dashboard.ui.frame", "show_problems"),
    ("ui.map_data", "dashboard.ui.data", "map_data"),
    ("ui.map_figure", "dashboard.ui.data", "map_figure"),
    ("ui.explorer.figure", "dashboard.ui.explorer", "figure"),
    ("ui.paged", "dashboard.ui.explorer", "paged"),
    ("ui.geojson_bytes", "dashboard.ui.table", "geojson_bytes"),
    ("views.findings_table", "dashboard.views.tables", "findings_table"),
    ("views.matrix", "dashboard.views.tables", "matrix"),
    ("index.mask", "dashboard.query.index", "FindingsIndex.mask"),
    ("index.apply", "dashboard.query.index", "FindingsIndex.apply"),
    ("index.facets", "dashboard.query.index", "FindingsIndex.facets"),
    ("index.region_scope_counts", "dashboard.query.index", "FindingsIndex.region_scope_counts"),
    ("index.region_counts", "dashboard.query.index", "FindingsIndex.region_counts"),
    ("index.unplaced", "dashboard.query.index", "FindingsIndex.unplaced"),
    ("maps.build_map", "dashboard.views.maps", "build_map"),
    ("maps.alt_text", "dashboard.views.maps", "alt_text"),
    ("cards.finding_card", "dashboard.views.cards", "finding_card"),
    ("export.to_csv", "dashboard.exports.files", "to_csv"),
    ("export.to_json", "dashboard.exports.files", "to_json"),
    ("st.plotly_chart", "streamlit", "plotly_chart"),
    ("st.dataframe", "streamlit", "dataframe"),
    ("st.download_button", "streamlit", "download_button"),
)

#: What the map page imports, timed in a fresh interpreter after Streamlit (browser section).
MAP_PAGE_IMPORTS = (
    "dashboard.ui",
    "dashboard.views.maps",
    "dashboard.views.cards",
    "plotly.graph_objects",
    "geopandas",
)


def owner_of(module: str, attribute: str) -> tuple[object, str]:
    """The object holding *attribute* (the module, or a class in it) and the last name."""
    owner: object = importlib.import_module(module)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    return owner, name


def resolve(module: str, attribute: str) -> object:
    owner, name = owner_of(module, attribute)
    return getattr(owner, name)


def page_size() -> int:
    return int(resolve(*PAGE_SIZE))


def check() -> None:
    """Raise, naming them all, when any of the names above is not in the app any more."""
    missing = []
    entries = [("PAGE_SIZE", *PAGE_SIZE), *COLD_PARTS, *RERUN_PARTS]
    entries += [(m, m, "") for m in MAP_PAGE_IMPORTS]
    for _label, module, attribute in entries:
        try:
            if attribute:
                resolve(module, attribute)
            else:
                importlib.import_module(module)
        except (ImportError, AttributeError) as err:
            missing.append(f"{module}:{attribute} ({err})")
    if missing:
        raise RuntimeError(
            "bench/watched.py names what the app no longer has: " + "; ".join(missing)
        )
