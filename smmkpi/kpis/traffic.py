"""Traffic KPIs: how much website traffic social brings, how it converts and what it costs.

Seeds: "where should your e-marketing campaigns be driving traffic to?", "take your
visitors on a journey". Sessions get their channel group from GA4's default rules
(`smmkpi.channels`); *social sessions* are those in Organic Social or Paid Social.

Definitions (see `docs/kpis.md`), over the period's rows:

- `sessions`: sum of sessions. `social_sessions`: sum over social sessions.
- `social_share_of_sessions` = social_sessions / sessions.
- `social_to_site_rate` = social_sessions / link_clicks (summed over social_daily). Both
  sides follow the same campaign and platform filters. Social sessions also come from
  links that no platform counts as a link click (bio links, shares, untracked posts), so
  the rate can exceed 100 %.
- `social_conversion_rate` = conversions / sessions over the social session rows that
  report conversions (a row without a conversions figure does not dilute the rate).
- `cost_per_social_session` = spend (social_daily) / social_sessions; lower is better.
- `social_roas` = revenue of social sessions / spend.

A KPI whose dataset is absent, whose numerator is never reported or whose denominator
is zero is None ("n/a"). Every ratio is sum(numerator) / sum(denominator), and each
KPI's `daily` frame (date, num[, den]) decomposes it by day: sum(num) / sum(den) over
any range of days gives the KPI over that range.

The page tables below take plain frames (typed as in `datasets.py`) so they are usable
and testable without a Workspace; they return snake_case column ids, and the page
chooses the labels. A web_sessions frame that already carries `channel_group` and
`platform` (`channels.with_channels`) is not classified again: a page showing several
tables classifies once. In every table a ratio is recomputed from summed numerator and
denominator (conversion_rate, revenue_per_session and engaged_rate over the rows that
report conversions, revenue and engaged sessions respectively) and is null where the
denominator is zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from smmkpi import periods
from smmkpi.channels import CHANNEL_GROUPS, SOCIAL_GROUPS, platform_expr, with_channels
from smmkpi.kpis.base import KPI, Area, additive, ratio_expr, ratio_of, sum_or_null

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

PAID_SOCIAL = "Paid Social"
SOCIAL = "Social"  # the label of Organic + Paid Social together in channel_comparison
COMPARED_CHANNELS: tuple[str, ...] = (
    SOCIAL,
    "Paid Search",
    "Organic Search",
    "Email",
    "Direct",
    "Referral",
)
OTHER_PLATFORM = "other"  # social sessions whose source names no known platform
# GA4's placeholders in the campaign dimension: not campaigns.
CAMPAIGN_PLACEHOLDERS: tuple[str, ...] = (
    "(not set)", "(direct)", "(organic)", "(referral)", "(none)", "(cross-network)",
)

_is_social = pl.col("channel_group").is_in(list(SOCIAL_GROUPS))

# --- building blocks -------------------------------------------------------------------


def _session_aggs() -> list[pl.Expr]:
    """Summed session figures of one group, with the paired denominators of each ratio."""
    s = pl.col("sessions")
    return [
        s.sum().cast(pl.Int64).alias("sessions"),
        sum_or_null("engaged_sessions").cast(pl.Int64),
        sum_or_null("conversions").cast(pl.Int64),
        sum_or_null("revenue").cast(pl.Float64),
        s.filter(pl.col("engaged_sessions").is_not_null()).sum().cast(pl.Int64).alias("_eng_den"),
        s.filter(pl.col("conversions").is_not_null()).sum().cast(pl.Int64).alias("_conv_den"),
        s.filter(pl.col("revenue").is_not_null()).sum().cast(pl.Int64).alias("_rev_den"),
    ]


def _session_rates() -> list[pl.Expr]:
    return [
        ratio_expr("engaged_sessions", "_eng_den").alias("engaged_rate"),
        ratio_expr("conversions", "_conv_den").alias("conversion_rate"),
        ratio_expr("revenue", "_rev_den").alias("revenue_per_session"),
    ]


def _classified(web_sessions: pl.DataFrame) -> pl.LazyFrame:
    """web_sessions with channel_group and platform, lazily; a frame that already has both
    columns (from `channels.with_channels`) is used as it is, so a page classifies once."""
    if {"channel_group", "platform"} <= set(web_sessions.columns):
        return web_sessions.lazy()
    return with_channels(web_sessions.lazy())


def _platform_name(col: str) -> pl.Expr:
    """A social_daily platform (or session source) as a normalized platform name."""
    return pl.coalesce(
        platform_expr(pl.col(col)), pl.col(col).str.strip_chars().str.to_lowercase()
    )


def _group_order() -> pl.Expr:
    return pl.col("channel_group").replace_strict(
        list(CHANNEL_GROUPS), list(range(len(CHANNEL_GROUPS))), default=len(CHANNEL_GROUPS),
        return_dtype=pl.Int64,
    )


def _social_sums(social_daily: pl.DataFrame | None) -> dict[str, float | None]:
    """Total impressions, link clicks and spend of social_daily (None when not reported)."""
    out: dict[str, float | None] = {"impressions": None, "link_clicks": None, "spend": None}
    if social_daily is None:
        return out
    row = social_daily.select(sum_or_null(c) for c in out).row(0, named=True)
    return {k: (None if v is None else float(v)) for k, v in row.items()}


# --- page tables -----------------------------------------------------------------------


def channel_table(
    web_sessions: pl.DataFrame, social_daily: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per channel group with traffic: sessions, share of all sessions,
    engaged_sessions, engaged_rate, conversions, conversion_rate, revenue,
    revenue_per_session, spend, cost_per_session and roas; by sessions, largest first.

    Spend: social_daily's spend is money paid to social platforms for ads, and GA4 puts
    ad clicks tagged as paid (medium cpc, ppc, paid...) from a social source into Paid
    Social, so all of it is attributed to Paid Social, whose cost_per_session and roas
    (revenue / spend) use it. No other group has known spend: their spend is null. (The
    `cost_per_social_session` KPI divides the same spend by all social sessions, organic
    included: that is its definition.)
    """
    total = web_sessions.get_column("sessions").sum()
    spend = _social_sums(social_daily)["spend"]
    out = (
        _classified(web_sessions)
        .group_by("channel_group")
        .agg(_session_aggs())
        .with_columns(
            ratio_expr(pl.col("sessions"), pl.lit(total)).alias("share"),
            *_session_rates(),
            pl.when(pl.col("channel_group") == PAID_SOCIAL)
            .then(pl.lit(spend, dtype=pl.Float64))
            .otherwise(None)
            .alias("spend"),
        )
        .with_columns(
            ratio_expr("spend", "sessions").alias("cost_per_session"),
            ratio_expr("revenue", "spend").alias("roas"),
        )
        .sort([pl.col("sessions"), _group_order()], descending=[True, False])
        .select(
            "channel_group", "sessions", "share", "engaged_sessions", "engaged_rate",
            "conversions", "conversion_rate", "revenue", "revenue_per_session", "spend",
            "cost_per_session", "roas",
        )
        .collect()
    )
    return out


def sessions_by_channel_daily(web_sessions: pl.DataFrame) -> pl.DataFrame:
    """date, channel_group, sessions for a stacked chart: every date from the first to the
    last day with sessions times every group that has sessions, zero-filled, groups in
    GA4's order."""
    lf = _classified(web_sessions).group_by("date", "channel_group").agg(
        pl.col("sessions").sum().cast(pl.Int64)
    )
    daily = lf.collect()
    if daily.height == 0:
        return pl.DataFrame(
            schema={"date": pl.Date, "channel_group": pl.String, "sessions": pl.Int64}
        )
    days = pl.DataFrame(
        {"date": pl.date_range(daily["date"].min(), daily["date"].max(), eager=True)}
    )
    groups = pl.DataFrame({"channel_group": daily["channel_group"].unique()})
    return (
        days.join(groups, how="cross")
        .join(daily, on=["date", "channel_group"], how="left")
        .with_columns(pl.col("sessions").fill_null(0))
        .sort([pl.col("date"), _group_order(), pl.col("channel_group")])
        .select("date", "channel_group", "sessions")
    )


def by_week(
    daily: pl.DataFrame, end: dt.date, keys: Sequence[str], values: Sequence[str]
) -> pl.DataFrame:
    """Daily rows summed into weeks (`periods.bucket`: 7 days counted back from `end`, so
    every week but the earliest is complete).

    Returns `date` (the week's first day), the `keys`, the summed `values` and `days` (how
    many distinct dates of the frame the week holds: below 7 only for the earliest)."""
    return (
        daily.lazy()
        .with_columns(_week=periods.bucket(pl.col("date"), "week", end))
        .with_columns(
            days=pl.col("date").n_unique().over("_week").cast(pl.Int64),
            date=pl.col("_week"),
        )
        .group_by("date", *keys)
        .agg(*(pl.col(v).sum() for v in values), pl.col("days").first())
        .sort(["date", *keys])
        .select("date", *keys, *values, "days")
        .collect()
    )


def social_funnel(
    web_sessions: pl.DataFrame, social_daily: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per social platform: impressions -> link_clicks -> sessions -> conversions, with
    ctr (link_clicks / impressions), social_to_site_rate (sessions / link_clicks) and
    social_conversion_rate (conversions / sessions, over rows reporting conversions).

    Sessions are the social sessions (Organic or Paid Social) whose source names the
    platform (`channels.platform_expr`: l.facebook.com -> facebook, t.co -> x, ...); social
    sessions from a source naming no platform (medium "social" from a newsletter, say)
    are platform "other". social_daily's platform names are normalized the same way. A
    platform on one side only keeps nulls for the other side's figures. Ordered by
    sessions, largest first.
    """
    sess = (
        _classified(web_sessions)
        .filter(_is_social)
        .with_columns(pl.col("platform").fill_null(OTHER_PLATFORM))
        .group_by("platform")
        .agg(_session_aggs())
        .select("platform", "sessions", "conversions", "_conv_den")
    )
    if social_daily is None:
        social = pl.LazyFrame(
            schema={"platform": pl.String, "impressions": pl.Int64, "link_clicks": pl.Int64}
        )
    else:
        social = (
            social_daily.lazy()
            .with_columns(platform=_platform_name("platform"))
            .group_by("platform")
            .agg(
                sum_or_null("impressions").cast(pl.Int64),
                sum_or_null("link_clicks").cast(pl.Int64),
            )
        )
    return (
        social.join(sess, on="platform", how="full", coalesce=True)
        .with_columns(
            ratio_expr("link_clicks", "impressions").alias("ctr"),
            ratio_expr("sessions", "link_clicks").alias("social_to_site_rate"),
            ratio_expr("conversions", "_conv_den").alias("social_conversion_rate"),
        )
        .sort(["sessions", "link_clicks", "platform"], descending=[True, True, False],
              nulls_last=True)
        .select(
            "platform", "impressions", "link_clicks", "sessions", "conversions", "ctr",
            "social_to_site_rate", "social_conversion_rate",
        )
        .collect()
    )


def channel_comparison(web_sessions: pl.DataFrame) -> pl.DataFrame:
    """Social (Organic + Paid Social) beside Paid Search, Organic Search, Email, Direct and
    Referral: one row each, always in that order (zero sessions where a channel has none),
    with sessions, engaged_sessions, engaged_rate, conversions, conversion_rate, revenue
    and revenue_per_session."""
    agg = (
        _classified(web_sessions)
        .filter(pl.col("channel_group").is_in([*SOCIAL_GROUPS, *COMPARED_CHANNELS[1:]]))
        .with_columns(
            channel=pl.when(_is_social).then(pl.lit(SOCIAL)).otherwise(pl.col("channel_group"))
        )
        .group_by("channel")
        .agg(_session_aggs())
    )
    frame = pl.LazyFrame({"channel": list(COMPARED_CHANNELS)})
    return (
        frame.join(agg, on="channel", how="left", maintain_order="left")
        .with_columns(pl.col("sessions", "_eng_den", "_conv_den", "_rev_den").fill_null(0))
        .with_columns(*_session_rates())
        .select(
            "channel", "sessions", "engaged_sessions", "engaged_rate", "conversions",
            "conversion_rate", "revenue", "revenue_per_session",
        )
        .collect()
    )


def campaign_traffic(
    web_sessions: pl.DataFrame, campaigns: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per UTM campaign: campaign, name, goal, sessions, social_sessions, social_share,
    conversions, conversion_rate, revenue; by sessions, largest first.

    The UTM campaign matches campaigns.campaign_id ignoring case and surrounding blanks.
    Sessions without a campaign (or with a GA4 placeholder such as "(not set)") are left
    out. Listed campaigns without any session are kept with zero sessions, so a running
    campaign that sends no traffic shows.
    """
    sess = (
        _classified(web_sessions)
        .with_columns(_key=pl.col("campaign").str.strip_chars().str.to_lowercase())
        .filter(
            pl.col("_key").is_not_null()
            & (pl.col("_key") != "")
            & ~pl.col("_key").is_in(list(CAMPAIGN_PLACEHOLDERS))
        )
        .group_by("_key")
        .agg(
            pl.col("campaign").first().alias("utm_campaign"),
            pl.col("sessions").filter(_is_social).sum().cast(pl.Int64).alias("social_sessions"),
            *_session_aggs(),
        )
    )
    if campaigns is None:
        listed = pl.LazyFrame(
            schema={"_key": pl.String, "campaign_id": pl.String, "name": pl.String,
                    "goal": pl.String}
        )
    else:
        listed = (
            campaigns.lazy()
            .select("campaign_id", "name", "goal")
            .with_columns(_key=pl.col("campaign_id").str.strip_chars().str.to_lowercase())
            .unique("_key", keep="first", maintain_order=True)
        )
    return (
        sess.join(listed, on="_key", how="full", coalesce=True)
        .with_columns(
            campaign=pl.coalesce("campaign_id", "utm_campaign"),
            sessions=pl.col("sessions").fill_null(0),
            social_sessions=pl.col("social_sessions").fill_null(0),
            _conv_den=pl.col("_conv_den").fill_null(0),
        )
        .with_columns(
            ratio_expr("social_sessions", "sessions").alias("social_share"),
            ratio_expr("conversions", "_conv_den").alias("conversion_rate"),
        )
        .sort(["sessions", "campaign"], descending=[True, False])
        .select(
            "campaign", "name", "goal", "sessions", "social_sessions", "social_share",
            "conversions", "conversion_rate", "revenue",
        )
        .collect()
    )


# --- KPIs over a workspace -------------------------------------------------------------

_DAILY_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "sessions": pl.Int64(),
    "social_sessions": pl.Int64(),
    "social_conversions": pl.Int64(),
    "social_conversion_sessions": pl.Int64(),
    "social_revenue": pl.Float64(),
    "link_clicks": pl.Int64(),
    "spend": pl.Float64(),
}


def traffic_daily(
    web_sessions: pl.DataFrame | None, social_daily: pl.DataFrame | None
) -> pl.DataFrame | None:
    """Per day: sessions, social_sessions, social_conversions and the social sessions of
    rows reporting conversions, social_revenue (null on days no social row reports
    revenue), link_clicks and spend from social_daily (null on days not reported).
    None when web_sessions is absent."""
    if web_sessions is None:
        return None
    sess = (
        _classified(web_sessions)
        .group_by("date")
        .agg(
            pl.col("sessions").sum().cast(pl.Int64).alias("sessions"),
            pl.col("sessions").filter(_is_social).sum().cast(pl.Int64).alias("social_sessions"),
            pl.col("conversions").filter(_is_social).sum().cast(pl.Int64)
            .alias("social_conversions"),
            pl.col("sessions").filter(_is_social & pl.col("conversions").is_not_null()).sum()
            .cast(pl.Int64).alias("social_conversion_sessions"),
            sum_or_null(pl.col("revenue").filter(_is_social)).cast(pl.Float64)
            .alias("social_revenue"),
        )
    )
    if social_daily is None:
        soc = pl.LazyFrame(schema={"date": pl.Date, "link_clicks": pl.Int64, "spend": pl.Float64})
    else:
        soc = social_daily.lazy().group_by("date").agg(
            sum_or_null("link_clicks").cast(pl.Int64),
            sum_or_null("spend").cast(pl.Float64),
        )
    out = (
        sess.join(soc, on="date", how="full", coalesce=True)
        .with_columns(
            pl.col("sessions", "social_sessions", "social_conversions",
                   "social_conversion_sessions").fill_null(0)
        )
        .sort("date")
        .select(list(_DAILY_SCHEMA))
        .collect()
    )
    return out.cast(_DAILY_SCHEMA)  # type: ignore[arg-type]


def _daily(ws: Workspace) -> pl.DataFrame | None:
    """The period's `traffic_daily` (shared by the traffic KPIs)."""
    return ws.memo(
        ("traffic", "daily"),
        lambda: traffic_daily(ws.channel_sessions("day"), ws.frame("social_daily")),
    )


def _daily_with_social(ws: Workspace) -> pl.DataFrame | None:
    """`_daily`, for KPIs that also need social_daily: None without it."""
    return _daily(ws) if ws.frame("social_daily") is not None else None


_TRAFFIC = Area("traffic", ("web_sessions",))
_WS_SOCIAL = ("web_sessions", "social_daily")

KPIS: list[KPI] = [
    _TRAFFIC.kpi("sessions", "Sessions", "count", "higher", ("traffic",),
                 "All website sessions.", additive(_daily, "sessions")),
    _TRAFFIC.kpi(
        "social_sessions", "Social sessions", "count", "higher",
        ("traffic", "awareness", "sales_spike"),
        "Website sessions whose GA4 default channel group is Organic Social or Paid Social.",
        additive(_daily, "social_sessions"),
    ),
    _TRAFFIC.kpi("social_share_of_sessions", "Social share of sessions", "ratio", "higher",
                 ("traffic",), "Social sessions / all website sessions.",
                 ratio_of(_daily, "social_sessions", "sessions")),
    _TRAFFIC.kpi(
        "social_to_site_rate", "Social to site rate", "ratio", "higher", ("traffic", "awareness"),
        "Social sessions / link clicks on social: the share of social traffic that reaches "
        "the website (can exceed 100 %: bio links and shares bring sessions no platform "
        "counts as link clicks).",
        ratio_of(_daily_with_social, "social_sessions", "link_clicks"), datasets=_WS_SOCIAL,
    ),
    _TRAFFIC.kpi(
        "social_conversion_rate", "Social conversion rate", "ratio", "higher",
        ("traffic", "sales_spike"),
        "Conversions in social sessions / social sessions (over the rows that report "
        "conversions).",
        ratio_of(_daily, "social_conversions", "social_conversion_sessions"),
    ),
    _TRAFFIC.kpi("cost_per_social_session", "Cost per social session", "currency", "lower",
                 ("traffic", "sales_spike"), "Social spend / social sessions (organic and paid).",
                 ratio_of(_daily_with_social, "spend", "social_sessions"), datasets=_WS_SOCIAL),
    _TRAFFIC.kpi("social_roas", "Social ROAS", "number", "higher", ("sales_spike", "traffic"),
                 "Revenue of social sessions / social spend (return on ad spend).",
                 ratio_of(_daily_with_social, "social_revenue", "spend"), datasets=_WS_SOCIAL),
]
