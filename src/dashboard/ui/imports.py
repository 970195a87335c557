"""The import page's Streamlit helpers: uploaders, the cached plan, the column-mapping and
defaults widgets, and the actions that store an import, a report, remove or restore one.

Text from a file (its name, sheet and column names, cell values) reaches Markdown only through
:func:`inert`."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from dashboard.core.access import group_list
from dashboard.core.corpus import Corpus
from dashboard.io import importer
from dashboard.io.columns import EXTRA, IGNORE
from dashboard.io.store import Store
from dashboard.io.store_records import ImportRecord, StoreError
from dashboard.ui import signin, state
from dashboard.ui.actions import store_action
from dashboard.views.inert import inert

#: Plans kept per session (a plan holds the file's rows: a few are enough).
PLANS_KEPT = 4
_PLANS = "imp_plans"


def uploader_key(name: str) -> str:
    """A file uploader's key; a new one after each import empties the uploader."""
    return f"{name}_{st.session_state.get(name + '_round', 0)}"


def reset_uploader(name: str) -> None:
    st.session_state[name + "_round"] = st.session_state.get(name + "_round", 0) + 1


def mapping_key(column: str) -> str:
    """The key of the widget that maps one of the file's columns (any text) to ours."""
    return f"map_{hashlib.sha1(column.encode('utf-8', 'surrogatepass')).hexdigest()[:10]}"


def column_map_from_widgets(columns: list[str]) -> dict[str, str]:
    """The analyst's own column mapping, from the mapping widgets of the import page."""
    return {
        column: st.session_state[mapping_key(column)]
        for column in columns
        if st.session_state.get(mapping_key(column)) is not None
    }


def target_label(target: str) -> str:
    if target == EXTRA:
        return "keep as extra attribute"
    if target == IGNORE:
        return "ignore (recorded)"
    return target


def file_digest(upload) -> str:
    """The SHA-256 of an upload's bytes, taken once per uploaded file."""
    cache = st.session_state.setdefault("imp_digests", {})
    key = getattr(upload, "file_id", None) or upload.name
    if key not in cache:
        cache.clear()
        cache[key] = importer.sha256(upload.getvalue())
    return cache[key]


def findings_plan(
    upload,
    corpus: Corpus,
    analysts: Store,
    *,
    sheet: str | None,
    defaults: dict[str, str | None],
    column_map: dict[str, str] | None,
) -> importer.FindingsPlan:
    """The plan for this upload, computed once per (file digest, sheet, defaults, mapping and
    the store's state) and kept in the session, so that a rerun costs a dictionary look-up."""
    plans: OrderedDict = st.session_state.setdefault(_PLANS, OrderedDict())
    base = (
        file_digest(upload),
        upload.name,
        sheet,
        tuple(sorted((k, v or "") for k, v in defaults.items())),
        analysts.fingerprint(),
        len(corpus.findings),
    )
    key = (*base, tuple(sorted((column_map or {}).items())))
    plan = plans.get(key)
    if plan is None:
        plan = importer.plan_findings(
            upload.getvalue(),
            upload.name,
            corpus,
            analysts,
            column_map=column_map or None,
            defaults=defaults,
            sheet=sheet,
        )
        plans[key] = plan
        # The same plan answers the widgets' full mapping, which the next run reads back.
        plans[(*base, tuple(sorted(plan.mapping.items())))] = plan
        while len(plans) > PLANS_KEPT * 2:
            plans.popitem(last=False)
    else:
        plans.move_to_end(key)
    return plan


def problem_table(plan: importer.FindingsPlan) -> pd.DataFrame:
    """The plan's problems with each cell's value: row, column, value, message, suggestion."""
    rows = [
        {
            "severity": p.severity,
            "row": p.row,
            "column": p.column or "",
            "value": plan.value_at(p.row, p.column) or "",
            "message": p.message,
            "suggestion": p.suggestion,
        }
        for p in plan.problems
    ]
    frame = pd.DataFrame(
        rows, columns=["severity", "row", "column", "value", "message", "suggestion"]
    )
    frame["row"] = frame["row"].astype("Int64")
    return frame


#: Problems said in full below the table (the table and its CSV hold every one).
PROBLEM_LINES = 20


def problem_lines(plan: importer.FindingsPlan, limit: int = PROBLEM_LINES) -> list[str]:
    """The first *limit* errors in words that wrap at any width: where, the value, why, the fix."""
    lines = []
    for p in [p for p in plan.problems if p.severity == "error"][:limit]:
        where = ", ".join(
            part for part in (f"row {p.row}" if p.row else "", p.column or "") if part
        )
        value = plan.value_at(p.row, p.column) or ""
        shown = f" “{value[:120]}{'…' if len(value) > 120 else ''}”" if value else ""
        lines.append(
            f"{where or p.file}:{shown} {p.message}"
            + (f". Fix: {p.suggestion}" if p.suggestion else "")
        )
    return lines


def diff_table(plan: importer.FindingsPlan) -> pd.DataFrame:
    diff = plan.diff
    if diff is None:
        return pd.DataFrame(columns=["id", "change", "fields"])
    rows = [{"id": i, "change": "added", "fields": ""} for i in diff.added]
    rows += [
        {"id": i, "change": "changed", "fields": ", ".join(diff.fields.get(i, ()))}
        for i in diff.changed
    ]
    rows += [{"id": i, "change": "removed", "fields": ""} for i in diff.removed]
    return pd.DataFrame(rows, columns=["id", "change", "fields"])


# Store actions go through ui.actions.store_action; messages are plain text (shown inert).


def marking_inputs(
    key: str,
    previous: ImportRecord | None = None,
    *,
    marking: str = "",
    groups: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """The protective marking and the groups allowed to read an import, as the analyst chooses
    them (a new version starts from its earlier version's; an edit of a coded finding from its
    own *marking* and *groups*). Only markings up to the analyst's own clearance are offered:
    an import above it would vanish from their own view."""
    policy, who = signin.policy(), signin.reader()
    offered = [m for m in policy.markings if policy.rank(m) <= policy.rank(who.clearance)]
    if previous is not None:
        marking, groups = previous.marking, previous.group_list
    start = marking if marking in offered else None
    left, right = st.columns(2)
    marking = left.selectbox(
        "Protective marking",
        offered,
        index=offered.index(start) if start else 0,
        key=f"{key}_marking",
        help="Who may read what this import brings: only staff cleared to this marking or above.",
    )
    groups_text = right.text_input(
        "Only these groups may read it (optional)",
        value=", ".join(groups),
        key=f"{key}_groups",
        max_chars=500,
        help="Group names from your organisation's sign-in, separated by commas. Empty: "
        "everyone cleared to the marking.",
    )
    groups = group_list(groups_text)
    if groups and who.signed_in and not set(groups) & who.groups:
        right.warning(
            "You are in none of these groups: once imported, you will not see it yourself."
        )
    return str(marking), groups


def readable_imports(records: list[ImportRecord]) -> list[ImportRecord]:
    """The imports this reader may see (and so export, replace or remove)."""
    policy, who = signin.policy(), signin.reader()
    return [r for r in records if policy.may_read(who, r.marking or policy.lowest, r.group_list)]


def commit_findings_import(
    plan: importer.FindingsPlan, only_valid: bool, marking: str = "", groups: tuple = ()
) -> None:
    replaced = f", replacing import #{plan.previous.id}" if plan.previous else ""
    by = signin.reader().label
    done, _ = store_action(
        lambda analysts: importer.commit_findings(
            plan, analysts, only_valid=only_valid, marking=marking, groups=groups, by=by
        ),
        message_key=state.IMPORT_MESSAGE,
        success=lambda record: (
            f"Imported {record.rows_imported} finding(s) from {record.file_name} "
            f"(import #{record.id}{replaced}). They are on every page now, marked "
            f"“{record.source}”."
        ),
        failure="Nothing was imported: {error}",
        expected=(StoreError, ValueError),
    )
    if done:
        st.session_state.pop(_PLANS, None)
        reset_uploader("imp_file")


def commit_report_import(report, file_name: str, marking: str = "", groups: tuple = ()) -> None:
    by = signin.reader().label
    done, _ = store_action(
        lambda analysts: analysts.import_report(
            report, file_name=file_name, marking=marking, groups=groups, by=by
        ),
        message_key=state.REPORT_MESSAGE,
        success=lambda record: (
            f"Imported the report “{report.title}” as {report.id} (import "
            f"#{record.id}). Findings can now quote it."
        ),
        failure="Nothing was imported: {error}",
    )
    if done:
        reset_uploader("rep_file")


def remove_import(import_id: int) -> None:
    store_action(
        lambda analysts: analysts.remove_import(import_id, by=signin.reader().label),
        message_key=state.IMPORTS_LIST_MESSAGE,
        success=lambda record: (
            f"Removed import #{record.id} ({record.file_name}) and all it brought."
        ),
    )


def restore_import(import_id: int) -> None:
    store_action(
        lambda analysts: analysts.restore_import(import_id, by=signin.reader().label),
        message_key=state.IMPORTS_LIST_MESSAGE,
        success=lambda record: (
            f"Import #{record.id} ({record.file_name}) is the current version again; the "
            "version it replaced is kept and can be restored."
        ),
    )


#: The day-order choice's options and their words.
DAY_ORDER_WORDS = {
    None: "not chosen",
    "day-first": "day first (03/04/2017 is 3 April)",
    "month-first": "month first (03/04/2017 is 4 March)",
}


def day_order_choice(plan: importer.FindingsPlan) -> None:
    """Ask, once per file, how its slashed dates read, when some read either way (the answer is
    remembered with the mapping for files with the same headers)."""
    order = plan.day_order
    if order is None or not (order.needs_choice or plan.defaults.get("dates")):
        return
    examples = ", ".join(order.ambiguous[:3])
    st.radio(
        "How the file's dates read",
        list(DAY_ORDER_WORDS),
        key="imp_dates",
        index=list(DAY_ORDER_WORDS).index(plan.defaults.get("dates")),
        format_func=lambda order: DAY_ORDER_WORDS[order],
        horizontal=True,
        help="Rows whose dates read either way are refused until this is chosen.",
    )
    if order.needs_choice and not plan.defaults.get("dates"):
        st.caption(
            f"{len(order.ambiguous)} date(s) read either way, such as {inert(examples)}: "
            "choose the order the file uses."
        )
