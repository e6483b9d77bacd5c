"""Goals: campaigns grouped by goal type, side by side on the KPIs that serve each goal."""

import polars as pl
import streamlit as st

from smmkpi import datasets as ds
from smmkpi.kpis import target_views as tv
from smmkpi.kpis.catalog import compute_all, for_goal
from smmkpi.ui import cache
from smmkpi.ui.components import empty_state, header
from smmkpi.ui.context import current
from smmkpi.workspace import Filters, Workspace

ctx = current()
header("Goals", "How do the campaigns of each goal type do on the KPIs that serve that goal?",
       ctx)
campaigns = ctx.ws.frame("campaigns")
if campaigns is None:
    empty_state(["campaigns"], "The goal view")
    st.stop()

results = cache.targets(ctx.ws)
groups = tv.goal_campaigns(campaigns)
st.caption(
    f"Campaigns running in {ctx.period}, grouped by goal type; each column is a KPI that "
    "serves the goal, measured over the selected period on the campaign's own activity "
    "(social posts, website sessions with its UTM campaign, conversations). Orders, "
    "customers, mentions and journeys carry no campaign, so KPIs built on them (marked "
    "**whole brand**) show the brand's value in every row. The last row of each table is "
    "the whole brand for reference; *Targets* counts each campaign's targets by status "
    "(for the whole brand: its brand-wide targets on these KPIs), as on the Targets page."
)
if not groups:
    st.info(f"No campaign runs in {ctx.period}.", icon=":material/campaign:")


def workspace(campaign_id: str | None) -> Workspace:
    """The selected period for one campaign (None: the whole brand); platforms as chosen."""
    return Workspace(ctx.source, ctx.period,
                     Filters(campaigns=(campaign_id,) if campaign_id else (),
                             platforms=ctx.filters.platforms),
                     settings=ctx.settings, reader=cache.cached_read)


for goal, camps in groups.items():
    kpis = for_goal(goal)
    ids = [k.id for k in kpis]
    st.subheader(f"{ds.GOAL_LABELS[goal]} · {camps.height} campaign"
                 f"{'s' if camps.height != 1 else ''}")
    values = {cid: cache.computed(f"goal-kpis:{goal}", workspace(cid),
                                  lambda w, ids=ids: compute_all(w, ids))
              for cid in camps["campaign_id"].to_list()}
    brand = cache.computed(f"goal-kpis:{goal}", workspace(None),
                           lambda w, ids=ids: compute_all(w, ids))
    table = tv.formatted(tv.goal_table(camps, values, brand, kpis, results), kpis,
                         ctx.settings.currency).with_columns(pl.col("targets").fill_null(""))
    config = {
        "campaign_id": None,
        "name": st.column_config.TextColumn("Campaign", pinned=True),
        "targets": st.column_config.TextColumn(
            "Targets", help="Its targets by status (see the Targets page)."),
    }
    for k in kpis:
        scoped = tv.campaign_scoped(k)
        config[k.id] = st.column_config.TextColumn(
            k.label if scoped else f"{k.label} (whole brand)", alignment="right",
            help=k.description + ("" if scoped else " Its data carries no campaign: the "
                                  "brand's value.") + (" Lower is better." if
                                                       k.direction == "lower" else ""))
    st.dataframe(table, hide_index=True, column_config=config, key=f"goal_{goal}")

absent = [ds.GOAL_LABELS[g] for g in ds.GOALS if g not in groups]
if absent and groups:
    st.caption("No campaign in this period for: " + ", ".join(absent) + ".")
