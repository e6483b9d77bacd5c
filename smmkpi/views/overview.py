"""What the Overview shows: the headline KPIs, their brand-wide targets and the trend."""

from __future__ import annotations

import datetime as dt

import polars as pl

from smmkpi import formatting, periods
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import Workspace

HEADLINE: list[str] = [
    "sessions",
    "social_share_of_sessions",
    "social_sessions",
    "orders",
    "revenue",
    "repeat_purchase_rate",
    "response_rate",
    "median_first_response_minutes",
    "negative_share",
    "engagement_rate",
]


def headline_targets(targets: pl.DataFrame, day: dt.date) -> dict[str, dict]:
    """Per KPI, the brand-wide target whose period holds `day` (else the latest one that
    overlaps the period), as a dict row of `evaluate_targets`' result."""
    out: dict[str, dict] = {}
    brand = targets.filter(pl.col("campaign_id").is_null()).sort("period_end")
    for row in brand.iter_rows(named=True):
        holds = row["period_start"] <= day <= row["period_end"]
        prev = out.get(row["kpi"])
        if prev is None or holds or not (prev["period_start"] <= day <= prev["period_end"]):
            out[row["kpi"]] = row
    return out


def trend(ws: Workspace) -> tuple[pl.DataFrame | None, str]:
    """Social sessions and revenue per day (per week beyond 120 days): (frame, grain)."""
    parts = []
    for kid in ("social_sessions", "revenue"):
        daily = CATALOG[kid].daily
        df = daily(ws) if daily else None
        if df is not None and df.height:
            parts.append(df.select("date", pl.col("num").alias(kid)))
    if not parts:
        return None, "day"
    out = parts[0]
    for p in parts[1:]:
        out = out.join(p, on="date", how="full", coalesce=True)
    for kid in ("social_sessions", "revenue"):
        if kid not in out.columns:
            out = out.with_columns(pl.lit(None, dtype=pl.Float64).alias(kid))
    days = pl.date_range(ws.start, ws.end, "1d", eager=True).alias("date").to_frame()
    present = [p.columns[1] for p in parts]
    out = days.join(out, on="date", how="left").with_columns(
        [pl.col(c).fill_null(0) for c in present])  # a day without rows is a zero day
    grain = "day"
    if ws.period.days > 120:
        grain = "week"
        out = (out.group_by(periods.bucket(pl.col("date"), "week", ws.end))
               .agg(pl.col("social_sessions").sum(), pl.col("revenue").sum()).sort("date"))
    return out.sort("date"), grain


def campaign_channel_note(ws: Workspace, names: str) -> str | None:
    """With campaigns selected: where their website sessions went when GA4 files most of
    them outside the social groups (a YouTube campaign tagged `cpc` is Paid Video, not
    Paid Social), so a low or zero social figure is explained where it shows. None when
    no campaign is selected or most of its sessions are social."""
    from smmkpi.channels import SOCIAL_GROUPS

    web = ws.channel_sessions("day") if ws.filters.campaigns else None
    if web is None or web.height == 0:
        return None
    mix = (web.group_by("channel_group").agg(pl.col("sessions").sum())
           .sort("sessions", descending=True))
    total = mix.get_column("sessions").sum()
    social = mix.filter(pl.col("channel_group").is_in(list(SOCIAL_GROUPS)))["sessions"].sum()
    if not total or social >= total / 2:
        return None
    other = mix.filter(~pl.col("channel_group").is_in(list(SOCIAL_GROUPS))).head(3)
    listed = ", ".join(f"{formatting.compact(n)} {g}" for g, n in other.iter_rows())
    return (f"{names}: {formatting.compact(social)} of {formatting.compact(total)} website "
            f"sessions are social; GA4 files the rest under {listed} (by the source and "
            "medium of their UTM tags: video sites tagged as paid are Paid Video, not Paid "
            "Social), so social figures for this selection are low.")
