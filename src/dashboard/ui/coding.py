"""Coding findings in the reader: the passage picker, the form for a new finding, and editing,
deleting and bringing back coded findings with their history.

The picker is a small component of our own (``passage_picker/``: one HTML, one CSS and one
JavaScript file, served by Streamlit from the package, nothing built or fetched). It shows a
part of the report text and reports the selected passage as offsets into it; a click on a
highlight reports the findings it belongs to. Everything it does can also be done with
ordinary widgets: a passage can be found by its words (:func:`find_box`), and a finding opened
from the reader's "Go to finding" picker.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from dashboard.core import coding, passages
from dashboard.core.reports import Report
from dashboard.io.store_authored import Version, authored_source
from dashboard.io.store_file import utc_now
from dashboard.ui import signin, state
from dashboard.ui.actions import store_action
from dashboard.ui.data import store
from dashboard.ui.reader import set_focus
from dashboard.views import report_text
from dashboard.views.inert import inert
from dashboard.views.view import View

#: What the ``source`` of every finding coded in the reader begins with.
CODED_SOURCE = authored_source("")
#: Set when a passage found by its words is taken to be coded (the box is emptied next run).
_FOUND = "coding_found"
#: Height of the picker's scrolling text box, in pixels.
TEXT_HEIGHT = 560


def who_codes() -> str:
    """Who a coded finding is recorded as made by: the signed-in user, else the local name."""
    reader = signin.reader()
    if reader.signed_in:
        return reader.label
    analysts = store()
    return analysts.local_name if analysts is not None else f"local:{reader.name}"


def picker(html: str, *, report_id: str, window: tuple[int, int], focus: str | None) -> None:
    """Draw the passage picker over *html* (a window of :func:`report_text.highlight_html` with
    ``runs=True``) and act on what it reports: a selection becomes the passage being coded, a
    click on a highlight opens its finding (or lists them, where findings overlap)."""
    # Declared in the script run: declared at import, before the server's runtime exists (the
    # warm start imports the app's modules), a component is not served.
    component = components.declare_component(
        "passage_picker", path=str(Path(__file__).with_name("passage_picker"))
    )
    event = component(
        html=html,
        css=report_text.READER_CSS.replace("<style>", "").replace("</style>", ""),
        focus=focus or "",
        window=f"{window[0]}-{window[1]}",
        height=TEXT_HEIGHT,
        key=state.PICKER,
        default=None,
    )
    if not isinstance(event, Mapping) or event.get("n") == st.session_state.get(state.HANDLED):
        return
    st.session_state[state.HANDLED] = event.get("n")
    if event.get("action") == "code":
        st.session_state[state.SELECTION] = {
            "report": report_id,
            "start": event.get("start"),
            "end": event.get("end"),
        }
        st.session_state.pop(state.OPEN_CHOICES, None)
    elif event.get("action") == "open":
        ids = [str(i) for i in event.get("ids") or () if isinstance(i, str)]
        if len(ids) == 1:
            set_focus(ids[0])
            st.rerun()
        elif ids:
            st.session_state[state.OPEN_CHOICES] = ids


def open_choices(findings: pd.DataFrame) -> None:
    """Where a click fell on overlapping findings: a button to open each of them."""
    ids = [i for i in st.session_state.get(state.OPEN_CHOICES, ()) if i in set(findings["id"])]
    if not ids:
        return
    titles = dict(zip(findings["id"], findings["title"]))
    with st.container(border=True, key="coding_open_choices"):
        st.markdown(inert(f"This passage belongs to {len(ids)} findings. Open one:"))
        for finding_id in ids:
            if st.button(inert(f"{titles[finding_id]} ({finding_id})"), key=f"open_{finding_id}"):
                st.session_state.pop(state.OPEN_CHOICES, None)
                set_focus(finding_id)
                st.rerun()


def find_box(report: Report, window: tuple[int, int]) -> None:
    """Find a passage by its words (the keyboard's and the screen reader's way to select): the
    report's own text where the words occur, with quotes, dashes and spaces as the report
    writes them."""
    if st.session_state.pop(_FOUND, False):
        st.session_state[state.FIND] = ""  # the words were coded: an empty box for the next
    words = st.text_input(
        "Or find the passage by its words",
        key=state.FIND,
        max_chars=coding.MAX_EXCERPT,
        help="Type or paste the words the finding quotes; the passage is taken from the "
        "report's text exactly, even where your copy has other quotes, dashes or spaces.",
    )
    if not words.strip():
        return
    found = coding.find_passages(report.text, words, limit=coding.FIND_LIMIT + 1)
    if not found:
        st.warning(
            inert(
                "These words do not occur in the report's text (nor once with other quotes, "
                "dashes or spaces). Type fewer words, or words the passage has only once."
            )
        )
        return
    capped = len(found) > coding.FIND_LIMIT
    found = found[: coding.FIND_LIMIT]
    labels = {
        f"{n}": f"at character {start + 1:,}"
        + (f", p. {report.page_at(start)}" if report.page_starts else "")
        + f": “{_snippet(report.text[start:end])}”"
        for n, (start, end) in enumerate(found)
    }
    choice = st.radio(
        inert(
            f"Found more than {coding.FIND_LIMIT} times; the first {coding.FIND_LIMIT}:"
            if capped
            else f"Found {len(found)} time{'s' if len(found) > 1 else ''}"
        ),
        list(labels),
        format_func=lambda n: inert(labels[n]),
        key=f"{state.FIND}_where",
    )
    if st.button("Code this passage", key=f"{state.FIND}_use"):
        start, end = found[int(choice)]
        st.session_state[state.SELECTION] = {"report": report.id, "start": start, "end": end}
        st.session_state[_FOUND] = True
        st.rerun()


def _snippet(text: str, limit: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def new_finding_form(view: View, report: Report, findings: pd.DataFrame) -> None:
    """The form for the passage being coded, if any: the excerpt as the report has it, and the
    analyst's fields, with the regions, themes and actors the passage names suggested."""
    selection = st.session_state.get(state.SELECTION)
    if not isinstance(selection, Mapping):
        return
    if selection.get("report", report.id) != report.id:  # selected in another report
        st.session_state.pop(state.SELECTION, None)
        return
    try:
        found = coding.passage(
            report,
            int(selection.get("start", -1)),
            int(selection.get("end", -1)),
            findings.to_dict("records"),
        )
    except (coding.SelectionError, TypeError, ValueError) as err:
        st.warning(inert(str(err)))
        st.session_state.pop(state.SELECTION, None)
        return
    corpus = view.corpus
    in_use = view.index.actor_counts()  # the actors of the findings this reader may read
    hints = passages.suggest(
        report.text,
        found.start,
        found.end,
        gazetteer=corpus.gazetteer,
        taxonomy=corpus.taxonomy,
        actors_in_use=in_use,
    )
    key = f"new_{report.id}_{found.start}_{found.end}"
    with st.container(border=True, key="coding_new_finding"):
        st.subheader("New finding")
        where = f" · p. {found.page}" if found.page else ""
        st.markdown(
            "**Excerpt** "
            + inert(
                f"({len(found.excerpt):,} characters, {found.start:,}–{found.end:,}{where}), "
                "exactly as the report has it:"
            )
        )
        st.html(report_text.excerpt_html(found.excerpt))
        for note in found.notes():
            st.caption(inert(note))
        fields = _fields(
            view,
            key,
            kind=None,
            title="",
            summary="",
            themes=[t for t in hints.themes if t in hints.in_passage],
            regions=[r for r in hints.regions if r in hints.in_passage],
            actors=[a for a in hints.actors if a in hints.in_passage],
            hints=hints,
        )
        save, cancel = st.columns([1, 1])
        if save.button("Save the finding", key=f"{key}_save", type="primary"):
            _save_new(view, found, fields)
        if cancel.button("Cancel", key=f"{key}_cancel"):
            st.session_state.pop(state.SELECTION, None)
            st.rerun()


def _fields(
    view: View,
    key: str,
    *,
    kind: str | None,
    title: str,
    summary: str,
    themes: list[str],
    regions: list[str],
    actors: list[str],
    hints: passages.Suggestions | None,
    marking: str | None = None,
    marking_groups: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The analyst's fields of a finding, as widgets; their values."""
    corpus = view.corpus
    taxonomy, gazetteer = corpus.taxonomy, corpus.gazetteer
    kinds = list(taxonomy.kind_keys)
    left, right = st.columns(2)
    chosen_kind = left.selectbox(
        "Kind of the finding",
        kinds,
        index=kinds.index(kind) if kind in kinds else 0,
        format_func=lambda k: taxonomy.kind(k).label,
        key=f"{key}_kind",
    )
    chosen_title = right.text_input(
        "Title", value=title, key=f"{key}_title", max_chars=300, placeholder="A short title"
    )
    chosen_summary = st.text_area(
        "Summary (optional)", value=summary, key=f"{key}_summary", max_chars=5000, height=80
    )
    chosen_themes = st.multiselect(
        "Themes of the finding",
        list(taxonomy.theme_keys),
        default=[t for t in themes if t in taxonomy.theme_keys],
        format_func=lambda t: taxonomy.theme(t).label,
        key=f"{key}_themes",
        help="Suggested from the taxonomy's keywords in the passage.",
    )
    codes = list(gazetteer.codes)
    chosen_regions = st.multiselect(
        "Regions the text names",
        codes,
        default=[r for r in regions if r in gazetteer],
        format_func=gazetteer.label_with_spellings,
        key=f"{key}_regions",
        help="Tag only the places the text itself names: a passage naming Pakistan is "
        "tagged Pakistan, not a province you believe it means.",
    )
    in_use = sorted(set(view.index.actor_counts()) | set(actors))
    chosen_actors = st.multiselect(
        "Actors of the finding",
        in_use,
        default=actors,
        key=f"{key}_actors",
        help="Actors already in use in the findings.",
    )
    more = st.text_input("Other actors (separated by ;)", key=f"{key}_more_actors", max_chars=1000)
    if hints is not None:
        _hint_lines(view, hints, chosen_themes, chosen_regions, chosen_actors)
    chosen_marking, groups = marking or "", list(marking_groups)
    if signin.sign_in_on():
        from dashboard.ui.imports import marking_inputs

        chosen_marking, groups = marking_inputs(key, marking=marking or "", groups=marking_groups)
    return {
        "kind": chosen_kind,
        "title": chosen_title,
        "summary": chosen_summary,
        "themes": chosen_themes,
        "regions": chosen_regions,
        "actors": [*chosen_actors, *[a.strip() for a in more.split(";") if a.strip()]],
        "marking": chosen_marking,
        "groups": groups,
    }


def _hint_lines(
    view: View,
    hints: passages.Suggestions,
    themes: list[str],
    regions: list[str],
    actors: list[str],
) -> None:
    """What the passage's paragraph also names, not chosen: for the analyst to weigh."""
    corpus = view.corpus
    lines = []
    more_regions = [corpus.gazetteer.name(r) for r in hints.regions if r not in regions]
    if more_regions:
        lines.append("Its paragraph also names: " + ", ".join(more_regions) + ".")
    more_themes = [corpus.taxonomy.theme(t).label for t in hints.themes if t not in themes]
    if more_themes:
        lines.append("Themes its words suggest: " + ", ".join(more_themes) + ".")
    more_actors = [a for a in hints.actors if a not in actors]
    if more_actors:
        lines.append("Actors in use named nearby: " + ", ".join(more_actors) + ".")
    for line in lines:
        st.caption(inert(line))


def _taken(view: View) -> set[str]:
    analysts = store()
    taken = set(view.corpus.findings["id"])
    if analysts is not None:
        taken |= set(analysts.ids())
    return taken


def _row(view: View, found: coding.Passage, finding_id: str, fields: Mapping[str, Any]) -> dict:
    return coding.draft(
        found,
        finding_id=finding_id,
        kind=fields["kind"],
        title=fields["title"],
        summary=fields["summary"],
        themes=fields["themes"],
        regions=fields["regions"],
        actors=fields["actors"],
        who=who_codes(),
        at=utc_now(),
    )


def _checked(row: Mapping[str, str], view: View, taken: set[str]) -> dict | None:
    result = coding.check(row, view.corpus, taken)
    if result.findings.empty:
        for problem in result.problems:
            field = f"{problem.column}: " if problem.column else ""
            hint = f" ({problem.suggestion})" if problem.suggestion else ""
            st.error(inert(f"{field}{problem.message}{hint}"))
        return None
    return result.findings.iloc[0].to_dict()


def _save_new(view: View, found: coding.Passage, fields: Mapping[str, Any]) -> None:
    taken = _taken(view)
    finding_id = coding.new_id(found.report_id, taken)
    finding = _checked(_row(view, found, finding_id, fields), view, taken)
    if finding is None:
        return
    done, _ = store_action(
        lambda s: s.add_authored(
            finding, by=who_codes(), marking=fields["marking"], groups=fields["groups"]
        ),
        message_key=state.CODED_MESSAGE,
        success=lambda v: f"Saved finding {v.finding_id}: “{fields['title']}”.",
    )
    if done:
        st.session_state.pop(state.SELECTION, None)
        set_focus(finding_id)
        st.rerun()


def coded_finding_tools(view: View, report: Report, finding: Mapping[str, Any]) -> None:
    """For a focused finding coded in the reader: edit it, delete it, see its history."""
    analysts = store()
    if analysts is None or not str(finding.get("source") or "").startswith(CODED_SOURCE):
        return
    history = analysts.finding_history(str(finding["id"]))
    if not history:
        return
    last = history[-1]
    finding_id = str(finding["id"])
    with st.expander(inert(f"Edit this coded finding ({len(history)} version(s) kept)")):
        key = f"edit_{finding_id}_{last.version}"
        fields = _fields(
            view,
            key,
            kind=str(finding["kind"]),
            title=str(finding["title"]),
            summary=str(finding["summary"] or ""),
            themes=list(finding["themes"]),
            regions=list(finding["regions"]),
            actors=list(finding["actors"]),
            hints=None,
            marking=last.marking,
            marking_groups=last.groups,
        )
        if st.button("Save the changes", key=f"{key}_save", type="primary"):
            _save_edit(view, report, finding, fields, last.version)
    left, right = st.columns(2)
    if left.button("Delete this finding", key=f"delete_{finding_id}"):
        done, _ = store_action(
            lambda s: s.delete_authored(finding_id, by=who_codes()),
            message_key=state.CODED_MESSAGE,
            success=lambda v: f"Deleted finding {finding_id}; it is kept and can be brought back.",
        )
        if done:
            st.session_state[state.UNDO] = finding_id
            set_focus(None)
            st.rerun()
    with right.popover(inert(f"History of {finding_id}")):
        st.dataframe(history_table(readable(history)), hide_index=True)


def _save_edit(
    view: View,
    report: Report,
    finding: Mapping[str, Any],
    fields: Mapping[str, Any],
    version: int,
) -> None:
    found = coding.passage(report, int(finding["start"]), int(finding["end"]))
    finding_id = str(finding["id"])
    row = _row(view, found, finding_id, fields)
    extra = dict(finding.get("extra") or ())
    row[coding.CODED_BY] = extra.get(coding.CODED_BY, row[coding.CODED_BY])
    row[coding.CODED_AT] = extra.get(coding.CODED_AT, row[coding.CODED_AT])
    checked = _checked(row, view, _taken(view) - {finding_id})
    if checked is None:
        return
    marking = fields["marking"] if signin.sign_in_on() else None
    done, _ = store_action(
        lambda s: s.edit_authored(
            checked,
            by=who_codes(),
            marking=marking,
            groups=fields["groups"] if marking is not None else None,
            expected=version,
        ),
        message_key=state.CODED_MESSAGE,
        success=lambda v: (
            f"Saved version {v.version} of finding {finding_id}; the earlier versions are kept."
        ),
    )
    if done:
        st.rerun()


def readable(history: list[Version]) -> list[Version | None]:
    """*history* with each version this reader may not read (its marking or groups) as None."""
    policy, who = signin.policy(), signin.reader()
    return [
        v if policy.may_read(who, v.marking or policy.lowest, v.groups) else None for v in history
    ]


def history_table(history: list[Version | None]) -> pd.DataFrame:
    """A coded finding's versions, the first first; ``None`` stands for a version above the
    reader's clearance, shown as such with nothing of it."""
    return pd.DataFrame(
        [
            {"version": n, "what": "(a version you are not cleared to read)"}
            if v is None
            else {
                "version": v.version,
                "when (UTC)": v.at.replace("T", " ").replace("+00:00", ""),
                "who": v.who,
                "what": v.action,
                "marking": v.marking,
                "title": v.finding.get("title", ""),
                "themes": "; ".join(v.finding.get("themes", ())),
                "regions": "; ".join(v.finding.get("regions", ())),
                "actors": "; ".join(v.finding.get("actors", ())),
                "summary": v.finding.get("summary", ""),
            }
            for n, v in enumerate(history, 1)
        ]
    )


def undo_and_deleted(view: View, report: Report) -> None:
    """The undo of the last delete, and the deleted coded findings of *report* this reader may
    read, each with a button to bring it back."""
    analysts = store()
    if analysts is None:
        return
    policy, who = signin.policy(), signin.reader()
    deleted = [
        v
        for v in analysts.authored()
        if v.deleted
        and v.finding.get("report_id") == report.id
        and policy.may_read(who, v.marking or policy.lowest, v.groups)
    ]
    undo = st.session_state.get(state.UNDO)
    if (
        undo
        and any(v.finding_id == undo for v in deleted)
        and st.button(inert(f"Undo: bring back {undo}"), key="coding_undo_button", type="primary")
    ):
        _restore(view, undo)
    if not deleted:
        return
    with st.expander(inert(f"Deleted coded findings of this report ({len(deleted)})")):
        for v in deleted:
            left, right = st.columns([3, 1])
            left.markdown(
                inert(f"{v.finding.get('title', '')} ({v.finding_id}), deleted by {v.who}")
            )
            if right.button("Bring back", key=f"restore_{v.finding_id}"):
                _restore(view, v.finding_id)


def _restore(view: View, finding_id: str) -> None:
    """Bring a deleted coded finding back, once it passes the importer's checks again (its
    report may have gone, or its regions and themes changed, since it was deleted)."""
    analysts = store()
    if analysts is None:
        return
    last = analysts.finding_history(finding_id)[-1].finding
    row = {
        **{c: str(last.get(c) or "") for c in ("id", "report_id", "kind", "title", "summary")},
        "excerpt": str(last["excerpt"]),
        "start": str(last["start"]),
        "end": str(last["end"]),
        **{c: ";".join(last.get(c) or ()) for c in ("themes", "regions", "actors")},
        "page": "" if last.get("page") is None else str(last["page"]),
    }
    result = coding.check(row, view.corpus, _taken(view) - {finding_id})
    if result.findings.empty:
        state.set_message(
            state.CODED_MESSAGE,
            "error",
            f"Finding {finding_id} cannot be brought back as it was: "
            + "; ".join(str(p) for p in result.problems)
            + ". It stays in its history.",
        )
        st.rerun()
    done, _ = store_action(
        lambda s: s.restore_authored(finding_id, by=who_codes()),
        message_key=state.CODED_MESSAGE,
        success=lambda v: f"Brought back finding {finding_id}.",
    )
    if done:
        st.session_state.pop(state.UNDO, None)
        set_focus(finding_id)
        st.rerun()
