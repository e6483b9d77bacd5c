"""Google Analytics 4 report export (`fmt="ga4_report"`) into `web_sessions`.

Made from a GA4 report: Share this report, Download File, CSV; or from an exploration
(Explore): Download, CSV. Comment lines starting with `#` come before the header (title,
property, `# Start date: 20260301`, `# End date: ...`, or an Explore download's
`# 20241122-20260120`), with or without a blank line before the header. The first table is
read; whatever follows the first blank or `#` line after it (further tables) is ignored with
a note; the `Grand total` row (first in the table, in an Explore download with one extra
trailing field) is dropped by the common reader, never counted. Recognized by `Sessions`
plus one of the dimensions below. Produces `web_sessions`, rows summed per (date, source,
medium, campaign, content):

- `date` = `Date` (`YYYYMMDD`); without a Date column the report must cover one day
  (`# Start date` = `# End date`), else the file is refused with a hint to add the dimension;
- `source`, `medium` = `Session source / medium` split at ` / `, or `Session source` and
  `Session medium`, or `First user source / medium`; a report by
  `Session default channel group` or `Session primary channel group (Default Channel Group)`
  gives source = the channel group and medium = `(channel group)`;
- `campaign` = `Session campaign` / `Session campaign name` / `Session manual campaign name`;
  GA4's placeholders `(not set)`, `(direct)`, `(organic)`, `(referral)`, `(none)` become
  empty;
- `content` = `Session manual ad content` (or `Manual ad content`): the UTM content that
  matches a session to a post; `(not set)` becomes empty;
- `sessions` = `Sessions`; `engaged_sessions` = `Engaged sessions`; `conversions` =
  `Key events`, `Conversions` or `Transactions`; `revenue` = `Total revenue` or
  `Purchase revenue`.

Reports that count something else are recognized and refused in one sentence that names
the report and what to download instead: Events (`Event name`), Pages and screens (`Page
title and screen class`, ...), User acquisition (`First user ...` without `Sessions`) and
Landing page (`Landing page`); so is any other report download without a `Sessions`
column (known by its `# Start date:` and `# End date:` lines), named by its title.
"""

from __future__ import annotations

import re

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

_SOURCE_MEDIUM = ("session source / medium", "session source/medium")
_FIRST_USER_SM = ("first user source / medium", "first user source/medium")
_CHANNEL_GROUP = (
    "session default channel group",
    "session primary channel group (default channel group)",
    "session default channel grouping",
    "default channel group",
)
_DIMENSIONS = (
    *_SOURCE_MEDIUM,
    *_FIRST_USER_SM,
    *_CHANNEL_GROUP,
    "session source",
    "session medium",
    "session campaign",
    "session manual ad content",
)
_PLACEHOLDER_CAMPAIGNS = ["(not set)", "(direct)", "(organic)", "(referral)", "(none)"]
# The marker medium for rows of a channel-group report (source holds the channel group).
CHANNEL_GROUP_MEDIUM = "(channel group)"


# GA4 reports that count something else than sessions by traffic source (normalized first
# dimension -> the report's name in GA4's menu)
_OTHER_REPORTS: dict[str, str] = {
    "event name": "Events",
    "page title and screen class": "Pages and screens",
    "page path and screen class": "Pages and screens",
    "page title and screen name": "Pages and screens",
    "page path and screen name": "Pages and screens",
    "unified screen class": "Pages and screens",
    "first user primary channel group (default channel group)": "User acquisition",
    "first user default channel group": "User acquisition",
    "first user source / medium": "User acquisition",
    "first user source": "User acquisition",
    "first user medium": "User acquisition",
    "first user campaign": "User acquisition",
    "landing page": "Landing page",
    "landing page + query string": "Landing page",
}
# metrics only GA4 writes, with one of the dimensions above
_GA4_METRICS = ("event count", "views", "active users", "total users", "new users",
                "key events", "user key event rate", "event count per active user",
                "views per active user", "average engagement time per active user")
_TRAFFIC = ("download Reports → Acquisition → Traffic acquisition with 'Date' added as a "
            "secondary dimension instead (or, in Explore, use the dimensions 'Date' and "
            "'Session source / medium' with the metric 'Sessions')")


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Sessions and one of the source, medium, channel group or campaign dimensions; or a
    GA4 report of events, pages, first-user acquisition or landing pages (refused by
    `prepare` with what to download instead)."""
    if "sessions" in cols and any(d in cols for d in _DIMENSIONS):
        return True
    if "sessions" not in cols and _preamble_date(preamble, "end date") and any(
            re.match(r"^#\s*start date\s*:", ln.strip(), re.IGNORECASE) for ln in preamble):
        return True  # a GA4 report download without sessions, whatever its dimensions
    return any(d in cols for d in _OTHER_REPORTS) and any(m in cols for m in _GA4_METRICS)


def _title(preamble: list[str]) -> str | None:
    """The report's name from its title comment ('# Demographic details: Country' ->
    'Demographic details'), if any."""
    skip = ("account", "property", "start date", "end date", "all users")
    for line in preamble:
        text = line.strip().lstrip("#").strip()
        if text and not text.startswith("-") and not text.lower().startswith(skip) \
                and not re.fullmatch(r"[0-9]{8}\s*-\s*[0-9]{8}", text):
            return text.split(":", 1)[0].strip()
    return None


def _preamble_date(preamble: list[str], label: str) -> str | None:
    """The YYYYMMDD of a '# Start date: 20260301' line of the preamble, or of the start
    or end of an Explore download's '# 20241122-20260120' line, if any."""
    for line in preamble:
        m = re.match(rf"^#\s*{label}\s*:\s*([0-9]{{8}})\s*$", line.strip(), re.IGNORECASE)
        if m:
            return m.group(1)
    for line in preamble:
        m = re.match(r"^#\s*([0-9]{8})\s*-\s*([0-9]{8})\s*$", line.strip())
        if m:
            return m.group(1) if label == "start date" else m.group(2)
    return None


def _other_report(cols: dict[str, str], preamble: list[str]) -> RawProblem | None:
    """The whole-file problem of a GA4 report without sessions by traffic source: it names
    the report and what to download instead."""
    if "sessions" in cols and any(d in cols for d in _DIMENSIONS):
        return None
    first = next((d for d in cols if d in _OTHER_REPORTS), None)
    start, end = _preamble_date(preamble, "start date"), _preamble_date(preamble, "end date")
    span = f" covering {start} to {end}" if start and end else ""
    if first is None:  # known by its comment lines only
        title = _title(preamble)
        name = f"GA4 {title} report" if title else "GA4 report"
        column = next(iter(cols.values()), None)
        return (None, column, None,
                f"this is a {name}{span} without sessions by traffic source (no 'Sessions' "
                f"with a source, medium, channel group or campaign dimension), so it cannot "
                f"become website sessions; {_TRAFFIC}")
    report = _OTHER_REPORTS[first]
    what = ("counts users by the source of their first visit, not sessions"
            if report == "User acquisition" else
            "counts sessions by landing page, not by traffic source"
            if report == "Landing page" and "sessions" in cols else
            f"counts {'events' if report == 'Events' else 'views'} per "
            f"{'event' if report == 'Events' else 'page'}, not sessions by traffic source")
    return (None, cols[first], None,
            f"this is a GA4 {report} report{span}: it {what}, so it cannot become website "
            f"sessions; {_TRAFFIC}")


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """The report's rows as web_sessions text (Grand total left out, source / medium split,
    placeholder campaigns emptied); a report without dates over several days is refused."""
    notes: list[str] = []
    problems: list[RawProblem] = []
    other = _other_report(cols, preamble)
    if other is not None:
        empty = pl.DataFrame(schema={ROW: pl.Int64})
        return Prepared({"web_sessions": empty}, {"web_sessions": {}}, ignored(raw, {}),
                        ["Google Analytics 4 report export"], [other])
    used: dict[str, str] = {}  # the file's header -> what it became
    labels: dict[str, str] = {}  # canonical column -> the header named in messages
    date = _date(cols, preamble, used, labels, notes, problems)
    source, medium = _source_medium(cols, used, labels, notes)
    campaign = _campaign(cols, used, labels)
    content = _content(cols, used, labels)
    measures = {
        "sessions": pick(cols, "sessions"),
        "engaged_sessions": pick(cols, "engaged sessions"),
        "conversions": pick(cols, "key events", "conversions", "transactions"),
        "revenue": pick(cols, "total revenue", "purchase revenue"),
    }
    for canon, header in measures.items():
        if header is not None:
            used[header] = canon
            labels[canon] = header
    frame = raw.select(
        pl.col(ROW),
        date.alias("date"),
        source.alias("source"),
        medium.alias("medium"),
        campaign.alias("campaign"),
        *[text_or_null(h).alias(c) for c, h in measures.items()],
        content.alias("content"),
    )
    notes.append("Google Analytics 4 report export")
    return Prepared(
        {"web_sessions": frame}, {"web_sessions": labels}, ignored(raw, used), notes, problems
    )


def _date(
    cols: dict[str, str],
    preamble: list[str],
    used: dict[str, str],
    labels: dict[str, str],
    notes: list[str],
    problems: list[RawProblem],
) -> pl.Expr:
    """The Date column, else the one day the preamble's start and end dates cover; a report
    over several days without dates is a whole-file problem (its days cannot be told)."""
    date_col = pick(cols, "date")
    if date_col is not None:
        used[date_col] = "date"
        labels["date"] = date_col
        return pl.col(date_col)
    start, end = _preamble_date(preamble, "start date"), _preamble_date(preamble, "end date")
    if start is not None and start == end:
        labels["date"] = "# Start date"
        notes.append(f"GA4 report for one day: every row dated {start}")
        return pl.lit(start)
    span = f" covers {start} to {end} and" if start and end else ""
    problems.append(
        (
            None,
            "Date",
            None,
            f"this GA4 report{span} has no 'Date' column: add the 'Date' dimension "
            "(as a secondary dimension) so that sessions can be placed on days",
        )
    )
    return pl.lit(None, dtype=pl.String)


def _source_medium(
    cols: dict[str, str], used: dict[str, str], labels: dict[str, str], notes: list[str]
) -> tuple[pl.Expr, pl.Expr]:
    """(source, medium): a 'source / medium' dimension split, else the separate dimensions,
    else the channel group as source and CHANNEL_GROUP_MEDIUM as medium."""
    sm = pick(cols, *_SOURCE_MEDIUM) or pick(cols, *_FIRST_USER_SM)
    src, med = pick(cols, "session source"), pick(cols, "session medium")
    group = pick(cols, *_CHANNEL_GROUP)
    if sm is not None:
        parts = pl.col(sm).str.split_exact(" / ", 1)
        used[sm] = "source, medium"
        labels["source"] = labels["medium"] = sm
        if sm == pick(cols, *_FIRST_USER_SM):
            notes.append("source and medium taken from the first-user dimension")
        return (
            parts.struct.field("field_0").str.strip_chars(),
            parts.struct.field("field_1").str.strip_chars(),
        )
    if src is not None:
        used[src] = "source"
        labels["source"] = src
        if med is not None:
            used[med] = "medium"
            labels["medium"] = med
        return pl.col(src), text_or_null(med)
    if group is not None:
        used[group] = "source"
        labels["source"] = group
        notes.append(
            f"GA4 report by channel group: source holds the channel group and medium is "
            f"'{CHANNEL_GROUP_MEDIUM}' (export 'Session source / medium' for the detail)"
        )
        return pl.col(group), pl.lit(CHANNEL_GROUP_MEDIUM)
    return (  # pragma: no cover - detection guarantees one of the dimensions above
        pl.lit(None, dtype=pl.String),
        pl.lit(None, dtype=pl.String),
    )


def _campaign(cols: dict[str, str], used: dict[str, str], labels: dict[str, str]) -> pl.Expr:
    """The campaign dimension, GA4's placeholders such as '(not set)' as empty."""
    camp = pick(cols, "session campaign", "session campaign name", "session manual campaign name")
    if camp is None:
        return text_or_null(None)
    used[camp] = "campaign"
    labels["campaign"] = camp
    return (
        pl.when(pl.col(camp).str.to_lowercase().is_in(_PLACEHOLDER_CAMPAIGNS))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col(camp))
    )


def _content(cols: dict[str, str], used: dict[str, str], labels: dict[str, str]) -> pl.Expr:
    """The manual ad content dimension (UTM content), '(not set)' as empty."""
    col = pick(cols, "session manual ad content", "manual ad content")
    if col is None:
        return text_or_null(None)
    used[col] = "content"
    labels["content"] = col
    return (
        pl.when(pl.col(col).str.to_lowercase().is_in(_PLACEHOLDER_CAMPAIGNS))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col(col))
    )


KEY = ["date", "source", "medium", "campaign", "content"]


def finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """Rows summed per (date, source, medium, campaign, content), over the report's other
    dimensions."""
    df, merged = sum_by_key(typed["web_sessions"], KEY)
    if merged:
        notes.append(f"{merged} rows merged: GA4 rows summed per date, source, medium, "
                     "campaign and content")
    return {"web_sessions": df}


FORMAT = Format("ga4_report", "web_sessions", detect, prepare, finish, cut_at_blank=True,
                label="Google Analytics 4 report",
                menu="GA4 → Reports → Acquisition → Traffic acquisition (add the Date "
                "dimension) → Share this report → Download File → CSV; or an Explore "
                "exploration → Download → CSV",
                total_of=("sessions",))
