"""Meta Business Suite insights, one metric per file (`fmt="meta_insights"`) into
`social_daily`.

Made in Meta Business Suite: Insights, Overview (or Results, Audience), a chart's
*Export* (⋯ → Export data, CSV): one file per metric, UTF-16 with a byte order mark, an
Excel `sep=,` first line, then **the metric's name as a title line** (`"Facebook reach"`,
`"Instagram reach"`, `"Facebook follows"`, `"Facebook link clicks"`, `"Views"`,
`"Content interactions"`), then the header `"Date","Primary"` and one row per day
(`"2025-08-01T00:00:00","20"`; a follows file lists only the days with follows).
Recognized by `Date` and `Primary`; the title line says what the values are:

- `platform` = `facebook` or `instagram`, as the title names it; a title that names no
  platform (`Views`, `Viewers`, `Content interactions`) is refused with a message asking
  to add it to the title line (Business Suite writes the platform in only some titles);
- `reach` = reach or viewers (the name since 2025); `impressions` = views or impressions;
  `engagements` = content interactions (or engagement); `link_clicks` = link clicks;
- follows are followers gained that day, not the follower count at the end of the day,
  and visits are visits to the Page: files of those are refused, saying so;
- `campaign_id` empty. Several files of one account and day (reach, views, ...) fill one
  row: an empty value never replaces a stored one.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import Format, Prepared, RawProblem, ignored, social_frame, unchanged

# (words in the title, lower case) -> the column the values go to; first match wins
_MEASURES: tuple[tuple[str, str], ...] = (
    ("link clicks", "link_clicks"), ("reach", "reach"), ("viewers", "reach"),
    ("views", "impressions"), ("impressions", "impressions"),
    ("interactions", "engagements"), ("engagement", "engagements"),
)
_REFUSED: tuple[tuple[str, str], ...] = (
    ("follow", "followers gained per day, not the follower count at the end of each day "
               "that follower growth is measured from"),
    ("visit", "visits to the Page, which no social_daily column holds"),
)


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date and Primary (Business Suite's name for the value column)."""
    return "date" in cols and "primary" in cols


def _title(preamble: list[str]) -> str:
    """The metric's title line: the last non-blank preamble line that is not a comment."""
    lines = [ln.strip().strip('"').strip() for ln in preamble]
    return next((ln for ln in reversed(lines) if ln and not ln.startswith("#")), "")


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The days as social_daily text, the metric and platform from the title line."""
    date, value = cols["date"], cols["primary"]
    title = _title(preamble)
    low = title.lower()
    problems: list[RawProblem] = []
    what = f"a Meta Business Suite insights export of {title!r}" if title else (
        "a Meta Business Suite insights export without its title line")
    platform = ("instagram" if "instagram" in low else "facebook" if "facebook" in low
                else None)
    measure = next((c for words, c in _MEASURES if words in low), None)
    refused = next((why for words, why in _REFUSED if words in low), None)
    if not title:
        problems.append((None, value, None, f"this is {what}, which says the metric and the "
                         "platform of the values: export the chart again from Business Suite "
                         "and upload the file as downloaded"))
    elif refused is not None:
        problems.append((None, value, None, f"this is {what}: {refused}, so it cannot be "
                         "imported; export Reach, Views, Content interactions or Link clicks "
                         "instead"))
    elif measure is None:
        problems.append((None, value, None, f"this is {what}, a metric the dashboard does not "
                         "store; export Reach, Views, Content interactions or Link clicks "
                         "instead"))
    elif platform is None:
        problems.append((None, value, None, f"this is {what}, and the title line above the "
                         "header does not say whether it is Facebook's or Instagram's: write "
                         f"'Facebook {title}' or 'Instagram {title}' on that line and upload "
                         "the file again"))
    target = measure or "impressions"
    labels = {"date": date, "platform": "the title line", target: value}
    exprs = {"date": pl.col(date), "platform": pl.lit(platform or "facebook"),
             target: pl.col(value)}
    notes = [f"Meta Business Suite insights export: {title or 'no title'} ({platform or '?'})"]
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, {date: "date", value: target}), notes, problems)


FORMAT = Format("meta_insights", "social_daily", detect, prepare, unchanged)
