"""Cost KPIs: what a session, a conversion and a unit of revenue cost per channel group, social
against PPC and SEO, and which spend no website session can be traced to (the UTM audit).

Seeds: social media "certainly doesn't perform as well as PPC or organic SEO" for putting
products in front of buyers; this module lets a manager test that claim on their own data.

Where cost comes from: `ad_spend` (Google Ads, Microsoft Advertising, email sends) carries
its GA4 channel group in `channel`; `social_daily.spend` is the social platforms' ad spend
and is counted under Paid Social (as on the channel table of `kpis.traffic`). Sessions,
conversions and revenue are the website's (web_sessions, classified by GA4's default
rules), so every channel is measured by the same yardstick; the ad platforms' own
conversion counts stay in `ad_spend` and are not mixed in.

Definitions, over the period's rows (see `docs/kpis.md`):

- cost per session = spend / sessions; cost per conversion = spend / conversions (of the
  rows that report conversions); ROAS = revenue / spend; conversion rate = conversions /
  sessions (over the rows that report conversions);
- organic channels (`ORGANIC_GROUPS`) have no media cost: spend 0, cost per session and per
  conversion 0, ROAS undefined; a paid group whose spend is not in the data has no cost
  figures (null), never 0;
- a campaign is matched to its sessions by its name as the UTM campaign, ignoring case and
  surrounding blanks (as `kpis.traffic.campaign_traffic` does);
- untracked spend = the spend of campaigns that spent in the period but have no website
  session with their UTM campaign in the period; spend without a campaign is not a
  campaign and is not counted in it.

KPIs: `spend` (social spend), `<group>_spend`, `cost_per_session_<group>`,
`cost_per_conversion_<group>` and `<group>_roas` for each of `PAID_GROUPS` through one
definition (`paid_search_spend`, `cost_per_session_paid_search`, `paid_search_roas`, ...),
`cost_per_conversion_social` (social spend / conversions of social sessions, organic and
paid, as `cost_per_social_session` divides by all social sessions) and `untracked_spend`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import polars as pl

from smmkpi.channels import CHANNEL_GROUPS
from smmkpi.kpis import audience, traffic
from smmkpi.kpis.base import KPI, Area, additive, ratio_expr, ratio_of, sum_or_null

if TYPE_CHECKING:
    from smmkpi.workspace import Workspace

PAID_SOCIAL = "Paid Social"
# Paid groups that get their own KPIs (cost per session, per conversion, ROAS, spend).
PAID_GROUPS: tuple[str, ...] = (
    "Paid Search", "Display", "Paid Video", "Paid Shopping", "Cross-network", "Email",
)
# Traffic bought with no media money: shown at zero media cost.
ORGANIC_GROUPS: tuple[str, ...] = (
    "Organic Search", "Organic Social", "Organic Video", "Organic Shopping", "Direct",
    "Referral",
)
NO_MEDIA_COST = "no media cost"
MEDIA_SPEND = "media spend"
NO_COST_DATA = "no cost data"
SIMILARITY = 0.85  # difflib ratio from which a UTM campaign is a likely match (typos)
# the unknown UTM campaigns (by sessions, most first) that get a likely match looked up: a
# typo of a campaign carries its traffic; a long tail of one-off values (generated ids)
# would cost a similarity search each (18k values at scale XL: 8 s)
LIKELY_MATCH_ROWS = 200
_GROUP_BY_LOWER: dict[str, str] = {g.lower(): g for g in CHANNEL_GROUPS}


def slug(group: str) -> str:
    """A channel group as part of a KPI id: "Paid Search" -> "paid_search"."""
    return re.sub(r"[^a-z0-9]+", "_", group.lower()).strip("_")


def channel_label(col: str = "channel") -> pl.Expr:
    """ad_spend's lower-cased channel as GA4 writes the group ("paid search" -> "Paid
    Search"); a value outside the list stays as written."""
    return pl.col(col).str.to_lowercase().replace_strict(
        _GROUP_BY_LOWER, default=pl.col(col), return_dtype=pl.String)


def campaign_key(col: str) -> pl.Expr:
    """The key a campaign is matched on: lower case, without surrounding blanks; empty and
    GA4's placeholders such as "(not set)" are no campaign (null)."""
    k = pl.col(col).str.strip_chars().str.to_lowercase()
    return pl.when((k != "") & ~k.is_in(list(traffic.CAMPAIGN_PLACEHOLDERS))).then(k)


def loose_key(text: str) -> str:
    """A campaign name without case and punctuation: "Spring_Sale" and "spring-sale" meet."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


# --- spend -------------------------------------------------------------------------------


def spend_rows(social_daily: pl.DataFrame | None,
               ad_spend: pl.DataFrame | None) -> pl.LazyFrame:
    """Every spend row of the period as (date, channel_group, campaign, spend): ad_spend with
    its channel group, and social_daily's spend as Paid Social. Rows without spend are left
    out."""
    parts: list[pl.LazyFrame] = []
    if ad_spend is not None:
        parts.append(ad_spend.lazy().select(
            "date", channel_label().alias("channel_group"), "campaign",
            pl.col("spend").cast(pl.Float64)))
    if social_daily is not None:
        parts.append(social_daily.lazy().filter(pl.col("spend").is_not_null()).select(
            "date", pl.lit(PAID_SOCIAL).alias("channel_group"),
            pl.col("campaign_id").alias("campaign"), pl.col("spend").cast(pl.Float64)))
    if not parts:
        return pl.LazyFrame(schema={"date": pl.Date, "channel_group": pl.String,
                                    "campaign": pl.String, "spend": pl.Float64})
    return pl.concat(parts)


def _group_order() -> pl.Expr:
    return pl.col("channel_group").replace_strict(
        list(CHANNEL_GROUPS), list(range(len(CHANNEL_GROUPS))), default=len(CHANNEL_GROUPS),
        return_dtype=pl.Int64)


def _cost_ratios() -> list[pl.Expr]:
    return [
        ratio_expr("spend", "sessions").alias("cost_per_session"),
        ratio_expr("spend", "conversions").alias("cost_per_conversion"),
        ratio_expr("revenue", "spend").alias("roas"),
    ]


def cost_by_channel(web_sessions: pl.DataFrame | None, social_daily: pl.DataFrame | None,
                    ad_spend: pl.DataFrame | None) -> pl.DataFrame:
    """One row per channel group with sessions or spend: channel_group, cost_basis (media
    spend / no media cost / no cost data), spend, sessions, conversions, revenue,
    conversion_rate, cost_per_session, cost_per_conversion, roas; by spend, then sessions,
    largest first.

    Social is split as GA4 splits it: Organic Social has no media cost, Paid Social carries
    the social platforms' spend. Organic groups are at zero media cost (spend 0, cost per
    session and per conversion 0, ROAS null); a paid group without spend in the data has
    null spend and null cost figures.
    """
    schema = {"channel_group": pl.String, "sessions": pl.Int64, "conversions": pl.Int64,
              "revenue": pl.Float64, "_conv_den": pl.Int64}
    if web_sessions is None:
        sess = pl.LazyFrame(schema=schema)
    else:
        sess = (traffic._classified(web_sessions).group_by("channel_group")
                .agg(traffic._session_aggs()).select(list(schema)))
    spend = (spend_rows(social_daily, ad_spend).group_by("channel_group")
             .agg(pl.col("spend").sum()))
    organic = pl.col("channel_group").is_in(list(ORGANIC_GROUPS))
    return (
        sess.join(spend, on="channel_group", how="full", coalesce=True)
        .with_columns(
            pl.col("sessions", "_conv_den").fill_null(0),
            pl.when(pl.col("spend").is_not_null()).then(pl.lit(MEDIA_SPEND))
            .when(organic).then(pl.lit(NO_MEDIA_COST))
            .otherwise(pl.lit(NO_COST_DATA)).alias("cost_basis"),
            pl.when(organic & pl.col("spend").is_null()).then(0.0)
            .otherwise(pl.col("spend")).alias("spend"),
        )
        .with_columns(ratio_expr("conversions", "_conv_den").alias("conversion_rate"),
                      *_cost_ratios())
        .sort([pl.col("spend").fill_null(-1.0), pl.col("sessions"), _group_order()],
              descending=[True, True, False])
        .select("channel_group", "cost_basis", "spend", "sessions", "conversions", "revenue",
                "conversion_rate", "cost_per_session", "cost_per_conversion", "roas")
        .collect()
    )


def with_previous(current: pl.DataFrame, previous: pl.DataFrame | None, key: str,
                  columns: Iterable[str]) -> pl.DataFrame:
    """`current` with `<column>_prev` from `previous` (the comparison period) joined on
    `key`; null where the comparison has no such row or there is no comparison."""
    cols = list(columns)
    if previous is None:
        return current.with_columns(pl.lit(None, dtype=current.schema[c]).alias(f"{c}_prev")
                                    for c in cols)
    prev = previous.select(key, *(pl.col(c).alias(f"{c}_prev") for c in cols))
    return current.join(prev, on=key, how="left", maintain_order="left")


# --- campaigns ---------------------------------------------------------------------------


def _utm_sessions(web_sessions: pl.DataFrame | None) -> pl.LazyFrame:
    """Per campaign key: the UTM campaign as first written, sessions, conversions, revenue
    and the sessions of the rows reporting conversions."""
    if web_sessions is None:
        return pl.LazyFrame(schema={"_key": pl.String, "utm_campaign": pl.String,
                                    "sessions": pl.Int64, "conversions": pl.Int64,
                                    "revenue": pl.Float64, "_conv_den": pl.Int64})
    s = pl.col("sessions")
    return (
        web_sessions.lazy().with_columns(_key=campaign_key("campaign"))
        .filter(pl.col("_key").is_not_null())
        .group_by("_key")
        .agg(pl.col("campaign").sort_by("sessions", descending=True).first()
             .alias("utm_campaign"),
             s.sum().cast(pl.Int64).alias("sessions"),
             sum_or_null("conversions").cast(pl.Int64),
             sum_or_null("revenue").cast(pl.Float64),
             s.filter(pl.col("conversions").is_not_null()).sum().cast(pl.Int64)
             .alias("_conv_den"))
    )


def campaign_cost(web_sessions: pl.DataFrame | None, social_daily: pl.DataFrame | None,
                  ad_spend: pl.DataFrame | None) -> pl.DataFrame:
    """One row per campaign that spent in the period: campaign (as written in the spend
    data), channels (its channel groups, largest spend first, joined by ", "), spend,
    sessions, conversions and revenue of the website sessions whose UTM campaign is the
    campaign (0 sessions, conversions and revenue where none), cost_per_session,
    cost_per_conversion, roas and tracked (whether any session carries its UTM campaign);
    by spend, largest first.
    Spend without a campaign is left out (see `unassigned_spend`)."""
    by_channel = (
        spend_rows(social_daily, ad_spend)
        .with_columns(_key=campaign_key("campaign"))
        .filter(pl.col("_key").is_not_null())
        .group_by("_key", "channel_group")
        .agg(pl.col("campaign").first(), pl.col("spend").sum())
        .sort(["spend", "channel_group"], descending=[True, False])
    )
    spent = by_channel.group_by("_key", maintain_order=True).agg(
        pl.col("campaign").first(), pl.col("spend").sum(),
        pl.col("channel_group").str.join(", ").alias("channels"))
    return (
        spent.join(_utm_sessions(web_sessions), on="_key", how="left")
        .with_columns(tracked=pl.col("sessions").fill_null(0) > 0,
                      sessions=pl.col("sessions").fill_null(0),
                      _conv_den=pl.col("_conv_den").fill_null(0),
                      # no session at all: nothing converted (not "not reported")
                      conversions=pl.when(pl.col("sessions").is_null()).then(0)
                      .otherwise(pl.col("conversions")),
                      revenue=pl.when(pl.col("sessions").is_null()).then(0.0)
                      .otherwise(pl.col("revenue")))
        .with_columns(*_cost_ratios())
        .sort(["spend", "campaign"], descending=[True, False])
        .select("campaign", "channels", "spend", "sessions", "conversions", "revenue",
                "cost_per_session", "cost_per_conversion", "roas", "tracked")
        .collect()
    )


def email_sends(ad_spend: pl.DataFrame | None,
                web_sessions: pl.DataFrame | None) -> pl.DataFrame:
    """Email campaigns in the period (ad_spend rows of the Email group, from Mailchimp or
    Klaviyo exports) beside the website sessions carrying their UTM campaign: campaign,
    sends (days with a send), recipients, opens, clicks, open_rate and click_rate (of
    recipients), sessions, conversions, revenue and sessions_per_click; largest first.
    A figure an export does not carry stays missing; rates are recomputed from sums."""
    schema = {"campaign": pl.String, "sends": pl.Int64, "recipients": pl.Int64,
              "opens": pl.Int64, "clicks": pl.Int64, "open_rate": pl.Float64,
              "click_rate": pl.Float64, "sessions": pl.Int64, "conversions": pl.Int64,
              "revenue": pl.Float64, "sessions_per_click": pl.Float64}
    if ad_spend is None:
        return pl.DataFrame(schema=schema)
    email = ad_spend.lazy().filter(pl.col("channel") == "Email")
    if "opens" not in ad_spend.columns:
        email = email.with_columns(opens=pl.lit(None, dtype=pl.Int64))
    sent = (
        email.with_columns(_key=campaign_key("campaign"))
        .filter(pl.col("_key").is_not_null())
        .group_by("_key")
        .agg(pl.col("campaign").first(), pl.col("date").n_unique().cast(pl.Int64)
             .alias("sends"),
             sum_or_null("impressions").cast(pl.Int64).alias("recipients"),
             sum_or_null("opens").cast(pl.Int64).alias("opens"),
             sum_or_null("clicks").cast(pl.Int64).alias("clicks"))
    )
    return (
        sent.join(_utm_sessions(web_sessions), on="_key", how="left")
        .with_columns(sessions=pl.col("sessions").fill_null(0))
        .with_columns(open_rate=ratio_expr(pl.col("opens"), pl.col("recipients")),
                      click_rate=ratio_expr(pl.col("clicks"), pl.col("recipients")),
                      sessions_per_click=ratio_expr(pl.col("sessions"), pl.col("clicks")))
        .sort(["recipients", "campaign"], descending=[True, False], nulls_last=True)
        .select(list(schema))
        .collect()
    )


def unassigned_spend(social_daily: pl.DataFrame | None,
                     ad_spend: pl.DataFrame | None) -> float:
    """The period's spend without a campaign (no UTM can ever match it)."""
    rows = spend_rows(social_daily, ad_spend).filter(campaign_key("campaign").is_null())
    return float(rows.select(pl.col("spend").sum()).collect().item() or 0.0)


# --- the UTM audit -----------------------------------------------------------------------


def _closest(name: str, candidates: dict[str, str]) -> str | None:
    """The candidate (loose key -> name as written) that `name` most likely means: the
    same loose key, else the most similar one from `SIMILARITY` on."""
    loose = loose_key(name)
    if not loose:
        return None
    if loose in candidates:
        return candidates[loose]
    close = difflib.get_close_matches(loose, list(candidates), n=1, cutoff=SIMILARITY)
    return candidates[close[0]] if close else None


def untracked_campaigns(costs: pl.DataFrame, web_sessions: pl.DataFrame | None
                        ) -> pl.DataFrame:
    """The campaigns of `campaign_cost` without any session carrying their UTM campaign:
    campaign, channels, spend and likely_match, a UTM campaign of the period's sessions
    that differs only in punctuation or by a typo ("Spring_Sale" -> "spring-sale"), with
    its sessions (likely_match_sessions)."""
    untracked = costs.filter(~pl.col("tracked")).select("campaign", "channels", "spend")
    utm = _utm_sessions(web_sessions).select("utm_campaign", "sessions").collect()
    candidates = {loose_key(u): u for u, _ in utm.sort("sessions").iter_rows()}
    sessions = dict(utm.iter_rows())
    matches = [_closest(c, candidates) for c in untracked["campaign"]]
    return untracked.with_columns(
        likely_match=pl.Series(matches, dtype=pl.String),
        likely_match_sessions=pl.Series([sessions.get(m) if m else None for m in matches],
                                        dtype=pl.Int64),
    )


def unknown_utm_campaigns(web_sessions: pl.DataFrame | None, known: Iterable[str]
                          ) -> pl.DataFrame:
    """UTM campaigns of the period's sessions that match no known campaign (the campaign
    list and every campaign in the spend data), ignoring case and blanks: utm_campaign,
    sessions, revenue and likely_match, the known campaign it most likely means (looked
    up for the first `LIKELY_MATCH_ROWS` rows, null below them); by sessions, largest
    first."""
    names = [k for k in known if k and k.strip()]
    exact = {k.strip().lower() for k in names}
    candidates = {loose_key(k): k for k in sorted(names)}
    utm = (_utm_sessions(web_sessions).filter(~pl.col("_key").is_in(list(exact)))
           .sort(["sessions", "utm_campaign"], descending=[True, False])
           .select("utm_campaign", "sessions", "revenue").collect())
    head = utm["utm_campaign"].head(LIKELY_MATCH_ROWS).to_list()
    matches = [_closest(u, candidates) for u in head] + [None] * (utm.height - len(head))
    return utm.with_columns(likely_match=pl.Series(matches, dtype=pl.String))


# --- KPIs over a workspace -----------------------------------------------------------------


def _spend_daily(ws: Workspace) -> pl.DataFrame | None:
    """Per day: spend of each of PAID_GROUPS from ad_spend (`spend_<slug>`, null on days
    without a row of that group). None without ad_spend."""

    def build() -> pl.DataFrame | None:
        ad = ws.frame("ad_spend")
        if ad is None:
            return None
        g = channel_label()
        return (
            ad.lazy().group_by("date")
            .agg(sum_or_null(pl.col("spend").filter(g == grp)).cast(pl.Float64)
                 .alias(f"spend_{slug(grp)}") for grp in PAID_GROUPS)
            .sort("date").collect()
        )

    return ws.memo(("cost", "spend_daily"), build)


def _cost_daily(ws: Workspace) -> pl.DataFrame | None:
    """`_spend_daily` joined with each paid group's sessions, conversions (`conv_<slug>`)
    and revenue per day (days of either side; missing counts as 0 sessions). None without
    ad_spend or web_sessions."""

    def build() -> pl.DataFrame | None:
        spend, web = _spend_daily(ws), ws.channel_sessions("day")
        if spend is None or web is None:
            return None
        grp = pl.col("channel_group")
        sess = traffic._classified(web).group_by("date").agg(
            *(e for g in PAID_GROUPS for e in (
                pl.col("sessions").filter(grp == g).sum().cast(pl.Int64)
                .alias(f"sessions_{slug(g)}"),
                sum_or_null(pl.col("conversions").filter(grp == g)).cast(pl.Int64)
                .alias(f"conv_{slug(g)}"),
                sum_or_null(pl.col("revenue").filter(grp == g)).cast(pl.Float64)
                .alias(f"revenue_{slug(g)}"))))
        return (
            spend.lazy().join(sess, on="date", how="full", coalesce=True)
            .with_columns(pl.col(f"sessions_{slug(g)}").fill_null(0) for g in PAID_GROUPS)
            .sort("date").collect()
        )

    return ws.memo(("cost", "cost_daily"), build)


def _untracked(ws: Workspace) -> float | None:
    """Spend of the period's campaigns with no session carrying their UTM campaign; None
    without web sessions or when no campaign spent in the period (nothing to track)."""
    web = ws.channel_sessions("campaign")
    if web is None:
        return None
    costs = ws.memo(("cost", "campaigns"), lambda: campaign_cost(
        web, ws.frame("social_daily"), ws.frame("ad_spend")))
    if costs.height == 0:
        return None
    return float(costs.filter(~pl.col("tracked"))["spend"].sum())


_COST = Area("traffic", ("web_sessions", "ad_spend"))
_AD = ("ad_spend",)


def _group_kpis(group: str) -> list[KPI]:
    """The four cost KPIs of one paid channel group."""
    s = slug(group)
    sp, ss, cv, rv = f"spend_{s}", f"sessions_{s}", f"conv_{s}", f"revenue_{s}"
    return [
        _COST.kpi(f"{s}_spend", f"{group} spend", "currency", "lower", ("traffic",),
                  f"Media spend in {group} (ad_spend rows of that channel group).",
                  additive(_spend_daily, sp), datasets=_AD),
        _COST.kpi(f"cost_per_session_{s}", f"Cost per session, {group}", "currency", "lower",
                  ("traffic",), f"{group} spend / website sessions in {group}.",
                  ratio_of(_cost_daily, sp, ss)),
        _COST.kpi(f"cost_per_conversion_{s}", f"Cost per conversion, {group}", "currency",
                  "lower", ("traffic", "sales_spike"),
                  f"{group} spend / conversions of website sessions in {group}.",
                  ratio_of(_cost_daily, sp, cv)),
        _COST.kpi(f"{s}_roas", f"{group} ROAS", "number", "higher", ("traffic", "sales_spike"),
                  f"Revenue of website sessions in {group} / {group} spend.",
                  ratio_of(_cost_daily, rv, sp)),
    ]


KPIS: list[KPI] = [
    _COST.kpi("spend", "Social spend", "currency", "lower", ("traffic",),
              "Ad spend on the social platforms (social_daily.spend).",
              additive(audience._social_daily, "spend"), datasets=("social_daily",)),
    _COST.kpi("cost_per_conversion_social", "Cost per conversion, social", "currency", "lower",
              ("traffic", "sales_spike"),
              "Social spend / conversions of social sessions (organic and paid, as cost per "
              "social session counts them).",
              ratio_of(traffic._daily_with_social, "spend", "social_conversions"),
              datasets=("web_sessions", "social_daily")),
    *(k for g in PAID_GROUPS for k in _group_kpis(g)),
    _COST.kpi("untracked_spend", "Untracked spend", "currency", "lower", ("traffic",),
              "Spend (ad_spend and social_daily) of campaigns that have no website session "
              "with their UTM campaign in the period.",
              _untracked, datasets=("web_sessions",)),
]
