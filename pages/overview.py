"""Overview: the headline KPIs against the comparison period and targets."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile, md_escape
from smmkpi.ui.context import current
from smmkpi.views.overview import HEADLINE, headline_targets, trend

ctx = current()
header("Overview", "Is social media working for the business this period: traffic, sales, "
       "care and reputation against last period and targets?", ctx)

if not ctx.source.available():
    empty_state(["web_sessions", "orders", "conversations", "mentions", "social_daily"],
                "The dashboard")
    st.stop()

values = cache.kpi_values(ctx.ws, HEADLINE)
previous = cache.kpi_values(ctx.cws, HEADLINE) if ctx.cws else {}
targets = cache.targets(ctx.ws)
by_kpi = headline_targets(targets, ctx.ws.end)

for row in (HEADLINE[:5], HEADLINE[5:]):
    for col, kid in zip(st.columns(len(row)), row, strict=True):
        with col:
            kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))

left, right = st.columns([3, 2])
with left:
    df, grain = cache.computed("overview-trend", ctx.ws, trend)
    title = f"Social sessions and revenue per {grain}, {ctx.period}"
    if df is None or df.height == 0:
        chart(charts.empty_figure(title, "No website sessions or orders in this period"), "trend")
    else:
        chart(charts.dual_axis_lines(
            df, "date", "social_sessions", "revenue", title=title,
            left_label="Social sessions", right_label=f"Revenue ({ctx.settings.currency})",
            right_prefix=formatting.CURRENCY_SYMBOLS.get(ctx.settings.currency, "")),
            "trend")
with right:
    st.subheader("Most behind target")
    behind = targets.filter(pl.col("status").is_in(["off track", "at risk"])).head(6)
    if targets.height == 0:
        st.info("No targets cover this period. Add targets on the **Targets** page or import a "
                "`kpi_targets` CSV.", icon=":material/flag:")
    elif behind.height == 0:
        st.success(f"All {targets.height} targets in this period are on track or not started.")
    else:
        cur = ctx.settings.currency
        for t in behind.iter_rows(named=True):
            k = CATALOG[t["kpi"]]
            st.markdown(
                f"**{k.label}** · {md_escape(ctx.campaign_name(t['campaign_id']))}  \n"
                f":{'red' if t['status'] == 'off track' else 'orange'}[{t['status']}] · "
                f"actual {formatting.value(t['actual'], k.unit, cur)} against pace "
                f"{formatting.value(t['pace'], k.unit, cur)} "
                f"({formatting.percent(t['pace_attainment'], 0)}), forecast "
                f"{formatting.value(t['forecast'], k.unit, cur)} for a target of "
                f"{formatting.value(t['target'], k.unit, cur)}"
            )
        st.caption(f"{behind.height} of {targets.height} targets shown, worst first. "
                   "All targets: **Targets** page.")
