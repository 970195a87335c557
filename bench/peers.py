"""The peers the index is measured against, for filter + aggregate: each takes ``Filters`` and
returns (filtered frame, Counter of region codes named, Counter of themes): the findings, and what
the map and the theme facet are drawn from. Plus the pandas code of the region picker's counts
before the index, kept here as the peer of ``FindingsIndex.region_scope_counts``."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pandas as pd

from dashboard.core.corpus import Corpus
from dashboard.core.text import fold
from dashboard.query import filters as flt
from dashboard.query.filters import Filters
from dashboard.query.index import FindingsIndex
from dashboard.views import maps


def peer_naive(findings: pd.DataFrame, gazetteer):
    """(a) A plain Python loop over the rows; nothing precomputed."""

    def run(filters: Filters):
        themes, actors = set(filters.themes), set(filters.actors)
        kinds, reports = set(filters.kinds), set(filters.reports)
        scope = (
            flt.region_scope(filters.region, gazetteer, filters.wider) if filters.region else None
        )
        terms = flt.search_terms(filters.text)
        rows, regions_named, themes_named = [], Counter(), Counter()
        columns = zip(
            findings["themes"].tolist(),
            findings["regions"].tolist(),
            findings["actors"].tolist(),
            findings["kind"].tolist(),
            findings["report_id"].tolist(),
            findings["title"].tolist(),
            findings["summary"].tolist(),
            findings["excerpt"].tolist(),
        )
        for i, (th, rg, ac, kind, report, title, summary_, excerpt) in enumerate(columns):
            if themes and themes.isdisjoint(th):
                continue
            if scope is not None and scope.isdisjoint(rg):
                continue
            if actors and actors.isdisjoint(ac):
                continue
            if kinds and kind not in kinds:
                continue
            if reports and report not in reports:
                continue
            if terms:
                haystack = fold(title + "\n" + summary_ + "\n" + excerpt)
                if not all(term in haystack for term in terms):
                    continue
            rows.append(i)
            regions_named.update(set(rg))
            themes_named.update(set(th))
        return findings.iloc[rows], regions_named, themes_named

    return run


def _distinct_counts(column: pd.Series) -> Counter:
    exploded = column.explode().dropna()
    pairs = pd.DataFrame({"row": exploded.index, "value": exploded.to_numpy()})
    return Counter(pairs.drop_duplicates()["value"].value_counts().to_dict())


def peer_pandas(findings: pd.DataFrame, gazetteer):
    """(b) pandas, exploding the list columns on every call; nothing precomputed."""
    frame = findings.reset_index(drop=True)

    def any_in(column: str, wanted) -> np.ndarray:
        exploded = frame[column].explode()
        return exploded.isin(list(wanted)).groupby(level=0).any().to_numpy(dtype=bool)

    def run(filters: Filters):
        mask = np.ones(len(frame), dtype=bool)
        if filters.themes:
            mask &= any_in("themes", filters.themes)
        if filters.region:
            mask &= any_in("regions", flt.region_scope(filters.region, gazetteer, filters.wider))
        if filters.actors:
            mask &= any_in("actors", filters.actors)
        if filters.kinds:
            mask &= frame["kind"].isin(filters.kinds).to_numpy(dtype=bool)
        if filters.reports:
            mask &= frame["report_id"].isin(filters.reports).to_numpy(dtype=bool)
        terms = flt.search_terms(filters.text)
        if terms:
            haystack = (frame["title"] + "\n" + frame["summary"] + "\n" + frame["excerpt"]).map(
                fold
            )
            for term in terms:
                mask &= haystack.str.contains(term, regex=False).to_numpy(dtype=bool)
        selected = frame[mask]
        return (
            findings[mask],
            _distinct_counts(selected["regions"]),
            _distinct_counts(selected["themes"]),
        )

    return run


class DuckPeer:
    """(c) DuckDB over the same data: one table with list columns and the folded search text,
    filtered with ``list_has_any`` and counted with ``unnest``."""

    def __init__(self, findings: pd.DataFrame, index: FindingsIndex):
        import duckdb
        import pyarrow as pa

        self.findings = findings
        self.gazetteer = index.gazetteer
        started = time.perf_counter()
        table = pa.table(
            {
                "i": pa.array(np.arange(len(findings), dtype=np.int64)),
                "themes": pa.array(findings["themes"].tolist(), type=pa.list_(pa.string())),
                "regions": pa.array(findings["regions"].tolist(), type=pa.list_(pa.string())),
                "actors": pa.array(findings["actors"].tolist(), type=pa.list_(pa.string())),
                "kind": pa.array(findings["kind"].tolist(), type=pa.string()),
                "report_id": pa.array(findings["report_id"].tolist(), type=pa.string()),
                "text": pa.array(index.text.tolist(), type=pa.string()),
            }
        )
        self.con = duckdb.connect()
        self.con.register("source", table)
        self.con.execute("CREATE TABLE findings AS SELECT * FROM source")
        self.con.unregister("source")
        self.ingest_seconds = time.perf_counter() - started
        self.threads = self.con.execute("SELECT current_setting('threads')").fetchone()[0]
        self.version = duckdb.__version__

    def __call__(self, filters: Filters):
        where, params = ["TRUE"], {}
        if filters.themes:
            where.append("list_has_any(themes, $themes)")
            params["themes"] = list(filters.themes)
        if filters.region:
            where.append("list_has_any(regions, $scope)")
            params["scope"] = sorted(
                flt.region_scope(filters.region, self.gazetteer, filters.wider)
            )
        if filters.actors:
            where.append("list_has_any(actors, $actors)")
            params["actors"] = list(filters.actors)
        if filters.kinds:
            where.append("list_contains($kinds, kind)")
            params["kinds"] = list(filters.kinds)
        if filters.reports:
            where.append("list_contains($reports, report_id)")
            params["reports"] = list(filters.reports)
        for n, term in enumerate(flt.search_terms(filters.text)):
            where.append(f"contains(text, $t{n})")
            params[f"t{n}"] = term
        clause = " AND ".join(where)
        rows = self.con.execute(
            f"SELECT i FROM findings WHERE {clause} ORDER BY i", params
        ).fetchnumpy()["i"]
        counts = []
        for column in ("regions", "themes"):
            found = self.con.execute(
                f"SELECT v, count(*) FROM (SELECT unnest(list_distinct({column})) AS v "
                f"FROM findings WHERE {clause}) GROUP BY v",
                params,
            ).fetchall()
            counts.append(Counter(dict(found)))
        return self.findings.iloc[np.asarray(rows)], counts[0], counts[1]


def peer_current(findings: pd.DataFrame, gazetteer):
    """(d) The pandas code the pages ran before the index: ``filters.apply`` +
    ``maps.region_counts``."""

    def run(filters: Filters):
        selected = flt.apply(findings, filters, gazetteer)
        return selected, maps.region_counts(selected), flt.count_values(selected, "themes")

    return run


def peer_index(index: FindingsIndex, page_rows: int):
    """(e) The ``FindingsIndex`` as the pages use it: the mask, the region and theme counts, and
    the frame of the *page_rows* rows one page of cards shows (``View.rows``)."""

    def run(filters: Filters):
        mask = index.mask(filters)
        page = index.findings.iloc[np.flatnonzero(mask)[:page_rows]]
        return mask, index.region_counts(mask), index.theme_counts(mask), page

    return run


def peer_index_frame(index: FindingsIndex):
    """(e') The index and the frame of every passing row (what a download needs)."""

    def run(filters: Filters):
        mask = index.mask(filters)
        return index.apply(mask=mask), index.region_counts(mask), index.theme_counts(mask)

    return run


PEERS = {
    "naive": "(a) naive per-row Python",
    "pandas": "(b) pandas, explode each time",
    "duckdb": "(c) DuckDB list_has_any + unnest",
    "current": "(d) filters.apply (pre-index)",
    "index": "(e) FindingsIndex: mask + counts + a page of rows",
    "index_frame": "(e') index + the whole filtered frame",
}


def filter_states(actor: str) -> dict[str, Filters]:
    return {
        "none": Filters(),
        "one theme": Filters(themes=("propaganda",)),
        "region PK": Filters(region="PK"),
        "region PK wider": Filters(region="PK", wider=True),
        "theme+region+actor": Filters(themes=("recruitment",), region="AF", actors=(actor,)),
        "text search": Filters(text="radio"),
    }


def same_answer(a, b) -> bool:
    return list(a[0]["id"]) == list(b[0]["id"]) and +a[1] == +b[1] and +a[2] == +b[2]


def region_scope_counts_pandas(data: Corpus, filters: Filters) -> dict[str, int]:
    """For each region, how many findings the region filter would keep (other filters applied):
    the region picker's counts as ``dashboard.ui._region_scope_counts`` computed them before the
    index (removed from the ui in 13b9073; kept here, verbatim, as the peer)."""
    base = flt.apply(data.findings, filters.without("region"), data.gazetteer)
    named = [set(r) for r in base["regions"]]
    counts = {}
    for code in data.gazetteer.codes:
        scope = flt.region_scope(code, data.gazetteer, filters.wider)
        counts[code] = sum(1 for regions in named if not scope.isdisjoint(regions))
    return counts
