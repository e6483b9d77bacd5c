"""The annotations of a period (launches, crises, price changes): what every time-series
chart marks and the Overview lists.

Annotations are few, so they are read whole (`Workspace.everything`) and placed here: an
annotation shows in a period when its day or range overlaps it, and when its campaign and
platform (if it has them) are not excluded by the filters (a brand-wide note shows with any
campaign selected; a campaign's note shows with no campaign or with that one selected)."""

from __future__ import annotations

import polars as pl

from smmkpi import datasets as ds
from smmkpi import periods
from smmkpi.workspace import Workspace

COLUMNS = ("date", "end_date", "title", "campaign_id", "platform", "note")


def annotations_for(ws: Workspace) -> pl.DataFrame:
    """The annotations overlapping the workspace's period under its filters, by date."""
    df = ws.everything("annotations")
    if df is None or df.height == 0:
        return ds.get("annotations").empty_frame().select(COLUMNS)
    f = ws.filters
    keep = (pl.col("date") <= ws.end) & (pl.coalesce("end_date", "date") >= ws.start)
    if f.campaigns:
        keep &= pl.col("campaign_id").is_null() | pl.col("campaign_id").is_in(list(f.campaigns))
    if f.platforms:
        keep &= pl.col("platform").is_null() | pl.col("platform").str.to_lowercase().is_in(
            list(f.platforms))
    return df.filter(keep).select(COLUMNS).sort("date", "title")


def span(row: dict) -> str:
    """An annotation's day or range in words ("15 Sep 2026", "15 – 18 Sep 2026")."""
    return periods.span_label(row["date"], row.get("end_date") or row["date"])


def listing(df: pl.DataFrame, campaign_names: dict[str, str] | None = None) -> pl.DataFrame:
    """The annotations as people read them: When, Title, Campaign, Platform, Note."""
    names = campaign_names or {}
    rows = [{"When": span(r), "Title": r["title"],
             "Campaign": names.get(r["campaign_id"], r["campaign_id"] or "") if
             r["campaign_id"] else "",
             "Platform": ds.platform_label(r["platform"]), "Note": r["note"] or ""}
            for r in df.iter_rows(named=True)]
    return pl.DataFrame(rows, schema=dict.fromkeys(
        ("When", "Title", "Campaign", "Platform", "Note"), pl.String))
