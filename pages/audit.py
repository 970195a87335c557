"""Audit log: who signed in, imported, removed or exported what, and when; for administrators."""

import streamlit as st

from dashboard import ui
from dashboard.io.store_audit import ACTIONS
from dashboard.ui import audit, signin
from dashboard.views.audit_log import audit_csv, audit_frame
from dashboard.views.inert import inert

#: Lines shown on the page; the CSV holds every line the filters keep.
SHOWN = 2_000

view = ui.frame("audit")
who = signin.reader()

st.title("Audit log")
if not who.admin:
    st.warning(
        "The audit log is open to the dashboard's administrators only (members of the group "
        f"{inert(signin.policy().admin_group)!r} in your sign-in)."
    )
    st.stop()
analysts = ui.store()
if analysts is None:
    st.stop()
st.caption(
    "Every sign-in, sign-out, import, new version, restore, removal and export, newest first, "
    "in UTC. The log is append-only: nothing in the dashboard changes or deletes a line. "
    "The sidebar's filters do not apply here."
)

name_col, action_col, since_col, until_col = st.columns([2, 3, 1, 1])
name = name_col.text_input("Who", key="au_who", placeholder="part of a name or account")
actions = action_col.multiselect(
    "Actions",
    options=list(ACTIONS),
    key="au_actions",
    format_func=lambda a: ACTIONS[a],
    placeholder="all actions",
)
since = since_col.date_input("From", value=None, key="au_since", format="YYYY-MM-DD")
until = until_col.date_input("To", value=None, key="au_until", format="YYYY-MM-DD")
if since and until and since > until:
    st.error("The log's date range ends before it starts: choose a 'To' day after 'From'.")
    st.stop()

query = {
    "who": name,
    "actions": tuple(actions),
    "since": since.isoformat() if since else "",
    "until": until.isoformat() if until else "",  # the whole of that day
}
shown = analysts.audit_log(**query, limit=SHOWN + 1)
more = len(shown) > SHOWN
count = (
    f"{SHOWN:,}+ lines, the newest {SHOWN:,} shown; the CSV holds them all"
    if more
    else f"{len(shown):,} line(s)"
)
st.markdown("**" + inert(count) + "**")
st.dataframe(
    audit_frame(shown[:SHOWN]),
    hide_index=True,
    width="stretch",
    column_config={
        "at": st.column_config.TextColumn("at (UTC)", width="medium"),
        "findings": st.column_config.TextColumn(width="small"),
        "link": st.column_config.LinkColumn("view's link", width="medium"),
        "detail": st.column_config.TextColumn(width="large"),
    },
)
st.download_button(
    "Export these lines (CSV)",
    audit.audited(
        lambda: audit_csv(analysts.audit_log(**query)),
        audit.export_detail(
            "csv",
            "audit",
            file_name="audit-log.csv",
            extra={"log": {k: v for k, v in query.items() if v}},
        ),
    ),
    file_name="audit-log.csv",
    mime="text/csv",
    icon=":material/download:",
    key="au_csv",
    on_click="ignore",  # the file is made on request; a rerun beside it could lose it
)
