"""The import page's Streamlit helpers: uploaders, the column-mapping widgets, and the actions
that store an import, a report or remove one."""

from __future__ import annotations

import hashlib

import streamlit as st

from dashboard.io.store import StoreError
from dashboard.ui import store


def uploader_key(name: str) -> str:
    """A file uploader's key; a new one after each import empties the uploader."""
    return f"{name}_{st.session_state.get(name + '_round', 0)}"


def reset_uploader(name: str) -> None:
    st.session_state[name + "_round"] = st.session_state.get(name + "_round", 0) + 1


def mapping_key(column: str) -> str:
    """The key of the widget that maps one of the file's columns (any text) to ours."""
    return f"map_{hashlib.sha1(column.encode()).hexdigest()[:10]}"


def column_map_from_widgets(columns: list[str]) -> dict[str, str]:
    """The analyst's own column mapping, from the mapping widgets of the import page."""
    return {
        column: st.session_state[mapping_key(column)]
        for column in columns
        if st.session_state.get(mapping_key(column)) is not None
    }


def commit_findings_import(plan, only_valid: bool) -> None:
    from dashboard.io import importer

    analysts = store()
    if analysts is None:
        return
    try:
        record = importer.commit_findings(plan, analysts, only_valid=only_valid)
    except (StoreError, ValueError) as err:
        st.session_state["imp_message"] = ("error", f"Nothing was imported: {err}")
        return
    st.session_state["imp_message"] = (
        "success",
        f"Imported {record.rows_imported} finding(s) from {record.file_name} "
        f"(import #{record.id}). They are on every page now, marked “{record.source}”.",
    )
    reset_uploader("imp_file")


def commit_report_import(report, file_name: str) -> None:
    analysts = store()
    if analysts is None:
        return
    try:
        record = analysts.import_report(report, file_name=file_name)
    except StoreError as err:
        st.session_state["rep_message"] = ("error", f"Nothing was imported: {err}")
        return
    st.session_state["rep_message"] = (
        "success",
        f"Imported the report “{report.title}” as {report.id} (import #{record.id}). "
        "Findings can now quote it.",
    )
    reset_uploader("rep_file")


def remove_import(import_id: int) -> None:
    analysts = store()
    if analysts is None:
        return
    try:
        record = analysts.remove_import(import_id)
    except StoreError as err:
        st.session_state["list_message"] = ("error", str(err))
        return
    st.session_state["list_message"] = (
        "success",
        f"Removed import #{record.id} ({record.file_name}) and all it brought.",
    )
