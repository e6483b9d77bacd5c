"""Benchmark: community care and audience KPIs at a large brand's scale.

Run: `python benchmarks/care_audience.py [conversations] [social_rows]` (defaults 1M and
200k). Generates the frames in memory (vectorized), then prints seconds (best of 3 after a
warm-up) for every care and audience KPI of a 90-day period on a fresh workspace (the
`report` path), and for each table the pages draw.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smmkpi import datasets as ds  # noqa: E402
from smmkpi.kpis import audience, care  # noqa: E402
from smmkpi.workspace import FrameSource, Period, Workspace  # noqa: E402

PLATFORMS = list(ds.PLATFORMS)
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
DAYS = 730


def conversations(n: int, seed: int = 1) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    opened = rng.integers(0, DAYS * 86400, n) * 1_000_000
    delay = rng.exponential(90 * 60, n).astype(np.int64) * 1_000_000
    answered = rng.random(n) < 0.9
    delay[rng.random(n) < 0.001] *= -1  # a few answered "before" they were opened
    kinds = np.array(ds.KINDS)[rng.integers(0, len(ds.KINDS), n)]
    base = int(START.timestamp() * 1_000_000)
    df = pl.DataFrame(
        {
            "conversation_id": pl.int_range(n, eager=True).cast(pl.String),
            "platform": np.array(PLATFORMS)[rng.integers(0, len(PLATFORMS), n)],
            "opened_at": base + opened,
            "kind": kinds,
            "sentiment": np.array(ds.SENTIMENTS)[rng.integers(0, 3, n)],
            "first_response_at": np.where(answered, base + opened + delay, 0),
            "resolved_at": np.where(rng.random(n) < 0.5, base + opened + 2 * np.abs(delay), 0),
            "campaign_id": np.where(rng.random(n) < 0.3, "spring", ""),
        }
    )
    ts = pl.Datetime("us", "UTC")
    return df.with_columns(
        pl.col("opened_at").cast(ts),
        pl.when(pl.col("first_response_at") != 0).then(pl.col("first_response_at")).cast(ts),
        pl.when(pl.col("resolved_at") != 0).then(pl.col("resolved_at")).cast(ts),
        pl.when(pl.col("campaign_id") != "").then(pl.col("campaign_id")),
    ).select(ds.get("conversations").names)


def social(n: int, seed: int = 2) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    per_day = max(1, n // DAYS)
    days = np.repeat(np.arange(DAYS), per_day)[:n]
    k = len(days)
    slot = np.tile(np.arange(per_day), DAYS)[:k]
    platform = np.array(PLATFORMS)[slot % len(PLATFORMS)]
    account_row = slot < len(PLATFORMS)  # one row per platform without a campaign
    campaign = np.where(account_row, "", np.char.add("c", (slot // 6).astype(str)))
    impressions = rng.integers(100, 100_000, k)
    dates = pl.date_range(START.date(), START.date() + dt.timedelta(days=DAYS - 1), eager=True)
    df = pl.DataFrame(
        {
            "date": dates.gather(days),
            "platform": platform,
            "campaign_id": campaign,
            "impressions": impressions,
            "reach": impressions // 3,
            "engagements": impressions // 50,
            "link_clicks": impressions // 200,
            "followers": np.where(account_row, 10_000 + days * 5, -1),
            "posts": rng.integers(0, 5, k),
            "promo_posts": rng.integers(0, 2, k),
            "spend": rng.random(k) * 100,
            # the LinkedIn Page's figures (followers gained, page views) on its account rows
            "new_followers": np.where(account_row & (platform == "linkedin"), days % 9, -1),
            "page_views": np.where(account_row & (platform == "linkedin"), 40 + days % 30, -1),
            "unique_visitors": np.where(account_row & (platform == "linkedin"), 25, -1),
        }
    )
    return df.with_columns(
        pl.when(pl.col(c) >= 0).then(pl.col(c)).alias(c)
        for c in ("new_followers", "page_views", "unique_visitors")
    ).with_columns(
        pl.when(pl.col("campaign_id") != "").then(pl.col("campaign_id")).alias("campaign_id"),
        pl.when(pl.col("followers") >= 0).then(pl.col("followers")).alias("followers"),
    ).cast(ds.get("social_daily").schema)  # type: ignore[arg-type]


def mentions(seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    k = DAYS * len(PLATFORMS)
    dates = pl.date_range(START.date(), START.date() + dt.timedelta(days=DAYS - 1), eager=True)
    return pl.DataFrame(
        {
            "date": dates.gather(np.repeat(np.arange(DAYS), len(PLATFORMS))),
            "platform": np.tile(PLATFORMS, DAYS),
            "positive": rng.poisson(50, k),
            "neutral": rng.poisson(80, k),
            "negative": rng.poisson(15, k),
        }
    ).cast(ds.get("mentions").schema)  # type: ignore[arg-type]


def best(fn: Callable[[], object], runs: int = 3) -> float:
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    n_conv = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    n_soc = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    t0 = time.perf_counter()
    frames = {
        "conversations": conversations(n_conv),
        "social_daily": social(n_soc),
        "mentions": mentions(),
    }
    print(
        f"generated {n_conv:,} conversations, {frames['social_daily'].height:,} social rows, "
        f"{frames['mentions'].height:,} mention rows in {time.perf_counter() - t0:.2f} s"
    )
    src = FrameSource(frames, key="bench")
    period = Period(dt.date(2024, 10, 2), dt.date(2024, 12, 30))

    def ws() -> Workspace:
        return Workspace(src, period)

    w = ws()
    conv_p, conv_h = w.frame("conversations"), w.history("conversations")
    soc_p, soc_h = w.frame("social_daily"), w.history("social_daily")
    men_h = w.history("mentions")
    assert conv_p is not None and conv_h is not None and soc_p is not None
    assert soc_h is not None and men_h is not None
    print(f"period rows: {conv_p.height:,} conversations, {soc_p.height:,} social")

    def all_kpis(module: object) -> Callable[[], object]:
        kpis = module.KPIS  # type: ignore[attr-defined]
        return lambda: [k.compute(wk) for wk in [ws()] for k in kpis]

    def all_daily(module: object) -> Callable[[], object]:
        kpis = [k for k in module.KPIS if k.daily]  # type: ignore[attr-defined]
        return lambda: [k.daily(wk) for wk in [ws()] for k in kpis]

    rows = [
        ("care: every KPI, fresh workspace (incl. reads)", all_kpis(care)),
        ("care: every daily series, fresh workspace", all_daily(care)),
        ("care: care_table of the period", lambda: care.care_table(conv_p, 60)),
        (
            "care: unanswered list (history)",
            lambda: care.unanswered(conv_h, care.period_end_instant(period)),
        ),
        ("care: by platform", lambda: care.care_by_platform(conv_p, 60)),
        ("care: over time, weeks", lambda: care.care_over_time(conv_p, 60, "week")),
        ("care: heatmap Europe/Berlin", lambda: care.response_heatmap(conv_p, "Europe/Berlin")),
        ("care: bad rows (history)", lambda: care.bad_rows(conv_h)),
        ("audience: every KPI, fresh workspace (incl. reads)", all_kpis(audience)),
        ("audience: every daily series, fresh workspace", all_daily(audience)),
        (
            "audience: by platform",
            lambda: audience.audience_by_platform(soc_p, soc_h, period.start, period.end),
        ),
        (
            "audience: negative spikes (history)",
            lambda: audience.negative_spikes(men_h, start=period.start, end=period.end),
        ),
        ("audience: promo share weekly", lambda: audience.promo_share_series(soc_p, "week")),
        ("audience: demand research", lambda: audience.demand_research(conv_p)),
    ]
    for label, fn in rows:
        print(f"{label:55s} {best(fn) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
