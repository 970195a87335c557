"""The briefing page's Streamlit helpers: its fields' defaults, the briefing of the view, and the
PNG and PDF made once per briefing, each offered as soon as it is made."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import streamlit as st

from dashboard.exports import briefing, files, office, preview
from dashboard.exports.pdf import to_pdf
from dashboard.exports.png import to_png, warm_up
from dashboard.ui import audit, state
from dashboard.ui.data import map_data
from dashboard.ui.links import app_base_url
from dashboard.views.inert import inert
from dashboard.views.view import View


def _reports(view: View):
    in_view = sorted(view.index.report_counts(view.mask))
    return [view.corpus.reports[r] for r in in_view] or list(view.corpus.reports.values())


#: How the findings of a briefing are chosen (the page's radio), in words.
SCOPES = {
    "all": "All findings of the view",
    "chosen": "Only those I tick, in the order I number them",
}
#: Characters of each excerpt shown in the choice table (enough to tell findings apart).
PICK_EXCERPT = 140


def _pick_table(view: View, offered: pd.DataFrame, kept: dict) -> pd.DataFrame:
    gazetteer = view.corpus.gazetteer
    ids = list(offered["id"])
    return pd.DataFrame(
        {
            "include": [bool(kept.get(i, (False, None))[0]) for i in ids],
            "number": pd.array([kept.get(i, (False, None))[1] for i in ids], dtype="Int64"),
            "title": list(offered["title"]),
            "regions": [", ".join(gazetteer.name(r) for r in rs) for rs in offered["regions"]],
            "excerpt": [
                e if len(e) <= PICK_EXCERPT else e[: PICK_EXCERPT - 1].rstrip() + "…"
                for e in offered["excerpt"]
            ],
        }
    )


def _number(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def chosen_findings(view: View) -> tuple[pd.DataFrame, str]:
    """The findings the briefing carries, in its order, and the view in words with how they
    were chosen: all of the view, or those the analyst ticks in a table of the view's first
    :data:`~dashboard.exports.briefing.PRINTED_FINDINGS`, in the order they number them.

    The choice is kept by finding id, so a finding ticked in one view is still ticked when the
    filters change and it is in view again."""
    session = st.session_state
    scope = st.radio(
        "Findings in the briefing",
        list(SCOPES),
        format_func=SCOPES.__getitem__,
        key=state.BRIEFING_SCOPE,
        horizontal=True,
        help="Every finding of the view, in the view's order; or a choice of them: tick each "
        "one that goes in, and number them to set their order (unnumbered ones follow in the "
        "view's order).",
    )
    if scope != "chosen" or not view.count:
        return view.findings, view.describe()
    offered = view.rows(0, briefing.PRINTED_FINDINGS)
    ids = [str(i) for i in offered["id"]]
    digest = hashlib.sha256("\x1f".join(ids).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    kept: dict = session.setdefault(state.BRIEFING_CHOSEN, {})
    pick = session.get(state.BRIEFING_PICK)
    if not pick or pick[0] != digest:  # a new view: a new table, with the choices kept by id
        pick = session[state.BRIEFING_PICK] = (digest, _pick_table(view, offered, kept))
    edited = st.data_editor(
        pick[1],
        key=f"b_pick_{digest}",
        hide_index=True,
        width="stretch",
        disabled=["title", "regions", "excerpt"],
        column_config={
            "include": st.column_config.CheckboxColumn("In", help="Tick to include", width=70),
            "number": st.column_config.NumberColumn(
                "Order", help="Its place in the briefing: 1 first", min_value=1, step=1, width=90
            ),
            "title": st.column_config.TextColumn("Finding"),
            "regions": st.column_config.TextColumn("Regions"),
            "excerpt": st.column_config.TextColumn("Excerpt (start)"),
        },
    )
    rows = list(zip(ids, edited["include"], (_number(n) for n in edited["number"])))
    for finding, include, number in rows:
        if include or number is not None:
            kept[finding] = (bool(include), number)
        else:
            kept.pop(finding, None)
    if view.count > len(offered):
        st.caption(
            f"The first {len(offered):,} of the view's {view.count:,} findings can be chosen "
            "here: narrow the filters to choose among the others."
        )
    order = briefing.chosen_order(rows)
    position = {finding: n for n, finding in enumerate(ids)}
    frame = offered.iloc[[position[i] for i in order]]
    words = f"{view.describe()} · {len(order):,} of them chosen by the analyst"
    return frame, words


def briefing_defaults(view: View, findings: pd.DataFrame | None = None) -> None:
    """Seed the title, subtitle and key points from the view (the key points from the first
    of *findings*, the briefing's own, when given), and follow it while the analyst has not
    edited them."""
    defaults = {
        state.BRIEFING_TITLE: briefing.default_title(
            view.filters, view.corpus.taxonomy, view.corpus.gazetteer
        ),
        state.BRIEFING_SUBTITLE: briefing.default_subtitle(_reports(view)),
        state.BRIEFING_POINTS: "\n".join(
            (view.rows(0, office.KEY_POINTS) if findings is None else findings)["title"][
                : office.KEY_POINTS
            ]
        ),
    }
    session = st.session_state
    previous = session.get(state.BRIEFING_DEFAULTS, {})
    for key, value in defaults.items():
        if key not in session or session[key] == previous.get(key):
            session[key] = value
    session[state.BRIEFING_DEFAULTS] = defaults


def compose_briefing(
    view: View, findings: pd.DataFrame | None = None, words: str | None = None
) -> briefing.Briefing:
    """The briefing of the view with the page's title, subtitle, note and marking: of all its
    findings, or of *findings* (the analyst's choice, in order) described by *words*."""
    session = st.session_state
    base = app_base_url()
    return briefing.compose(
        findings=view.findings if findings is None else findings,
        reports=view.corpus.reports,
        taxonomy=view.corpus.taxonomy,
        gazetteer=view.corpus.gazetteer,
        filters_text=view.describe() if words is None else words,
        permalink_url=briefing.permalink(base, replace(view.filters, finding=None)) if base else "",
        exported=date.today(),
        title=session.get(state.BRIEFING_TITLE, ""),
        subtitle=session.get(state.BRIEFING_SUBTITLE, ""),
        note=session.get(state.BRIEFING_NOTE, ""),
        marking=session.get(state.BRIEFING_MARKING, ""),
        key_points=str(session.get(state.BRIEFING_POINTS, "")).splitlines(),
    )


def warm_exports() -> None:
    """Start the image renderer while the analyst reads the preview (once per process)."""
    warm_up()


@dataclass(frozen=True)
class ExportFormat:
    """One export of the briefing page: its key, download label, file suffix, MIME type and the
    words of its step while it is made."""

    key: str
    label: str
    suffix: str
    mime: str
    words: str


#: The exports in the order they are made. The PNG comes first: the PDF prints it.
FORMATS = (
    ExportFormat("png", "PNG (slide, 3200 x 1800)", "png", "image/png", "Drawing the slide image"),
    ExportFormat("pdf", "PDF (A4 landscape)", "pdf", "application/pdf", "Printing the A4 PDF"),
    ExportFormat(
        "pptx",
        "PowerPoint deck (.pptx)",
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "Writing the PowerPoint deck",
    ),
    ExportFormat(
        "docx",
        "Word briefing note (.docx)",
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Writing the Word briefing note",
    ),
)


def export_key(item: briefing.Briefing) -> str:
    """What the exports of *item* are kept under: a digest of everything they print, so an
    unchanged view reuses them and any change (a filter, the title, the marking) makes anew."""
    return hashlib.sha256(repr(item).encode("utf-8", "surrogatepass")).hexdigest()


def prepared_exports(item: briefing.Briefing) -> dict | None:
    """The exports made for exactly this briefing, if any (``{"png": bytes, "pdf": bytes}``,
    or ``{"error": message}``)."""
    exports = st.session_state.get(state.BRIEFING_EXPORTS)
    return exports if exports and exports.get("key") == export_key(item) else None


def make_exports(
    view: View,
    item: briefing.Briefing,
    on_step: Callable[[str], None] = lambda words: None,
    on_done: Callable[[str, bytes], None] = lambda key, data: None,
) -> dict:
    """Make each export of *item* in turn, calling *on_step* with the step's words before it
    and *on_done* with its key and bytes after, and keep them. An
    :class:`~dashboard.exports.briefing.ExportError` ends the run: what was made before it is
    kept, and the error beside it, in words."""
    made: dict = {"key": export_key(item)}
    st.session_state[state.BRIEFING_EXPORTS] = made
    try:
        for fmt in FORMATS:
            key = fmt.key
            on_step(fmt.words)
            if key == "png":
                data = to_png(item, map_data(), view.corpus.gazetteer, view.filters.region)
            else:
                # Looked up at the call: what makes each export from the briefing and the PNG.
                maker = {"pdf": to_pdf, "pptx": office.to_pptx, "docx": office.to_docx}[key]
                data = maker(item, made["png"])
            made[key] = data
            on_done(key, data)
    except briefing.ExportError as err:
        made["error"] = str(err)
    return made


def exports_section(view: View, item: briefing.Briefing, disabled: bool = False) -> None:
    """The "Prepare the briefing files" button and the downloads. Each download shows as soon as its
    file is made (the PNG in well under the PDF's time), with the steps in a status box; the
    files are kept for this exact briefing and offered again, unmade, until it changes (a click
    then only reruns; after a failure it tries again). *disabled*: the button is greyed out (no
    finding is chosen)."""
    clicked = st.button(
        "Prepare the briefing files",
        icon=":material/image:",
        type="primary",
        disabled=disabled,
        help="Renders the image, then the PDF (both with the local Chromium), then the "
        "PowerPoint deck and the Word note: a few seconds. Each download shows when it is made.",
    )
    made = prepared_exports(item)
    slots = {f.key: c.empty() for f, c in zip(FORMATS, st.columns(len(FORMATS)))}
    name = files.safe_filename(item.title, "")

    def offer(key: str, data: bytes) -> None:
        fmt = next(f for f in FORMATS if f.key == key)
        detail = audit.export_detail(
            key,
            "briefing",
            file_name=f"{name}.{fmt.suffix}",
            filters=view.filters,
            rows=item.total,
            extra={
                "title": item.title,
                "marking": item.marking,
                "shown": [f.id for f in item.findings],
            },
        )
        slots[key].download_button(
            fmt.label,
            # Logged when downloaded, not when made: making the files is not an export.
            audit.audited_bytes(data, detail),
            file_name=f"{name}.{fmt.suffix}",
            mime=fmt.mime,
            icon=":material/download:",
            on_click="ignore",
            key=f"download_{key}",
        )

    if clicked and (made is None or "error" in made):  # made once; a failed one again
        with st.status("Preparing the exports…", expanded=True) as status:

            def step(words: str) -> None:
                status.update(label=inert(words) + "…")
                status.write(inert(words) + "…")

            made = make_exports(view, item, step, offer)
            if "error" in made:
                status.update(label="The export stopped", state="error", expanded=True)
            else:
                status.update(label="Briefing files ready", state="complete", expanded=False)
    elif made:
        for fmt in FORMATS:
            if fmt.key in made:
                offer(fmt.key, made[fmt.key])
    if made and "error" in made:
        st.error(inert(made["error"]))


def files_preview(item: briefing.Briefing) -> None:
    """The deck's slides and the note's first page as made, drawn from the files themselves,
    once the exports of this exact briefing exist; until then, says how to get them."""
    made = prepared_exports(item) or {}
    if "pptx" not in made or "docx" not in made:
        st.caption(
            "The deck's slides and the Word note's first page show here once the briefing "
            "files are prepared (above)."
        )
        return
    deck, note = st.tabs(["PowerPoint slides", "Word note, first page"])
    with deck:
        count = preview.slide_count(made["pptx"])
        number = st.number_input(
            f"Slide (of {int(count)})",
            min_value=1,
            max_value=count,
            value=min(2, count),
            step=1,
            key="b_slide",
        )
        st.html(preview.slide_html(made["pptx"], int(number)))
        st.caption(
            "Drawn from the deck as made: its shapes where the file puts them. PowerPoint "
            "chooses the fonts and line breaks."
        )
    with note:
        _, page, _ = st.columns([1, 3, 1])
        page.html(preview.note_html(made["docx"]))
        page.caption(
            "The note's opening as made, on an A4 page; Word lays out the lines and pages."
        )
