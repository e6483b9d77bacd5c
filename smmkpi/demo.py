"""Deterministic demo data: two years of a fictional online shop's social media marketing.

`generate_rows(seed, end)` returns every dataset of `datasets.py` but `kpi_targets` as typed
Polars frames, with the targets' plan: which KPI each target is for, its period and how far
the actual is to land from it. Setting the values needs the KPIs' actuals, and the demo sits
below `kpis/` in the layers, so `smmkpi.demo_targets` measures them through the catalog and
completes the data set (`python -m smmkpi.demo_targets` regenerates `data/demo/`);
`write_csvs(frames, folder)` writes canonical CSV files. Everything is drawn from one
`numpy.random.default_rng(seed)` in a fixed order with vectorized draws (the posts from a
second generator seeded from the same seed, drawn last), so a seed always gives the same
rows (no wall clock, no hash order). The numbers are made up but shaped so that every page
tells a story:

- campaigns of every goal type on six platforms, some ended and some running at `end`;
- social and web traffic with weekly seasonality and growth, where the share of social
  link clicks that reaches the website differs by platform (40-80 %);
- journeys where about a fifth of social-starting visitors bounce between social profiles;
- customers who follow the brand on social repeat noticeably more; sales-spike campaigns
  lift order volume and repeat-sales campaigns lift repeat orders;
- conversations answered fast in business hours and slowly at night and at weekends, praise
  mostly ignored, a handful still unanswered at `end` and a few rows whose first response
  precedes the message (bad data the dashboard flags);
- calm mentions with exactly one clear negative spike (on x, mid-September 2026);
- the LinkedIn Page's followers gained and page views per day, as its Page exports give
  them (no other platform exports them);
- a post for every post social_daily counts (promotional ones as counted), in the formats
  each platform has, engaging best at each platform's good hours (LinkedIn on weekday
  mornings, Instagram and TikTok in the evening), promotional posts engaging less; the
  tagged ones (link posts, promotions, a fifth of the rest) carry a UTM content value, and
  the web sessions their links brought are rows of their own with that content, carved out
  of the social session rows of their days (whose sums stay as they were);
- targets for every campaign and brand-wide per quarter, planned so that, once calibrated
  on these rows, a mix is on track, at risk and off track.

The campaign calendar is written for the default `end` (2026-10-31) and shifted by whole
days with it, so another `end` keeps the same story relative to its last day.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from smmkpi import datasets as ds

DEFAULT_SEED = 20261031
DEFAULT_END = dt.date(2026, 10, 31)
SLA_MINUTES = 60  # the default SLA the care story is told against (config.Settings)
SPIKE_WINDOW = 28  # trailing days of the negative-spike rule (config: spike_sigma, min count)
SPIKE_SIGMA = 3.0
SPIKE_MIN_COUNT = 10
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
DATE_FORMAT = "%Y-%m-%d"

PLATFORMS: tuple[str, ...] = ds.PLATFORMS
_P = {p: i for i, p in enumerate(PLATFORMS)}


# --------------------------------------------------------------------------------------
# Campaign calendar (dates for the default end; shifted with `end`)


@dataclass(frozen=True)
class _CampaignDef:
    id: str
    name: str
    goal: str
    platform: str
    start: dt.date
    end: dt.date | None  # None: open-ended, still running
    budget: float
    owner: str
    paid: bool  # media spend on the platform (spend is reported on its social rows)


_CAMPAIGNS: tuple[_CampaignDef, ...] = (
    _CampaignDef("tiktok_launch_2025", "TikTok launch", "awareness", "tiktok",
                 dt.date(2025, 1, 13), dt.date(2025, 3, 9), 15000.0, "Aisha Khan", True),
    _CampaignDef("spring_blog_traffic_2025", "Spring blog traffic push", "traffic", "instagram",
                 dt.date(2025, 3, 3), dt.date(2025, 4, 27), 12000.0, "Maya Chen", True),
    _CampaignDef("loyalty_remarketing_2025", "Loyalty remarketing", "repeat_sales", "facebook",
                 dt.date(2025, 5, 12), dt.date(2025, 7, 6), 9000.0, "Jonas Berg", True),
    _CampaignDef("summer_sale_2025", "Summer sale 2025", "sales_spike", "instagram",
                 dt.date(2025, 7, 14), dt.date(2025, 7, 27), 8000.0, "Maya Chen", True),
    _CampaignDef("customer_stories_2025", "Customer love stories", "advocacy", "instagram",
                 dt.date(2025, 8, 18), dt.date(2025, 10, 12), 4000.0, "Lena Fischer", True),
    _CampaignDef("black_friday_2025", "Black Friday 2025", "sales_spike", "facebook",
                 dt.date(2025, 11, 21), dt.date(2025, 12, 1), 20000.0, "Jonas Berg", True),
    _CampaignDef("next_product_poll_2026", "What should we make next?", "research", "linkedin",
                 dt.date(2026, 1, 19), dt.date(2026, 2, 22), 2500.0, "Lena Fischer", False),
    _CampaignDef("thought_leadership_2026", "Thought leadership on LinkedIn", "traffic",
                 "linkedin", dt.date(2026, 3, 2), dt.date(2026, 5, 24), 10000.0, "Aisha Khan",
                 True),
    _CampaignDef("youtube_howto_2026", "YouTube how-to series", "awareness", "youtube",
                 dt.date(2026, 4, 6), None, 14000.0, "Tom Okafor", True),
    _CampaignDef("social_care_hours_2026", "Social care hours", "support", "x",
                 dt.date(2026, 6, 1), None, 6000.0, "Sofia Rossi", False),
    _CampaignDef("summer_sale_2026", "Summer sale 2026", "sales_spike", "instagram",
                 dt.date(2026, 7, 13), dt.date(2026, 7, 26), 9000.0, "Maya Chen", True),
    _CampaignDef("subscribe_save_2026", "Subscribe & save", "repeat_sales", "instagram",
                 dt.date(2026, 8, 3), dt.date(2026, 11, 29), 11000.0, "Jonas Berg", True),
    _CampaignDef("autumn_traffic_2026", "Autumn traffic drive", "traffic", "tiktok",
                 dt.date(2026, 9, 7), dt.date(2026, 11, 15), 13000.0, "Maya Chen", True),
    _CampaignDef("respond_repair_2026", "Respond & repair", "reputation", "x",
                 dt.date(2026, 9, 21), dt.date(2026, 12, 20), 5000.0, "Sofia Rossi", True),
)
_SPIKE_DAY = dt.date(2026, 9, 15)  # the one negative-mention spike, on x
_SPIKE_PLATFORM = "x"
_OVERPROMO = ("facebook", dt.date(2025, 10, 27), dt.date(2025, 12, 14))  # promo share ~45 %

# Per-platform parameters of the organic (campaign-less) social rows, in PLATFORMS order:
# facebook, instagram, x, linkedin, tiktok, youtube.
_IMP0 = np.array([26000.0, 34000.0, 17000.0, 7000.0, 6000.0, 5000.0])  # impressions/day at start
_IMP_GROWTH = np.array([0.04, 0.22, -0.05, 0.30, 1.10, 0.40])  # per year
_FREQ = np.array([1.9, 1.6, 1.4, 1.3, 1.25, 1.5])  # impressions per reached account
_ENG = np.array([0.028, 0.048, 0.020, 0.036, 0.065, 0.032])  # engagements / reach
_CTR = np.array([0.0050, 0.0030, 0.0065, 0.0100, 0.0020, 0.0045])  # link clicks / impressions
_POSTS = np.array([1.3, 1.7, 3.5, 0.7, 1.0, 0.18])  # posts per day
_FOLLOWERS0 = np.array([48200, 61500, 22400, 8600, 3100, 5200])
_ADDS = np.array([22.0, 40.0, 7.0, 9.0, 14.0, 6.0])  # net new followers per day at start
_SITE_RATE = np.array([0.62, 0.47, 0.57, 0.76, 0.42, 0.70])  # web sessions / link clicks
_CPM = np.array([8.0, 9.5, 6.0, 32.0, 5.0, 11.0])  # paid cost per 1000 impressions
_LINKEDIN_WEEKEND = 0.55
_WEEKDAY = np.array([1.04, 1.07, 1.06, 1.03, 0.98, 0.90, 0.92])  # Mon..Sun

_GOAL_CTR = {"traffic": 1.8, "sales_spike": 1.5, "repeat_sales": 1.4}
_GOAL_ENG = {"advocacy": 1.6, "awareness": 1.1, "research": 1.8, "reputation": 1.2}


@dataclass(frozen=True)
class _Camp:
    """A campaign placed on the generated calendar."""

    id: str
    name: str
    goal: str
    platform: str
    start: dt.date
    end: dt.date | None
    budget: float
    owner: str
    paid: bool
    s: int  # first day index in the data
    e: int  # last day index in the data (inclusive; the last day while running)
    planned_days: int  # days the budget is spread over


@dataclass
class _Ctx:
    """The calendar and the random generator shared by every dataset builder."""

    rng: np.random.Generator
    start: dt.date
    end: dt.date
    n: int
    days64: np.ndarray  # datetime64[D]
    wd: np.ndarray  # weekday, Monday = 0
    t: np.ndarray  # years since start
    season: np.ndarray  # yearly seasonality factor, peak in December
    camps: list[_Camp]

    def idx(self, day: dt.date) -> int:
        return (day - self.start).days

    def active(self, c: _Camp) -> np.ndarray:
        a = np.zeros(self.n, dtype=bool)
        if c.e >= c.s:
            a[max(c.s, 0) : c.e + 1] = True
        return a

    def window(self, first: dt.date, last: dt.date) -> np.ndarray:
        a = np.zeros(self.n, dtype=bool)
        a[max(self.idx(first), 0) : max(self.idx(last) + 1, 0)] = True
        return a

    def goal_active(self, goal: str, platform: str | None = None) -> np.ndarray:
        a = np.zeros(self.n, dtype=bool)
        for c in self.camps:
            if c.goal == goal and (platform is None or c.platform == platform):
                a |= self.active(c)
        return a


def _context(seed: int, end: dt.date) -> _Ctx:
    start = _minus_years(end, 2) + dt.timedelta(days=1)
    n = (end - start).days + 1
    days64 = np.datetime64(start, "D") + np.arange(n)
    wd = (days64.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    doy = (days64 - days64.astype("datetime64[Y]")).astype(np.int64)
    season = 1.0 + 0.08 * np.cos(2 * np.pi * (doy - 350) / 365.25)
    shift = end - DEFAULT_END
    camps = []
    for d in _CAMPAIGNS:
        c_start = d.start + shift
        c_end = d.end + shift if d.end else None
        s = (c_start - start).days
        e = min((c_end - start).days if c_end else n - 1, n - 1)
        planned = (c_end - c_start).days + 1 if c_end else 240
        camps.append(_Camp(d.id, d.name, d.goal, d.platform, c_start, c_end, d.budget,
                           d.owner, d.paid, s, e, planned))
    return _Ctx(np.random.default_rng(seed), start, end, n, days64, wd,
                np.arange(n) / 365.25, season, camps)


def _minus_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _shift(ctx: _Ctx, day: dt.date) -> dt.date:
    return day + (ctx.end - DEFAULT_END)


# --------------------------------------------------------------------------------------
# Typed frames


def _typed(name: str, columns: dict[str, object]) -> pl.DataFrame:
    """A frame of dataset `name` with exactly its spec columns and dtypes."""
    spec = ds.get(name)
    df = pl.DataFrame(columns)
    return df.select(pl.col(c).cast(t, strict=True) for c, t in spec.schema.items())


def _ts(minutes: np.ndarray) -> pl.Series:
    """Whole-second UTC timestamps from float minutes since the epoch (NaN -> null)."""
    sec = np.round(np.where(np.isnan(minutes), 0.0, minutes) * 60.0).astype(np.int64)
    arr = sec.astype("datetime64[s]").astype("datetime64[us]")
    arr[np.isnan(minutes)] = np.datetime64("NaT")
    return pl.Series(arr).dt.replace_time_zone("UTC")


_PAGE_COLUMNS = ("new_followers", "page_views", "unique_visitors")


def _not_exported(k: int) -> dict[str, pl.Series]:
    """The social_daily columns only LinkedIn's Page exports give (followers gained, page
    views, unique visitors), empty here: `_linkedin_page` fills LinkedIn's organic rows."""
    return {c: pl.Series([None] * k, dtype=pl.Int64) for c in _PAGE_COLUMNS}


def _date_series(days64: np.ndarray) -> pl.Series:
    return pl.Series(days64.astype("datetime64[D]"))


# --------------------------------------------------------------------------------------
# campaigns


def _campaigns(ctx: _Ctx) -> pl.DataFrame:
    cs = ctx.camps
    return _typed(
        "campaigns",
        {
            "campaign_id": [c.id for c in cs],
            "name": [c.name for c in cs],
            "goal": [c.goal for c in cs],
            "platform": [c.platform for c in cs],
            "start_date": [c.start for c in cs],
            "end_date": pl.Series([c.end for c in cs], dtype=pl.Date),
            "budget": [c.budget for c in cs],
            "owner": [c.owner for c in cs],
        },
    )


def _annotations(ctx: _Ctx) -> pl.DataFrame:
    """The events a manager would note on the charts: the launches of the last months'
    campaigns, the negative spike on x as a PR crisis, a price change and a platform's
    algorithm change (no random draws: the other datasets' draws stay as they were)."""
    rows: list[tuple[dt.date, str, dt.date | None, str | None, str | None, str | None]] = []
    for c in ctx.camps:
        if c.start >= _shift(ctx, dt.date(2026, 6, 1)):
            rows.append((c.start, f"Launch: {c.name}", None, c.id, c.platform,
                         f"Campaign owner: {c.owner}."))
    spike = _shift(ctx, _SPIKE_DAY)
    rows += [
        (spike, "PR crisis: late deliveries thread", spike + dt.timedelta(days=3), None,
         _SPIKE_PLATFORM, "A post about late deliveries went viral; replies within the hour."),
        (_shift(ctx, dt.date(2026, 8, 17)), "Price change: +5 % on subscriptions", None, None,
         None, "New prices on the website and in every shop."),
        (_shift(ctx, dt.date(2026, 10, 6)), "Instagram feed algorithm change", None, None,
         "instagram", "Reels weighted higher in the feed."),
    ]
    return pl.DataFrame(rows, schema=ds.get("annotations").schema, orient="row").sort(
        "date", "title")


# --------------------------------------------------------------------------------------
# social_daily


@dataclass
class _Social:
    frame: pl.DataFrame
    organic_clicks: np.ndarray  # (platforms, days)
    campaign_clicks: dict[str, np.ndarray]  # campaign id -> (days,)


def _noise(ctx: _Ctx, sigma: float, shape: tuple[int, ...]) -> np.ndarray:
    return np.exp(ctx.rng.normal(-sigma * sigma / 2, sigma, shape))


def _social(ctx: _Ctx) -> _Social:
    rng, n, npl = ctx.rng, ctx.n, len(PLATFORMS)
    wday = np.tile(_WEEKDAY[ctx.wd], (npl, 1))
    li = _P["linkedin"]
    wday[li] = np.where(ctx.wd >= 5, _LINKEDIN_WEEKEND, 1.08)
    trend = (1.0 + _IMP_GROWTH[:, None]) ** ctx.t[None, :]
    imp = np.round(_IMP0[:, None] * trend * wday * ctx.season * _noise(ctx, 0.12, (npl, n)))
    imp = np.maximum(imp, 50).astype(np.int64)
    freq = _FREQ[:, None] * _noise(ctx, 0.05, (npl, n))
    reach = np.minimum(np.floor(imp / np.maximum(freq, 1.1)), imp - 1).astype(np.int64)
    eng = rng.binomial(reach, np.clip(_ENG[:, None] * _noise(ctx, 0.10, (npl, n)), 0, 0.5))
    clicks = rng.binomial(imp, np.clip(_CTR[:, None] * _noise(ctx, 0.10, (npl, n)), 0, 0.2))
    posts = rng.poisson(_POSTS[:, None] * wday)
    promo_p = np.full((npl, n), 0.09)
    plat, first, last = _OVERPROMO
    promo_p[_P[plat], ctx.window(_shift(ctx, first), _shift(ctx, last))] = 0.45
    promo = rng.binomial(posts, promo_p)
    adds = _ADDS[:, None] * trend * wday + rng.normal(0.0, 1.0, (npl, n)) * np.sqrt(
        _ADDS[:, None] * 2.0
    )

    rows: list[pl.DataFrame] = []
    camp_clicks: dict[str, np.ndarray] = {}
    for c in ctx.camps:
        a = np.flatnonzero(ctx.active(c))
        if a.size == 0:
            continue
        p = _P[c.platform]
        k = a.size
        if c.paid:
            spend = np.round(c.budget / c.planned_days * _WEEKDAY[ctx.wd[a]]
                             * _noise(ctx, 0.15, (k,)), 2)
            c_imp = np.round(spend / _CPM[p] * 1000.0).astype(np.int64)
        else:
            spend = np.full(k, np.nan)
            c_imp = np.round(_IMP0[p] * 0.35 * _noise(ctx, 0.2, (k,))).astype(np.int64)
        c_imp = np.maximum(c_imp, 100)
        c_reach = np.minimum(np.floor(c_imp / (2.1 * _noise(ctx, 0.06, (k,)))),
                             c_imp - 1).astype(np.int64)
        c_eng = rng.binomial(c_reach, np.clip(_ENG[p] * 0.7 * _GOAL_ENG.get(c.goal, 1.0)
                                              * _noise(ctx, 0.12, (k,)), 0, 0.5))
        c_clicks = rng.binomial(c_imp, np.clip(_CTR[p] * _GOAL_CTR.get(c.goal, 1.0)
                                               * _noise(ctx, 0.12, (k,)), 0, 0.2))
        c_posts = rng.poisson(0.35 if c.paid else 1.0, k)
        sales = c.goal in ("sales_spike", "repeat_sales")
        c_promo = rng.binomial(c_posts, 0.6 if sales else 0.15)
        full = np.zeros(n, dtype=np.int64)
        full[a] = c_clicks
        camp_clicks[c.id] = full
        adds[p, a] += c_eng * (0.04 if c.goal == "awareness" else 0.015)
        rows.append(
            _typed(
                "social_daily",
                {
                    "date": _date_series(ctx.days64[a]),
                    "platform": [c.platform] * k,
                    "campaign_id": [c.id] * k,
                    "impressions": c_imp,
                    "reach": c_reach,
                    "engagements": c_eng,
                    "link_clicks": c_clicks,
                    "followers": pl.Series([None] * k, dtype=pl.Int64),
                    "posts": c_posts,
                    "promo_posts": c_promo,
                    "spend": pl.Series(spend, nan_to_null=True),
                    **_not_exported(k),
                },
            )
        )
    # The negative spike costs followers on its platform for a few days.
    s_idx = ctx.idx(_shift(ctx, _SPIKE_DAY))
    if 0 <= s_idx < n:
        adds[_P[_SPIKE_PLATFORM], s_idx : s_idx + 4] -= np.array([90, 40, 20, 10])[: n - s_idx]
    followers = _FOLLOWERS0[:, None] + np.cumsum(np.round(adds), axis=1).astype(np.int64)

    organic = _typed(
        "social_daily",
        {
            "date": _date_series(np.tile(ctx.days64, npl)),
            "platform": np.repeat(np.array(PLATFORMS), n),
            "campaign_id": pl.Series([None] * (n * npl), dtype=pl.String),
            "impressions": imp.ravel(),
            "reach": reach.ravel(),
            "engagements": eng.ravel(),
            "link_clicks": clicks.ravel(),
            "followers": followers.ravel(),
            "posts": posts.ravel(),
            "promo_posts": promo.ravel(),
            "spend": pl.Series([None] * (n * npl), dtype=pl.Float64),
            **_not_exported(n * npl),
        },
    )
    frame = pl.concat([organic, *rows]).sort(
        ["date", "platform", "campaign_id"], nulls_last=False
    )
    return _Social(frame, clicks, camp_clicks)


def _linkedin_page(social: pl.DataFrame, seed: int) -> pl.DataFrame:
    """The LinkedIn Page's own daily figures on its organic rows, as its followers and
    visitors exports give them, from a generator of their own (seeded from the demo's seed,
    so every other draw stays as it was): followers gained = the day's net change of the
    count plus the day's unfollows (about 0.03 % of the followers, at least what a net loss
    needs), page views about 1.5 % of the impressions plus three per new follower, unique
    visitors about 60 % of the views. The other platforms export none of them."""
    rng = np.random.default_rng(seed + 18)
    organic = (pl.col("platform") == "linkedin") & pl.col("campaign_id").is_null()
    rows = social.filter(organic).sort("date")
    count = rows.get_column("followers").to_numpy()
    net = np.diff(count, prepend=_FOLLOWERS0[_P["linkedin"]])
    gained = net + np.maximum(rng.poisson(count * 0.0003), -net)
    views = rng.poisson(rows.get_column("impressions").to_numpy() * 0.015 + 3 * gained)
    page = rows.select("date", "platform", pl.lit(True).alias("_page")).with_columns(
        pl.Series("new_followers_p", gained, dtype=pl.Int64),
        pl.Series("page_views_p", views, dtype=pl.Int64),
        pl.Series("unique_visitors_p", rng.binomial(views, 0.6), dtype=pl.Int64),
    )
    on_page = pl.col("_page").fill_null(False) & pl.col("campaign_id").is_null()
    return (
        social.join(page, on=["date", "platform"], how="left")
        .with_columns(pl.when(on_page).then(pl.col(f"{c}_p")).otherwise(pl.col(c)).alias(c)
                      for c in _PAGE_COLUMNS)
        .select(social.columns)
        .sort(["date", "platform", "campaign_id"], nulls_last=False)
    )


# --------------------------------------------------------------------------------------
# customers and orders

_ACQ = ("Organic Search", "Paid Search", "Direct", "Organic Social", "Paid Social", "Email",
        "Referral")
_ACQ_P = np.array([0.27, 0.18, 0.14, 0.13, 0.12, 0.08, 0.08])
_REPEAT_CH = ("Email", "Direct", "Organic Search", "Organic Social", "Paid Social")
_ORDER_HOURS = np.array([1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 1.8, 2.6, 3.2, 3.6, 3.9,
                         4.3, 4.2, 3.8, 3.6, 3.7, 4.0, 4.6, 5.2, 5.5, 4.9, 3.6, 2.0])
_BASKET = 60.0


@dataclass
class _Orders:
    customers: pl.DataFrame
    orders: pl.DataFrame
    daily_orders: np.ndarray  # orders per day
    daily_revenue: np.ndarray


def _orders(ctx: _Ctx, n_drawn: int = 27000, pre_days: int = 730) -> _Orders:
    """Customers arrive over the two years before the window too (an established shop), so
    the window starts with a base of returning customers; only orders inside the window and
    customers with such an order (or seen in the window) are kept."""
    rng, n = ctx.rng, ctx.n
    ext = np.arange(-pre_days, n)  # day index; negative = before the window
    ext64 = np.datetime64(ctx.start, "D") + ext
    ext_wd = (ext64.astype(np.int64) + 3) % 7
    ext_doy = (ext64 - ext64.astype("datetime64[Y]")).astype(np.int64)
    ext_season = 1.0 + 0.08 * np.cos(2 * np.pi * (ext_doy - 350) / 365.25)
    lift = np.ones(ext.size)
    lift[pre_days:] += 2.2 * ctx.goal_active("sales_spike")
    for g in ("awareness", "traffic"):
        lift[pre_days:] += 0.15 * ctx.goal_active(g)
    arrival_w = 1.25 ** (ext / 365.25) * _WEEKDAY[ext_wd] * ext_season * lift
    first_day = np.sort(rng.choice(ext, size=n_drawn, p=arrival_w / arrival_w.sum()))
    in_window = first_day >= 0

    # Acquisition channel: paid social weighs more while paid social campaigns run.
    paid_social = np.zeros(n, dtype=bool)
    for c in ctx.camps:
        if c.paid and c.platform != "youtube":
            paid_social |= ctx.active(c)
    probs = np.tile(_ACQ_P, (n_drawn, 1))
    probs[:, 4] *= np.where(in_window & paid_social[np.maximum(first_day, 0)], 2.2, 1.0)
    probs /= probs.sum(axis=1, keepdims=True)
    acq = (rng.random((n_drawn, 1)) > np.cumsum(probs, axis=1)).sum(axis=1)
    acq = np.minimum(acq, len(_ACQ) - 1)
    follow_p = np.select([acq == 3, acq == 4], [0.58, 0.45], 0.23)
    follows = rng.random(n_drawn) < follow_p
    buyer = rng.random(n_drawn) < 0.94  # some sign up and never order
    first_seen = first_day - np.minimum(rng.geometric(0.45, n_drawn) - 1, 30)

    # Repeat orders: a renewal process per customer, faster and longer for followers.
    rate = rng.gamma(1.6, np.where(follows, 4.2, 2.4) / 1.6)  # orders per year
    life = rng.exponential(np.where(follows, 520.0, 360.0))  # active days after the first
    quick = rng.random(n_drawn) < np.where(follows, 0.30, 0.17)  # re-order within a month
    kmax = 40
    gaps = rng.exponential(365.25 / np.maximum(rate, 0.05)[:, None], (n_drawn, kmax)) + 4.0
    gaps[:, 0] = np.where(quick, rng.uniform(6.0, 30.0, n_drawn), gaps[:, 0])
    when = first_day[:, None] + np.cumsum(gaps, axis=1)
    ok = ((when >= 0) & (when <= np.minimum(first_day + life, n - 1e-6)[:, None])
          & buyer[:, None])
    cust_r, k_r = np.nonzero(ok)
    day_r = np.floor(when[cust_r, k_r]).astype(np.int64)

    # Campaign lifts: existing, still active customers order again in the window.
    extra_c: list[np.ndarray] = []
    extra_d: list[np.ndarray] = []
    extra_kind: list[np.ndarray] = []
    for c in ctx.camps:
        if c.goal not in ("sales_spike", "repeat_sales"):
            continue
        days = np.flatnonzero(ctx.active(c))
        if days.size == 0:
            continue
        p = (0.13 if c.goal == "sales_spike" else 0.06 * days.size / 30.0)
        p_c = np.where(follows, p * 1.5, p)
        alive = buyer & (first_day < days[0]) & (first_day + life >= days[0])
        pick = np.flatnonzero(alive & (rng.random(n_drawn) < np.minimum(p_c, 0.9)))
        extra_c.append(pick)
        extra_d.append(rng.choice(days, size=pick.size))
        extra_kind.append(np.full(pick.size, 1 if c.goal == "sales_spike" else 2))

    first_c = np.flatnonzero(buyer & in_window)
    cust = np.concatenate([first_c, cust_r, *extra_c])
    day = np.concatenate([first_day[first_c], day_r, *extra_d])
    kind = np.concatenate([np.zeros(first_c.size, np.int64), np.full(cust_r.size, 3),
                           *extra_kind])
    m = cust.size

    # Keep customers with an order in the window or seen in it; renumber them.
    keep = np.zeros(n_drawn, dtype=bool)
    keep[cust] = True
    keep |= ~buyer & (first_seen >= 0)
    kept = np.flatnonzero(keep)
    n_customers = kept.size
    first_seen = first_seen[kept]

    # Channel: first order = acquisition channel; repeats mostly email/direct or the origin.
    rep_p = np.tile(np.array([0.36, 0.30, 0.20, 0.09, 0.05]), (m, 1))
    rep_p[:, 3] *= np.where(follows[cust], 3.0, 1.0)
    rep_p /= rep_p.sum(axis=1, keepdims=True)
    rep = np.minimum((rng.random((m, 1)) > np.cumsum(rep_p, axis=1)).sum(axis=1), 4)
    channel = np.array(_ACQ)[acq[cust]]
    channel = np.where((kind == 3) & (rng.random(m) < 0.55), np.array(_REPEAT_CH)[rep], channel)
    spike_ch = np.array(["Paid Social", "Email", "Paid Search"])[rng.integers(0, 3, m)]
    loyal_ch = np.array(["Email", "Paid Social"])[rng.integers(0, 2, m)]
    channel = np.select([kind == 1, kind == 2], [spike_ch, loyal_ch], channel)

    revenue = np.round(np.maximum(
        rng.lognormal(np.log(_BASKET) - 0.55**2 / 2, 0.55, m) * np.where(kind == 1, 1.15, 1.0),
        4.9), 2)
    hour = rng.choice(24, size=m, p=_ORDER_HOURS / _ORDER_HOURS.sum())
    minute = (ctx.days64[day].astype(np.int64) * 1440 + hour * 60
              + rng.integers(0, 3600, m) / 60.0)  # whole seconds, in minutes

    # Customer ids in order of first appearance; order ids in time order.
    new_index = np.full(n_drawn, -1, dtype=np.int64)
    new_index[kept] = np.arange(n_customers)
    cust_order = np.lexsort((np.arange(n_customers), first_seen))
    cust_rank = np.empty(n_customers, np.int64)
    cust_rank[cust_order] = np.arange(n_customers)
    rank = cust_rank[new_index[cust]]
    cust_ids = np.char.add("C", np.char.zfill(np.arange(1, n_customers + 1).astype(str), 5))
    o = np.lexsort((rank, minute))
    order_ids = np.char.add("O", np.char.zfill(np.arange(1, m + 1).astype(str), 6))
    orders = _typed(
        "orders",
        {
            "order_id": order_ids,
            "customer_id": cust_ids[rank[o]],
            "ordered_at": _ts(minute[o]),
            "revenue": revenue[o],
            "channel": channel[o],
        },
    )
    customers = _typed(
        "customers",
        {
            "customer_id": cust_ids,
            "acquisition_channel": np.array(_ACQ)[acq[kept][cust_order]],
            "follows_on_social": follows[kept][cust_order],
            "first_seen": _date_series(np.datetime64(ctx.start, "D") + first_seen[cust_order]),
        },
    )
    daily_orders = np.bincount(day, minlength=n)
    daily_revenue = np.bincount(day, weights=revenue, minlength=n)
    return _Orders(customers, orders, daily_orders, daily_revenue)


# --------------------------------------------------------------------------------------
# web_sessions

# Non-social traffic: (source, medium, campaign, group, share of the non-social base).
_WEB_BASE: tuple[tuple[str, str, str | None, str, float], ...] = (
    ("google", "organic", None, "Organic Search", 0.36),
    ("bing", "organic", None, "Organic Search", 0.045),
    ("duckduckgo", "organic", None, "Organic Search", 0.012),
    ("google", "cpc", "search_brand", "Paid Search", 0.07),
    ("google", "cpc", "search_generic", "Paid Search", 0.08),
    ("bing", "cpc", "search_brand", "Paid Search", 0.012),
    ("newsletter", "email", None, "Email", 0.05),
    ("(direct)", "(none)", None, "Direct", 0.20),
    ("techblog.example", "referral", None, "Referral", 0.016),
    ("gearreview.example", "referral", None, "Referral", 0.011),
    ("dealsforum.example", "referral", None, "Referral", 0.007),
    ("chatgpt.com", "referral", None, "Referral", 0.004),
)
# Organic social referrers per platform: (source, medium, group, share of the platform).
_SOCIAL_SOURCES: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "facebook": (("l.facebook.com", "referral", "Organic Social", 0.55),
                 ("m.facebook.com", "referral", "Organic Social", 0.35),
                 ("facebook.com", "referral", "Organic Social", 0.10)),
    "instagram": (("l.instagram.com", "referral", "Organic Social", 0.6),
                  ("instagram.com", "referral", "Organic Social", 0.4)),
    "x": (("t.co", "referral", "Organic Social", 0.85),
          ("x.com", "referral", "Organic Social", 0.15)),
    "linkedin": (("linkedin.com", "referral", "Organic Social", 0.6),
                 ("lnkd.in", "referral", "Organic Social", 0.4)),
    "tiktok": (("tiktok.com", "referral", "Organic Social", 1.0),),
    # YouTube is a video site for GA4: tagged description links count as Organic Social,
    # untagged ones as Organic Video.
    "youtube": (("youtube", "social", "Organic Social", 0.8),
                ("youtube.com", "referral", "Organic Video", 0.2)),
}
# Tagged campaign links per platform: paid (source, medium, group) and unpaid.
_PAID_TAGS = {
    "facebook": ("fb", "paid_social", "Paid Social"),
    "instagram": ("instagram", "paid", "Paid Social"),
    "x": ("twitter", "cpc", "Paid Social"),
    "linkedin": ("linkedin", "cpc", "Paid Social"),
    "tiktok": ("tiktok", "cpc", "Paid Social"),
    "youtube": ("youtube", "cpc", "Paid Video"),
}
_ORGANIC_TAGS = {
    "facebook": ("facebook", "social"), "instagram": ("instagram", "social"),
    "x": ("twitter", "social"), "linkedin": ("linkedin", "social"),
    "tiktok": ("tiktok", "social"), "youtube": ("youtube", "social"),
}
_CONV = {"Organic Search": 2.0, "Paid Search": 2.6, "Email": 4.0, "Direct": 3.0,
         "Referral": 1.6, "Organic Social": 1.1, "Paid Social": 1.3, "Organic Video": 0.8,
         "Paid Video": 0.7}
_ENGAGED = {"Organic Search": 0.66, "Paid Search": 0.58, "Email": 0.72, "Direct": 0.55,
            "Referral": 0.63, "Organic Social": 0.47, "Paid Social": 0.39,
            "Organic Video": 0.52, "Paid Video": 0.44}


@dataclass
class _Web:
    frame: pl.DataFrame


def _web(ctx: _Ctx, social: _Social, orders: _Orders) -> _Web:
    rng, n = ctx.rng, ctx.n
    keys: list[tuple[str, str, str | None, str]] = []
    series: list[np.ndarray] = []
    sales = ctx.goal_active("sales_spike")
    base = (2900.0 * 1.30**ctx.t * np.where(ctx.wd >= 5, 0.86, 1.05) * ctx.season
            * (1 + 0.7 * sales) * _noise(ctx, 0.06, (n,)))
    email_day = np.select([ctx.wd == 1, ctx.wd == 4], [3.0, 1.6], 0.55)  # Tue, Fri sends
    for src, med, camp, group, share in _WEB_BASE:
        mult = email_day if med == "email" else 1.0
        if src == "chatgpt.com":
            mult = 1.0 + 5.0 * ctx.t
        keys.append((src, med, camp, group))
        series.append(rng.poisson(base * share * mult * _noise(ctx, 0.08, (n,))))
    for p, plat in enumerate(PLATFORMS):
        rate = np.clip(_SITE_RATE[p] * _noise(ctx, 0.08, (n,)), 0.0, 0.95)
        total = rng.binomial(social.organic_clicks[p], rate)
        srcs = _SOCIAL_SOURCES[plat]
        split = rng.multinomial(total, np.array([s[3] for s in srcs]))
        for j, (src, med, group, _share) in enumerate(srcs):
            keys.append((src, med, None, group))
            series.append(split[:, j])
    for c in ctx.camps:
        clicks = social.campaign_clicks.get(c.id)
        if clicks is None:
            continue
        p = _P[c.platform]
        rate = np.clip(_SITE_RATE[p] * (1.12 if c.goal == "traffic" else 1.0)
                       * _noise(ctx, 0.08, (n,)), 0.0, 0.95)
        if c.paid:
            src, med, group = _PAID_TAGS[c.platform]
        else:
            src, med = _ORGANIC_TAGS[c.platform]
            group = "Organic Social"
        keys.append((src, med, c.id, group))
        series.append(rng.binomial(clicks, rate))
        if c.goal in ("repeat_sales", "sales_spike"):  # the newsletter carries it too
            keys.append(("newsletter", "email", c.id, "Email"))
            series.append(rng.poisson(base * 0.035 * ctx.active(c) * email_day))

    sess = np.stack(series, axis=1)  # (days, combos)
    groups = [k[3] for k in keys]
    weight = sess * np.array([_CONV[g] for g in groups])[None, :]
    pvals = weight / np.maximum(weight.sum(axis=1, keepdims=True), 1e-9)
    conv = rng.multinomial(rng.binomial(orders.daily_orders, 0.9), pvals)
    engaged = rng.binomial(sess, np.array([_ENGAGED[g] for g in groups])[None, :])
    conv = np.minimum(conv, engaged)
    basket = np.where(orders.daily_orders > 0,
                      orders.daily_revenue / np.maximum(orders.daily_orders, 1), _BASKET)
    revenue = np.where(conv > 0, rng.gamma(np.maximum(conv, 1) * 3.0, basket[:, None] / 3.0),
                       0.0)
    revenue = np.round(revenue, 2)

    d_idx, k_idx = np.nonzero(sess > 0)
    src = np.array([k[0] for k in keys])
    med = np.array([k[1] for k in keys])
    camp = np.array([k[2] or "" for k in keys])
    frame = _typed(
        "web_sessions",
        {
            "date": _date_series(ctx.days64[d_idx]),
            "source": src[k_idx],
            "medium": med[k_idx],
            "campaign": pl.Series(camp[k_idx]).replace("", None),
            "sessions": sess[d_idx, k_idx],
            "engaged_sessions": engaged[d_idx, k_idx],
            "conversions": conv[d_idx, k_idx],
            "revenue": revenue[d_idx, k_idx],
            "content": pl.Series(np.full(d_idx.size, None, dtype=object), dtype=pl.String),
        },
    )
    frame = frame.sort(["date", "source", "medium", "campaign"], nulls_last=False)
    return _Web(frame)


# --------------------------------------------------------------------------------------
# ad_spend: Google Ads search and display campaigns

# (campaign, channel group, cost per click, clicks per session) for the Google Ads
# campaigns whose tagged sessions are in web_sessions: cost follows their sessions.
_GOOGLE_SEARCH: tuple[tuple[str, str, float], ...] = (
    ("search_brand", "paid search", 0.42),
    ("search_generic", "paid search", 1.35),
)
_CLICKS_PER_SESSION = 1.08  # ad clicks that never become a session (bounces before load)
_DISPLAY_TAGGED = ("display_remarketing", 0.65, 70.0)  # campaign, cpc, sessions per day
# Prospecting display runs its last five months without UTM tags: its visits arrive as
# referrals from Google's ad server, and the UTM audit finds its spend untracked.
_DISPLAY_UNTAGGED = ("display_prospecting", 0.38, 120.0, 153)  # ..., days before the end
_AD_REFERRER = "googleads.g.doubleclick.net"
_CONV_VALUE_SHARE = 0.9  # the ad platform's conversion value against GA4's revenue


@dataclass
class _Ads:
    spend: pl.DataFrame  # ad_spend
    sessions: pl.DataFrame  # the display campaigns' web_sessions rows


def _ads(ctx: _Ctx, web: pl.DataFrame, seed: int) -> _Ads:
    """Two years of Google Ads daily spend: the search campaigns' cost from their tagged
    sessions (clicks per session, a cost per click that rises 12 % a year), a tagged
    display remarketing campaign and an untagged prospecting one with their sessions.

    Drawn from a generator of its own, so the other datasets' draws stay as they were."""
    rng = np.random.default_rng(seed + 15)
    n = ctx.n
    idx = {d: i for i, d in enumerate(ctx.days64.astype("datetime64[D]").tolist())}
    rows: dict[str, list[object]] = {c: [] for c in ds.get("ad_spend").names}
    extra: list[tuple[np.ndarray, str, str, str | None, np.ndarray, np.ndarray, np.ndarray]] = []
    cpc_growth = 1.12 ** ctx.t

    def add(camp: str, channel: str, clicks: np.ndarray, cpc: np.ndarray, conv: np.ndarray,
            value: np.ndarray, ctr: float) -> None:
        on = clicks > 0
        spend = np.round(clicks * cpc, 2)
        rows["date"].extend(ctx.days64[on].astype("datetime64[D]").tolist())
        rows["channel"].extend([channel] * int(on.sum()))
        rows["campaign"].extend([camp] * int(on.sum()))
        rows["spend"].extend(spend[on].tolist())
        rows["impressions"].extend(np.round(clicks[on] / ctr).astype(np.int64).tolist())
        rows["clicks"].extend(clicks[on].astype(np.int64).tolist())
        rows["conversions"].extend(conv[on].astype(float).tolist())
        rows["conversion_value"].extend(np.round(value[on], 2).tolist())
        rows["currency"].extend(["USD"] * int(on.sum()))
        rows["opens"].extend([None] * int(on.sum()))

    google = web.filter((pl.col("source") == "google") & (pl.col("medium") == "cpc"))
    for camp, channel, cpc in _GOOGLE_SEARCH:
        c = google.filter(pl.col("campaign") == camp)
        sess, conv, rev = (np.zeros(n) for _ in range(3))
        for d, s_, cv, rv in c.select("date", "sessions", "conversions", "revenue").iter_rows():
            sess[idx[d]], conv[idx[d]], rev[idx[d]] = s_, cv or 0, rv or 0.0
        clicks = rng.poisson(sess * _CLICKS_PER_SESSION)
        price = cpc * cpc_growth * np.clip(rng.normal(1.0, 0.07, n), 0.7, 1.3)
        add(camp, channel, clicks, price, conv, rev * _CONV_VALUE_SHARE,
            0.085 if camp == "search_brand" else 0.032)

    season = ctx.season * np.where(ctx.wd >= 5, 0.9, 1.04)
    camp, cpc, per_day = _DISPLAY_TAGGED
    sess = rng.poisson(per_day * 1.25 ** ctx.t * season)
    conv = rng.binomial(sess, 0.006)
    rev = np.where(conv > 0, rng.gamma(np.maximum(conv, 1) * 3.0, _BASKET / 3.0), 0.0)
    clicks = rng.poisson(sess * _CLICKS_PER_SESSION)
    add(camp, "display", clicks, cpc * cpc_growth * np.clip(rng.normal(1, 0.1, n), 0.6, 1.4),
        conv, rev * _CONV_VALUE_SHARE, 0.0045)
    extra.append((sess, "google", "display", camp, conv, rev, rng.binomial(sess, 0.41)))

    camp, cpc, per_day, days = _DISPLAY_UNTAGGED
    live = np.arange(n) >= n - days
    sess = np.where(live, rng.poisson(per_day * season), 0)
    conv = rng.binomial(sess, 0.002)
    rev = np.where(conv > 0, rng.gamma(np.maximum(conv, 1) * 3.0, _BASKET / 3.0), 0.0)
    clicks = np.where(live, rng.poisson(sess * 1.3), 0)
    add(camp, "display", clicks, cpc * cpc_growth * np.clip(rng.normal(1, 0.1, n), 0.6, 1.4),
        conv, rev * _CONV_VALUE_SHARE, 0.0030)
    extra.append((sess, _AD_REFERRER, "referral", None, conv, rev, rng.binomial(sess, 0.22)))

    spend = _typed("ad_spend", rows).sort(["date", "channel", "campaign"])
    parts = []
    for sess, src, med, camp, conv, rev, engaged in extra:
        on = sess > 0
        parts.append(_typed("web_sessions", {
            "date": _date_series(ctx.days64[on]),
            "source": [src] * int(on.sum()),
            "medium": [med] * int(on.sum()),
            "campaign": pl.Series([camp] * int(on.sum()), dtype=pl.String),
            "sessions": sess[on],
            "engaged_sessions": engaged[on],
            "conversions": conv[on],
            "revenue": np.round(rev[on], 2),
            "content": pl.Series([None] * int(on.sum()), dtype=pl.String),
        }))
    return _Ads(spend, pl.concat(parts))


# posts, and the website sessions their tagged links brought

# Drawn from a generator of their own (seeded from the demo's seed), after everything else,
# so that adding them left every other dataset's rows as they were; the posts' web
# sessions are carved out of the social session rows of their day, which keep their sums.
_POST_SEED_OFFSET = 14
_HANDLE = "ourshop"
_FORMATS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "facebook": (("image", "link", "video", "reel", "text", "carousel"),
                 (0.32, 0.28, 0.14, 0.12, 0.09, 0.05)),
    "instagram": (("reel", "image", "carousel", "story", "live"), (0.38, 0.27, 0.2, 0.13, 0.02)),
    "x": (("text", "image", "link", "video"), (0.5, 0.25, 0.18, 0.07)),
    "linkedin": (("text", "image", "link", "video", "carousel"), (0.3, 0.27, 0.25, 0.1, 0.08)),
    "tiktok": (("video", "live"), (0.96, 0.04)),
    "youtube": (("video", "reel", "live"), (0.7, 0.25, 0.05)),
}
_FORMAT_ER = {"reel": 1.5, "video": 1.2, "carousel": 1.35, "image": 1.0, "story": 0.6,
              "link": 0.7, "text": 0.9, "live": 1.6, "other": 1.0}
# UTC hour weights of publishing, and per platform the hours that engage best
_POST_HOURS = np.array([0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 1.6, 2.2, 2.0, 1.6, 1.5, 2.0,
                        1.8, 1.4, 1.3, 1.5, 1.9, 2.1, 2.0, 1.6, 1.1, 0.6, 0.3])
_GOOD_HOURS: dict[str, tuple[tuple[int, int, float], ...]] = {  # (first, last, factor)
    "facebook": ((12, 14, 1.25), (19, 21, 1.3)),
    "instagram": ((11, 13, 1.15), (18, 21, 1.4)),
    "x": ((8, 9, 1.2), (12, 14, 1.25), (17, 18, 1.2)),
    "linkedin": ((7, 10, 1.45), (12, 13, 1.15)),
    "tiktok": ((19, 23, 1.45),),
    "youtube": ((15, 19, 1.25),),
}
_SHARE_OF_ENG = {  # likes, comments, shares, saves (None: the platform exports no saves)
    "facebook": (0.74, 0.14, 0.12, None), "instagram": (0.7, 0.1, 0.08, 0.12),
    "x": (0.58, 0.17, 0.25, None), "linkedin": (0.76, 0.14, 0.1, None),
    "tiktok": (0.78, 0.07, 0.07, 0.08), "youtube": (0.82, 0.14, 0.04, None),
}
_CLICKS_EXPORTED = {"facebook", "x", "linkedin"}  # the others export no post link clicks
_REACH_EXPORTED = {"facebook", "instagram", "linkedin"}
_PRODUCTS = ("stoneware mug", "travel mug", "espresso cup set", "glaze sampler",
             "mug gift box", "pour-over dripper", "tea bowl", "latte mug")
_TITLES = {
    "promo": ("{P}: 20 % off this week only", "New in the shop: the {p}",
              "Last chance: the {p} is almost sold out", "Free shipping on every {p} today"),
    "reel": ("How a {p} is made, in 30 seconds", "Glazing day in the studio",
             "From clay to {p}: the whole journey"),
    "video": ("Studio tour: where every {p} starts", "How we test a {p} before it ships",
              "Three ways to care for your {p}"),
    "carousel": ("Swipe for every colour of the {p}", "Five mistakes we made (so you don't)",
                 "Our {p} collection, side by side"),
    "image": ("Morning light on a {p}", "Your photos: the {p} in your kitchen",
              "Which glaze is your favourite?"),
    "story": ("Behind the scenes today", "Poll: which {p} next?"),
    "link": ("Read: how to choose a {p}", "Our guide to slow mornings", "Why stoneware lasts"),
    "text": ("What should we make next? Tell us below", "Thank you for 10,000 orders!",
             "Question of the week: tea or coffee?"),
    "live": ("Live from the studio: ask us anything", "Live: unboxing the new {p}"),
    "other": ("An update from the team",),
}


def _permalink(platform: str, pid: str, fmt: str) -> str:
    if platform == "facebook":
        return f"https://www.facebook.com/{_HANDLE}/posts/{pid}"
    if platform == "instagram":
        kind = {"reel": "reel", "story": "stories/" + _HANDLE}.get(fmt, "p")
        return f"https://www.instagram.com/{kind}/{pid}/"
    if platform == "x":
        return f"https://x.com/{_HANDLE}/status/{pid}"
    if platform == "linkedin":
        return f"https://www.linkedin.com/feed/update/{pid}"
    if platform == "tiktok":
        return f"https://www.tiktok.com/@{_HANDLE}/video/{pid}"
    return f"https://www.youtube.com/watch?v={pid}"


def _posts(seed: int, social: pl.DataFrame, web: pl.DataFrame) -> tuple[pl.DataFrame,
                                                                        pl.DataFrame]:
    """The posts behind social_daily's daily counts (one per post counted, promotional as
    counted) and the web sessions with the UTM content of the tagged ones."""
    rng = np.random.default_rng(seed + _POST_SEED_OFFSET)
    rows = (social.filter(pl.col("posts") > 0)
            .select("date", "platform", "campaign_id", "posts", "promo_posts", "impressions",
                    "link_clicks")
            .with_columns(i=pl.int_ranges(0, pl.col("posts")))
            .explode("i").with_columns(is_promo=pl.col("i") < pl.col("promo_posts"))
            .sort("date", "platform", "campaign_id", "i", nulls_last=False))
    n = rows.height
    plat = rows["platform"].to_numpy()
    date = rows["date"].to_numpy().astype("datetime64[D]")
    promo = rows["is_promo"].to_numpy()
    k = rows["posts"].to_numpy()
    fmt = np.empty(n, dtype=object)
    for p, (names, probs) in _FORMATS.items():
        m = plat == p
        fmt[m] = rng.choice(np.array(names, dtype=object), size=int(m.sum()), p=probs)
    linkish = np.isin(plat, ["facebook", "x", "linkedin"])
    fmt[promo & linkish & (rng.random(n) < 0.55)] = "link"
    hour = rng.choice(24, size=n, p=_POST_HOURS / _POST_HOURS.sum())
    minute = rng.integers(0, 60, n)
    wd = (date.astype(np.int64) + 3) % 7
    boost = np.ones(n)
    for p, spans in _GOOD_HOURS.items():
        for first, last, f in spans:
            boost[(plat == p) & (hour >= first) & (hour <= last)] *= f
    boost[(hour <= 5)] *= 0.7
    boost[(plat == "linkedin") & (wd >= 5)] *= 0.65
    boost[(plat == "instagram") & (wd == 6)] *= 1.15
    quality = (boost * np.array([_FORMAT_ER[f] for f in fmt]) * np.where(promo, 0.6, 1.0)
               * rng.lognormal(0.0, 0.35, n))
    pi = np.array([_P[p] for p in plat])
    views_fmt = np.isin(fmt, ["video", "reel", "live"])
    imp = np.maximum(np.round(rows["impressions"].to_numpy() / k * 0.9
                              * np.where(views_fmt, 1.4, 1.0) * rng.lognormal(0.0, 0.4, n)),
                     30).astype(np.int64)
    er = np.clip(_ENG[pi] / _FREQ[pi] * quality, 0.0005, 0.4)
    eng = rng.binomial(imp, er)
    reach = np.minimum(np.round(imp / (_FREQ[pi] * rng.lognormal(0.0, 0.05, n))),
                       imp).astype(np.int64)
    clicks = rng.binomial(np.maximum(rows["link_clicks"].to_numpy() // k, 0) * 3,
                          np.clip(np.where(fmt == "link", 0.6, 0.18) * np.where(promo, 1.3, 1.0),
                                  0, 1))
    shares = np.array([_SHARE_OF_ENG[p] for p in plat], dtype=object)
    parts = {}
    left = eng.copy()
    for j, name in enumerate(("comments", "shares", "saves")):
        frac = np.array([s[j + 1] if s[j + 1] is not None else 0.0 for s in shares], float)
        parts[name] = rng.binomial(left, np.clip(frac / np.maximum(
            1.0 - np.array([sum(x for x in s[1:j + 1] if x) for s in shares], float), 1e-9),
            0, 1))
        left = left - parts[name]
    parts["likes"] = left
    has_saves = np.array([s[3] is not None for s in shares])
    video_views = np.where(np.isin(plat, ["tiktok"]), imp,
                           np.where(plat == "youtube", np.round(imp * 0.06),
                                    np.where(views_fmt, np.round(imp * 0.45), -1))).astype(
        np.int64)
    imp_out = np.where(plat == "tiktok", video_views, imp)
    tagged = (fmt == "link") | promo | (rng.random(n) < 0.22)
    seq = np.arange(n)
    pid = np.array([
        (f"urn:li:activity:{710000000000 + 7919 * i}" if p == "linkedin" else
         f"yt{i:07d}" if p == "youtube" else str(180000000000 + 104729 * i))
        for p, i in zip(plat, seq, strict=True)], dtype=object)
    day_txt = np.datetime_as_string(date, unit="D")
    content = [f"{p[:2]}{d[2:].replace('-', '')}_{f}{i}" if t else None for p, d, f, i, t in
               zip(plat, day_txt, fmt, seq, tagged, strict=True)]
    product = rng.integers(0, len(_PRODUCTS), n)
    pick = rng.integers(0, 1000, n)
    titles = []
    for f, pr, a, b in zip(fmt, promo, product, pick, strict=True):
        options = _TITLES["promo" if pr else f]
        t = options[b % len(options)]
        titles.append(t.replace("{p}", _PRODUCTS[a]).replace("{P}", _PRODUCTS[a].capitalize()))
    published = (date.astype("datetime64[m]") + (hour * 60 + minute).astype("timedelta64[m]"))
    null_int = pl.Series([None] * n, dtype=pl.Int64)

    def col(values: np.ndarray, keep: np.ndarray) -> pl.Series:
        return pl.Series(np.where(keep, values, -1)).replace(-1, None).cast(pl.Int64)

    posts = _typed("posts", {
        "platform": plat, "post_id": pid,
        "published_at": pl.Series(published.astype("datetime64[us]")).dt.replace_time_zone(
            "UTC"),
        "format": fmt.astype(str), "title": titles,
        "url": [_permalink(p, i, f) for p, i, f in zip(plat, pid, fmt, strict=True)],
        "campaign_id": rows["campaign_id"], "utm_content": pl.Series(content, dtype=pl.String),
        "is_promo": promo, "impressions": imp_out,
        "reach": col(reach, np.isin(plat, list(_REACH_EXPORTED))),
        "engagements": eng + np.where(np.isin(plat, ["x", "linkedin"]), clicks, 0),
        "likes": parts["likes"], "comments": parts["comments"], "shares": parts["shares"],
        "saves": col(parts["saves"], has_saves),
        "link_clicks": col(clicks, np.isin(plat, list(_CLICKS_EXPORTED))),
        "video_views": col(video_views, video_views >= 0) if n else null_int,
    })
    return posts, _carve_sessions(rng, posts, clicks, pi, web)


_DECAY = np.array([0.55, 0.25, 0.12, 0.08])  # a tagged post's sessions on days 0-3


def _carve_sessions(rng: np.random.Generator, posts: pl.DataFrame, clicks: np.ndarray,
                    pi: np.ndarray, web: pl.DataFrame) -> pl.DataFrame:
    """web_sessions with the tagged posts' sessions as rows of their own (content = the
    post's utm_content), carved out of the social row each would otherwise count in (the
    campaign's tagged row, or the platform's main referral row): every original row keeps
    at least one session, and sessions, engaged sessions, conversions and revenue keep
    their sums (shared out by largest remainders, so no part gets more than its share)."""
    tagged = np.flatnonzero(posts["utm_content"].is_not_null().to_numpy())
    expected = clicks[tagged] * _SITE_RATE[pi[tagged]] * 0.8
    demand = pl.DataFrame({
        "post": np.repeat(tagged, 4), "age": np.tile(np.arange(4), tagged.size),
        "d": np.repeat(expected, 4) * np.tile(_DECAY, tagged.size),
    })
    p = posts.select(pl.int_range(pl.len()).alias("post"), "platform", "campaign_id",
                     "utm_content", pl.col("published_at").dt.date().alias("day"))
    demand = demand.join(p, on="post").with_columns(
        date=pl.col("day") + pl.duration(days=pl.col("age")))
    main_src = pl.DataFrame({"platform": list(_SOCIAL_SOURCES),
                             "source": [v[0][0] for v in _SOCIAL_SOURCES.values()],
                             "medium": [v[0][1] for v in _SOCIAL_SOURCES.values()]})
    camp_src = pl.DataFrame({"platform": list(_PAID_TAGS),
                             "psrc": [v[0] for v in _PAID_TAGS.values()],
                             "pmed": [v[1] for v in _PAID_TAGS.values()],
                             "osrc": [_ORGANIC_TAGS[k][0] for k in _PAID_TAGS],
                             "omed": [_ORGANIC_TAGS[k][1] for k in _PAID_TAGS]})
    w = web.with_columns(pl.int_range(pl.len()).alias("row"))
    organic = (demand.filter(pl.col("campaign_id").is_null())
               .join(main_src, on="platform")
               .join(w.filter(pl.col("campaign").is_null()),
                     on=["date", "source", "medium"]))
    in_camp = demand.filter(pl.col("campaign_id").is_not_null()).join(camp_src, on="platform")
    by_camp = pl.concat([
        in_camp.join(w, left_on=["date", "psrc", "pmed", "campaign_id"],
                     right_on=["date", "source", "medium", "campaign"]),
        in_camp.join(w, left_on=["date", "osrc", "omed", "campaign_id"],
                     right_on=["date", "source", "medium", "campaign"]),
    ])
    cols = ["row", "post", "platform", "utm_content", "d", "sessions"]
    d = pl.concat([organic.select(cols), by_camp.select(cols)]).sort("row", "post")
    if d.height == 0:
        return web
    d = d.with_columns(s=pl.Series(rng.poisson(d["d"].to_numpy())).cast(pl.Int64))
    cap = (pl.col("sessions") * 4 // 5).clip(upper_bound=pl.col("sessions") - 1)
    total = pl.col("s").sum().over("row")
    d = d.with_columns(pl.when(total > cap).then(pl.col("s") * cap // total)
                       .otherwise(pl.col("s")).alias("s")).filter(pl.col("s") > 0)
    orig = w.filter(pl.col("row").is_in(d["row"].unique().to_list()))
    pieces = pl.concat([
        d.select("row", pl.col("utm_content").alias("content"), "s",
                 pl.col("platform").alias("tag_platform")),
        d.group_by("row").agg(pl.col("s").sum().alias("taken")).join(orig, on="row")
        .select("row", pl.lit(None, dtype=pl.String).alias("content"),
                (pl.col("sessions") - pl.col("taken")).alias("s"),
                pl.lit(None, dtype=pl.String).alias("tag_platform")),
    ]).join(orig, on="row").with_columns(
        (pl.col("revenue") * 100).round(0).cast(pl.Int64).alias("cents"))
    for col, over in (("engaged_sessions", "sessions"), ("conversions", "sessions")):
        pieces = pieces.with_columns(_largest_remainder(col, "s", over).alias(f"new_{col}"))
    pieces = pieces.with_columns(_largest_remainder("cents", "new_conversions", "conversions")
                                 .alias("new_cents"))
    tag_src = pl.DataFrame({"tag_platform": list(_ORGANIC_TAGS),
                            "tsrc": [v[0] for v in _ORGANIC_TAGS.values()],
                            "tmed": [v[1] for v in _ORGANIC_TAGS.values()]})
    pieces = pieces.join(tag_src, on="tag_platform", how="left")
    is_organic_tag = pl.col("content").is_not_null() & pl.col("campaign").is_null()
    new_rows = pieces.select(
        "date",
        pl.when(is_organic_tag).then("tsrc").otherwise("source").alias("source"),
        pl.when(is_organic_tag).then("tmed").otherwise("medium").alias("medium"),
        "campaign", pl.col("s").alias("sessions"),
        pl.col("new_engaged_sessions").alias("engaged_sessions"),
        pl.col("new_conversions").alias("conversions"),
        (pl.col("new_cents") / 100).alias("revenue"), "content",
    )
    kept = w.filter(~pl.col("row").is_in(orig["row"].to_list())).drop("row")
    out = pl.concat([kept, new_rows.select(kept.columns).cast(kept.schema)])  # type: ignore[arg-type]
    return out.sort(["date", "source", "medium", "campaign", "content"], nulls_last=False)


def _largest_remainder(col: str, part: str, whole: str) -> pl.Expr:
    """`col` of each original row shared out over its pieces in proportion to `part` /
    `whole`, in whole numbers that add up to the row's value (largest remainders get the
    units left over). Pieces are grouped by `row`."""
    quota = pl.when(pl.col(whole) > 0).then(
        pl.col(col).cast(pl.Float64) * pl.col(part) / pl.col(whole)).otherwise(0.0)
    base = quota.floor().cast(pl.Int64)
    left = pl.col(col) - base.sum().over("row")
    rank = (quota - quota.floor()).rank("ordinal", descending=True).over("row")
    return base + (rank <= left).cast(pl.Int64)


# --------------------------------------------------------------------------------------
# journeys

# (path, visitors per day at start, platform whose growth it follows)
_PATHS: tuple[tuple[str, float, str | None], ...] = (
    ("facebook > website", 40, "facebook"),
    ("facebook > website > purchase", 3, "facebook"),
    ("facebook > blog > website > purchase", 1.5, "facebook"),
    ("facebook > blog > website", 6, "facebook"),
    ("facebook > blog", 8, "facebook"),
    ("facebook > instagram", 7, "facebook"),
    ("facebook > instagram > x", 4, "facebook"),
    ("instagram > website", 35, "instagram"),
    ("instagram > website > purchase", 2.5, "instagram"),
    ("instagram > blog > website > purchase", 2, "instagram"),
    ("instagram > blog > website", 7, "instagram"),
    ("instagram > blog", 9, "instagram"),
    ("instagram > tiktok", 8, "instagram"),
    ("instagram > facebook > instagram", 3, "instagram"),
    ("x > website", 30, "x"),
    ("x > website > purchase", 1.5, "x"),
    ("x > facebook", 5, "x"),
    ("x > instagram > facebook", 3, "x"),
    ("linkedin > website", 20, "linkedin"),
    ("linkedin > blog > website > purchase", 1.5, "linkedin"),
    ("linkedin > blog > website", 8, "linkedin"),
    ("linkedin > blog", 10, "linkedin"),
    ("linkedin > x", 3, "linkedin"),
    ("tiktok > website", 6, "tiktok"),
    ("tiktok > instagram", 6, "tiktok"),
    ("tiktok > instagram > website", 3, "tiktok"),
    ("tiktok > instagram > youtube", 3, "tiktok"),
    ("youtube > website", 6, "youtube"),
    ("youtube > website > purchase", 0.6, "youtube"),
    ("youtube > blog > website", 2, "youtube"),
    ("youtube > instagram", 3, "youtube"),
    ("google > website", 300, None),
    ("google > website > purchase", 25, None),
    ("google > blog > website", 40, None),
    ("google > blog > website > purchase", 6, None),
    ("google > blog", 80, None),
    ("google > blog > instagram", 5, None),
    ("email > website", 90, None),
    ("email > website > purchase", 12, None),
    ("direct > website", 200, None),
    ("direct > website > purchase", 15, None),
)


def _journeys(ctx: _Ctx) -> pl.DataFrame:
    growth = np.array([_IMP_GROWTH[_P[p]] if p else 0.30 for _, _, p in _PATHS])
    w0 = np.array([w for _, w, _ in _PATHS])
    sales = ctx.goal_active("sales_spike")
    purchase = np.array([path.endswith("> purchase") for path, _, _ in _PATHS])
    lam = (w0[None, :] * (1.0 + growth[None, :]) ** ctx.t[:, None]
           * np.where(ctx.wd >= 5, 0.88, 1.04)[:, None] * ctx.season[:, None]
           * np.where(purchase[None, :], 1.0 + 1.5 * sales[:, None], 1.0))
    visitors = ctx.rng.poisson(lam)
    d_idx, k_idx = np.nonzero(visitors > 0)
    paths = np.array([p for p, _, _ in _PATHS])
    v = visitors[d_idx, k_idx]
    return _typed(
        "journeys",
        {
            "date": _date_series(ctx.days64[d_idx]),
            "path": paths[k_idx],
            "visitors": v,
            "conversions": np.where(purchase[k_idx], v, 0),
        },
    ).sort(["date", "path"])


# --------------------------------------------------------------------------------------
# conversations

_CONV_RATE = np.array([7.0, 8.0, 6.0, 1.5, 2.0, 1.2])  # per day at start, PLATFORMS order
_CONV_GROWTH = np.array([0.08, 0.15, 0.05, 0.20, 0.90, 0.30])
_KIND_P = {  # question, complaint, praise, suggestion, other
    "default": [0.40, 0.20, 0.22, 0.08, 0.10],
    "x": [0.35, 0.30, 0.15, 0.07, 0.13],
    "linkedin": [0.50, 0.10, 0.20, 0.15, 0.05],
}
_SENTIMENT_P = np.array([  # positive, neutral, negative per kind
    [0.08, 0.80, 0.12],
    [0.00, 0.10, 0.90],
    [0.97, 0.03, 0.00],
    [0.30, 0.60, 0.10],
    [0.20, 0.60, 0.20],
])
_OPEN_HOURS = np.array([0.5, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3.0, 3.4, 3.5,
                        3.6, 3.5, 3.4, 3.3, 3.2, 3.2, 3.3, 3.4, 3.2, 2.6, 1.7, 0.9])


def _next_staffed(minutes: np.ndarray, extended: np.ndarray) -> np.ndarray:
    """The first moment at or after `minutes` (since the epoch) when the team answers:
    weekdays 09:00-18:00, or with `extended` (the support campaign's "social care hours")
    weekdays 08:00-20:00 and Saturdays 10:00-14:00."""
    day0 = np.floor(minutes / 1440.0)
    out = np.full(minutes.shape, np.nan)
    for k in range(4):  # the next staffed window is at most three days ahead
        day = day0 + k
        wd = (day.astype(np.int64) + 3) % 7
        open_h = np.where(extended, np.select([wd < 5, wd == 5], [8.0, 10.0], np.nan),
                          np.where(wd < 5, 9.0, np.nan))
        close_h = np.where(extended, np.select([wd < 5, wd == 5], [20.0, 14.0], np.nan),
                           np.where(wd < 5, 18.0, np.nan))
        cand = np.maximum(minutes, day * 1440.0 + open_h * 60.0)
        ok = np.isnan(out) & (cand < day * 1440.0 + close_h * 60.0)
        out = np.where(ok, cand, out)
    return out


def _conversations(ctx: _Ctx) -> pl.DataFrame:
    rng, n = ctx.rng, ctx.n
    kinds = np.array(ds.KINDS)
    kp = np.array([_KIND_P.get(p, _KIND_P["default"]) for p in PLATFORMS])  # (npl, 5)
    rate = (_CONV_RATE[None, :, None] * (1 + _CONV_GROWTH[None, :, None]) ** ctx.t[:, None, None]
            * np.where(ctx.wd >= 5, 0.8, 1.05)[:, None, None] * kp[None, :, :])
    q, cmp, pr, sg = 0, 1, 2, 3
    for c in ctx.camps:
        a, p = ctx.active(c), _P[c.platform]
        mult = {"advocacy": {pr: 2.5}, "research": {sg: 8.0, q: 1.5},
                "sales_spike": {q: 2.0, cmp: 1.5}, "repeat_sales": {q: 1.3},
                "support": {q: 1.4}, "reputation": {cmp: 0.8}}.get(c.goal, {})
        for k, f in mult.items():
            rate[a, p, k] *= f
    s_idx = ctx.idx(_shift(ctx, _SPIKE_DAY))
    if 0 <= s_idx < n:
        rate[s_idx, _P[_SPIKE_PLATFORM], cmp] += 35.0
        rate[s_idx, _P["facebook"], cmp] += 6.0
        if s_idx + 1 < n:
            rate[s_idx + 1, _P[_SPIKE_PLATFORM], cmp] += 12.0
    counts = rng.poisson(rate)  # (days, platforms, kinds)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    d_idx, p_idx, k_idx = np.unravel_index(flat, counts.shape)
    m = flat.size

    hour = rng.choice(24, size=m, p=_OPEN_HOURS / _OPEN_HOURS.sum())
    opened = (ctx.days64[d_idx].astype(np.int64) * 1440.0 + hour * 60.0
              + rng.integers(0, 3600, m) / 60.0)
    sent_u = rng.random((m, 1))
    sentiment = np.minimum((sent_u > np.cumsum(_SENTIMENT_P[k_idx], axis=1)).sum(axis=1), 2)

    # Campaign tags: messages on the campaign's platform during it, kind-dependent.
    campaign = np.full(m, "", dtype=object)
    tag_p = {"support": {q: 0.6, cmp: 0.6}, "advocacy": {pr: 0.6},
             "research": {sg: 0.7, q: 0.2}, "reputation": {cmp: 0.45}}
    u = rng.random(m)
    for c in ctx.camps:
        during = ctx.active(c)[d_idx] & (p_idx == _P[c.platform]) & (campaign == "")
        probs = np.full(5, 0.25)
        for k, f in tag_p.get(c.goal, {}).items():
            probs[k] = f
        if c.goal in tag_p:
            probs[[k for k in range(5) if k not in tag_p[c.goal]]] = 0.05
        campaign = np.where(during & (u < probs[k_idx]), c.id, campaign)

    # Who answers and when: weekday hours, longer and faster once "Social care hours" runs.
    support = np.zeros(n, dtype=bool)
    for c in ctx.camps:
        if c.goal == "support":
            support[max(c.s, 0) :] = True
    sup = support[d_idx]
    staffed = _next_staffed(opened, sup)
    qc = k_idx <= cmp
    advocacy_tag = np.isin(campaign, [c.id for c in ctx.camps if c.goal == "advocacy"])
    answer_p = np.select(
        [qc, (k_idx == pr) & advocacy_tag, k_idx == pr, k_idx == sg], [1.0, 0.9, 0.27, 0.6], 0.45
    )
    answered = rng.random(m) < answer_p
    med = np.where(qc, np.where(sup, 13.0, 27.0), 170.0)
    delay = rng.lognormal(np.log(med), np.where(qc, 0.85, 1.2))
    busy = np.zeros(n)
    if 0 <= s_idx < n:
        busy[s_idx : s_idx + 2] = 1.0
    delay *= np.where(busy[d_idx] * (p_idx == _P[_SPIKE_PLATFORM]) > 0, 4.0, 1.0)
    slipped = qc & (rng.random(m) < 0.025)  # lost in the inbox for a day or more
    delay += np.where(slipped, rng.uniform(1.0, 4.5, m) * 1440.0, 0.0)
    first = np.round(staffed + delay, 0)
    end_m = (np.datetime64(ctx.end, "D").astype(np.int64) + 1) * 1440.0  # end of `end`
    first = np.where(answered & (first < end_m), first, np.nan)

    res_p = np.select([k_idx == cmp, k_idx == q], [0.86, 0.65], 0.0)
    res_delay = rng.lognormal(np.log(np.where(k_idx == cmp, 240.0, 12.0)), 1.0)
    resolved = np.where(rng.random(m) < res_p, first + np.round(res_delay), np.nan)
    resolved = np.where(resolved < end_m, resolved, np.nan)

    # A few rows whose first response precedes the message: a time zone mix-up upstream.
    cand = np.flatnonzero(~np.isnan(first) & (d_idx > 60) & (d_idx < n - 60))
    bad = rng.choice(cand, size=min(3, cand.size), replace=False)
    first[bad] = np.floor(opened[bad]) - 60.0 * rng.integers(1, 3, bad.size) - 7.0

    order = np.lexsort((np.arange(m), opened))
    ids = np.char.add("V", np.char.zfill(np.arange(1, m + 1).astype(str), 6))
    camp_col = pl.Series(campaign[order].astype(str)).replace("", None)
    return _typed(
        "conversations",
        {
            "conversation_id": ids,
            "platform": np.array(PLATFORMS)[p_idx[order]],
            "opened_at": _ts(opened[order]),
            "kind": kinds[k_idx[order]],
            "sentiment": np.array(ds.SENTIMENTS)[sentiment[order]],
            "first_response_at": _ts(first[order]),
            "resolved_at": _ts(resolved[order]),
            "campaign_id": camp_col,
        },
    )


# --------------------------------------------------------------------------------------
# mentions

_MENTIONS0 = np.array([  # positive, neutral, negative per day at start, PLATFORMS order
    [14.0, 20.0, 5.0],
    [22.0, 18.0, 3.5],
    [10.0, 25.0, 8.0],
    [4.0, 6.0, 0.8],
    [6.0, 5.0, 2.0],
    [5.0, 6.0, 1.2],
])
_MENTION_GROWTH = np.array([0.10, 0.15, 0.05, 0.20, 0.60, 0.25])


def _trailing_flags(x: np.ndarray) -> np.ndarray:
    """Days whose value exceeds the trailing 28-day mean + 3 SD (the day itself excluded)
    and reaches the minimum count: the dashboard's negative-spike rule."""
    flags = np.zeros(x.size, dtype=bool)
    if x.size <= SPIKE_WINDOW:
        return flags
    win = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), SPIKE_WINDOW)[:-1]
    mean, sd = win.mean(axis=1), win.std(axis=1, ddof=1)
    cur = x[SPIKE_WINDOW:]
    flags[SPIKE_WINDOW:] = (cur > mean + SPIKE_SIGMA * sd) & (cur >= SPIKE_MIN_COUNT)
    return flags


def _mentions(ctx: _Ctx) -> pl.DataFrame:
    rng, n, npl = ctx.rng, ctx.n, len(PLATFORMS)
    lam = (_MENTIONS0[None, :, :] * (1 + _MENTION_GROWTH[None, :, None]) ** ctx.t[:, None, None]
           * np.where(ctx.wd >= 5, 0.85, 1.05)[:, None, None])
    for c in ctx.camps:
        a = ctx.active(c)
        if c.goal == "sales_spike":
            lam[a, _P[c.platform], 2] *= 1.25  # delivery grumbles
        if c.goal in ("advocacy", "awareness"):
            lam[a, _P[c.platform], 0] *= 1.4
    for c in ctx.camps:
        if c.goal == "reputation":
            lam[max(c.s, 0) :, _P[c.platform], 2] *= 0.8  # the repair work pays off
    counts = rng.poisson(lam)
    # Calm negatives: Poisson noise cut at about 1.5 SD above the mean.
    neg_lam = lam[:, :, 2]
    cap = np.ceil(neg_lam + 1.5 * np.sqrt(neg_lam))
    neg = np.minimum(counts[:, :, 2], cap).astype(np.int64)

    s_idx = ctx.idx(_shift(ctx, _SPIKE_DAY))
    sp = _P[_SPIKE_PLATFORM]
    if 0 <= s_idx < n:
        for off, f in ((0, 6.5), (1, 2.0), (2, 1.4)):
            if s_idx + off < n:
                neg[s_idx + off, sp] = int(round(neg_lam[s_idx + off, sp] * f))
        counts[s_idx, sp, 1] = int(round(counts[s_idx, sp, 1] * 1.8))
    # Keep the rule's answer unambiguous: clip any other day it would flag (rare).
    for p in range(npl):
        for _ in range(20):
            flags = _trailing_flags(neg[:, p])
            if p == sp and 0 <= s_idx < n:
                flags[s_idx] = False
            hit = np.flatnonzero(flags)
            if hit.size == 0:
                break
            i = hit[0]
            win = neg[i - SPIKE_WINDOW : i, p]
            neg[i, p] = int(np.floor(win.mean() + 2.0 * win.std(ddof=1)))
    return _typed(
        "mentions",
        {
            "date": _date_series(np.repeat(ctx.days64, npl)),
            "platform": np.tile(np.array(PLATFORMS), n),
            "positive": counts[:, :, 0].ravel(),
            "neutral": counts[:, :, 1].ravel(),
            "negative": neg.ravel(),
        },
    ).sort(["date", "platform"])


# --------------------------------------------------------------------------------------
# kpi_targets: the plan (smmkpi.demo_targets sets the values from the catalog's actuals)

_GOAL_KPIS: dict[str, tuple[str, ...]] = {
    "traffic": ("social_sessions", "social_to_site_rate", "cost_per_social_session"),
    "repeat_sales": ("repeat_purchase_rate", "returning_revenue_share", "orders"),
    "reputation": ("negative_share", "sentiment_score"),
    "advocacy": ("praise_acknowledged_rate", "engagement_rate"),
    "sales_spike": ("revenue", "revenue_uplift", "orders"),
    "research": ("suggestions", "engagement_rate"),
    "support": ("response_rate", "median_first_response_minutes", "within_sla_share"),
    "awareness": ("impressions", "reach", "engagement_rate"),
}
_BRAND_KPIS = ("sessions", "social_share_of_sessions", "orders", "revenue", "response_rate",
               "negative_share", "engagement_rate")
# The current quarter's brand-wide story: what a manager sees first.
_CURRENT_STATUS = {"sessions": "on", "social_share_of_sessions": "risk", "orders": "on",
                   "revenue": "risk", "response_rate": "risk", "negative_share": "off",
                   "engagement_rate": "on"}
# Brand-wide cost targets (social against PPC), current quarter's status fixed.
_COST_KPIS = ("cost_per_conversion_paid_search", "paid_search_roas", "cost_per_conversion_social")
_COST_STATUS = {"cost_per_conversion_paid_search": "on", "paid_search_roas": "risk",
                "cost_per_conversion_social": "off"}
PLAN_SCHEMA: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "kpi": pl.String(),
    "period_start": pl.Date(),
    "period_end": pl.Date(),
    "factor": pl.Float64(),
}


def _quarters(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Calendar quarters from the one starting on or after `first` to the one holding `last`."""
    q0 = dt.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    if q0 < first:
        q0 = _add_months(q0, 3)
    out = []
    while q0 <= last:
        q1 = _add_months(q0, 3)
        out.append((q0, q1 - dt.timedelta(days=1)))
        q0 = q1
    return out


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def _target_plan(ctx: _Ctx) -> pl.DataFrame:
    """Every target to set: campaign_id (null = brand-wide), kpi, period_start, period_end
    and factor, how far the actual is to land from the target: the target is the actual
    times the factor when higher is better, divided by it when lower is better. A factor
    below 1 puts the KPI on track, slightly above 1 at risk, well above off track; the mix
    is drawn at random except for the current quarter's brand-wide story."""
    # (campaign_id, kpi, start, end, status); status None = drawn at random.
    plan: list[tuple[str | None, str, dt.date, dt.date, str | None]] = []
    for camp in ctx.camps:
        periods = ([(max(qs, camp.start), qe) for qs, qe in _quarters(
            dt.date(camp.start.year, 3 * ((camp.start.month - 1) // 3) + 1, 1), ctx.end)]
                   if camp.end is None else [(camp.start, camp.end)])
        for ps, pe in periods:
            for kpi in _GOAL_KPIS[camp.goal]:
                if kpi == "cost_per_social_session" and not camp.paid:
                    continue
                plan.append((camp.id, kpi, ps, pe, None))
    quarters = _quarters(ctx.start, ctx.end)
    for qs, qe in quarters:
        current = qs <= ctx.end <= qe
        for kpi in _BRAND_KPIS:
            plan.append((None, kpi, qs, qe, _CURRENT_STATUS[kpi] if current else None))

    draws = ctx.rng.choice(3, size=len(plan), p=[0.5, 0.25, 0.25])
    lo = ctx.rng.uniform(0.0, 1.0, len(plan))
    rows = []
    for i, (cid, kpi, ps, pe, status) in enumerate(plan):
        st = status or ("on", "risk", "off")[draws[i]]
        factor = {"on": 0.86 + 0.1 * lo[i], "risk": 1.02 + 0.06 * lo[i],
                  "off": 1.2 + 0.25 * lo[i]}[st]
        rows.append((cid, kpi, ps, pe, float(factor)))
    # brand-wide cost targets, drawn after the others so that those stay as they were
    cost = [(kpi, qs, qe, _COST_STATUS[kpi] if qs <= ctx.end <= qe else None)
            for qs, qe in quarters for kpi in _COST_KPIS]
    draws = ctx.rng.choice(3, size=len(cost), p=[0.5, 0.25, 0.25])
    lo = ctx.rng.uniform(0.0, 1.0, len(cost))
    for i, (kpi, qs, qe, status) in enumerate(cost):
        st = status or ("on", "risk", "off")[draws[i]]
        factor = {"on": 0.86 + 0.1 * lo[i], "risk": 1.02 + 0.06 * lo[i],
                  "off": 1.2 + 0.25 * lo[i]}[st]
        rows.append((None, kpi, qs, qe, float(factor)))
    return pl.DataFrame(rows, schema=PLAN_SCHEMA, orient="row")


# --------------------------------------------------------------------------------------
# Public API


@dataclass(frozen=True)
class DemoRows:
    """What `generate_rows` makes: the datasets but kpi_targets, and the targets' plan."""

    frames: dict[str, pl.DataFrame]  # every dataset but kpi_targets, in `datasets` order
    plan: pl.DataFrame  # `_target_plan`: the targets to calibrate on `frames`
    end: dt.date  # the data's last day


def generate_rows(seed: int = DEFAULT_SEED, end: dt.date = DEFAULT_END) -> DemoRows:
    """Every dataset but kpi_targets for the two years ending `end`, as typed frames keyed
    by name, and the plan of the targets (`smmkpi.demo_targets` sets their values).

    The same seed and end always give identical frames: the draws come from one
    `default_rng(seed)` in a fixed order."""
    ctx = _context(seed, end)
    campaigns = _campaigns(ctx)
    social = _social(ctx)
    social.frame = _linkedin_page(social.frame, seed)
    orders = _orders(ctx)
    web = _web(ctx, social, orders)
    journeys = _journeys(ctx)
    conversations = _conversations(ctx)
    mentions = _mentions(ctx)
    plan = _target_plan(ctx)
    ads = _ads(ctx, web.frame, seed)
    sessions = pl.concat([web.frame, ads.sessions]).sort(
        ["date", "source", "medium", "campaign"], nulls_last=False)
    frames = {
        "campaigns": campaigns,
        "social_daily": social.frame,
        "web_sessions": sessions,
        "journeys": journeys,
        "orders": orders.orders,
        "customers": orders.customers,
        "conversations": conversations,
        "mentions": mentions,
        "ad_spend": ads.spend,
        "annotations": _annotations(ctx),
    }
    frames["posts"], frames["web_sessions"] = _posts(seed, social.frame, sessions)
    return DemoRows({name: frames[name] for name in ds.DATASETS if name in frames}, plan, end)


def write_csvs(frames: dict[str, pl.DataFrame], folder: Path | str) -> list[Path]:
    """Write each frame as `<folder>/<name>.csv` in the canonical format: ISO dates,
    UTC timestamps ending in Z, empty cells for nulls, booleans as true/false."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in frames.items():
        path = out / f"{name}.csv"
        df.select(ds.get(name).names).write_csv(
            path, datetime_format=DATETIME_FORMAT, date_format=DATE_FORMAT, null_value=""
        )
        paths.append(path)
    return paths


if __name__ == "__main__":
    sys.exit("the demo data, targets included, is written by: python -m smmkpi.demo_targets")
