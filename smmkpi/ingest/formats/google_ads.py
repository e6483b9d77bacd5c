"""Google Ads campaign report (`fmt="google_ads"`) into `ad_spend`.

Made in Google Ads: Campaigns (or Reports, Campaigns), Segment → Time → Day, Download, CSV
(or Excel .xlsx). The file starts with a title line (`Campaign report`) and the date range
(`"November 1, 2026 - November 7, 2026"`) above the header, and ends with `Total: ...` rows
(`Total: Account`, `Total: Search`, ...), which the common reader drops with a note that
gives how many and the cost each states: they are never counted. Recognized by `Campaign`
and `Cost` with `Impr.` or `Campaign type` (en-US and en-GB headers are the same for the
columns read; `Optimization score` / `Optimisation score` and the other columns are
ignored). Produces
`ad_spend`, rows summed per (date, channel, campaign):

- `date` = `Day`; a report without the Day segment (an "All time" or whole-range report,
  or one segmented by Week, Month, Quarter or Year) is refused, asking for the Day segment;
- `channel` from `Campaign type`: Search → Paid Search, Display → Display, Video → Paid
  Video, Shopping → Paid Shopping, Performance Max, Demand Gen, Discovery, Smart, App and
  Local → Cross-network, any other type → Paid Other (with a note); without the column
  every row is Paid Search (with a note);
- `campaign` = `Campaign` (or `Campaign name`);
- `spend` = `Cost`; `impressions` = `Impr.`; `clicks` = `Clicks`; `conversions` =
  `Conversions`; `conversion_value` = `Conv. value`; `currency` = `Currency code`;
- numbers keep their thousands separators (`"795,836"`), read by the common parser;
  ` --` (Google's "no value") is empty.
"""

from __future__ import annotations

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

# Google Ads campaign types (lower case) -> GA4 default channel group
CAMPAIGN_TYPES: dict[str, str] = {
    "search": "Paid Search",
    "display": "Display",
    "video": "Paid Video",
    "shopping": "Paid Shopping",
    "performance max": "Cross-network",
    "demand gen": "Cross-network",
    "discovery": "Cross-network",
    "smart": "Cross-network",
    "app": "Cross-network",
    "local": "Cross-network",
}
OTHER_TYPE = "Paid Other"
_MISSING = ["--", "—", "-"]  # Google's "no value"
_COARSER = ("week", "month", "quarter", "year")  # time segments that are not a day


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Campaign and Cost, with Impr. or Campaign type (a canonical ad_spend file has a
    channel column instead)."""
    campaign = "campaign" in cols or "campaign name" in cols
    google = "impr" in cols or "campaign type" in cols
    return campaign and "cost" in cols and google and "channel" not in cols


def _value(header: str | None) -> pl.Expr:
    """A measure's text, Google's ' --' as empty."""
    if header is None:
        return pl.lit(None, dtype=pl.String)
    c = pl.col(header)
    return pl.when(c.str.strip_chars().is_in(_MISSING)).then(None).otherwise(c)


def _date_range(preamble: list[str]) -> str | None:
    """The report's date range ('November 1, 2026 - November 7, 2026', 'All time'): the
    title line after 'Campaign report'."""
    lines = [ln.strip().strip('"').strip() for ln in preamble if ln.strip().strip(",")]
    lines = [ln for ln in lines if not ln.startswith("#")]
    return lines[1] if len(lines) > 1 else None


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The rows as ad_spend text: totals rows dropped, channel from the campaign type; a
    report without the Day segment is refused."""
    notes: list[str] = ["Google Ads campaign report"]
    problems: list[RawProblem] = []
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    day = pick(cols, "day")
    if day is None:
        coarse = next((cols[c] for c in _COARSER if c in cols), None)
        span = _date_range(preamble)
        covering = f" covering {span}" if span else ""
        what = (f"{covering} segmented by {coarse}" if coarse else
                f"{covering} without the Day segment (each row sums the whole date range)")
        problems.append((None, "Day", None,
                         f"this is a Google Ads campaign report{what}: download it again "
                         "with Segment → Time → Day so that each row is one day"))
    else:
        used[day] = "date"
        labels["date"] = day
    camp = pick(cols, "campaign", "campaign name")
    if camp is not None:
        used[camp] = "campaign"
        labels["campaign"] = camp
    ctype = pick(cols, "campaign type")
    if ctype is not None:
        used[ctype] = "channel"
        labels["channel"] = ctype
        channel = channel_of_type(raw, ctype, CAMPAIGN_TYPES, OTHER_TYPE, notes)
    else:
        channel = pl.lit("Paid Search")
        labels["channel"] = "Campaign type"
        notes.append("no Campaign type column: every campaign counted as Paid Search (add the "
                     "Campaign type column to tell Display, Video, Shopping and Performance "
                     "Max apart)")
    measures = {
        "spend": pick(cols, "cost"),
        "impressions": pick(cols, "impr", "impressions"),
        "clicks": pick(cols, "clicks"),
        "conversions": pick(cols, "conversions"),
        "conversion_value": pick(cols, "conv value", "conversion value"),
        "currency": pick(cols, "currency code", "currency"),
    }
    for canon, header in measures.items():
        if header is not None:
            used[header] = canon
            labels[canon] = header
    frame = raw.select(
        pl.col(ROW),
        text_or_null(day).alias("date"),
        channel.alias("channel"),
        text_or_null(camp).alias("campaign"),
        *[_value(measures[c]).alias(c) for c in
          ("spend", "impressions", "clicks", "conversions", "conversion_value")],
        text_or_null(measures["currency"]).alias("currency"),
        pl.lit(None, dtype=pl.String).alias("opens"),
    )
    return Prepared({"ad_spend": frame}, {"ad_spend": labels}, ignored(raw, used), notes,
                    problems)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Rows summed per (date, channel, campaign) (a report with a further segment, such as
    device or network, has several rows per campaign and day)."""
    df, merged = sum_by_key(typed["ad_spend"], ["date", "channel", "campaign"], ("currency",))
    if merged:
        notes.append(f"{merged} rows merged: Google Ads rows summed per day, channel and "
                     "campaign")
    return {"ad_spend": df}


FORMAT = Format("google_ads", "ad_spend", detect, prepare, finish,
                label="Google Ads campaign report",
                menu="Google Ads → Campaigns → Segment → Time → Day → Download → CSV",
                total_of=("cost",))
