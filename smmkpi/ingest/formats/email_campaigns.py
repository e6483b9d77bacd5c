"""Email campaign exports into `ad_spend` as Email rows: Mailchimp (`fmt="mailchimp"`) and
Klaviyo (`fmt="klaviyo"`).

**Mailchimp** (Campaigns, Reports, Export as CSV, the campaigns' report): recognized by
`Title`, `Send Date`, `Total Recipients` and `Unique Opens`. **Klaviyo** (Campaigns, the
campaign list's Export analytics, CSV): recognized by `Campaign Name`, `Send Time`, `Total
Recipients` and `Unique Opens`. Each row is one send; produces `ad_spend` rows with
`channel` Email, summed per (date, campaign):

- `date` = the day of `Send Date` (Mailchimp's `Mar 05, 2026 10:00 am`) or `Send Time`
  (Klaviyo's `2026-03-05 10:00:00`); a campaign not sent yet (no send date) is left out with
  a note;
- `campaign` = `Title` (Mailchimp) or `Campaign Name` (Klaviyo): tag the email's links with
  the same UTM campaign;
- `impressions` = `Total Recipients`, `opens` = `Unique Opens`, `clicks` = `Unique Clicks`;
  `conversions` = `Total Orders` / `Unique Placed Order`, `conversion_value` = `Total
  Revenue` / `Revenue` where the export has them;
- `spend` = 0, with a note: neither export says what a send cost (write the cost in an
  `ad_spend` CSV for that day and campaign to compare email's cost with other channels).
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    ROW,
    Format,
    Prepared,
    ignored,
    pick,
    sum_by_key,
    text_or_null,
)

_MAILCHIMP_DAY = r"^\s*([A-Za-z]{3,9}\.? \d{1,2}, \d{4})"  # Mar 05, 2026 10:00 am
_ISO_DAY = r"^\s*(\d{4}-\d{2}-\d{2})"  # 2026-03-05 10:00:00


def _detect_mailchimp(cols: dict[str, str], preamble: list[str]) -> bool:
    """Title, Send Date, Total Recipients and Unique Opens."""
    return {"title", "send date", "total recipients", "unique opens"} <= cols.keys()


def _detect_klaviyo(cols: dict[str, str], preamble: list[str]) -> bool:
    """Campaign Name, Send Time, Total Recipients and Unique Opens."""
    return {"campaign name", "send time", "total recipients", "unique opens"} <= cols.keys()


def _prepare(raw: pl.DataFrame, cols: dict[str, str], what: str, name: str, sent: str,
             day: str, conv: tuple[str, ...], value: tuple[str, ...]) -> Prepared:
    """The sends as Email ad_spend text at zero spend; unsent campaigns left out."""
    notes = [f"{what} campaign export: Email sends"]
    title, when = cols[name], cols[sent]
    unsent = raw.filter(pl.col(when).is_null()).height
    if unsent:
        notes.append(f"{unsent} campaigns without a {when} (not sent) left out")
        raw = raw.filter(pl.col(when).is_not_null())
    notes.append(f"spend 0 for every send: the {what} export has no cost (write the cost per "
                 "send in an ad_spend CSV to compare email's cost with other channels)")
    measures = {
        "impressions": pick(cols, "total recipients"),
        "clicks": pick(cols, "unique clicks"),
        "conversions": pick(cols, *conv),
        "conversion_value": pick(cols, *value),
        "opens": pick(cols, "unique opens"),
    }
    used = {title: "campaign", when: "date"}
    labels = {"campaign": title, "date": when, "spend": "spend", "channel": "channel"}
    for canon, header in measures.items():
        if header is not None:
            used[header] = canon
            labels[canon] = header
    date = pl.coalesce(pl.col(when).str.extract(day, 1), pl.col(when))
    frame = raw.select(
        pl.col(ROW), date.alias("date"), pl.lit("Email").alias("channel"),
        pl.col(title).alias("campaign"), pl.lit("0").alias("spend"),
        *[text_or_null(measures[c]).alias(c) for c in
          ("impressions", "clicks", "conversions", "conversion_value")],
        pl.lit(None, dtype=pl.String).alias("currency"),
        text_or_null(measures["opens"]).alias("opens"),
    )
    return Prepared({"ad_spend": frame}, {"ad_spend": labels}, ignored(raw, used), notes)


def _prepare_mailchimp(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]
                       ) -> Prepared:
    """Mailchimp's campaign report rows as Email sends."""
    return _prepare(raw, cols, "Mailchimp", "title", "send date", _MAILCHIMP_DAY,
                    ("total orders",), ("total revenue",))


def _prepare_klaviyo(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """Klaviyo's campaign analytics rows as Email sends."""
    return _prepare(raw, cols, "Klaviyo", "campaign name", "send time", _ISO_DAY,
                    ("unique placed order", "placed order"), ("revenue",))


def _finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Sends summed per (date, campaign) (a campaign sent to two lists on one day)."""
    df, merged = sum_by_key(typed["ad_spend"], ["date", "channel", "campaign"], ("currency",))
    if merged:
        notes.append(f"{merged} sends merged: summed per day and campaign")
    return {"ad_spend": df}


MAILCHIMP = Format("mailchimp", "ad_spend", _detect_mailchimp, _prepare_mailchimp, _finish,
                   label="Mailchimp campaign report",
                   menu="Mailchimp → Campaigns → Reports → Export as CSV")
KLAVIYO = Format("klaviyo", "ad_spend", _detect_klaviyo, _prepare_klaviyo, _finish,
                 label="Klaviyo campaign export",
                 menu="Klaviyo → Campaigns → Export analytics → CSV")
