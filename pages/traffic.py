"""Traffic: where website sessions come from, how much social traffic reaches the website
and converts, and how social compares with search, email, direct and referral."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi.channels import CHANNEL_GROUPS, SOCIAL_GROUPS, with_channels
from smmkpi.datasets import GOAL_LABELS
from smmkpi.kpis import traffic
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile, table
from smmkpi.ui.context import current
from smmkpi.workspace import Workspace

TILES = [
    "sessions", "social_sessions", "social_share_of_sessions", "social_to_site_rate",
    "social_conversion_rate", "cost_per_social_session", "social_roas",
]
WEEKLY_AFTER_DAYS = 92  # longer periods are charted per week
PLATFORM_NAMES = {"x": "X", "linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube",
                  "other": "Other (no platform named)"}

ctx = current()
cur = ctx.settings.currency
sym = formatting.CURRENCY_SYMBOLS.get(cur, "")
MONEY = {"USD": "dollar", "EUR": "euro", "JPY": "yen"}.get(cur, "localized")
MONEY_SUFFIX = "" if MONEY != "localized" else f" ({cur})"

header("Traffic", "Where should your campaigns drive traffic? How much of the traffic social "
       "creates reaches the website and converts, and how social compares with search, email, "
       "direct and referral.", ctx)

if not ctx.ws.has("web_sessions"):
    empty_state(["web_sessions"] + ([] if ctx.ws.has("social_daily") else ["social_daily"]),
                "The Traffic page")
    st.stop()


def _classified(ws: Workspace) -> pl.DataFrame:
    """The period's sessions with channel group and platform, classified once per page."""
    return with_channels(ws.frame("web_sessions"))


def classified(ws: Workspace) -> pl.DataFrame:
    return cache.computed("traffic.classified", ws, _classified)


def pct(df: pl.DataFrame, *cols: str) -> pl.DataFrame:
    """Ratios as percentages for st.column_config's "%.1f %%" format."""
    return df.with_columns(pl.col(c) * 100 for c in cols)


ws = ctx.ws
sessions = classified(ws)
if sessions.height == 0:
    st.info(f"No website sessions between {ctx.period} with these filters. Pick another date "
            "range in the sidebar.", icon=":material/event_busy:")
    st.stop()

# --- tiles -----------------------------------------------------------------------------
values = cache.kpi_values(ws, TILES)
previous = cache.kpi_values(ctx.cws, TILES) if ctx.cws else {}
by_kpi = cache.tile_targets(ws, TILES)
for row in (TILES[:4], TILES[4:]):
    for col, kid in zip(st.columns(4), row, strict=False):
        with col:
            kpi_tile(CATALOG[kid], values[kid], previous.get(kid), ctx, by_kpi.get(kid))
has_social = ws.has("social_daily")
if not has_social:
    empty_state(["social_daily"], "Social-to-site rate, cost per social session, social ROAS "
                "and the funnel's impressions and link clicks")

# --- sessions by channel group over time ----------------------------------------------
weekly = ctx.period.days > WEEKLY_AFTER_DAYS


def _mix(w: Workspace) -> pl.DataFrame:
    daily = traffic.sessions_by_channel_daily(classified(w))
    if weekly and daily.height:
        return traffic.by_week(daily, w.end, ["channel_group"], ["sessions"])
    return daily


mix = cache.computed("traffic.mix", ws, _mix, extra=(weekly,))
grain = "week" if weekly else "day"
full = mix.filter(pl.col("days") == 7) if weekly else mix
dropped = mix.height > full.height > 0  # a short week at either end would read as a dip
short_days = int(mix.filter(pl.col("days") < 7).unique("date")["days"].sum()) if dropped else 0
if dropped:
    mix = full
chart(charts.stacked_channels(
    mix, "date", "channel_group", "sessions", order=CHANNEL_GROUPS, highlight=SOCIAL_GROUPS,
    title=f"Website sessions by channel group, sessions per {grain}, {ctx.period}",
    y_title=f"Sessions per {grain}"), "traffic_mix")
note = "Social groups (orange) sit at the bottom of the stack; legend in GA4's channel order."
if weekly:
    note += f" Weeks of 7 days ending on {ws.end:%a %d %b}."
    if dropped:
        note += (f" {short_days} days in a short week at the edge of the data are left out "
                 "of the chart (the tables count them).")
st.caption(note)

# --- channel group table --------------------------------------------------------------
st.subheader("Channel groups")
groups = cache.computed("traffic.channel_table", ws,
                        lambda w: traffic.channel_table(classified(w), w.frame("social_daily")))
has_spend = groups["spend"].count() > 0
shown = pct(groups, "share", "conversion_rate").drop("engaged_rate", "spend")
if has_spend:  # known for a group or two only: text, so the others read "—" and not "None"
    shown = shown.with_columns(
        cost_per_session=pl.Series([
            "—" if v is None else formatting.money(v, cur) for v in groups["cost_per_session"]]),
        roas=pl.Series(["—" if v is None else f"{v:.2f}" for v in groups["roas"]]),
    )
else:
    shown = shown.drop("cost_per_session", "roas")
num = st.column_config.NumberColumn
table(shown, width="stretch", column_config={
    "channel_group": st.column_config.TextColumn("Channel group"),
    "sessions": num("Sessions", format="localized"),
    "share": num("Share of sessions", format="%.1f %%"),
    "engaged_sessions": num("Engaged sessions", format="localized"),
    "conversions": num("Conversions", format="localized"),
    "conversion_rate": num("Conversion rate", format="%.1f %%"),
    "revenue": num("Revenue" + MONEY_SUFFIX, format=MONEY),
    "revenue_per_session": num("Revenue per session" + MONEY_SUFFIX, format=MONEY),
    "cost_per_session": st.column_config.TextColumn("Cost per session", alignment="right",
                                                    help="Spend / sessions"),
    "roas": st.column_config.TextColumn("ROAS", alignment="right", help="Revenue / spend"),
})
st.caption(
    "Channel groups follow Google Analytics 4's default rules on the UTM source, medium and "
    "campaign. " + (f"Spend is known for Paid Social only: the social platforms' ad spend "
                    f"({formatting.money(groups['spend'].sum(), cur)} in this period); other "
                    "groups have no cost data." if has_spend else
                    "Cost per session and ROAS need spend from social_daily.")
)

# --- social funnel ----------------------------------------------------------------------
st.subheader("The social funnel: how much social traffic reaches the website")
funnel = cache.computed("traffic.funnel", ws,
                        lambda w: traffic.social_funnel(classified(w), w.frame("social_daily")))
if funnel.height == 0:
    st.info("No social sessions or social activity in this period.", icon=":material/info:")
else:
    funnel = funnel.with_columns(label=pl.col("platform").fill_null("other").replace_strict(
        PLATFORM_NAMES, default=pl.col("platform").str.to_titlecase(), return_dtype=pl.String))
    chart(charts.bar_panels(funnel, "label", [
        {"column": "impressions", "title": "Impressions", "colour": charts.PALETTE[4]},
        {"column": "link_clicks", "title": "Link clicks · CTR", "rate": "ctr",
         "colour": charts.PALETTE[0]},
        {"column": "sessions", "title": "Website sessions · % of link clicks",
         "rate": "social_to_site_rate", "colour": charts.HIGHLIGHT[0]},
        {"column": "conversions", "title": "Conversions · % of sessions",
         "rate": "social_conversion_rate", "colour": charts.PALETTE[2]},
    ], title=f"Social funnel per platform, visitors and rates, {ctx.period}"), "traffic_funnel")
    table(pct(funnel, "ctr", "social_to_site_rate", "social_conversion_rate")
          .select("label", "impressions", "link_clicks", "ctr", "sessions", "social_to_site_rate",
                  "conversions", "social_conversion_rate"),
          width="stretch", column_config={
              "label": st.column_config.TextColumn("Platform"),
              "impressions": num("Impressions", format="localized"),
              "link_clicks": num("Link clicks", format="localized"),
              "ctr": num("CTR", format="%.2f %%", help="Link clicks / impressions"),
              "sessions": num("Website sessions", format="localized",
                              help="Organic and paid social sessions from the platform"),
              "social_to_site_rate": num("Social-to-site rate", format="%.1f %%",
                                         help="Website sessions / link clicks: the share of "
                                         "social traffic that reaches the website"),
              "conversions": num("Conversions", format="localized"),
              "social_conversion_rate": num("Conversion rate", format="%.1f %%",
                                            help="Conversions / website sessions"),
          })
    st.caption("Each panel has its own scale. Social-to-site rate = website sessions from the "
               "platform / link clicks counted by the platform; it can pass 100 % because "
               "sessions also come from links no platform counts (bio links, shares).")

# --- social against other channels -------------------------------------------------------
st.subheader("Social against search, email, direct and referral")
comp = cache.computed("traffic.comparison", ws,
                      lambda w: traffic.channel_comparison(classified(w)))
chart(charts.bar_panels(comp, "channel", [
    {"column": "sessions", "title": "Sessions", "colour": charts.PALETTE[0]},
    {"column": "engaged_rate", "title": "Engagement rate", "kind": "percent",
     "colour": charts.PALETTE[0]},
    {"column": "conversion_rate", "title": "Conversion rate", "kind": "percent",
     "colour": charts.PALETTE[0]},
    {"column": "revenue_per_session", "title": f"Revenue per session ({cur})", "kind": "money",
     "prefix": sym, "colour": charts.PALETTE[0]},
], highlight=[traffic.SOCIAL],
    title=f"Social (organic + paid) against other channels, {ctx.period}"), "traffic_comparison")
st.caption("Social = Organic Social + Paid Social sessions. Paid Search is PPC, Organic Search "
           "is SEO.")

# --- campaigns ----------------------------------------------------------------------------
st.subheader("Traffic per campaign (UTM campaign)")


def _campaigns(w: Workspace) -> pl.DataFrame:
    out = traffic.campaign_traffic(classified(w), w.frame("campaigns"))
    if ctx.campaigns is not None:  # names of campaigns that ended before the period
        names = ctx.campaigns.select(pl.col("campaign_id").str.to_lowercase().alias("_k"),
                                     pl.col("name").alias("_n"), pl.col("goal").alias("_g"))
        out = (out.with_columns(_k=pl.col("campaign").str.to_lowercase())
               .join(names, on="_k", how="left", maintain_order="left")
               .with_columns(name=pl.coalesce("name", "_n"), goal=pl.coalesce("goal", "_g"))
               .drop("_k", "_n", "_g"))
    return out.with_columns(pl.col("goal").replace(GOAL_LABELS).fill_null("—"),
                            pl.col("name").fill_null("(not in the campaign list)"))


camp = cache.computed("traffic.campaigns", ws, _campaigns)
if not ws.has("campaigns"):
    empty_state(["campaigns"], "Campaign names and goals")
if camp.height == 0:
    st.info("No website sessions carry a UTM campaign in this period.", icon=":material/info:")
else:
    table(pct(camp, "social_share", "conversion_rate"), width="stretch", column_config={
        "campaign": st.column_config.TextColumn("UTM campaign"),
        "name": st.column_config.TextColumn("Campaign"),
        "goal": st.column_config.TextColumn("Goal"),
        "sessions": num("Sessions", format="localized"),
        "social_sessions": num("Social sessions", format="localized"),
        "social_share": num("Social share", format="%.1f %%"),
        "conversions": num("Conversions", format="localized"),
        "conversion_rate": num("Conversion rate", format="%.1f %%"),
        "revenue": num("Revenue" + MONEY_SUFFIX, format=MONEY),
    }, column_order=["name", "campaign", "goal", "sessions", "social_sessions",
                     "social_share", "conversions", "conversion_rate", "revenue"])
    st.caption("Listed campaigns running in the period are shown even without sessions; UTM "
               "campaigns not in the campaign list show their UTM value only.")
