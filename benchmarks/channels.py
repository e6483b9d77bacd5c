"""Benchmark: GA4 channel grouping of 1M generated web_sessions rows.

Run: `python benchmarks/channels.py [rows]`. Prints seconds and rows per second for
(a) adding channel_group + platform to every row, (b) the Traffic page's aggregate
(sessions by channel group) done lazily in one query, (c) every Traffic page table from
a frame classified once and the daily frame behind the traffic KPIs, and (d) the worst
case for (a), where no two rows share a (source, medium, campaign). Best of several runs
after a warm-up.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smmkpi.channels import with_channels  # noqa: E402
from smmkpi.kpis import traffic  # noqa: E402

# A realistic mix: 60 source/medium pairs, many campaigns, mixed capitalization.
PAIRS = [
    ("(direct)", "(none)"), ("google", "organic"), ("google", "cpc"), ("bing", "organic"),
    ("bing", "cpc"), ("duckduckgo", "organic"), ("yahoo", "organic"), ("Facebook", "CPC"),
    ("facebook", "paid_social"), ("l.facebook.com", "referral"), ("m.facebook.com", "referral"),
    ("facebook.com", "referral"), ("instagram", "social"), ("l.instagram.com", "referral"),
    ("ig", "paid"), ("t.co", "referral"), ("x.com", "social"), ("twitter", "cpc"),
    ("linkedin", "social"), ("lnkd.in", "referral"), ("linkedin", "cpm"), ("tiktok", "cpc"),
    ("tiktok", "social"), ("youtube.com", "referral"), ("youtube", "cpv"), ("youtu.be", "social"),
    ("pinterest", "social"), ("reddit", "referral"), ("newsletter", "email"),
    ("mailchimp", "e-mail"), ("klaviyo", "email"), ("awin", "affiliate"),
    ("partner-blog.com", "referral"), ("news-site.com", "referral"), ("example.org", "link"),
    ("criteo", "display"), ("criteo", "cpa"), ("taboola", "banner"), ("amazon", "cpc"),
    ("ebay", "referral"), ("spotify", "audio"), ("sms", "text"), ("braze", "push"),
    ("firebase", "(not set)"), ("qr", "print"), (None, None), ("(direct)", None),
    ("google", "referral"), ("chatgpt.com", "referral"), ("perplexity", "referral"),
    ("vimeo", "video"), ("twitch", "referral"), ("snapchat", "paid"), ("whatsapp", "referral"),
    ("t.me", "referral"), ("medium.com", "referral"), ("quora", "referral"),
    ("google", "shopping"), ("GOOGLE", "CPC"), ("Newsletter", "Email"),
]
CAMPAIGNS = [None, "spring_sale", "summer_shop", "brand_cross-network", "launch", "retarget",
             "Shopping Week", "webinar", "always_on", "black-friday"] + [
    f"cmp{i:04d}" for i in range(500)
]


def generate(rows: int, seed: int = 1) -> pl.DataFrame:
    """A web_sessions-shaped frame of `rows` rows (vectorized, no Python per row)."""
    rng = np.random.default_rng(seed)
    pair_idx = rng.integers(0, len(PAIRS), rows)
    camp_idx = rng.integers(0, len(CAMPAIGNS), rows)
    sources = pl.Series("s", [p[0] for p in PAIRS], dtype=pl.String)
    mediums = pl.Series("m", [p[1] for p in PAIRS], dtype=pl.String)
    camps = pl.Series("c", CAMPAIGNS, dtype=pl.String)
    start = dt.date(2024, 1, 1)
    sessions = rng.integers(1, 200, rows)
    return pl.DataFrame(
        {
            "date": pl.date_range(start, start + dt.timedelta(days=729), eager=True).gather(
                rng.integers(0, 730, rows)
            ),
            "source": sources.gather(pair_idx),
            "medium": mediums.gather(pair_idx),
            "campaign": camps.gather(camp_idx),
            "sessions": sessions,
            "engaged_sessions": (sessions * 0.6).astype(np.int64),
            "conversions": rng.integers(0, 5, rows),
            "revenue": rng.random(rows) * 100,
        }
    )


def best_of(fn, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df = generate(rows)
    print(f"rows: {df.height:,}  polars {pl.__version__}  threads {pl.thread_pool_size()}")

    t_cols = best_of(lambda: with_channels(df))
    print(f"with_channels (channel_group + platform): {t_cols:.3f} s  "
          f"({df.height / t_cols:,.0f} rows/s)")

    def by_group() -> pl.DataFrame:
        return (
            with_channels(df.lazy())
            .group_by("channel_group")
            .agg(pl.col("sessions").sum())
            .collect()
        )

    t_agg = best_of(by_group)
    print(f"sessions by channel group (lazy, one query): {t_agg:.3f} s  "
          f"({df.height / t_agg:,.0f} rows/s)")
    print(by_group().sort("sessions", descending=True).head(8))

    # The Traffic page: classify once, then every table from the classified frame.
    social = pl.DataFrame(
        {"date": df["date"].unique().sort(), "platform": "facebook", "impressions": 10_000,
         "link_clicks": 100, "spend": 50.0}
    )

    def page() -> None:
        c = with_channels(df)
        traffic.channel_table(c, social)
        traffic.sessions_by_channel_daily(c)
        traffic.social_funnel(c, social)
        traffic.channel_comparison(c)
        traffic.campaign_traffic(c)

    t_page = best_of(page, runs=3)
    print(f"Traffic page tables (classify once + 5 tables): {t_page:.3f} s")
    t_daily = best_of(lambda: traffic.traffic_daily(df, social), runs=3)
    print(f"traffic_daily (all traffic KPIs' inputs): {t_daily:.3f} s")

    # Worst case: every (source, medium, campaign) distinct, so nothing is shared.
    worst = df.with_columns(campaign=pl.format("c{}", pl.int_range(pl.len())))
    t_worst = best_of(lambda: with_channels(worst))
    print(f"with_channels, all {worst.height:,} triples distinct: {t_worst:.3f} s  "
          f"({worst.height / t_worst:,.0f} rows/s)")


if __name__ == "__main__":
    main()
