"""The findings table and the theme x region matrix, as frames for people (labels, not keys)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import pandas as pd

from dashboard.core.periods import when_words
from dashboard.views.view import View

#: The most rows the table sends to the browser; the downloads always hold every row.
TABLE_ROWS = 10_000


def findings_table(view: View, rows: int = TABLE_ROWS) -> pd.DataFrame:
    """The first *rows* findings in view as a table: labels instead of keys."""
    gaz, tax = view.corpus.gazetteer, view.corpus.taxonomy
    findings = view.head(rows)

    def labels(column: str, label: Callable) -> pd.Series:
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
            "when": [
                when_words(str(p or ""), "period" in tuple(d or ()))
                for p, d in zip(findings["period"], findings["derived"])
            ]
            if len(findings)
            else pd.Series(dtype=object),
            "kind": labels("kind", lambda k: tax.kind(k).label),
            "actors": labels("actors", ", ".join),
            "report": labels("report_id", lambda r: view.corpus.reports[r].title),
            "start": findings["start"],
            "end": findings["end"],
            "other columns": labels(
                "extra", lambda pairs: "; ".join(f"{n}: {v}" for n, v in pairs or ())
            )
            if "extra" in findings.columns
            else "",
        }
    )


@dataclass(frozen=True)
class Matrix:
    """Findings by theme (rows) and region (columns), with the keys behind the labels."""

    frame: pd.DataFrame
    themes: tuple[str, ...]
    regions: tuple[str, ...]

    def cell(self, row: int, column_label: str) -> tuple[str, str] | None:
        """The (theme, region code) of a selected cell, or None if it is not one of ours."""
        labels = list(self.frame.columns)
        if not (0 <= row < len(self.themes)) or column_label not in labels:
            return None
        return self.themes[row], self.regions[labels.index(column_label)]


def matrix(view: View) -> Matrix:
    """The findings in view by theme and region named: each cell counts the findings of the view
    with that theme that name the region or a place inside it, and is exactly what selecting it
    shows (that theme and that region, the other filters kept).

    So a theme filter keeps its themes' rows only, and a region filter the columns of that region
    and the places inside it: no cell counts a finding outside the view. Regions with no finding
    are left out."""
    gaz, tax = view.corpus.gazetteer, view.corpus.taxonomy
    themes = [t for t in tax.theme_keys if not view.filters.themes or t in view.filters.themes]
    region = view.filters.region
    inside = None if region is None else {region, *gaz.descendants(region)}
    per_theme = {
        t: view.index.region_scope_counts(replace(view.filters, themes=(t,))) for t in themes
    }
    totals = {c: sum(counts[c] for counts in per_theme.values()) for c in gaz.codes}
    columns = sorted(
        (c for c in gaz.codes if totals[c] and (inside is None or c in inside)),
        key=lambda c: (-totals[c], gaz.name(c)),
    )
    frame = pd.DataFrame(
        {gaz.name(c): [per_theme[t][c] for t in themes] for c in columns},
        index=[tax.theme(t).label for t in themes],
    )
    return Matrix(frame, tuple(themes), tuple(columns))
