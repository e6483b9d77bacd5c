"""Traffic: where website sessions come from, how much social traffic reaches the website
and converts, how social compares with search, email, direct and referral, and what a
session, a conversion and a unit of revenue cost per channel (social against PPC and SEO),
with the UTM audit of spend that no session can be traced to."""

import polars as pl
import streamlit as st

from smmkpi import charts, formatting
from smmkpi.channels import CHANNEL_GROUPS, SOCIAL_GROUPS
from smmkpi.datasets import GOAL_LABELS
from smmkpi.formatting import md_escape
from smmkpi.kpis import cost, traffic
from smmkpi.kpis.catalog import CATALOG
from smmkpi.ui import cache
from smmkpi.ui.components import chart, empty_state, header, kpi_tile
from smmkpi.ui.context import current
from smmkpi.ui.sections import section
from smmkpi.ui.tables import Col, table
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

header("Traffic", "Where should your campaigns drive traffic? How much of the traffic social "
       "creates reaches the website and converts, how social compares with search, email, "
       "direct and referral, and what its sessions and conversions cost against PPC and SEO.",
       ctx)

if not ctx.ws.has("web_sessions"):
    empty_state(["web_sessions"] + ([] if ctx.ws.has("social_daily") else ["social_daily"]),
                "The Traffic page")
    st.stop()


def _classified(ws: Workspace) -> pl.DataFrame:
    """The period's sessions per day, campaign, channel group and platform (the sums the
    store keeps), which every table of the page sums further."""
    return ws.channel_sessions()


def classified(ws: Workspace) -> pl.DataFrame:
    return cache.computed("traffic.classified", ws, _classified)


ws = ctx.ws
sessions = classified(ws)
if sessions.height == 0:
    st.info(f"No website sessions between {ctx.period} with these filters. Pick another date "
            "range in the sidebar.", icon=":material/event_busy:")
    st.stop()

# --- tiles -----------------------------------------------------------------------------
with section("Traffic KPIs"):
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
with section("Sessions by channel group"):
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
    chart(charts.legend_below(charts.stacked_channels(
        mix, "date", "channel_group", "sessions", order=CHANNEL_GROUPS, highlight=SOCIAL_GROUPS,
        title=f"Website sessions by channel group, sessions per {grain}, {ctx.period}",
        y_title=f"Sessions per {grain}")), "traffic_mix")
    note = "Social groups (orange) sit at the bottom of the stack; legend in GA4's channel order."
    if weekly:
        note += f" Weeks of 7 days ending on {ws.end:%a %d %b}."
        if dropped:
            note += (f" {short_days} days in a short week at the edge of the data are left out "
                     "of the chart (the tables count them).")
    st.caption(note)

# --- channel group table --------------------------------------------------------------
with section("Channel groups"):
    st.subheader("Channel groups")
    groups = cache.computed("traffic.channel_table", ws,
                            lambda w: traffic.channel_table(classified(w), w.frame("social_daily")))
    has_spend = groups["spend"].count() > 0
    money_cols = {"cost_per_session": Col("Cost per session", "currency", help="Spend / sessions"),
                  "roas": Col("ROAS", "number", help="Revenue / spend")} if has_spend else {}
    table(groups, {
        "channel_group": Col("Channel group", pinned=True),
        "sessions": Col("Sessions", "count"),
        "share": Col("Share of sessions", "ratio"),
        "engaged_sessions": Col("Engaged sessions", "count"),
        "conversions": Col("Conversions", "count"),
        "conversion_rate": Col("Conversion rate", "ratio"),
        "revenue": Col("Revenue", "currency"),
        "revenue_per_session": Col("Revenue per session", "currency"),
        **money_cols,
    }, key="traffic_channels", name="traffic_channel_groups", ctx=ctx, placeholder="—")
    st.caption(
        "Channel groups follow Google Analytics 4's default rules on the UTM source, medium and "
        "campaign. " + (f"Spend is known for Paid Social only: the social platforms' ad spend "
                        f"({formatting.money(groups['spend'].sum(), cur)} in this period); other "
                        "groups have no cost data." if has_spend else
                        "Cost per session and ROAS need spend from social_daily.")
    )

# --- social funnel ----------------------------------------------------------------------
with section("The social funnel"):
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
        table(funnel, {
            "label": Col("Platform", pinned=True),
            "impressions": Col("Impressions", "count"),
            "link_clicks": Col("Link clicks", "count"),
            "ctr": Col("CTR", "ratio", digits=2, help="Link clicks / impressions"),
            "sessions": Col("Website sessions", "count",
                            help="Organic and paid social sessions from the platform"),
            "social_to_site_rate": Col("Social-to-site rate", "ratio",
                                       help="Website sessions / link clicks: the share of "
                                       "social traffic that reaches the website"),
            "conversions": Col("Conversions", "count"),
            "social_conversion_rate": Col("Conversion rate", "ratio",
                                          help="Conversions / website sessions"),
        }, key="traffic_funnel_table", name="traffic_social_funnel", ctx=ctx)
        st.caption("Each panel has its own scale. Social-to-site rate = website sessions from the "
                   "platform / link clicks counted by the platform; it can pass 100 % because "
                   "sessions also come from links no platform counts (bio links, shares).")

# --- social against other channels -------------------------------------------------------
with section("Social against other channels"):
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
        title=f"Social (organic + paid) against other channels, {ctx.period}"),
        "traffic_comparison")
    note = ("Social = Organic Social + Paid Social sessions. Paid Search is PPC, Organic "
            "Search is SEO.")
    if ctx.filters.campaigns:
        unused = comp.filter(pl.col("sessions") == 0)["channel"].to_list()
        names = ", ".join(md_escape(ctx.campaign_name(c)) for c in ctx.filters.campaigns)
        note += (f" Campaign filter ({names}): only sessions tagged with the campaign count, "
                 "so this compares the campaign's own traffic by channel, not social with the "
                 "brand's search and email.")
        if unused:
            note += (f" It brought no sessions through {', '.join(unused)}: those read 0 and "
                     "their rates n/a. Clear the campaign filter to compare the channels "
                     "brand-wide.")
    st.caption(note)

# --- campaigns ----------------------------------------------------------------------------
with section("Traffic per campaign"):
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
        table(camp, {
            "name": Col("Campaign", pinned=True),
            "campaign": Col("UTM campaign"),
            "goal": Col("Goal"),
            "sessions": Col("Sessions", "count"),
            "social_sessions": Col("Social sessions", "count"),
            "social_share": Col("Social share", "ratio"),
            "conversions": Col("Conversions", "count"),
            "conversion_rate": Col("Conversion rate", "ratio"),
            "revenue": Col("Revenue", "currency"),
        }, key="traffic_campaigns", name="traffic_per_campaign", ctx=ctx)
        st.caption("Listed campaigns running in the period are shown even without sessions; UTM "
                   "campaigns not in the campaign list show their UTM value only.")

# --- cost: social against PPC and SEO -------------------------------------------------------
st.subheader("Cost: social against PPC and SEO")
st.caption("What a session, a conversion and a unit of revenue cost per channel group, in "
           f"{ctx.period}: media spend from the ad platforms (Google Ads, Microsoft "
           "Advertising, email sends) and social spend, against the website sessions, "
           "conversions and revenue GA4 counts for each group.")
COST_TILES = ["cost_per_conversion_social", "cost_per_conversion_paid_search",
              "paid_search_roas", "untracked_spend"]
COST_KINDS = {"Organic Social": "social", "Paid Social": "social"}


def _cost_table(w: Workspace) -> pl.DataFrame:
    return cost.cost_by_channel(classified(w), w.frame("social_daily"), w.frame("ad_spend"))


with section("The cost comparison"):
    if not ws.has("ad_spend"):
        empty_state(["ad_spend"], "Cost per session, cost per conversion and ROAS of Paid "
                    "Search, Display, Paid Video, Paid Shopping, Cross-network and Email "
                    "(a Google Ads or Microsoft Advertising daily campaign report)")
    cvalues = cache.kpi_values(ws, COST_TILES)
    cprev = cache.kpi_values(ctx.cws, COST_TILES) if ctx.cws else {}
    ctargets = cache.tile_targets(ws, COST_TILES)
    for col, kid in zip(st.columns(4), COST_TILES, strict=True):
        with col:
            kpi_tile(CATALOG[kid], cvalues[kid], cprev.get(kid), ctx, ctargets.get(kid))

    costs = cache.computed("traffic.cost_table", ws, _cost_table)
    before = cache.computed("traffic.cost_table", ctx.cws, _cost_table) if ctx.cws else None
    compared = ["spend", "cost_per_session", "cost_per_conversion", "roas"]
    both = cost.with_previous(costs, before, "channel_group", compared)
    prev_label = ctx.comparison_label if ctx.cws else "comparison"
    table(both, {
        "channel_group": Col("Channel group", pinned=True),
        "cost_basis": Col("Cost", help="media spend: the spend in the data; no media cost: "
                          "organic traffic, shown at zero media cost; no cost data: a paid "
                          "channel whose spend is not in the data"),
        "spend": Col("Spend", "currency"),
        "spend_prev": Col(f"Spend, {prev_label}", "currency"),
        "sessions": Col("Sessions", "count"),
        "conversions": Col("Conversions", "count"),
        "revenue": Col("Revenue", "currency"),
        "conversion_rate": Col("Conversion rate", "ratio"),
        "cost_per_session": Col("Cost per session", "currency", help="Spend / sessions"),
        "cost_per_session_prev": Col(f"Cost per session, {prev_label}", "currency"),
        "cost_per_conversion": Col("Cost per conversion", "currency",
                                   help="Spend / conversions"),
        "cost_per_conversion_prev": Col(f"Cost per conversion, {prev_label}", "currency"),
        "roas": Col("ROAS", "number", help="Revenue / spend"),
        "roas_prev": Col(f"ROAS, {prev_label}", "number"),
    }, key="traffic_cost", name="traffic_cost_by_channel", ctx=ctx, placeholder="—")
    currencies = (set(ws.frame("ad_spend")["currency"].drop_nulls().to_list())
                  if ws.has("ad_spend") else set())
    other_currency = sorted(c for c in currencies if c.upper() != cur.upper())
    st.caption(
        "Organic groups (Organic Search = SEO, Organic Social, Direct, Referral, ...) have no "
        "media cost: their cost per session and per conversion are 0 and ROAS is undefined. "
        "Paid Social carries the social platforms' spend (social_daily), Organic Social none "
        "(YouTube ad spend is social spend too, while GA4 puts YouTube ad visits in Paid "
        "Video). "
        "Conversions and revenue are the website's (GA4) for every group, so channels are "
        "compared by the same yardstick; the ad platforms' own conversion counts are not "
        "used here." + (f" Spend in {', '.join(md_escape(c) for c in other_currency)} is added "
                        f"as if it were {cur}: export it in {cur} for a fair comparison."
                        if other_currency else ""))

    bubbles = costs.with_columns(
        kind=pl.col("channel_group").replace_strict(
            COST_KINDS, default=pl.when(pl.col("cost_basis") == cost.NO_MEDIA_COST)
            .then(pl.lit("organic")).otherwise(pl.lit("paid")), return_dtype=pl.String),
        label=pl.when(pl.col("cost_basis") == cost.NO_MEDIA_COST)
        .then(pl.col("channel_group") + " (no media cost)").otherwise(pl.col("channel_group")),
    )
    left_out = bubbles.filter(pl.col("cost_per_conversion").is_null()
                              | pl.col("conversion_rate").is_null())["channel_group"].to_list()
    chart(charts.cost_bubbles(
        bubbles, "label", "cost_per_conversion", "conversion_rate", "sessions",
        title=f"Cost per conversion ({cur}) against conversion rate (%) per channel group, "
              f"bubble size = sessions, {ctx.period}",
        x_title=f"Cost per conversion ({cur})", y_title="Conversion rate", prefix=sym),
        "traffic_cost_bubbles")
    st.caption("Left and high is cheap and converting; organic channels sit at zero media "
               "cost. " + (f"Not drawn (no spend in the data, or no conversions): "
                           f"{', '.join(md_escape(c) for c in left_out)}." if left_out else ""))

with section("Cost per campaign"):
    st.subheader("Cost per campaign")
    camp_cost = cache.computed("traffic.campaign_cost", ws, lambda w: cost.campaign_cost(
        classified(w), w.frame("social_daily"), w.frame("ad_spend")))
    if camp_cost.height == 0:
        st.info(f"No campaign spent in {ctx.period} (spend comes from ad_spend and "
                "social_daily).", icon=":material/info:")
    else:
        table(camp_cost, {
            "campaign": Col("Campaign (as in the spend data)", pinned=True),
            "channels": Col("Spend by channel group"),
            "spend": Col("Spend", "currency"),
            "sessions": Col("Sessions with its UTM campaign", "count"),
            "conversions": Col("Conversions", "count"),
            "revenue": Col("Revenue", "currency"),
            "cost_per_session": Col("Cost per session", "currency"),
            "cost_per_conversion": Col("Cost per conversion", "currency"),
            "roas": Col("ROAS", "number", help="Revenue of the campaign's UTM sessions / its "
                        "spend"),
        }, key="traffic_campaign_cost", name="traffic_cost_per_campaign", ctx=ctx,
            placeholder="—")
        unassigned = cache.computed("traffic.unassigned_spend", ws, lambda w: cost.unassigned_spend(
            w.frame("social_daily"), w.frame("ad_spend")))
        st.caption(f"Spend and sessions in {ctx.period}; a campaign's sessions are those whose "
                   "UTM campaign is its name (ignoring case)."
                   + (f" {formatting.money(unassigned, cur)} of spend has no campaign and is "
                      "not listed." if unassigned else ""))

with section("Email sends"):
    sends = cache.computed("traffic.email_sends", ws, lambda w: cost.email_sends(
        w.frame("ad_spend"), classified(w)))
    if sends.height:
        st.subheader("Email sends and the sessions they brought")
        table(sends, {
            "campaign": Col("Email campaign", pinned=True),
            "sends": Col("Send days", "count"),
            "recipients": Col("Recipients", "count"),
            "opens": Col("Unique opens", "count"),
            "clicks": Col("Unique clicks", "count"),
            "open_rate": Col("Open rate", "ratio"),
            "click_rate": Col("Click rate", "ratio"),
            "sessions": Col("Website sessions with its UTM campaign", "count"),
            "conversions": Col("Conversions", "count"),
            "revenue": Col("Revenue", "currency"),
            "sessions_per_click": Col("Sessions per click", "number",
                                      help="Website sessions / unique clicks: below 1, clicks "
                                      "that never arrived (or untagged links)"),
        }, key="traffic_email_sends", name="traffic_email_sends", ctx=ctx, placeholder="—")
        st.caption(f"Email campaigns sent in {ctx.period} (Mailchimp and Klaviyo campaign "
                   "exports): recipients, opens and clicks as the email tool counts them, "
                   "beside the website sessions GA4 counts for the same UTM campaign.")

with section("The UTM audit"):
    st.subheader("UTM audit: spend without tracked sessions, tags without a campaign")
    untracked = cache.computed("traffic.untracked", ws, lambda w: cost.untracked_campaigns(
        camp_cost, classified(w)))  # camp_cost is itself a function of ws
    if untracked.height == 0:
        st.success(f"Every campaign that spent in {ctx.period} has website sessions with its "
                   "UTM campaign.", icon=":material/check_circle:")
    else:
        money_out = formatting.money(untracked["spend"].sum(), cur)
        many = f"{untracked.height} campaigns" if untracked.height > 1 else "1 campaign"
        st.warning(f"{many} spent {money_out} in {ctx.period} without a single website "
                   "session carrying its UTM campaign: the links are untagged or tagged "
                   "differently, so that traffic counts elsewhere.", icon=":material/warning:")
        table(untracked, {
            "campaign": Col("Campaign (spending)", pinned=True),
            "channels": Col("Channel group"),
            "spend": Col("Spend", "currency"),
            "likely_match": Col("Likely UTM campaign", help="A UTM campaign of the period's "
                                "sessions that differs only in case, punctuation or a typo"),
            "likely_match_sessions": Col("Its sessions", "count"),
        }, key="traffic_untracked", name="traffic_utm_audit_spend", ctx=ctx, placeholder="—")
    known = set(camp_cost["campaign"].to_list())
    if ws.has("campaigns"):  # every campaign is known, whichever platform it runs on
        known |= set(ws.unfiltered().everything("campaigns")["campaign_id"].to_list())
    unknown = cache.computed("traffic.unknown_utm", ws, lambda w: cost.unknown_utm_campaigns(
        classified(w), sorted(k for k in known if k)))  # known: from ws too
    if unknown.height:
        st.markdown(f"**UTM campaigns in the sessions of {ctx.period} that match no known "
                    "campaign** (campaign list and spend data):")
        table(unknown, {
            "utm_campaign": Col("UTM campaign", pinned=True),
            "sessions": Col("Sessions", "count"),
            "revenue": Col("Revenue", "currency"),
            "likely_match": Col("Likely campaign", help="A known campaign that differs only in "
                                "case, punctuation or a typo"),
        }, key="traffic_unknown_utm", name="traffic_utm_audit_tags", ctx=ctx, placeholder="—")
    st.caption("Matching ignores case and surrounding blanks; a likely match is only shown, "
               "never counted: fix the tags (or the campaign name) so that the sessions count.")
