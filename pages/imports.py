"""Import: bring your own findings and report texts; see every problem before anything is stored."""

import streamlit as st

from dashboard import ui
from dashboard.core.problems import errors, problems_frame
from dashboard.io import importer
from dashboard.io.formats import MAX_ROWS, MAX_UPLOAD_MB
from dashboard.ui import imports as import_ui

view = ui.frame("Import")
analysts = ui.store()
corpus = view.corpus

st.title("Import findings and reports")
st.caption(
    f"Your imports are kept on this computer in {analysts.path if analysts else '—'} "
    "(set DASHBOARD_STORE to use another file). The bundled report and findings are "
    "never changed."
)
if analysts is None:
    st.stop()

st.header("Findings")
st.markdown(
    f"CSV, TSV, JSON or Excel (.xlsx); up to {MAX_ROWS:,} rows and {MAX_UPLOAD_MB} MB. "
    "Required columns: id, kind, title, excerpt, themes, and report_id unless you choose "
    "the report below. Lists (themes, regions, actors) are separated by `;`. Every "
    "excerpt must be the report's own words, exactly."
)
ui.show_message("imp_message")
upload = st.file_uploader(
    "Findings file",
    type=["csv", "tsv", "txt", "json", "xlsx"],
    key=import_ui.uploader_key("imp_file"),
)
if upload is not None:
    data = upload.getvalue()
    options = st.columns(2)
    default_report = options[0].selectbox(
        "Report the findings quote (when the file has no report_id column)",
        [None, *list(corpus.reports)],
        key="imp_report",
        format_func=lambda r: "— from the file —" if r is None else corpus.reports[r].title,
    )
    first = importer.plan_findings(
        data, upload.name, corpus, analysts, default_report=default_report
    )
    sheet = None
    if len(first.sheets) > 1:
        sheet = options[1].selectbox(
            "Sheet",
            first.sheets,
            key="imp_sheet",
            index=first.sheets.index(first.sheet) if first.sheet else 0,
        )
    plan = importer.plan_findings(
        data,
        upload.name,
        corpus,
        analysts,
        default_report=default_report,
        sheet=sheet,
        column_map=import_ui.column_map_from_widgets(first.columns),
    )
    if plan.columns:
        with st.expander("Columns", expanded=bool(plan.unmatched)):
            st.caption(
                "How the file's columns were understood. Map a column by hand if it was "
                "not recognised."
            )
            for column in plan.columns:
                matched = plan.mapping.get(column)
                choices = importer.column_choices()
                st.selectbox(
                    f"“{column}”",
                    choices,
                    key=import_ui.mapping_key(column),
                    index=choices.index(matched) if matched in choices else 0,
                    format_func=lambda c: "(leave out)" if c == "" else c,
                )
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
            problems_frame(plan.problems),
            hide_index=True,
            width="stretch",
            column_config={
                "suggestion": st.column_config.TextColumn(width="large"),
                "message": st.column_config.TextColumn(width="large"),
            },
        )
    else:
        st.success("No problems found.")
    if plan.rows_valid:
        with st.expander(f"Preview the {plan.rows_valid} row(s) that can be imported"):
            st.dataframe(
                plan.result.findings[
                    ["id", "report_id", "kind", "title", "excerpt", "themes", "regions"]
                ],
                hide_index=True,
            )
    all_col, valid_col, none_col = st.columns(3)
    all_col.button(
        "Import all rows",
        type="primary",
        disabled=not plan.can_import_all,
        on_click=import_ui.commit_findings_import,
        args=(plan, False),
        key="imp_all",
    )
    valid_col.button(
        f"Import only the {plan.rows_valid} valid row(s)",
        disabled=not plan.can_import_valid or plan.can_import_all,
        on_click=import_ui.commit_findings_import,
        args=(plan, True),
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
ui.show_message("rep_message")
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
            "text_kind": right.selectbox("What the text is", importer.TEXT_KINDS),
            "text_note": st.text_area("Note on the text (optional)", max_chars=1000),
        }
        submitted = st.form_submit_button("Check the report")
    if submitted:
        st.session_state["rep_meta"] = meta
    if "rep_meta" in st.session_state:
        report, problems = importer.plan_report(
            report_upload.getvalue(),
            report_upload.name,
            st.session_state["rep_meta"],
            corpus,
            analysts,
        )
        if problems:
            st.dataframe(problems_frame(problems), hide_index=True, width="stretch")
        if report is not None:
            st.success(f"“{report.title}”: {len(report.text):,} characters of text.")
            with st.expander("The text as it will be stored (excerpts must match it exactly)"):
                st.text(report.text[:5000] + ("…" if len(report.text) > 5000 else ""))
            st.button(
                "Import this report",
                type="primary",
                key="rep_import",
                on_click=import_ui.commit_report_import,
                args=(report, report_upload.name),
            )

st.header("Your imports")
ui.show_message("list_message")
records = analysts.imports()
if not records:
    st.caption("Nothing imported yet.")
for record in records:
    with st.container(border=True):
        st.markdown(
            f"**#{record.id} · {record.file_name}** · {record.kind} · imported "
            f"{record.imported_at} · {record.rows_imported} imported, "
            f"{record.rows_rejected} rejected of {record.rows_total}"
        )
        st.caption(f"SHA-256 {record.sha256}")
        export_col, remove_col = st.columns(2)
        if record.kind == "findings":
            export_col.download_button(
                "Export its findings (CSV)",
                analysts.export_import(record.id),
                file_name=f"import-{record.id}-{record.file_name}".removesuffix(".csv") + ".csv",
                mime="text/csv",
                key=f"exp_{record.id}",
            )
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
