"""Microsoft Advertising campaign performance report (`fmt="microsoft_ads"`) into `ad_spend`.

Made in Microsoft Advertising: Reports, Campaign (Campaign performance), View: Daily,
Download, CSV. Above the header come quoted report lines (`"Report Name: Campaign
Performance Report"`, `"Report Time: 11/1/2026,11/7/2026"`, `"Time Zone: ..."`,
`"Report Aggregation: Daily"`, `"Rows: 12"`, ...) and a blank line; below the table, after a
blank line, a copyright line (`"©2026 Microsoft Corporation. All rights reserved."`), which
is ignored. Recognized by `CampaignName` (or `Campaign name`) with `Spend` and
`Impressions` (or `Impr.`). Column names are the report's own (`TimePeriod`, `CampaignName`,
`CampaignType`, `Impressions`, `Clicks`, `Spend`, `Conversions`, `Revenue`, `CurrencyCode`)
or the web page's (`Gregorian date`, `Campaign name`, `Campaign type`, `Impr.`, `Conv.`,
`Currency code`). Produces `ad_spend`, rows summed per (date, channel, campaign):

- `date` = `TimePeriod` / `GregorianDate` / `Gregorian date` / `Date` / `Day`; a report
  aggregated other than daily (`Report Aggregation: Summary`, `Weekly`, `Monthly`, ...) or
  without a date column is refused, asking for the daily view;
- `channel` from `CampaignType`: Search, Search & content and Dynamic search ads → Paid
  Search, Shopping → Paid Shopping, Audience → Display, Performance max → Cross-network,
  any other type → Paid Other (with a note); without the column every row is Paid Search
  (Microsoft's search network, with a note);
- `campaign` = `CampaignName`; `spend` = `Spend`; `impressions` = `Impressions`; `clicks`
  = `Clicks`; `conversions` = `Conversions` / `Conv.`; `conversion_value` = `Revenue`;
  `currency` = `CurrencyCode`.
"""

from __future__ import annotations

import re

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    RawProblem,
    channel_of_type,
    ignored,
    pick,
    sum_by_key,
    text_or_null,
)

CAMPAIGN_TYPES: dict[str, str] = {
    "search": "Paid Search",
    "search & content": "Paid Search",
    "dynamic search ads": "Paid Search",
    "shopping": "Paid Shopping",
    "audience": "Display",
    "performance max": "Cross-network",
}
OTHER_TYPE = "Paid Other"
_DATE = ("timeperiod", "gregoriandate", "gregorian date", "time period", "date", "day")


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """CampaignName with Spend and Impressions (a canonical ad_spend file has a channel
    column instead)."""
    campaign = "campaignname" in cols or "campaign name" in cols
    shown = "impressions" in cols or "impr" in cols
    return campaign and "spend" in cols and shown and "channel" not in cols


def _preamble_value(preamble: list[str], label: str) -> str | None:
    """The value of a '"Report Aggregation: Daily"' line of the preamble, if any."""
    for line in preamble:
        m = re.match(rf"^\W*{label}\s*:\s*(.*?)\W*$", line.strip(), re.IGNORECASE)
        if m:
            return m.group(1).strip()
    return None


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The rows as ad_spend text; a report that is not daily is refused."""
    notes: list[str] = ["Microsoft Advertising campaign performance report"]
    problems: list[RawProblem] = []
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    first = next(c for c in raw.columns if c != ROW)
    raw = raw.filter(~pl.col(first).str.strip_chars().str.starts_with("©").fill_null(False))
    aggregation = _preamble_value(preamble, "report aggregation")
    date = pick(cols, *_DATE)
    if date is None or (aggregation and aggregation.lower() != "daily"):
        how = f"aggregated {aggregation}" if aggregation else "without a date column"
        problems.append((None, "TimePeriod", None,
                         f"this is a Microsoft Advertising campaign performance report {how}: "
                         "run it again with View (aggregation) Daily so that each row is "
                         "one day"))
    if date is not None:
        used[date] = "date"
        labels["date"] = date
    camp = pick(cols, "campaignname", "campaign name")
    if camp is not None:
        used[camp] = "campaign"
        labels["campaign"] = camp
    ctype = pick(cols, "campaigntype", "campaign type")
    if ctype is not None:
        used[ctype] = "channel"
        labels["channel"] = ctype
        channel = channel_of_type(raw, ctype, CAMPAIGN_TYPES, OTHER_TYPE, notes)
    else:
        channel = pl.lit("Paid Search")
        labels["channel"] = "CampaignType"
        notes.append("no CampaignType column: every campaign counted as Paid Search (add the "
                     "Campaign type column to tell Audience and Shopping campaigns apart)")
    measures = {
        "spend": pick(cols, "spend"),
        "impressions": pick(cols, "impressions", "impr"),
        "clicks": pick(cols, "clicks"),
        "conversions": pick(cols, "conversions", "conv"),
        "conversion_value": pick(cols, "revenue"),
        "currency": pick(cols, "currencycode", "currency code"),
    }
    for canon, header in measures.items():
        if header is not None:
            used[header] = canon
            labels[canon] = header
    frame = raw.select(
        pl.col(ROW),
        text_or_null(date).alias("date"),
        channel.alias("channel"),
        text_or_null(camp).alias("campaign"),
        *[text_or_null(measures[c]).alias(c) for c in
          ("spend", "impressions", "clicks", "conversions", "conversion_value", "currency")],
        pl.lit(None, dtype=pl.String).alias("opens"),
    )
    return Prepared({"ad_spend": frame}, {"ad_spend": labels}, ignored(raw, used), notes,
                    problems)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Rows summed per (date, channel, campaign)."""
    df, merged = sum_by_key(typed["ad_spend"], ["date", "channel", "campaign"], ("currency",))
    if merged:
        notes.append(f"{merged} rows merged: Microsoft Advertising rows summed per day, "
                     "channel and campaign")
    return {"ad_spend": df}


FORMAT = Format("microsoft_ads", "ad_spend", detect, prepare, finish, cut_at_blank=True,
                label="Microsoft Advertising campaign report",
                menu="Microsoft Advertising → Reports → Campaign performance → View: Daily → "
                "Download → CSV",
                total_of=("spend",))
