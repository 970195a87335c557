"""The thin Streamlit layer: cached loading, the shared frame (sidebar filters synced with the
link), and small rendering helpers. This is the only module of the package that imports Streamlit.

Every page starts with :func:`frame`. It draws the shared sidebar filters and returns the view, so
a page works the same whether Streamlit runs it through ``app.py``'s navigation or, as it does for
a deep link that is the first request after a server restart, on its own.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import DATA_DIR
from dashboard.core.corpus import Corpus, load_corpus, merge
from dashboard.core.problems import problems_frame
from dashboard.core.regions import load_context, load_geometry
from dashboard.io.store import Store, StoreError, default_store_path
from dashboard.query import filters as flt
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex
from dashboard.views import maps
from dashboard.views.cards import CSS

APP_TITLE = "ISKP findings"
#: Session-state keys of the shared widgets, one per filter field.
WIDGETS = {
    "themes": "w_themes",
    "region": "w_region",
    "wider": "w_wider",
    "actors": "w_actors",
    "kinds": "w_kinds",
    "reports": "w_reports",
    "text": "w_text",
}
PAGES = {
    "explorer": "pages/explorer.py",
    "table": "pages/table.py",
    "reader": "pages/reader.py",
    "briefing": "pages/briefing.py",
    "imports": "pages/imports.py",
}
#: The page menu, in order: (page file, label).
MENU = (
    ("pages/explorer.py", "Map explorer"),
    ("pages/table.py", "Findings table"),
    ("pages/reader.py", "Report reader"),
    ("pages/briefing.py", "Briefing export"),
    ("pages/imports.py", "Import"),
)


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
    # Keyed on the fingerprint so that an edited data file is picked up; shared by every
    # session, so callers must treat the result as read-only.
    return load_corpus(Path(data_dir))


@st.cache_resource(show_spinner=False)
def _cached_store(path: str) -> Store:
    # One Store object for every session: each call opens its own short connection.
    return Store(path)


def store() -> Store | None:
    """The analysts' store, or None (with the reason shown) when it cannot be opened."""
    try:
        return _cached_store(str(default_store_path()))
    except StoreError as err:
        st.error(f"Your imported findings cannot be shown: {err}", icon=":material/error:")
        return None


@st.cache_resource(show_spinner="Loading and indexing the findings…", max_entries=4)
def _cached_base(
    data_dir: str, fingerprint: str, store_path: str, store_fingerprint: str
) -> tuple[Corpus, FindingsIndex]:
    # The corpus (bundled + imported) and its index, rebuilt together whenever either source
    # changes. Shared by every session: read-only.
    corpus = _cached_corpus(data_dir, fingerprint)
    if store_path:
        analysts = _cached_store(store_path)
        corpus = merge(corpus, analysts.findings(), analysts.reports())
    return corpus, FindingsIndex.build(corpus.findings, corpus.gazetteer)


def base() -> tuple[Corpus, FindingsIndex]:
    """The bundled corpus with the analysts' imports, and its index."""
    analysts = store()
    return _cached_base(
        str(DATA_DIR),
        data_fingerprint(),
        str(analysts.path) if analysts else "",
        analysts.fingerprint() if analysts else "",
    )


def corpus() -> Corpus:
    return base()[0]


@st.cache_resource(show_spinner=False)
def _cached_map_data(data_dir: str, fingerprint: str) -> maps.MapData:
    gazetteer = _cached_corpus(data_dir, fingerprint).gazetteer
    regions = Path(data_dir) / "regions"
    return maps.prepare(
        load_geometry(regions / "afpak.geojson"),
        load_context(regions / "context.geojson"),
        gazetteer,
    )


def map_data() -> maps.MapData:
    """Region geometry prepared for drawing, once per change of the data files."""
    return _cached_map_data(str(DATA_DIR), data_fingerprint())


@dataclass(frozen=True)
class View:
    """What a page shows: the corpus, the filters, and the findings that pass them.

    The findings are a boolean *mask* over the index's rows; a page builds frames only of the rows
    it shows (:meth:`rows`, :meth:`head`), and :attr:`findings` (every passing row) only when a
    download or an export asks for it. At 100k findings a filter that passes a fifth of them
    makes a 20,000-row frame in 10-20 ms, for a page that shows ten cards.
    """

    corpus: Corpus
    filters: Filters
    index: FindingsIndex
    mask: np.ndarray

    @cached_property
    def positions(self) -> np.ndarray:
        """Row positions of the findings in view, in the corpus order."""
        return np.flatnonzero(self.mask)

    @property
    def count(self) -> int:
        return len(self.positions)

    @cached_property
    def findings(self) -> pd.DataFrame:
        """Every finding in view, as a frame (``index.apply``)."""
        return self.index.apply(mask=self.mask)

    def rows(self, start: int, stop: int) -> pd.DataFrame:
        """The findings in view from *start* to *stop* (positions within the view)."""
        return self.index.findings.iloc[self.positions[start:stop]]

    def head(self, n: int) -> pd.DataFrame:
        return self.rows(0, n)

    def where(self, extra: np.ndarray) -> pd.DataFrame:
        """The findings in view that also pass the boolean array *extra* (over all rows)."""
        return self.index.findings[self.mask & extra]

    def describe(self) -> str:
        return self.filters.describe(
            self.count,
            taxonomy=self.corpus.taxonomy,
            gazetteer=self.corpus.gazetteer,
            report_titles={r.id: r.title for r in self.corpus.reports.values()},
        )


def all_actors(index: FindingsIndex) -> list[str]:
    return sorted(index.actors.values, key=str.casefold)


def filters_from_params(params, corpus: Corpus, index: FindingsIndex) -> tuple[Filters, list[str]]:
    """Filters from query parameters (a link's or a saved view's), checked against the corpus."""
    return Filters.from_query_params(
        params,
        taxonomy=corpus.taxonomy,
        gazetteer=corpus.gazetteer,
        actors=all_actors(index),
        reports=corpus.reports,
        findings=corpus.findings["id"],
    )


def _filters_from_link(corpus: Corpus, index: FindingsIndex) -> tuple[Filters, list[str]]:
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    return filters_from_params(params, corpus, index)


def _seed_widgets(filters: Filters, force: bool) -> None:
    """Give every shared widget its value from the filters: where the widget has none yet (the
    first run of a session), or all of them when *force* is set. Streamlit gives a widget on
    another page a new identity, which starts from its default value, so a page switch must
    hand the values over."""
    for field_name, key in WIDGETS.items():
        if force or key not in st.session_state:
            value = getattr(filters, field_name)
            st.session_state[key] = list(value) if isinstance(value, tuple) else value


def set_region(code: str | None) -> None:
    """Choose a region from anywhere (map click, buttons): sets the shared region widget."""
    st.session_state[WIDGETS["region"]] = code
    if code is None:
        st.session_state[WIDGETS["wider"]] = False


def clear_filters() -> None:
    for field_name, key in WIDGETS.items():
        st.session_state[key] = getattr(Filters(), field_name)
        if isinstance(st.session_state[key], tuple):
            st.session_state[key] = []


def region_options(corpus: Corpus) -> list[str | None]:
    """Region picker options, in a hierarchy: supra-regions, each country then its provinces,
    neighbours, and the regions not on the map."""
    gaz = corpus.gazetteer
    options: list[str | None] = [None]
    supra = [r.code for r in gaz if r.level == "supra"]
    options += sorted(supra, key=lambda c: -len(gaz.descendants(c)))
    for country in ("AF", "PK"):
        options.append(country)
        options += list(gaz.children(country))
    options += sorted(
        (r.code for r in gaz if r.level == "country" and r.code not in ("AF", "PK")), key=gaz.name
    )
    options += sorted((r.code for r in gaz if r.level == "nonspatial"), key=gaz.name)
    return options


def region_label(corpus: Corpus, code: str | None) -> str:
    """A region's label in the picker (fixed: it must not change from run to run)."""
    if code is None:
        return "All regions"
    region = corpus.gazetteer[code]
    label = region.name
    if region.level == "province":
        label = "    └ " + label
        if region.note.startswith("historical"):
            label += " (until 2018)"
    elif region.level == "nonspatial":
        label += " (not on map)"
    return label


def frame(page_title: str) -> View:
    """Draw the shared frame of every page and return the view.

    Sets the page config, restores the filters from the link on a session's first run (with a
    notice for anything dropped), draws the sidebar filters, applies them, and writes them back to
    the link so that the URL always reproduces the view.
    """
    # The icon is a local file: a Material icon as favicon (also the default of an st.Page with
    # an icon) is fetched from Google's font server.
    st.set_page_config(
        page_title=f"{page_title} · {APP_TITLE}",
        layout="wide",
        page_icon=str(DATA_DIR / "icon.png"),
    )
    st.html(CSS)
    data, index = base()
    current = {key: st.query_params.get_all(key) for key in st.query_params}
    followed = bool(current) and current != st.session_state.get("written_params")
    if "filters" not in st.session_state or followed:
        # A session's first run, or a link with other parameters followed within the session
        # ("Open in report"). A page switch through the menu drops the parameters: that keeps
        # the session's filters.
        filters, notices = _filters_from_link(data, index)
        apply_filters(filters)
        st.session_state["link_notices"] = notices
    switched = st.session_state.get("page") != page_title
    st.session_state["page"] = page_title
    _seed_widgets(st.session_state["filters"], force=switched)
    filters = _sidebar(data, index, st.session_state["filters"])
    st.session_state["filters"] = filters
    params = filters.to_query_params()
    st.session_state["written_params"] = params
    if current != params:
        st.query_params.from_dict(params)
    for notice in st.session_state.pop("link_notices", []):
        st.warning(notice, icon=":material/link_off:")
    show_problems(data)
    return View(data, filters, index, index.mask(filters))


def _widget_filters(data: Corpus, previous: Filters) -> Filters:
    """The filters the shared widgets hold (at the start of a run: their new values)."""
    state = st.session_state
    region = state[WIDGETS["region"]]
    return Filters(
        themes=tuple(state[WIDGETS["themes"]]),
        region=region,
        wider=bool(state[WIDGETS["wider"]]) and region is not None,
        actors=tuple(state[WIDGETS["actors"]]),
        kinds=tuple(state[WIDGETS["kinds"]]),
        reports=tuple(state[WIDGETS["reports"]]) if len(data.reports) > 1 else (),
        text=(state[WIDGETS["text"]] or "").strip(),
        finding=previous.finding,
    )


def counts_line(counts, label, order) -> str:
    """Option counts as one line, e.g. "Propaganda 3 · Recruitment 6".

    Options with none are left out.
    """
    parts = [f"{label(key)} {counts[key]}" for key in order if counts.get(key)]
    return " · ".join(parts) if parts else "none"


def _sidebar(data: Corpus, index: FindingsIndex, previous: Filters) -> Filters:
    # Option labels must not change from run to run: Streamlit keeps a multiselect's or a
    # selectbox's value by its label, and a changed label (a count in it) silently drops the
    # choice. The counts go in captions instead, computed from the values the widgets hold now.
    tax = data.taxonomy
    current = _widget_filters(data, previous)
    facets = index.facets(current)
    sidebar = st.sidebar
    with sidebar.container(key="page_menu"):
        for page, label in MENU:
            st.page_link(page, label=label)
    sidebar.divider()
    sidebar.header("Filters")
    sidebar.multiselect(
        "Themes",
        options=list(tax.theme_keys),
        key=WIDGETS["themes"],
        format_func=lambda k: tax.theme(k).label,
        help="Findings with any of the chosen themes.\n\n"
        + "\n".join(f"- **{t.label}**: {t.definition}" for t in tax.themes),
    )
    sidebar.caption(
        "Findings per theme: "
        + counts_line(facets.themes, lambda k: tax.theme(k).label, tax.theme_keys)
    )
    sidebar.selectbox(
        "Region",
        options=region_options(data),
        key=WIDGETS["region"],
        format_func=lambda c: region_label(data, c),
        help="Findings that name this region or any place inside it. Clicking an area on the "
        "map chooses it here too.",
    )
    if current.region:
        scope = index.region_scope_counts(current)
        sidebar.caption(
            f"{scope.get(current.region, 0)} finding(s) name "
            f"{data.gazetteer.name(current.region)} or a place inside it"
            + (", or a wider region containing it" if current.wider else "")
            + "."
        )
    sidebar.checkbox(
        "Also findings naming a wider region containing it (e.g. South Asia)",
        key=WIDGETS["wider"],
        disabled=current.region is None,
    )
    sidebar.multiselect("Actors", options=all_actors(index), key=WIDGETS["actors"])
    sidebar.multiselect(
        "Kind of finding",
        options=list(tax.kind_keys),
        key=WIDGETS["kinds"],
        format_func=lambda k: tax.kind(k).label,
        help="\n".join(f"- **{k.label}**: {k.definition}" for k in tax.kinds),
    )
    sidebar.caption(
        "Findings per kind: "
        + counts_line(facets.kinds, lambda k: tax.kind(k).label, tax.kind_keys)
    )
    if len(data.reports) > 1:
        sidebar.multiselect(
            "Report",
            options=list(data.reports),
            key=WIDGETS["reports"],
            format_func=lambda r: data.reports[r].title,
        )
    sidebar.text_input(
        "Search text",
        key=WIDGETS["text"],
        max_chars=flt.MAX_QUERY_CHARS,
        placeholder='e.g. radio, or "social media"',
        help="Searches title, summary and excerpt; case and accents are ignored.",
    )
    sidebar.button("Clear all filters", on_click=clear_filters, icon=":material/filter_alt_off:")
    _saved_views(sidebar)
    return _widget_filters(data, previous)


def show_problems(corpus: Corpus) -> None:
    """Say plainly when some bundled rows could not be loaded, and why."""
    if corpus.problems:
        st.warning(
            f"{len(corpus.problems)} problem(s) in the bundled data: the rows concerned "
            "are left out."
        )
        st.dataframe(problems_frame(corpus.problems), hide_index=True)


def link_params(filters: Filters, **changes) -> dict[str, list[str]]:
    """Query parameters for a link to the current view with some fields changed."""
    from dataclasses import replace

    return replace(filters, **changes).to_query_params()


# --- map ----------------------------------------------------------------------------------------

MAP_KEY = "map"
PAGE_SIZE = 10


def on_map_select() -> None:
    """A click on the map chooses that area as the region filter; a click on the chosen area
    again (or a click on empty map) clears it."""
    event = st.session_state.get(MAP_KEY) or {}
    points = (event.get("selection") or {}).get("points") or []
    set_region(
        maps.clicked_region(points, st.session_state.get(WIDGETS["region"]), corpus().gazetteer)
    )


@st.cache_resource(show_spinner=False, max_entries=128)
def _cached_map_figure(
    data_dir: str,
    fingerprint: str,
    counts: tuple[tuple[str, int], ...],
    selected: str | None,
    height: int,
):
    # Building the figure (plotly validates every GeoJSON coordinate) is most of a rerun's
    # cost; the same counts and selection give the same figure, so views an analyst returns to
    # cost nothing. The figure is only read by st.plotly_chart.
    gazetteer = _cached_corpus(data_dir, fingerprint).gazetteer
    return maps.build_map(
        _cached_map_data(data_dir, fingerprint), gazetteer, dict(counts), selected, height=height
    )


def map_figure(view: View, *, height: int = 620):
    counts = view.index.region_counts(view.mask)
    figure = _cached_map_figure(
        str(DATA_DIR),
        data_fingerprint(),
        tuple(sorted(counts.items())),
        view.filters.region,
        height,
    )
    return figure, counts


def reader_params(view: View, finding_id: str) -> dict[str, list[str]]:
    return link_params(view.filters, finding=finding_id)


def paged(view: View, key: str, size: int = PAGE_SIZE) -> pd.DataFrame:
    """One page of the findings in view (only its rows are built), with a page picker when there
    is more than one page. The page goes back to the first whenever the filters (and so the
    rows) change."""
    total = view.count
    pages = max(1, -(-total // size))
    signature = hash((view.filters.without("text"), view.filters.text, total))
    if st.session_state.get(f"{key}_sig") != signature:
        st.session_state[f"{key}_sig"] = signature
        st.session_state[key] = 1
    if pages > 1:
        st.number_input(
            f"Page (of {pages}, {size} findings a page)",
            min_value=1,
            max_value=pages,
            step=1,
            key=key,
        )
    number = min(int(st.session_state.get(key, 1)), pages)
    return view.rows((number - 1) * size, number * size)


# --- findings table -------------------------------------------------------------------------------

MATRIX_KEY = "matrix"
#: The most rows the table sends to the browser; the downloads always hold every row.
TABLE_ROWS = 10_000


def findings_table(view: View) -> pd.DataFrame:
    """The filtered findings as a table for people: labels instead of keys."""
    gaz, tax = view.corpus.gazetteer, view.corpus.taxonomy
    findings = view.head(TABLE_ROWS)

    def labels(column: str, label) -> pd.Series:
        # Each distinct value labelled once: a table of 10,000 rows holds a few hundred.
        values = findings[column]
        return values.map({value: label(value) for value in set(values)}.__getitem__)

    return pd.DataFrame(
        {
            "id": findings["id"],
            "title": findings["title"],
            "excerpt": findings["excerpt"],
            "themes": labels("themes", lambda ts: ", ".join(tax.theme(t).label for t in ts)),
            "regions": labels("regions", lambda rs: ", ".join(gaz.name(r) for r in rs)),
            "kind": labels("kind", lambda k: tax.kind(k).label),
            "actors": labels("actors", ", ".join),
            "report": labels("report_id", lambda r: view.corpus.reports[r].title),
            "start": findings["start"],
            "end": findings["end"],
        }
    )


def matrix_table(view: View) -> pd.DataFrame:
    """Findings by theme (rows) and region (columns): each cell is how many findings selecting it
    shows, i.e. with that theme that name the region or a place inside it, the other filters
    applied. Remembers its axes for :func:`on_matrix_select`."""
    from dataclasses import replace

    gaz, tax = view.corpus.gazetteer, view.corpus.taxonomy
    per_theme = {
        t: view.index.region_scope_counts(replace(view.filters, themes=(t,)))
        for t in tax.theme_keys
    }
    totals = {c: sum(counts[c] for counts in per_theme.values()) for c in gaz.codes}
    columns = sorted((c for c in gaz.codes if totals[c]), key=lambda c: (-totals[c], gaz.name(c)))
    st.session_state["matrix_axes"] = (list(tax.theme_keys), columns)
    return pd.DataFrame(
        {gaz.name(c): [per_theme[t][c] for t in tax.theme_keys] for c in columns},
        index=[tax.theme(t).label for t in tax.theme_keys],
    )


def on_matrix_select() -> None:
    """Selecting a cell of the theme x region matrix filters by that theme and region."""
    event = st.session_state.get(MATRIX_KEY) or {}
    cells = (event.get("selection") or {}).get("cells") or []
    rows, columns = st.session_state.get("matrix_axes", ([], []))
    if not cells:
        return
    row, column_label = cells[0]
    labels = [corpus().gazetteer.name(c) for c in columns]
    if not (0 <= row < len(rows)) or column_label not in labels:
        return
    st.session_state[WIDGETS["themes"]] = [rows[row]]
    set_region(columns[labels.index(column_label)])


@st.cache_resource(show_spinner=False)
def _cached_geometry(data_dir: str, fingerprint: str):
    return load_geometry(Path(data_dir) / "regions" / "afpak.geojson")


def geojson_bytes(view: View) -> bytes:
    from dashboard.exports import files as export

    return export.to_geojson(
        view.findings, view.corpus, _cached_geometry(str(DATA_DIR), data_fingerprint())
    )


# --- report reader --------------------------------------------------------------------------------

FOCUS_KEY = "w_focus"


def set_focus(finding_id: str | None) -> None:
    """Make *finding_id* the focused finding of the view (and of the link)."""
    from dataclasses import replace

    st.session_state["filters"] = replace(st.session_state["filters"], finding=finding_id)
    params = st.session_state["filters"].to_query_params()
    st.query_params.from_dict(params)


def _on_focus_change() -> None:
    set_focus(st.session_state.get(FOCUS_KEY))


def focus_picker(view: View, report_findings: pd.DataFrame) -> str | None:
    """A picker of this report's findings; it shows and sets the focused finding."""
    ids = list(report_findings["id"])
    focus = view.filters.finding if view.filters.finding in ids else None
    st.session_state[FOCUS_KEY] = focus
    titles = dict(zip(report_findings["id"], report_findings["title"]))
    st.selectbox(
        "Go to finding",
        options=[None, *ids],
        key=FOCUS_KEY,
        format_func=lambda i: "—" if i is None else f"{titles[i]} ({i})",
        on_change=_on_focus_change,
    )
    return focus


def scroll_to(element_id: str) -> None:
    """Scroll the page to the element with *element_id* once it is drawn (no network, no data
    beyond the id, which is validated to letters, digits, '.', '_' and '-')."""
    import json

    st.html(
        "<script>(function(){var id=" + json.dumps(element_id) + ",n=0;"
        "var t=setInterval(function(){var d=window.parent.document||document;"
        "var e=d.getElementById(id)||document.getElementById(id);"
        "if(e){e.scrollIntoView({block:'center'});clearInterval(t);}"
        "if(++n>50){clearInterval(t);}},100);})();</script>",
        unsafe_allow_javascript=True,
    )


# --- briefing -------------------------------------------------------------------------------------

BRIEFING_WIDGETS = ("b_title", "b_subtitle", "b_note", "b_marking")


def app_base_url() -> str:
    """The address of the app's home page as the browser sees it (for printed links)."""
    url = st.context.url or "http://localhost:8501/"
    for page in ("briefing", "table", "reader", "imports"):
        if url.rstrip("/").endswith("/" + page):
            url = url.rstrip("/")[: -len(page)]
    return url if url.endswith("/") else url + "/"


def default_subtitle(view: View) -> str:
    reports = [view.corpus.reports[r] for r in sorted(view.index.report_counts(view.mask))] or list(
        view.corpus.reports.values()
    )
    return "; ".join(
        f"From the {r.text_kind} of {r.author}, “{r.title}”"
        + (f" ({r.publisher}, {r.year})" if r.publisher else "")
        for r in reports
    )


def briefing_defaults(view: View) -> None:
    """Seed the title and subtitle from the filters, and follow the filters while the analyst
    has not edited them."""
    from dashboard.exports import briefing

    defaults = {
        "b_title": briefing.default_title(
            view.filters, view.corpus.taxonomy, view.corpus.gazetteer
        ),
        "b_subtitle": default_subtitle(view),
    }
    previous = st.session_state.get("b_defaults", {})
    for key, value in defaults.items():
        if key not in st.session_state or st.session_state[key] == previous.get(key):
            st.session_state[key] = value
    st.session_state["b_defaults"] = defaults


def compose_briefing(view: View):
    from datetime import date

    from dashboard.exports import briefing

    state = st.session_state
    return briefing.compose(
        findings=view.findings,
        reports=view.corpus.reports,
        taxonomy=view.corpus.taxonomy,
        gazetteer=view.corpus.gazetteer,
        filters_text=view.describe(),
        permalink_url=briefing.permalink(app_base_url(), replace_finding(view.filters)),
        exported=date.today(),
        title=state.get("b_title", ""),
        subtitle=state.get("b_subtitle", ""),
        note=state.get("b_note", ""),
        marking=state.get("b_marking", ""),
    )


def replace_finding(filters: Filters) -> Filters:
    from dataclasses import replace

    return replace(filters, finding=None)


def prepare_exports(view: View, item) -> None:
    """Make the PNG and the PDF of *item* (a Briefing) and keep them for the download buttons.
    Errors are kept too, to be shown in words."""
    from dashboard.exports import briefing

    try:
        png = briefing.to_png(item, map_data(), view.corpus.gazetteer, view.filters.region)
        pdf = briefing.to_pdf(item, png)
    except briefing.ExportError as err:
        st.session_state["b_exports"] = {"key": repr(item), "error": str(err)}
        return
    st.session_state["b_exports"] = {"key": repr(item), "png": png, "pdf": pdf}


def prepared_exports(item) -> dict | None:
    """The exports made for exactly this briefing, if any."""
    exports = st.session_state.get("b_exports")
    return exports if exports and exports.get("key") == repr(item) else None


# --- saved views ----------------------------------------------------------------------------------


def apply_filters(filters: Filters) -> None:
    """Make *filters* the view: every shared widget and the link follow."""
    st.session_state["filters"] = filters
    for field_name, key in WIDGETS.items():
        value = getattr(filters, field_name)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value


def _save_view() -> None:
    name = (st.session_state.get("sv_name") or "").strip()
    analysts = store()
    if analysts is None:
        return
    if name in {v.name for v in analysts.views()} and not st.session_state.get("sv_replace"):
        st.session_state["sv_message"] = (
            "warning",
            f"A view named “{name}” exists already: tick “Replace a view of the "
            "same name” to replace it, or choose another name.",
        )
        return
    try:
        analysts.save_view(name, st.session_state["filters"])
    except (ValueError, StoreError) as err:
        st.session_state["sv_message"] = ("error", str(err))
        return
    st.session_state["sv_message"] = ("success", f"Saved the view as “{name}”.")
    st.session_state["sv_name"] = ""


def _open_view(name: str) -> None:
    analysts = store()
    if analysts is None:
        return
    try:
        params = analysts.view_filters(name)
    except StoreError as err:
        st.session_state["sv_message"] = ("error", str(err))
        return
    filters, notices = filters_from_params(params, *base())
    apply_filters(filters)
    st.session_state["link_notices"] = [f"Saved view “{name}”: {n}" for n in notices]


def _rename_view(name: str) -> None:
    new = (st.session_state.get("sv_rename") or "").strip()
    analysts = store()
    if analysts is None:
        return
    try:
        analysts.rename_view(name, new)
    except (ValueError, StoreError) as err:
        st.session_state["sv_message"] = ("error", str(err))
        return
    st.session_state["sv_message"] = ("success", f"Renamed “{name}” to “{new}”.")
    st.session_state["sv_rename"] = ""


def _delete_view(name: str) -> None:
    analysts = store()
    if analysts is None:
        return
    try:
        analysts.delete_view(name)
    except StoreError as err:
        st.session_state["sv_message"] = ("error", str(err))
        return
    st.session_state["sv_message"] = ("success", f"Deleted the view “{name}”.")


def _saved_views(sidebar) -> None:
    analysts = store()
    if analysts is None:
        return
    views = analysts.views()
    # A fixed label: the expander stays open across the reruns its own buttons cause.
    with sidebar.expander("Saved views"):
        show_message("sv_message")
        st.text_input(
            "Name this view", key="sv_name", max_chars=80, placeholder="e.g. Refugees in Pakistan"
        )
        st.checkbox("Replace a view of the same name", key="sv_replace")
        st.button("Save view", key="sv_save", on_click=_save_view, icon=":material/bookmark_add:")
        st.caption(f"{len(views)} saved view(s).")
        if views:
            names = [v.name for v in views]
            chosen = st.selectbox("Saved views", names, key="sv_pick")
            open_col, delete_col = st.columns(2)
            open_col.button("Open", key="sv_open", on_click=_open_view, args=(chosen,))
            with delete_col.popover("Delete…"):
                st.button(
                    f"Delete “{chosen}”",
                    key="sv_delete",
                    on_click=_delete_view,
                    args=(chosen,),
                    type="primary",
                )
            st.text_input("New name", key="sv_rename", max_chars=80)
            st.button("Rename", key="sv_rename_button", on_click=_rename_view, args=(chosen,))


def show_message(key: str) -> None:
    message = st.session_state.pop(key, None)
    if message:
        getattr(st, message[0])(message[1])
