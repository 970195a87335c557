"""Import: bring your own findings and report texts; see every problem before anything is stored."""

import streamlit as st

from dashboard import ui
from dashboard.core.problems import errors, problems_frame
from dashboard.exports.files import safe_filename
from dashboard.io import importer, report_plans
from dashboard.io.formats import MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_MB
from dashboard.ui import audit, signin, state
from dashboard.ui import imports as import_ui
from dashboard.views.inert import inert

view = ui.frame("imports")
analysts = ui.store()
corpus = view.corpus

st.title("Import findings and reports")
if analysts is not None and analysts.path is None:
    st.caption(
        "Imports are kept in the team's shared store, "
        + inert(analysts.where)
        + ", and each is shown only to those its marking allows. The bundled report and "
        "findings are never changed."
    )
else:
    st.caption(
        "Your imports are kept on this computer in "
        + inert(analysts.path if analysts else "—")
        + " (set DASHBOARD_STORE to use another file). The bundled report and findings are "
        "never changed."
    )
if analysts is None:
    st.stop()

st.header("Findings")
st.markdown(
    f"CSV (comma, semicolon, tab or pipe), JSON, Excel (.xlsx) or LibreOffice (.ods); up to "
    f"{MAX_ROWS:,} rows, {MAX_COLUMNS} columns and {MAX_UPLOAD_MB} MB. Headers in your own "
    "words are matched to the fields (Quote, Province, Theme(s), ...); every other column is "
    "kept with each finding unless you ignore it. Lists may be separated by `;`, `|`, commas "
    "or line breaks. Every excerpt must be the report's own words, exactly."
)
ui.show_message(state.IMPORT_MESSAGE)
upload = st.file_uploader(
    "Findings file",
    type=["csv", "tsv", "txt", "json", "xlsx", "xlsm", "ods"],
    key=import_ui.uploader_key("imp_file"),
)
if upload is not None:
    kinds = corpus.taxonomy.kind_keys
    left, middle, right = st.columns(3)
    default_kind = left.selectbox(
        "Kind of every finding without one",
        [None, *kinds],
        key="imp_kind",
        format_func=lambda k: "— from the file —" if k is None else corpus.taxonomy.kind(k).label,
    )
    default_report = middle.selectbox(
        "Report the findings quote (when a row does not say)",
        [None, *list(corpus.reports)],
        key="imp_report",
        format_func=lambda r: "— automatic —" if r is None else corpus.reports[r].title,
    )
    derive = right.checkbox(
        "Take missing titles from the excerpt's opening words (marked as derived)",
        value=True,
        key="imp_derive",
    )
    defaults = {
        "kind": default_kind,
        "report_id": default_report,
        "title": importer.DERIVE if derive else "",
        "dates": st.session_state.get("imp_dates"),
    }
    sheet = st.session_state.get("imp_sheet")
    first = import_ui.findings_plan(
        upload, corpus, analysts, sheet=sheet, defaults=defaults, column_map=None
    )
    chosen = import_ui.column_map_from_widgets(first.columns)
    plan = (
        import_ui.findings_plan(
            upload, corpus, analysts, sheet=sheet, defaults=defaults, column_map=chosen
        )
        if chosen and chosen != first.mapping
        else first
    )
    if plan.read_as is not None:
        st.text(f"Read as: {plan.read_as.describe()}")
    import_ui.day_order_choice(plan)
    if len(plan.sheets) > 1:
        st.selectbox(
            "Sheet",
            plan.sheets,
            key="imp_sheet",
            index=plan.sheets.index(plan.sheet) if plan.sheet in plan.sheets else 0,
            help="The first sheet that looks like a table of findings is read.",
        )
        st.text("\n".join(f"{n}: {plan.sheet_notes.get(n, '')}" for n in plan.sheets))
    if plan.columns:
        with st.expander(
            f"Columns: {len(plan.columns)} ({len(plan.extra_columns)} kept as extra, "
            f"{len(plan.ignored_columns)} ignored)",
            expanded=True,
        ):
            if plan.remembered:
                st.caption("The mapping confirmed for a file with these headers was used.")
            st.caption(
                "Each column goes to a field, is kept with each finding as an extra attribute, "
                "or is ignored (the import records it). The first values are shown under each."
            )
            choices = importer.column_choices()
            grid = st.columns(4)
            for number, column in enumerate(plan.columns):
                cell = grid[number % 4]
                target = plan.mapping.get(column, importer.EXTRA)
                cell.selectbox(
                    inert(column),
                    choices,
                    key=import_ui.mapping_key(column),
                    index=choices.index(target) if target in choices else 0,
                    format_func=import_ui.target_label,
                )
                preview = " · ".join(plan.previews.get(column, [])) or "(empty)"
                cell.caption(inert(preview))
    st.markdown(
        f"**{plan.rows_total} row(s) read: {plan.rows_valid} can be imported, "
        f"{plan.rows_rejected} cannot.**"
    )
    if plan.problems:
        n_errors = len(errors(plan.problems))
        st.warning(
            f"{n_errors} problem(s) and {len(plan.problems) - n_errors} note(s). Each "
            "says where and what to do. Rows with problems are not imported."
        )
        st.dataframe(
            import_ui.problem_table(plan),
            hide_index=True,
            width="stretch",
            # Sized to fit the page at 1280 px wide; the lines below say each in full.
            column_config={
                "severity": st.column_config.TextColumn(width="small"),
                "row": st.column_config.NumberColumn(width="small"),
                "column": st.column_config.TextColumn(width="small"),
                "value": st.column_config.TextColumn(width="small"),
                "message": st.column_config.TextColumn(width="medium"),
                "suggestion": st.column_config.TextColumn(width="medium"),
            },
        )
        for line in import_ui.problem_lines(plan):
            st.markdown("- " + inert(line))
        st.download_button(
            "Download the problems (CSV, for Excel)",
            audit.audited_bytes(
                importer.problems_csv(plan),
                audit.export_detail(
                    "csv",
                    "imports",
                    file_name="import-problems.csv",
                    extra={"problems of": plan.file_name, "problems": len(plan.problems)},
                ),
            ),
            file_name="import-problems.csv",
            mime="text/csv",
            key="imp_problems_csv",
        )
    else:
        st.success("No problems found.")
    if plan.previous is not None and plan.diff is not None:
        st.info(
            f"A new version of import #{plan.previous.id} "
            f"({inert(plan.previous.file_name)}): "
            f"{inert(plan.diff.describe())}. Importing "
            "replaces it in one step; the earlier version is kept and can be restored."
        )
        st.dataframe(import_ui.diff_table(plan), hide_index=True, width="stretch")
    if plan.rows_valid:
        with st.expander(f"Preview the {plan.rows_valid} row(s) that can be imported"):
            st.dataframe(
                plan.result.findings[
                    ["id", "kind", "title", "excerpt", "themes", "regions", "actors", "derived"]
                ].head(1000),
                hide_index=True,
            )
    marking, groups = import_ui.marking_inputs("imp", plan.previous)
    all_col, valid_col, none_col = st.columns(3)
    all_col.button(
        "Import all rows",
        type="primary",
        disabled=not plan.can_import_all,
        on_click=import_ui.commit_findings_import,
        args=(plan, False, marking, tuple(groups)),
        key="imp_all",
    )
    valid_col.button(
        f"Import only the {plan.rows_valid} valid row(s)",
        disabled=not plan.can_import_valid or plan.can_import_all,
        on_click=import_ui.commit_findings_import,
        args=(plan, True, marking, tuple(groups)),
        key="imp_valid",
    )
    none_col.button(
        "Import nothing", on_click=import_ui.reset_uploader, args=("imp_file",), key="imp_none"
    )

st.header("A report text")
st.markdown(
    "A .txt file (UTF-8, UTF-16 or Windows-1252) or a PDF with a text layer. Findings "
    "can quote it once it is imported."
)
ui.show_message(state.REPORT_MESSAGE)
report_upload = st.file_uploader(
    "Report text", type=["txt", "pdf"], key=import_ui.uploader_key("rep_file")
)
if report_upload is not None:
    with st.form("report_meta"):
        left, right = st.columns(2)
        meta = {
            "id": left.text_input("Id (short, for links)", max_chars=64),
            "title": left.text_input("Title", max_chars=300),
            "author": left.text_input("Author(s)", max_chars=300),
            "publisher": right.text_input("Publisher", max_chars=200),
            "year": right.text_input("Year", max_chars=4),
            "text_kind": right.selectbox("What the text is", report_plans.TEXT_KINDS),
            "text_note": st.text_area("Note on the text (optional)", max_chars=1000),
        }
        submitted = st.form_submit_button("Check the report")
    if submitted:
        st.session_state["rep_meta"] = meta
    if "rep_meta" in st.session_state:
        report, problems = report_plans.plan_report(
            report_upload.getvalue(),
            report_upload.name,
            st.session_state["rep_meta"],
            corpus,
            analysts,
        )
        if problems:
            st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
        if report is not None:
            st.success(f"“{inert(report.title)}”: {len(report.text):,} characters of text.")
            with st.expander("The text as it will be stored (excerpts must match it exactly)"):
                st.text(report.text[:5000] + ("…" if len(report.text) > 5000 else ""))
            rep_marking, rep_groups = import_ui.marking_inputs("rep")
            st.button(
                "Import this report",
                type="primary",
                key="rep_import",
                on_click=import_ui.commit_report_import,
                args=(report, report_upload.name, rep_marking, tuple(rep_groups)),
            )

st.header("Your imports")
ui.show_message(state.IMPORTS_LIST_MESSAGE)
records = import_ui.readable_imports(analysts.imports())
if not records:
    st.caption("Nothing imported yet.")
for record in records:
    with st.container(border=True):
        state = "" if record.current else f" · earlier version, replaced by #{record.superseded_by}"
        access = record.marking or signin.policy().lowest
        if record.group_list:
            access += " · only " + ", ".join(record.group_list)
        st.markdown(
            f"**#{record.id} · {inert(record.file_name)}** · "
            + inert(
                f"{record.kind} · {access} · imported {record.imported_at} · "
                f"{record.rows_imported} imported, {record.rows_rejected} rejected of "
                f"{record.rows_total}{state}"
            )
        )
        settings = record.settings_dict()
        kept, ignored = settings.get("extra_columns") or [], settings.get("ignored_columns") or []
        if kept or ignored or settings.get("defaults"):
            st.text(
                f"Kept as extra: {', '.join(map(str, kept)) or '—'}; ignored: "
                f"{', '.join(map(str, ignored)) or '—'}; defaults: "
                + (
                    ", ".join(f"{k}={v}" for k, v in sorted(settings.get("defaults", {}).items()))
                    or "—"
                )
            )
        st.caption(f"SHA-256 {record.sha256}")
        export_col, remove_col = st.columns(2)
        if record.kind == "findings":
            raw = export_col.checkbox(
                "Cells exactly as stored (no formula guard)",
                key=f"exp_raw_{record.id}",
                help="For tools that are not spreadsheets. The default file marks every cell a "
                "spreadsheet would run as a formula with a leading ', which this app reads back "
                "as the original text.",
            )
            if raw:
                export_col.warning(
                    "This file writes cells beginning with =, +, - or @ as they are: a "
                    "spreadsheet that opens it may run them as formulas."
                )
            export_name = safe_filename(
                f"import {record.id} {record.file_name}" + (" raw" if raw else ""), ".csv"
            )
            export_col.download_button(
                "Export its findings (CSV, cells as stored)"
                if raw
                else "Export its findings (CSV)",
                audit.audited(
                    lambda record_id=record.id, raw=raw: analysts.export_import(record_id, raw=raw),
                    audit.export_detail(
                        "csv",
                        "imports",
                        file_name=export_name,
                        rows=record.rows_imported,
                        extra={
                            "import": record.id,
                            "of": record.file_name,
                            "marking": record.marking,
                            "cells": "as stored" if raw else "formula-guarded",
                        },
                    ),
                ),
                file_name=export_name,
                mime="text/csv",
                key=f"exp_{record.id}",
                on_click="ignore",  # made on request; a rerun beside it could lose it
            )
        if record.authored:
            remove_col.caption(
                "Findings coded in the reader are deleted one at a time there, where each "
                "delete can be undone and every version is kept."
            )
        elif record.current:
            with remove_col.popover("Remove this import…"):
                st.markdown(
                    f"Remove import #{record.id} and the {record.rows_imported} finding(s) "
                    "or the report it brought? This cannot be undone; export it first to "
                    "keep a copy."
                )
                st.button(
                    "Remove",
                    key=f"rm_{record.id}",
                    type="primary",
                    on_click=import_ui.remove_import,
                    args=(record.id,),
                )
        else:
            remove_col.button(
                "Restore this version",
                key=f"restore_{record.id}",
                on_click=import_ui.restore_import,
                args=(record.id,),
            )
