"""HTML for findings: every piece of report or user text is escaped before it reaches the page."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

import pandas as pd

from dashboard.core.periods import when_words
from dashboard.core.regions import Gazetteer
from dashboard.core.reports import Report
from dashboard.core.taxonomy import Taxonomy
from dashboard.views.inert import inert_html

#: Characters of report text shown either side of an excerpt, as context.
DISPLAY_CONTEXT = 160

CSS = """
<style>
/* Colours work on Streamlit's light and dark themes alike: secondary text is the theme's own
   text colour, faded (never a fixed grey that vanishes on the other theme), and boxes are
   translucent. Faded by opacity, text keeps >= 4.5:1 on both backgrounds (tests/test_palette). */
[data-testid="stCaptionContainer"] {color: inherit !important; opacity: .78;}
/* The keyboard's focus is always drawn, on every control, the same on both themes (WCAG 2.4.7):
   Streamlit draws some (selects, links) too faintly or not at all. */
:is(a, button, input, textarea, select, summary, [role="combobox"], [role="button"],
  [tabindex]):focus-visible {outline: 3px solid #1a73e8 !important; outline-offset: 2px !important;}
/* A button's label wraps rather than being cut off with an ellipsis (region names are long). */
[data-testid="stButton"] .stMarkdownEllipsis, [data-testid="stButton"] .stMarkdownEllipsis p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}
.fc {font-size: 0.95rem; line-height: 1.45;}
.fc h4 {margin: 0 0 .25rem 0; font-size: 1.05rem;}
.fc .meta {opacity: .78; font-size: .85rem; margin-bottom: .35rem;}
.fc .chip {display: inline-block; padding: 0 .45rem; margin: 0 .25rem .2rem 0; border-radius: .6rem;
  font-size: .8rem; border: 1px solid rgba(0,0,0,.25);}
.fc .derived {font-size: .8rem; opacity: .78; font-style: italic;}
.fc dl.extra {display: grid; grid-template-columns: max-content 1fr; gap: 0 .6rem;
  font-size: .85rem; margin: .3rem 0;}
.fc dl.extra dt {opacity: .78;} .fc dl.extra dd {margin: 0;}
.fc .region {display: inline-block; padding: 0 .45rem; margin: 0 .25rem .2rem 0;
  border-radius: .2rem;
  font-size: .8rem; background: #f0f2f6; color: #222;}
.fc blockquote {margin: .4rem 0; padding: .3rem .7rem; border-left: 4px solid #888;
  background: rgba(127,127,127,.10); white-space: pre-wrap;}
.fc .ctx {opacity: .78;}
.fc .ctx-label {font-size: .7rem; text-transform: uppercase; letter-spacing: .05em; opacity: .78;}
.fc mark {background: #fff3b0; color: #000; padding: 0 .1rem;}
.fc .cite {opacity: .78; font-size: .8rem;}
</style>
"""


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on *background* (``#RRGGBB``)."""
    r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.45 else "#FFFFFF"


def context_window(
    text: str, start: int, end: int, chars: int = DISPLAY_CONTEXT
) -> tuple[str, str]:
    """The report text before and after ``text[start:end]``, cut at word boundaries.

    >>> context_window("one two three four five", 8, 13, chars=6)
    ('two ', ' four')
    """
    before = text[max(0, start - chars) : start]
    after = text[end : end + chars]
    if start - chars > 0 and " " in before:
        before = before[before.index(" ") + 1 :]
    if end + chars < len(text) and " " in after:
        after = after[: after.rindex(" ")]
    return before, after


def page_of(finding: Mapping | pd.Series, report: Report | None = None) -> int | None:
    """The finding's page in the full report: its own, else (given its *report*, when that
    keeps page boundaries) the page its excerpt begins on; ``None`` when unknown."""
    page = finding.get("page")
    if page is not None and not pd.isna(page):
        return int(page)
    if report is not None and report.page_starts and finding.get("start") is not None:
        return report.page_at(int(finding["start"]))
    return None


def citation_text(finding: Mapping, report: Report) -> str:
    """A citation of one finding, to paste into a briefing or an email."""
    cited = report.citation(page_of(finding, report))
    return f"{cited} Finding {finding['id']}: “{finding['excerpt']}”"


def when_of(finding: Mapping) -> str:
    """When the finding holds, in words (``Q2 2017``, ``2017 (the report's date)``, ``undated``)."""
    return when_words(
        str(finding.get("period") or ""), "period" in tuple(finding.get("derived") or ())
    )


def theme_chips(themes, taxonomy: Taxonomy) -> str:
    chips = []
    for key in themes:
        theme = taxonomy.theme(key)
        chips.append(
            f'<span class="chip" title="{escape(theme.definition)}" '
            f'style="background:{theme.colour};color:{text_colour(theme.colour or "#888888")}">'
            f"{escape(theme.label)}</span>"
        )
    return "".join(chips)


def region_tags(regions, gazetteer: Gazetteer) -> str:
    if not regions:
        return '<span class="region">no place named</span>'
    return "".join(
        f'<span class="region" title="{escape(code)}">{escape(gazetteer.name(code))}</span>'
        for code in regions
    )


def finding_card(
    finding: Mapping,
    report: Report,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    report_link: str | None = None,
) -> str:
    """One finding as an HTML card: title, kind, themes, regions, summary, excerpt in context,
    and its citation. *report_link*, when given, is an ``href`` to the finding in the reader."""
    kind = taxonomy.kind(finding["kind"]).label
    before, after = context_window(report.text, finding["start"], finding["end"])
    lead = "…" if finding["start"] - len(before) > 0 else ""
    tail = "…" if finding["end"] + len(after) < len(report.text) else ""
    page = page_of(finding, report)
    parts = [
        f'<div class="fc" id="card-{escape(finding["id"])}">',
        f"<h4>{escape(finding['title'])}</h4>",
        f'<div class="meta">{escape(kind)} · {escape(when_of(finding))} · '
        f"<code>{escape(finding['id'])}</code> · {escape(finding['source'])}</div>",
        f"<div>{theme_chips(finding['themes'], taxonomy)}"
        f"{region_tags(finding['regions'], gazetteer)}</div>",
    ]
    if finding.get("summary"):
        parts.append(f"<p>{escape(finding['summary'])}</p>")
    derived = set(finding.get("derived") or ()) - {"period"}  # said beside the date
    if derived:
        what = {
            "title": "title from the excerpt's opening words",
            "kind": "kind",
            "report_id": "report",
        }
        parts.append(
            '<div class="derived">Not in the file, given on import: '
            + escape(", ".join(what.get(d, d) for d in sorted(derived)))
            + "</div>"
        )
    extra = list(finding.get("extra") or ())
    if extra:
        parts.append(
            '<dl class="extra">'
            + "".join(f"<dt>{inert_html(n)}</dt><dd>{inert_html(v)}</dd>" for n, v in extra)
            + "</dl>"
        )
    parts += [
        '<span class="ctx-label">Report text (context in grey)</span>',
        f'<blockquote><span class="ctx">{lead}{escape(before)}</span>'
        f"<mark>{escape(finding['excerpt'])}</mark>"
        f'<span class="ctx">{escape(after)}{tail}</span></blockquote>',
        f'<div class="cite">{escape(report.citation(page))}</div>',
    ]
    if report_link:
        parts.append(
            f'<div><a href="{escape(report_link)}" target="_self">Open in report</a></div>'
        )
    parts.append("</div>")
    return "".join(parts)
