"""Retention: do customers come back, how much revenue do returning customers bring, and do
customers who follow the brand on social come back more than the rest (remarketing)?"""


import polars as pl
import streamlit as st

from smmkpi import charts, export, formatting
from smmkpi.kpis import retention as r
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table, table_downloads
from smmkpi.workspace import Workspace

TILES = [
    "customers", "orders", "revenue", "orders_per_customer",
    "repeat_purchase_rate", "returning_customer_rate", "returning_revenue_share",
    "median_days_to_second_order", "m1_retention", "m3_retention",
]
RATIOS = ["repeat_purchase_rate", "returning_customer_rate", "returning_revenue_share",
          "m1_retention", "m3_retention"]
GRAINS = {"month": "Monthly", "week": "Weekly"}
MEASURES = {"customers": "Customers", "revenue": "Revenue"}
ctx = current()
header("Retention", "Do customers come back, how much revenue comes from returning customers, "
       "and do customers who follow you on social come back more than the rest?", ctx)

if not ctx.ws.has("orders"):
    empty_state(["orders"], "The Retention page")
    st.stop()

cur = ctx.settings.currency
money_prefix = formatting.CURRENCY_SYMBOLS.get(cur, "")


def _months(ws: Workspace) -> str:
    """The complete months month-1/3 retention reads for a workspace, e.g. "September 2026"
    or "July – September 2026"."""
    first, last = r.retention_months(ws.start, ws.end)
    if first.year != last.year:
        return f"{first:%B %Y} – {last:%B %Y}"
    return f"{last:%B %Y}" if first.month == last.month else f"{first:%B} – {last:%B %Y}"


# The period's orders and those with a channel: counted by the database where it counts
# the repeat figures, else from the orders the period's figures need (on the database
# the period's orders with their places in the customers' histories), shared by every
# session (Workspace.shared_memo)
counts = r.period_orders(ctx.ws)
if counts is None:
    empty_state(["orders"], "The Retention page")
    st.stop()
period_orders, with_channel = counts

# --- tiles --------------------------------------------------------------------------------
with section("The repeat-sales figures"):
    values = cache.kpi_values(ctx.ws, TILES)
    previous = cache.kpi_values(ctx.cws, TILES) if ctx.cws else {}
    by_kpi = cache.tile_targets(ctx.ws, TILES)
    for row, widths in ((TILES[:4], [1] * 4), (TILES[4:8], [1] * 4), (TILES[8:], [1, 1, 2])):
        cols = st.columns(widths)
        for col, kid in zip(cols, row, strict=False):
            with col:
                kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))
    with cols[2]:  # beside the month-1/3 tiles
        compared = f"; comparison: {_months(ctx.cws)}" if ctx.cws else ""
        st.caption(
            "Orders count on their UTC day. *Returning* customers had ordered before their last "
            "order in the period (the first order may be earlier); *returning revenue* is revenue "
            "from orders that are not a customer's first. **Month-1 (month-3) retention** reads "
            "whole calendar months, so that rolling periods compare fairly: the months ending in "
            "the period, or else the last complete month before its end (here "
            f"**{_months(ctx.ws)}**{compared}). Of the customers whose first order was 1 (3) "
            "months before such a month, the share who ordered at any time in it. Median days "
            "to second order: over customers whose second order is in the period.")

# --- cohorts ------------------------------------------------------------------------------
with section("Cohorts"):
    st.header("Cohorts", divider="gray")
    left, right, _ = st.columns([2, 2, 3])
    with left:
        grain = st.segmented_control(
            "Cohorts by", list(GRAINS), default="month", format_func=GRAINS.get, required=True,
            key="cohort_grain", bind="query-params",
            help="A cohort is the customers whose first-ever order falls in the same calendar "
            "month (or Monday-to-Sunday week).")
    with right:
        measure = st.segmented_control(
            "Measure", list(MEASURES), default="customers", format_func=MEASURES.get,
            required=True, key="cohort_measure", bind="query-params",
            help="Customers: the share of the cohort with an order in each later month/week. "
            "Revenue: the cohort's revenue in each later month/week as a share of its revenue in "
            "its first month/week.")
    grain = grain or "month"
    measure = measure or "customers"
    since = r.default_cohort_since(ctx.ws.start, ctx.ws.end, grain)
    unit = "month" if grain == "month" else "week"


    def _cohorts(ws: Workspace) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """The long matrix, the wide table and the average curve of the cohorts shown."""
        long = r.cohorts_long(ws, grain=grain, measure=measure, since=since)
        assert long is not None  # orders are present (checked above)
        return long, r.widen_cohorts(long), r.curve_from_long(long, measure)


    long, wide, curve = cache.computed("retention.cohorts", ctx.ws, _cohorts,
                                       extra=(grain, measure, since))
    span = (f"cohorts {since:%Y-%m} – {ctx.ws.end:%Y-%m}" if grain == "month" else
            f"weekly cohorts {since:%Y-%m-%d} – {ctx.ws.end:%Y-%m-%d}")
    if long.height == 0:
        chart(charts.empty_figure(f"Cohort retention, {span}",
                                  "No customer had a first order in these months"), "cohort_map")
    else:
        what = (f"% of each cohort ordering, by {unit}s since the first order"
                if measure == "customers" else
                f"each cohort's revenue as % of its first-{unit} revenue, by {unit}s since the "
                "first order")
        chart(charts.cohort_heatmap(
            long, grain=grain, measure=measure, money_prefix=money_prefix,
            title=f"Cohort retention: {what}<br><sup>{span}, orders to {ctx.ws.end:%Y-%m-%d}"
            "</sup>"), "cohort_map")
        recent = 18 if grain == "month" else 26
        st.caption(
            f"Rows: the customers whose first-ever order fell in that {unit}, with the cohort's "
            f"size beside it. Shown: the last {recent} {unit}ly cohorts up to the period's end "
            f"({ctx.ws.end:%Y-%m-%d}), or every cohort starting in the period when it is longer "
            f"(at most {36 if grain == 'month' else 52}). {unit.capitalize()} 0 is the first "
            f"{unit} itself (100 % of customers). Blank cells are {unit}s not reached yet, not "
            f"zero; the {unit} of the period's end counts although it may be incomplete. The "
            "colour scale tops out at the highest later value so that differences show. Earlier "
            "orders than the data's first day are unknown: the oldest cohorts may include "
            "customers who had ordered before.")

        cohort_col = f"Cohort ({unit} of first order)"
        ks = [c for c in wide.columns if c.isdigit()]
        cohorts = wide.rename({"cohort": cohort_col, "cohort_size": "Customers in cohort",
                               **{k: f"{unit.capitalize()} {k}" for k in ks}})
        cohort_cols = {
            cohort_col: Col(unit="date", pinned=True,
                            format="YYYY-MM" if grain == "month" else "YYYY-MM-DD"),
            "Customers in cohort": Col(unit="count"),
            **{f"{unit.capitalize()} {k}": Col(unit="ratio", width="small") for k in ks},
        }
        if measure == "revenue":
            first_rev = f"Revenue in {unit} 0"
            cohorts = cohorts.join(long.filter(pl.col("k") == 0).select(
                pl.col("cohort").alias(cohort_col), pl.col("revenue").alias(first_rev)),
                on=cohort_col, how="left")
            cohort_cols[first_rev] = Col(unit="currency")
        with st.expander(f"Cohort table ({cohorts.height} cohorts, shares in %)"):
            table(cohorts, cohort_cols, key="cohort_table", download="none", ctx=ctx)
        table_downloads(
            cohorts, cohort_cols, key="cohort", name=f"retention_cohorts_{grain}_{measure}",
            ctx=ctx, label=f"Download the cohort table ({cohorts.height} cohorts)",
            help="Shares in %: " + ("customers of the cohort with an order"
                                    if measure == "customers" else
                                    f"revenue as a share of the first {unit}'s revenue")
            + f" in each {unit} since the first order; empty = not reached yet.")

# --- coming back: average curve and days to the second order ------------------------------
with section("Coming back"):
    c1, c2 = st.columns(2)
    with c1:
        if long.height:
            chart(charts.retention_curve_figure(
                curve, grain=grain, measure=measure,
                title=f"Average retention, % of cohort<br><sup>by {unit}s since the first "
                f"order; {span}, orders to {ctx.ws.end:%Y-%m-%d}</sup>"), "cohort_curve")
            st.caption(f"Each point weighs the cohorts that reached that {unit} by their size "
                       f"({'customers' if measure == 'customers' else 'first-' + unit + ' revenue'}"
                       f"); the far right rests on the oldest cohorts only (hover for how many). "
                       f"{unit.capitalize()} 0 (100 %) is left out.")
    with c2:
        second = cache.computed("retention.days_to_second", ctx.ws, r.second_order_days)
        title = (f"Days from first to second order, customers per bar<br>"
                 f"<sup>second orders {ctx.period}</sup>")
        if second.len() == 0:
            chart(charts.empty_figure(title, "No customer placed a second order in this period"),
                  "second_hist")
        else:
            median = values.get("median_days_to_second_order")
            chart(charts.days_histogram(second, title=title, median=median), "second_hist")
            st.caption(f"The {second.len():,} customers whose second order is in the period, by "
                       "calendar days (UTC) since their first-ever order, which may be long before "
                       "the period.")

# --- followers against non-followers ------------------------------------------------------
with section("Followers against non-followers"):
    st.header("Do followers come back more?", divider="gray")
    has_customers = ctx.ws.has("customers")
    if not has_customers:
        empty_state(["customers"], "Comparing followers with non-followers and splitting by "
                    "acquisition channel")
    elif period_orders == 0:
        st.info("No orders in this period.", icon=":material/shopping_cart:")
    else:
        gap = cache.computed("retention.follower_gap", ctx.ws, r.gap)
        rows = {row["kpi"]: row for row in gap.iter_rows(named=True)}
        known = rows["repeat_purchase_rate"]
        if known["followers_n"] == 0 and known["non_followers_n"] == 0:
            st.info("None of the customers who ordered in this period has a `follows_on_social` "
                    "value, so followers cannot be told apart from the rest. Add the column "
                    "(true/false: the customer was matched to a follower of the brand) to the "
                    "customers file and import it again.", icon=":material/group_off:")
        else:
            ret = rows["returning_customer_rate"]
            m1 = rows["m1_retention"]
            lines = []
            if ret["difference"] is not None:
                more = "more" if ret["difference"] >= 0 else "less"
                lines.append(
                    f"Customers who follow you on social **come back "
                    f"{abs(ret['difference']):.1f} pp {more}** than those who don't: "
                    f"{formatting.percent(ret['followers'])} of followers against "
                    f"{formatting.percent(ret['non_followers'])} of non-followers who ordered in "
                    f"the period had ordered before ({ret['followers_n']:,} followers, "
                    f"{ret['non_followers_n']:,} non-followers).")
            if m1["difference"] is not None:
                lines.append(
                    f"A month after their first order, {formatting.percent(m1['followers'])} of "
                    f"followers order again against {formatting.percent(m1['non_followers'])} "
                    f"of non-followers ({m1['difference']:+.1f} pp; month-1 retention over "
                    f"{m1['followers_n'] + m1['non_followers_n']:,} customers).")
            if lines:
                st.markdown("  \n".join(lines))
            c1, c2 = st.columns([4, 7])  # the table's five columns fit at 1280 px
            with c1:
                names = {k: CATALOG[k].label.replace(" ", "<br>", 1) for k in RATIOS}
                bars = gap.filter(pl.col("kpi").is_in(RATIOS)).with_columns(
                    label=pl.col("kpi").replace_strict(names))
                chart(charts.labelled_bars(
                    bars, "label", ["followers", "non_followers"], ["Followers", "Non-followers"],
                    title=f"Followers against non-followers, % of customers<br>"
                    f"<sup>{ctx.period}</sup>",
                    y_title="Share", colours=[charts.PALETTE[0], charts.PALETTE[7]],
                    horizontal=True, height=420),
                    "follower_bars")
            with c2:
                def _fmt(kid: str, v: float | None) -> str:
                    return formatting.value(v, CATALOG[kid].unit, cur)

                def _diff(d: float | None, unit_: str) -> str:
                    if d is None:
                        return formatting.MISSING
                    return f"{d:+.2f} {unit_}" if unit_ == "orders" else f"{d:+.1f} {unit_}"

                follower_rows = pl.DataFrame([
                    {"KPI": CATALOG[k].label, "Followers": _fmt(k, row["followers"]),
                     "Non-followers": _fmt(k, row["non_followers"]),
                     "Difference": _diff(row["difference"], row["difference_unit"]),
                     "Counted": f"{row['followers_n']:,} / {row['non_followers_n']:,}"}
                    for k, row in rows.items()])
                follower_numbers = pl.DataFrame([
                    {"KPI": CATALOG[k].label,
                     "Unit": export.unit_word(CATALOG[k].unit, cur),
                     "Followers": export.report_value(row["followers"], CATALOG[k].unit, 2),
                     "Non-followers": export.report_value(row["non_followers"],
                                                          CATALOG[k].unit, 2),
                     "Difference": export.report_value(row["difference"], "number"),
                     "Difference in": row["difference_unit"],
                     "Followers counted": row["followers_n"],
                     "Non-followers counted": row["non_followers_n"]}
                    for k, row in rows.items()],
                    schema_overrides={"Followers": pl.Float64, "Non-followers": pl.Float64,
                                      "Difference": pl.Float64})
                table(follower_rows, {
                    "KPI": Col(pinned=True, width=172),
                    "Followers": Col(alignment="right"),
                    "Non-followers": Col(alignment="right"),
                    "Difference": Col(alignment="right"),
                    "Counted": Col(alignment="right",
                                   help="Customers behind each value: followers / non-followers"),
                }, key="follower_table", name="retention_followers", ctx=ctx,
                    download_df=follower_numbers)
                st.caption(
                    "Difference = followers − non-followers, in percentage points for shares; for "
                    "the median days to second order, lower is better. Counted (followers / "
                    "non-followers): those "
                    "who ordered in the period; for the median, those whose second order is in "
                    "the period; for month-1 (month-3) retention, those acquired 1 (3) months "
                    f"before {_months(ctx.ws)}. Customers without a follower status are left out.")

# --- splits ------------------------------------------------------------------------------
with section("Repeat sales by channel"):
    st.header("Repeat sales by channel", divider="gray")
    # column: (label, unit, help). Short labels (the KPI's name in the tooltip) and the most
    # needed first, so that every KPI shows at a laptop's width (1280 px); orders per customer
    # (orders / customers, both shown) scrolls into view last.
    SPLIT_COLUMNS = {
        "customers": ("Customers", "count", "Customers with an order in the period."),
        "orders": ("Orders", "count", None),
        "revenue": ("Revenue", "currency", f"Revenue in {cur}"),
        "repeat_purchase_rate": ("Repeat rate", "ratio",
                                 "Repeat purchase rate: "
                                 + CATALOG["repeat_purchase_rate"].description),
        "returning_customer_rate": ("Returning", "ratio",
                                    "Returning customer rate: "
                                    + CATALOG["returning_customer_rate"].description),
        "returning_revenue_share": ("Returning rev.", "ratio",
                                    "Returning revenue share: "
                                    + CATALOG["returning_revenue_share"].description),
        "m1_retention": ("Month-1", "ratio",
                         "Month-1 retention: " + CATALOG["m1_retention"].description),
        "m3_retention": ("Month-3", "ratio",
                         "Month-3 retention: " + CATALOG["m3_retention"].description),
        "median_days_to_second_order": ("Days to 2nd", "days",
                                        "Median days to second order: "
                                        + CATALOG["median_days_to_second_order"].description),
        "orders_per_customer": ("Orders / cust.", "number", "Orders per customer"),
    }
    # the downloads' headers: the KPIs' full names
    SPLIT_EXPORT = {"repeat_purchase_rate": "Repeat purchase rate",
                    "returning_customer_rate": "Returning customer rate",
                    "returning_revenue_share": "Returning revenue share",
                    "m1_retention": "Month-1 retention", "m3_retention": "Month-3 retention",
                    "median_days_to_second_order": "Median days to second order",
                    "orders_per_customer": "Orders per customer"}


    def split_view(split: pl.DataFrame, group_label: str, key: str, note: str) -> None:
        """A split table, its bars and its downloads (CSV and XLSX)."""
        shown = split.select(pl.col("group").alias(group_label), *SPLIT_COLUMNS).sort(
            "customers", descending=True)
        table(shown, {group_label: Col("Channel", pinned=True, export_label=group_label,
                                       help=f"{group_label}: " + SPLITS_HELP[key]),
                      **{k: Col(label, unit, help=help_,  # type: ignore[arg-type]
                                export_label=SPLIT_EXPORT.get(k))
                         for k, (label, unit, help_) in SPLIT_COLUMNS.items()}},
              key=f"{key}_table", name=f"retention_repeat_by_{key}", ctx=ctx)
        st.caption(note)
        chart(charts.labelled_bars(
            split.sort("customers", descending=True), "group",
            ["repeat_purchase_rate", "returning_customer_rate", "m1_retention"],
            ["Repeat purchase rate", "Returning customer rate", "Month-1 retention"],
            title=f"Repeat KPIs by {group_label.lower()}, % of customers, {ctx.period}",
            y_title="Share", height=380), f"{key}_bars")


    SPLITS = {"acquisition_channel": "Acquisition channel", "channel": "Order channel"}
    SPLITS_HELP = {"acquisition": "the channel that first brought the customer",
                   "channel": "the channel each order came through"}
    split = st.segmented_control(
        "Split by", list(SPLITS), default="acquisition_channel" if has_customers else "channel",
        format_func=SPLITS.get, required=True, key="split_by", bind="query-params",
        help="Acquisition channel: the channel that first brought the customer (customers file). "
        "Order channel: the channel each order came through (the orders' `channel` column).")
    if split == "acquisition_channel":
        if not has_customers:
            empty_state(["customers"], "Splitting repeat KPIs by acquisition channel")
        elif period_orders == 0:
            st.info("No orders in this period.", icon=":material/shopping_cart:")
        else:
            acq = cache.computed("retention.by_acquisition", ctx.ws,
                                 lambda ws: r.split(ws, "acquisition_channel"))
            split_view(acq, "Acquisition channel", "acquisition",
                       "Customers by the channel that first brought them (customers file); "
                       f"'{r.UNKNOWN}' = not in the customers file or no channel given.")
    elif period_orders == 0:
        st.info("No orders in this period.", icon=":material/shopping_cart:")
    elif with_channel == 0:
        st.info("The orders in this period carry no `channel`, so they cannot be split by the "
                "channel each order came through. Add a `channel` column (the order's attributed "
                "source or channel group) to the orders file and import it again.",
                icon=":material/alt_route:")
    else:
        by_channel = cache.computed("retention.by_channel", ctx.ws,
                                    lambda ws: r.split(ws, "channel"))
        split_view(by_channel, "Order channel", "channel",
                   "Orders by the channel each came through; a customer counts in every channel "
                   "they ordered through, first orders and cohorts still come from their whole "
                   "history (month-1/3 retention = the share of the whole cohort that came back "
                   f"through this channel). '{r.UNKNOWN}' = no channel.")
