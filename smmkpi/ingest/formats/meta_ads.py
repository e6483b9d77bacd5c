"""Meta Ads Manager export (`fmt="meta_ads"`) into `social_daily`.

Made in Ads Manager: Reports, Export table data, CSV. Recognized by `Reporting starts` and
`Reporting ends`. Produces `social_daily`, rows summed per (date, platform, campaign):

- `date` = `Day` (breakdown by day), else `Reporting starts`, and then every row must start
  and end on the same day;
- `platform` = `Platform` (breakdown by platform, lower-cased), else `facebook`;
- `campaign_id` = `Campaign name`, else `Campaign ID`;
- `impressions`, `reach`, `link_clicks` = `Impressions`, `Reach`, `Link clicks`;
  `engagements` = `Post engagement(s)`; `spend` = `Amount spent (<currency>)`;
- reach summed over ad sets or ads counts a person reached by two of them twice;
- the account's total row (every name column empty: `Campaign name`, `Ad set name`,
  `Ad name`, and `Day`) is dropped with a note that states its figures, never counted; Meta's `-`
  (no value, as in the ranking columns) is empty;
- a file that holds only `No data available.` is refused: it has no data for its period;
- a row that covers more than one day (weekly or monthly time breakdown, or none) is
  refused with the hint to export by Day.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    RawProblem,
    ignored,
    pick,
    sum_by_key,
    text_or_null,
)


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Reporting starts and Reporting ends."""
    return "reporting starts" in cols and "reporting ends" in cols


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The rows as social_daily text; without a Day breakdown, a row that covers more than
    one day is a problem."""
    notes: list[str] = ["Meta Ads Manager export"]
    problems: list[RawProblem] = []
    raw = _drop_account_total(raw, cols, notes)
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    starts, ends = cols["reporting starts"], cols["reporting ends"]
    day = pick(cols, "day")
    if day is not None:
        date = pl.col(day)
        used[day] = "date"
        labels["date"] = day
    else:
        date = pl.col(starts)
        used[starts] = "date"
        labels["date"] = starts
        spans = raw.filter(pl.col(starts) != pl.col(ends)).select(ROW, starts, ends)
        for row, a, b in spans.head(1000).iter_rows():
            problems.append(
                (
                    row,
                    starts,
                    None,
                    f"the row covers {a} to {b}: export with Breakdown → By time → Day so "
                    "that each row is one day",
                )
            )
    plat = pick(cols, "platform")
    if plat is not None:
        platform = pl.col(plat).str.to_lowercase()
        used[plat] = "platform"
        labels["platform"] = plat
    else:
        platform = pl.lit("facebook")
        labels["platform"] = "Platform"
        notes.append(
            "no Platform breakdown: every row counted as platform 'facebook' "
            "(add Breakdown → Delivery → Platform to split Facebook and Instagram)"
        )
    camp = pick(cols, "campaign name", "campaign id")
    if camp is not None:
        used[camp] = "campaign_id"
        labels["campaign_id"] = camp
    spend = next((h for n, h in cols.items() if n.startswith("amount spent")), None)
    measures = {
        "impressions": pick(cols, "impressions"),
        "reach": pick(cols, "reach"),
        "engagements": pick(cols, "post engagement", "post engagements"),
        "link_clicks": pick(cols, "link clicks"),
        "spend": spend,
    }
    for canon, header in measures.items():
        if header is not None:
            used[header] = canon
            labels[canon] = header
    frame = raw.select(
        pl.col(ROW),
        date.alias("date"),
        platform.alias("platform"),
        text_or_null(camp).alias("campaign_id"),
        *[
            _value(measures.get(c)).alias(c)
            for c in ("impressions", "reach", "engagements", "link_clicks")
        ],
        pl.lit(None, dtype=pl.String).alias("followers"),
        pl.lit(None, dtype=pl.String).alias("posts"),
        pl.lit(None, dtype=pl.String).alias("promo_posts"),
        _value(spend).alias("spend"),
    )
    return Prepared(
        {"social_daily": frame}, {"social_daily": labels}, ignored(raw, used), notes, problems
    )


_NAMES = ("campaign name", "ad set name", "ad name", "campaign id", "ad set id", "ad id")


def _value(header: str | None) -> pl.Expr:
    """A measure's text, Meta's '-' (no value) as empty."""
    if header is None:
        return pl.lit(None, dtype=pl.String)
    c = pl.col(header)
    return pl.when(c.str.strip_chars() == "-").then(None).otherwise(c)


def _drop_account_total(
    raw: pl.DataFrame, cols: dict[str, str], notes: list[str]
) -> pl.DataFrame:
    """The rows without the account's total row (all name columns and the Day column
    empty), with a note that states the figures it held."""
    names = [cols[n] for n in (*_NAMES, "day") if n in cols]
    if not names:
        return raw
    empty = pl.all_horizontal(pl.col(n).is_null() | (pl.col(n).str.strip_chars() == "")
                              for n in names)
    total = raw.filter(empty)
    if total.height == 0:
        return raw
    shown = [cols[n] for n in ("impressions", "reach", "link clicks") if n in cols]
    shown += [h for n, h in cols.items() if n.startswith("amount spent")]
    figures = ", ".join(f"{h} {v}" for h in shown for v in total[h].head(1).to_list() if v)
    rows = ", ".join(str(r) for r in total[ROW].head(5).to_list())
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    notes.append(
        f"{total.height} account total {'row' if total.height == 1 else 'rows'} (empty "
        f"{listed}) dropped, not counted (row {rows})"
        + (f": {figures}" if figures else "")
    )
    return raw.filter(~empty)


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Rows summed per (date, platform, campaign), over ad sets and ads."""
    df, merged = sum_by_key(typed["social_daily"], ["date", "platform", "campaign_id"])
    if merged:
        notes.append(
            f"{merged} rows merged: ad sets/ads summed per day, platform and campaign "
            "(summed reach counts a person reached by two ads twice)"
        )
    return {"social_daily": df}


FORMAT = Format("meta_ads", "social_daily", detect, prepare, finish,
                label="Meta Ads Manager export",
                menu="Ads Manager → Reports → Export table data → CSV (Breakdown → By time → Day)",
                total_of=("amount spent", "impressions"))
