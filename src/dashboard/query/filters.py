"""The view's filters as a value: built from a link's query parameters, written back to them,
described in words, and applied to findings by a pure function.

Within one facet the chosen values are alternatives (theme = refugees *or* propaganda); across
facets they all apply (theme *and* region *and* text).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd

from dashboard.core.periods import DateRange, Period, period_of_text, range_from_params
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy
from dashboard.core.text import fold

#: The query parameters a link may carry, and what each holds.
PARAMS = {
    "theme": "theme key, repeatable",
    "region": "region code (or a name the gazetteer knows)",
    "wider": "1 to add findings that name a wider region containing the chosen one",
    "actor": "actor name, repeatable",
    "kind": "kind of finding, repeatable",
    "report": "report id, repeatable",
    "q": "free text searched in title, summary and excerpt",
    "from": "first day, month, quarter or year of the date range (2016, 2016-03, 2016-Q2)",
    "to": "last day, month, quarter or year of the date range",
    "dates": "'report' to date findings by their report's date, not the date they refer to",
    "finding": "a finding to open in the report reader",
}
MAX_QUERY_CHARS = 200
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class Filters:
    """What the analyst has chosen. Empty fields filter nothing."""

    themes: tuple[str, ...] = ()
    region: str | None = None
    wider: bool = False
    actors: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    reports: tuple[str, ...] = ()
    text: str = ""
    #: The date range, both days included (``None``: open); a finding whose period overlaps it
    #: is in, an undated one is out once either end is set.
    date_from: date | None = None
    date_to: date | None = None
    #: Date each finding by its report's date instead of the date it refers to.
    by_report: bool = False
    finding: str | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(
                f"the date range {self.date_from}..{self.date_to} ends before it starts"
            )

    @property
    def dates(self) -> DateRange:
        return DateRange(self.date_from, self.date_to)

    @property
    def active(self) -> bool:
        """True when any filter narrows the findings (``finding`` only focuses one)."""
        return bool(
            self.themes
            or self.region
            or self.actors
            or self.kinds
            or self.reports
            or self.text.strip()
            or not self.dates.is_open
        )

    def to_query_params(self) -> dict[str, list[str]]:
        """The filters as query parameters; empty fields are left out, so the default view has none.

        >>> Filters(themes=("refugees",), region="PK").to_query_params()
        {'theme': ['refugees'], 'region': ['PK']}
        """
        params: dict[str, list[str]] = {}
        if self.themes:
            params["theme"] = list(self.themes)
        if self.region:
            params["region"] = [self.region]
            if self.wider:
                params["wider"] = ["1"]
        if self.actors:
            params["actor"] = list(self.actors)
        if self.kinds:
            params["kind"] = list(self.kinds)
        if self.reports:
            params["report"] = list(self.reports)
        if self.text.strip():
            params["q"] = [self.text.strip()]
        params.update(self.dates.to_query_params())
        if self.by_report:
            params["dates"] = ["report"]
        if self.finding:
            params["finding"] = [self.finding]
        return params

    @classmethod
    def from_query_params(
        cls,
        params: Mapping[str, Iterable[str] | str],
        *,
        taxonomy: Taxonomy,
        gazetteer: Gazetteer,
        actors: Iterable[str],
        reports: Iterable[str],
        findings: Iterable[str] = (),
    ) -> tuple[Filters, list[str]]:
        """Read filters from query parameters, keeping what is valid.

        Returns the filters and a notice for everything dropped (unknown parameter, unknown value,
        malformed value). Never raises on what a link carries.
        """
        notices: list[str] = []
        values = {
            key: [value] if isinstance(value, str) else list(value) for key, value in params.items()
        }
        for key in values:
            if key not in PARAMS:
                notices.append(f"Ignored unknown link parameter {key!r}.")

        def known(key: str, label: str, resolve, suggest=None) -> tuple[str, ...]:
            kept: list[str] = []
            for raw in values.get(key, []):
                value = resolve(raw)
                if value is None:
                    near = suggest(raw) if suggest else None
                    hint = f" Did you mean {near!r}?" if near else ""
                    notices.append(f"Ignored unknown {label} {raw!r} in the link.{hint}")
                elif value not in kept:
                    kept.append(value)
            return tuple(kept)

        actor_names = {fold(a): a for a in actors}
        report_ids = set(reports)
        themes = known("theme", "theme", taxonomy.resolve_theme, taxonomy.suggest_theme)
        kinds = known("kind", "kind", taxonomy.resolve_kind, taxonomy.suggest_kind)
        actor_values = known("actor", "actor", lambda v: actor_names.get(fold(v)))
        report_values = known("report", "report", lambda v: v if v in report_ids else None)

        region = None
        regions = known(
            "region",
            "region",
            gazetteer.resolve,
            lambda v: next(iter(gazetteer.suggest(v, limit=1)), None),
        )
        if len(regions) > 1:
            notices.append(f"Kept the first of {len(regions)} regions in the link.")
        if regions:
            region = regions[0]

        wider = False
        for raw in values.get("wider", [])[:1]:
            if raw.strip().lower() in _TRUE:
                wider = True
            elif raw.strip().lower() not in _FALSE:
                notices.append(f"Ignored 'wider={raw}' in the link: use wider=1 or wider=0.")

        text = " ".join(values.get("q", [])[:1]).strip()
        if len(text) > MAX_QUERY_CHARS:
            notices.append(f"Cut the search text in the link to {MAX_QUERY_CHARS} characters.")
            text = text[:MAX_QUERY_CHARS]

        dates, date_notices = range_from_params(
            " ".join(values.get("from", [])[:1]) or None, " ".join(values.get("to", [])[:1]) or None
        )
        notices.extend(date_notices)
        by_report = False
        for raw in values.get("dates", [])[:1]:
            if raw.strip().lower() == "report":
                by_report = True
            elif raw.strip().lower() not in ("", "refers", "finding"):
                notices.append(
                    f"Ignored 'dates={raw}' in the link: use dates=report, or leave it out."
                )

        finding = None
        finding_ids = set(findings)
        for raw in values.get("finding", [])[:1]:
            if raw in finding_ids:
                finding = raw
            else:
                notices.append(f"Ignored unknown finding {raw!r} in the link.")

        return cls(
            themes=themes,
            region=region,
            wider=wider and region is not None,
            actors=actor_values,
            kinds=kinds,
            reports=report_values,
            text=text,
            date_from=dates.start,
            date_to=dates.end,
            by_report=by_report,
            finding=finding,
        ), notices

    def describe(
        self,
        count: int | None,
        *,
        taxonomy: Taxonomy,
        gazetteer: Gazetteer,
        report_titles: Mapping[str, str] | None = None,
    ) -> str:
        """The filters in words, led by the number of findings.

        e.g. ``"9 findings · theme = Refugees · region = Pakistan"``.
        """
        parts = []
        if count is not None:
            parts.append(f"{count} finding{'s' if count != 1 else ''}")
        if self.themes:
            parts.append("theme = " + " or ".join(taxonomy.theme(t).label for t in self.themes))
        if self.region:
            region = f"region = {gazetteer.name(self.region)}"
            if self.wider:
                region += " (and wider regions containing it)"
            parts.append(region)
        if self.actors:
            parts.append("actor = " + " or ".join(self.actors))
        if self.kinds:
            parts.append("kind = " + " or ".join(taxonomy.kind(k).label for k in self.kinds))
        if self.reports:
            titles = report_titles or {}
            parts.append("report = " + " or ".join(titles.get(r, r) for r in self.reports))
        if self.text.strip():
            text = self.text.strip()
            parts.append(f"text contains {text}" if '"' in text else f"text contains “{text}”")
        if not self.dates.is_open:
            parts.append(self.dates.describe() + (" (by report date)" if self.by_report else ""))
        if not self.active:
            parts.append("no filters")
        return " · ".join(parts)

    def without(self, facet: str) -> Filters:
        """These filters with one facet cleared (for counting that facet's options)."""
        empty = {
            "themes": (),
            "region": None,
            "actors": (),
            "kinds": (),
            "reports": (),
            "text": "",
            "dates": None,
        }[facet]
        if facet == "dates":
            return replace(self, date_from=None, date_to=None)
        changes: dict[str, Any] = {facet: empty}
        if facet == "region":
            changes["wider"] = False
        return replace(self, **changes)


def region_scope(region: str, gazetteer: Gazetteer, wider: bool = False) -> frozenset[str]:
    """The codes a region filter matches: the region and every place inside it, and with *wider*
    also every region containing it.

    >>> from dashboard.core.regions import load_gazetteer
    >>> sorted(region_scope("PK-KP", load_gazetteer(), wider=True))
    ['AFPAK', 'GLOBAL', 'PK', 'PK-KP', 'SOUTH-ASIA']
    """
    scope = {region} | set(gazetteer.descendants(region))
    if wider:
        scope |= gazetteer.ancestors(region)
    return frozenset(scope)


def search_terms(text: str) -> list[str]:
    """Folded search terms: words, or phrases in double quotes.

    >>> search_terms('Afghan "social media"')
    ['afghan', 'social media']
    """
    terms = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', fold(text)):
        term = (phrase or word).strip()
        if term:
            terms.append(term)
    return terms


def finding_period(period: str, report: Report | None, by_report: bool) -> Period | None:
    """The period a finding is dated by: its own (``period``), or its report's year."""
    if by_report:
        return Period.year(report.year) if report is not None and report.year else None
    return period_of_text(period)


def apply(
    findings: pd.DataFrame,
    filters: Filters,
    gazetteer: Gazetteer,
    reports: Mapping[str, Report] | None = None,
) -> pd.DataFrame:
    """The findings that pass every filter, in their original order, with every column kept.
    *reports* dates the findings by report (``filters.by_report``); without them none has one."""
    mask = pd.Series(True, index=findings.index)
    if filters.themes:
        wanted = frozenset(filters.themes)
        mask &= findings["themes"].map(lambda values: not wanted.isdisjoint(values))
    if filters.region:
        scope = region_scope(filters.region, gazetteer, filters.wider)
        mask &= findings["regions"].map(lambda values: not scope.isdisjoint(values))
    if filters.actors:
        wanted = frozenset(filters.actors)
        mask &= findings["actors"].map(lambda values: not wanted.isdisjoint(values))
    if filters.kinds:
        mask &= findings["kind"].isin(filters.kinds)
    if filters.reports:
        mask &= findings["report_id"].isin(filters.reports)
    terms = search_terms(filters.text)
    if terms:
        haystack = (
            findings["title"] + "\n" + findings["summary"] + "\n" + findings["excerpt"]
        ).map(fold)
        for term in terms:
            mask &= haystack.str.contains(term, regex=False)
    if not filters.dates.is_open:
        known = reports or {}
        periods = [
            finding_period(p, known.get(r), filters.by_report)
            for p, r in zip(findings["period"], findings["report_id"])
        ]
        mask &= pd.Series(
            [p is not None and filters.dates.includes(p) for p in periods],
            index=findings.index,
            dtype=bool,
        )
    return findings[mask.astype(bool)]


def count_values(findings: pd.DataFrame, column: str) -> Counter:
    """How many findings carry each value of a list column (or a plain column)."""
    counts: Counter = Counter()
    for values in findings[column]:
        if isinstance(values, tuple):
            counts.update(set(values))
        else:
            counts[values] += 1
    return counts


@dataclass(frozen=True)
class Facets:
    """Option counts for each facet, each counted with the *other* facets applied."""

    themes: Counter = field(default_factory=Counter)
    actors: Counter = field(default_factory=Counter)
    kinds: Counter = field(default_factory=Counter)
    reports: Counter = field(default_factory=Counter)


def facets(
    findings: pd.DataFrame,
    filters: Filters,
    gazetteer: Gazetteer,
    reports: Mapping[str, Report] | None = None,
) -> Facets:
    def without(facet: str) -> pd.DataFrame:
        return apply(findings, filters.without(facet), gazetteer, reports)

    return Facets(
        themes=count_values(without("themes"), "themes"),
        actors=count_values(without("actors"), "actors"),
        kinds=count_values(without("kinds"), "kind"),
        reports=count_values(without("reports"), "report_id"),
    )
