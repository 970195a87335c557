"""Map explorer: the filtered findings on the Af-Pak map, and the findings themselves below."""

import streamlit as st

from dashboard import ui
from dashboard.ui import explorer
from dashboard.ui.filter_widgets import set_region
from dashboard.ui.state import MAP
from dashboard.views import maps
from dashboard.views.inert import inert

view = ui.frame("explorer")
gaz = view.corpus.gazetteer

st.title("ISKP findings: map explorer")
st.markdown("**" + inert(view.describe()) + "**")

shade = explorer.shade_choice(view)
figure, counts = explorer.figure(view, shade=shade)
scope = view.index.region_scope_counts(view.filters)
col_map, col_side = st.columns([3, 1], gap="medium")


def pick(code: str) -> None:
    """A button choosing the area *code*, with how many findings choosing it shows."""
    st.button(
        f"{gaz.name(code)} · {scope.get(code, 0)}",
        key=f"pick_{code}",
        on_click=set_region,
        args=(code,),
        width="stretch",
        help=f"{counts.get(code, 0)} finding(s) name it as such.",
    )


with col_map:
    st.plotly_chart(
        figure,
        key=MAP,
        on_select=explorer.on_map_select,
        selection_mode=["points"],
        config=maps.CHART_CONFIG,
    )
    explorer.click_feedback()
    st.caption(inert(maps.alt_text(counts, gaz, view.count, view.describe())))
    if shade == "change":
        st.caption(inert(explorer.change_words(view)))
with col_side:
    if view.filters.region:
        st.markdown("**Selected:** " + gaz.name(view.filters.region))
        st.button(
            "Clear region",
            on_click=set_region,
            args=(None,),
            icon=":material/close:",
            key="clear_region",
        )
    unnamed = maps.unnamed_areas(figure)
    if unnamed:
        st.markdown("**On the map, too small to name there**")
        for code in unnamed:
            pick(code)
    st.markdown("**Wider regions** (drawn as outlines)")
    st.caption("How many findings choosing each shows: those naming it or a place inside it.")
    for code in ("AFPAK", "SOUTH-ASIA"):
        pick(code)
    st.markdown("**Not on the map**")
    for code in [r.code for r in gaz if not r.spatial]:
        pick(code)
    unplaced = view.index.unplaced(view.mask)
    st.caption(
        f"{unplaced} of these findings name no place; they are in the list below, not on the map."
    )
    st.caption(
        "The map counts findings that name each area as such: a finding naming "
        "Pakistan counts for Pakistan as a whole, not for each of its provinces. A "
        "province is drawn, and clickable, where findings name it; any province can be "
        "chosen in the Region picker. Without a mouse or the map: the Region picker, these "
        "buttons and the Findings table's counts by theme and region reach every area."
    )

st.subheader("Over time")
explorer.timeline(view)

st.subheader("Findings")
explorer.cards(view)
