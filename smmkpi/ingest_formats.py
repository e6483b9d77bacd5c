"""Known export formats, recognized by their headers and converted to the canonical datasets.

A file whose header matches one of these formats is converted before validation; every other
file is read as a canonical dataset file (column names and aliases from `datasets.py`).
Header names are compared case-, space- and underscore-insensitively. The validation rules
(numbers, dates, keys, problems with row numbers) are the same for every format.

**Shopify orders export** (`fmt="shopify_orders"`; Shopify admin, Orders, Export, CSV).
Recognized by the columns `Name`, `Financial Status`, `Created at`, `Total` and a
`Lineitem ...` column. The export has one row per line item and fills the order-level
fields only on an order's first row. Produces `orders` and `customers`:

- `order_id` = `Name` (e.g. `#1001`);
- `customer_id` = `Email` (lower-cased), else `Phone` / `Billing Phone`, else
  `guest:<Name>` (each guest order is its own customer);
- `ordered_at` = `Created at` (e.g. `2024-05-01 09:58:12 -0400`, converted to UTC);
- `revenue` = `Total` as exported (refunds are not subtracted);
- `channel` is left empty: Shopify's `Source` is the sales channel (`web`, `pos`), not the
  marketing channel;
- orders with a `Cancelled at` value are left out;
- `customers`: one row per customer_id, `first_seen` = the date of the customer's earliest
  order in this file, acquisition channel and social following empty.

**Google Analytics 4 report export** (`fmt="ga4_report"`; a report's Share, Download File,
CSV). Comment lines starting with `#` come before the header (title, property,
`# Start date: 20260301`, `# End date: ...`). The first table is read; whatever follows the
first blank or `#` line after it (further tables) is ignored with a note, and a
`Grand total` row is dropped. Recognized by `Sessions` plus one of the dimensions below.
Produces `web_sessions`, rows summed per (date, source, medium, campaign):

- `date` = `Date` (`YYYYMMDD`); without a Date column the report must cover one day
  (`# Start date` = `# End date`), else the file is refused with a hint to add the dimension;
- `source`, `medium` = `Session source / medium` split at ` / `, or `Session source` and
  `Session medium`, or `First user source / medium`; a report by
  `Session default channel group` or `Session primary channel group (Default Channel Group)`
  gives source = the channel group and medium = `(channel group)`;
- `campaign` = `Session campaign` / `Session campaign name` / `Session manual campaign name`;
  GA4's placeholders `(not set)`, `(direct)`, `(organic)`, `(referral)`, `(none)` become
  empty;
- `sessions` = `Sessions`; `engaged_sessions` = `Engaged sessions`; `conversions` =
  `Key events`, `Conversions` or `Transactions`; `revenue` = `Total revenue` or
  `Purchase revenue`.

**Meta Ads Manager export** (`fmt="meta_ads"`; Ads Manager, Reports, Export table data,
CSV). Recognized by `Reporting starts` and `Reporting ends`. Produces `social_daily`, rows
summed per (date, platform, campaign):

- `date` = `Day` (breakdown by day), else `Reporting starts`, and then every row must start
  and end on the same day;
- `platform` = `Platform` (breakdown by platform, lower-cased), else `facebook`;
- `campaign_id` = `Campaign name`, else `Campaign ID`;
- `impressions`, `reach`, `link_clicks` = `Impressions`, `Reach`, `Link clicks`;
  `engagements` = `Post engagement(s)`; `spend` = `Amount spent (<currency>)`;
- reach summed over ad sets or ads counts a person reached by two of them twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

ROW = "__row"  # the spreadsheet row number of a record (header = row 1 in a plain file)

# A problem found while converting: (row, column, value, message).
RawProblem = tuple[int | None, str | None, str | None, str]


def norm(name: str) -> str:
    """A header name for comparison: lower case, BOM removed, runs of space/_/-/. as one space."""
    s = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_.\-]+", " ", s).strip()


@dataclass
class Prepared:
    """A known-format file turned into canonical-named text frames, ready for validation."""

    frames: dict[str, pl.DataFrame]  # dataset -> text frame with canonical names and ROW
    labels: dict[str, dict[str, str]]  # dataset -> canonical column -> header shown in messages
    mapping: dict[str, str | None]  # source header -> canonical column (None = ignored)
    notes: list[str] = field(default_factory=list)
    problems: list[RawProblem] = field(default_factory=list)


@dataclass(frozen=True)
class Format:
    """A known export format: how to recognize it, convert it and finish the typed frames."""

    name: str
    dataset: str  # the main dataset it produces
    detect: Callable[[dict[str, str], list[str]], bool]  # (norm -> header, preamble) -> match
    prepare: Callable[[pl.DataFrame, dict[str, str], list[str]], Prepared]
    finish: Callable[[dict[str, pl.DataFrame], list[str]], dict[str, pl.DataFrame]]
    cut_at_blank: bool = False  # the table ends at the first blank or '#' line


def _pick(cols: dict[str, str], *names: str) -> str | None:
    """The file's header for the first of `names` (normalized) that it has."""
    for n in names:
        if n in cols:
            return cols[n]
    return None


def _text(col: str | None) -> pl.Expr:
    return pl.col(col) if col is not None else pl.lit(None, dtype=pl.String)


def _ignored(raw: pl.DataFrame, used: dict[str, str]) -> dict[str, str | None]:
    """Every header of the file (in file order) -> what it became (None = not used)."""
    return {h: used.get(h) for h in raw.columns if h != ROW}


def _sum_by_key(df: pl.DataFrame, key: list[str]) -> tuple[pl.DataFrame, int]:
    """Rows summed per key; a column empty on every merged row stays empty. Returns the frame
    and the number of rows merged away."""
    measures = [c for c in df.columns if c not in key and c != ROW]
    out = (
        df.group_by(key, maintain_order=True)
        .agg(
            pl.col(ROW).min(),
            *[
                pl.when(pl.col(m).is_not_null().any()).then(pl.col(m).sum()).alias(m)
                for m in measures
            ],
        )
        .sort(ROW)
    )
    return out.select(df.columns), df.height - out.height


# --- Shopify orders export ------------------------------------------------------------------


def _shopify_detect(cols: dict[str, str], preamble: list[str]) -> bool:
    need = {"name", "financial status", "created at", "total"}
    return need <= cols.keys() and any(c.startswith("lineitem ") for c in cols)


def _shopify_prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    name, created, total = cols["name"], cols["created at"], cols["total"]
    email = _pick(cols, "email")
    phone = _pick(cols, "phone", "billing phone", "shipping phone")
    cancelled = _pick(cols, "cancelled at")
    notes: list[str] = []
    # One row per order: its first row that carries the order-level fields.
    rows = raw.filter(pl.col(name).is_not_null())
    line_items = rows.height
    rows = (
        rows.with_columns(__lvl=pl.col(created).is_null() & pl.col(total).is_null())
        .sort([name, "__lvl", ROW], maintain_order=True)
        .unique(subset=[name], keep="first", maintain_order=True)
        .sort(ROW)
        .drop("__lvl")
    )
    notes.append(f"Shopify orders export: {line_items} line-item rows read as {rows.height} orders")
    if cancelled is not None:
        n_cancelled = rows.filter(pl.col(cancelled).is_not_null()).height
        if n_cancelled:
            rows = rows.filter(pl.col(cancelled).is_null())
            notes.append(f"{n_cancelled} cancelled orders ('{cancelled}' filled) left out")
    customer = pl.coalesce(
        _text(email).str.to_lowercase(),
        _text(phone),
        pl.lit("guest:") + pl.col(name),
    )
    guests = rows.filter(pl.coalesce(_text(email), _text(phone)).is_null()).height
    if guests:
        notes.append(
            f"{guests} orders have no Email or Phone: each counts as its own guest customer "
            "('guest:<order name>')"
        )
    orders = rows.select(
        pl.col(ROW),
        pl.col(name).alias("order_id"),
        customer.alias("customer_id"),
        pl.col(created).alias("ordered_at"),
        pl.col(total).alias("revenue"),
        pl.lit(None, dtype=pl.String).alias("channel"),
    )
    notes.append(
        "customers derived from the orders: first_seen is the earliest order in this file, "
        "acquisition channel and social following are left empty"
    )
    used = {name: "order_id", created: "ordered_at", total: "revenue"}
    if email is not None:
        used[email] = "customer_id"
    labels = {
        "order_id": name,
        "customer_id": email or "Email",
        "ordered_at": created,
        "revenue": total,
    }
    return Prepared({"orders": orders}, {"orders": labels}, _ignored(raw, used), notes)


def _shopify_finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    orders = typed["orders"]
    customers = (
        orders.filter(pl.col("customer_id").is_not_null())
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col(ROW).min(), pl.col("ordered_at").min().dt.date().alias("first_seen"))
        .sort(ROW)
        .select(
            ROW,
            "customer_id",
            pl.lit(None, dtype=pl.String).alias("acquisition_channel"),
            pl.lit(None, dtype=pl.Boolean).alias("follows_on_social"),
            "first_seen",
        )
    )
    return {"orders": orders, "customers": customers}


# --- Google Analytics 4 report export --------------------------------------------------------

_GA4_SOURCE_MEDIUM = ("session source / medium", "session source/medium")
_GA4_FIRST_USER_SM = ("first user source / medium", "first user source/medium")
_GA4_CHANNEL_GROUP = (
    "session default channel group",
    "session primary channel group (default channel group)",
    "session default channel grouping",
    "default channel group",
)
_GA4_DIMENSIONS = (
    *_GA4_SOURCE_MEDIUM,
    *_GA4_FIRST_USER_SM,
    *_GA4_CHANNEL_GROUP,
    "session source",
    "session medium",
    "session campaign",
)
_GA4_PLACEHOLDER_CAMPAIGNS = ["(not set)", "(direct)", "(organic)", "(referral)", "(none)"]
# The marker medium for rows of a channel-group report (source holds the channel group).
CHANNEL_GROUP_MEDIUM = "(channel group)"


def _ga4_detect(cols: dict[str, str], preamble: list[str]) -> bool:
    return "sessions" in cols and any(d in cols for d in _GA4_DIMENSIONS)


def _preamble_date(preamble: list[str], label: str) -> str | None:
    for line in preamble:
        m = re.match(rf"^#\s*{label}\s*:\s*([0-9]{{8}})\s*$", line.strip(), re.IGNORECASE)
        if m:
            return m.group(1)
    return None


def _ga4_prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    notes: list[str] = []
    problems: list[RawProblem] = []
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    first = next(c for c in raw.columns if c != ROW)
    grand = pl.col(first).str.to_lowercase().is_in(["grand total", "total"]).fill_null(False)
    n_total = raw.filter(grand).height
    raw = raw.filter(~grand)
    if n_total:
        notes.append("GA4 'Grand total' row left out")

    date_col = _pick(cols, "date")
    if date_col is not None:
        date = pl.col(date_col)
        used[date_col] = "date"
        labels["date"] = date_col
    else:
        start, end = _preamble_date(preamble, "start date"), _preamble_date(preamble, "end date")
        if start is not None and start == end:
            date = pl.lit(start)
            labels["date"] = "# Start date"
            notes.append(f"GA4 report for one day: every row dated {start}")
        else:
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
            date = pl.lit(None, dtype=pl.String)

    sm = _pick(cols, *_GA4_SOURCE_MEDIUM) or _pick(cols, *_GA4_FIRST_USER_SM)
    src, med = _pick(cols, "session source"), _pick(cols, "session medium")
    group = _pick(cols, *_GA4_CHANNEL_GROUP)
    if sm is not None:
        parts = pl.col(sm).str.split_exact(" / ", 1)
        source = parts.struct.field("field_0").str.strip_chars()
        medium = parts.struct.field("field_1").str.strip_chars()
        used[sm] = "source, medium"
        labels["source"] = labels["medium"] = sm
        if sm == _pick(cols, *_GA4_FIRST_USER_SM):
            notes.append("source and medium taken from the first-user dimension")
    elif src is not None:
        source, medium = pl.col(src), _text(med)
        used[src] = "source"
        labels["source"] = src
        if med is not None:
            used[med] = "medium"
            labels["medium"] = med
    elif group is not None:
        source, medium = pl.col(group), pl.lit(CHANNEL_GROUP_MEDIUM)
        used[group] = "source"
        labels["source"] = group
        notes.append(
            f"GA4 report by channel group: source holds the channel group and medium is "
            f"'{CHANNEL_GROUP_MEDIUM}' (export 'Session source / medium' for the detail)"
        )
    else:  # pragma: no cover - detection guarantees one of the dimensions above
        source, medium = pl.lit(None, dtype=pl.String), pl.lit(None, dtype=pl.String)

    camp = _pick(cols, "session campaign", "session campaign name", "session manual campaign name")
    campaign = _text(camp)
    if camp is not None:
        used[camp] = "campaign"
        labels["campaign"] = camp
        campaign = (
            pl.when(pl.col(camp).str.to_lowercase().is_in(_GA4_PLACEHOLDER_CAMPAIGNS))
            .then(pl.lit(None, dtype=pl.String))
            .otherwise(pl.col(camp))
        )

    measures = {
        "sessions": _pick(cols, "sessions"),
        "engaged_sessions": _pick(cols, "engaged sessions"),
        "conversions": _pick(cols, "key events", "conversions", "transactions"),
        "revenue": _pick(cols, "total revenue", "purchase revenue"),
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
        *[_text(h).alias(c) for c, h in measures.items()],
    )
    notes.append("Google Analytics 4 report export")
    return Prepared(
        {"web_sessions": frame}, {"web_sessions": labels}, _ignored(raw, used), notes, problems
    )


def _ga4_finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    df, merged = _sum_by_key(typed["web_sessions"], ["date", "source", "medium", "campaign"])
    if merged:
        notes.append(f"{merged} rows merged: GA4 rows summed per date, source, medium and campaign")
    return {"web_sessions": df}


# --- Meta Ads Manager export ----------------------------------------------------------------


def _meta_detect(cols: dict[str, str], preamble: list[str]) -> bool:
    return "reporting starts" in cols and "reporting ends" in cols


def _meta_prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    notes: list[str] = ["Meta Ads Manager export"]
    problems: list[RawProblem] = []
    used: dict[str, str] = {}
    labels: dict[str, str] = {}
    starts, ends = cols["reporting starts"], cols["reporting ends"]
    day = _pick(cols, "day")
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
    plat = _pick(cols, "platform")
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
    camp = _pick(cols, "campaign name", "campaign id")
    if camp is not None:
        used[camp] = "campaign_id"
        labels["campaign_id"] = camp
    spend = next((h for n, h in cols.items() if n.startswith("amount spent")), None)
    measures = {
        "impressions": _pick(cols, "impressions"),
        "reach": _pick(cols, "reach"),
        "engagements": _pick(cols, "post engagement", "post engagements"),
        "link_clicks": _pick(cols, "link clicks"),
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
        _text(camp).alias("campaign_id"),
        *[
            _text(measures.get(c)).alias(c)
            for c in ("impressions", "reach", "engagements", "link_clicks")
        ],
        pl.lit(None, dtype=pl.String).alias("followers"),
        pl.lit(None, dtype=pl.String).alias("posts"),
        pl.lit(None, dtype=pl.String).alias("promo_posts"),
        _text(spend).alias("spend"),
    )
    return Prepared(
        {"social_daily": frame}, {"social_daily": labels}, _ignored(raw, used), notes, problems
    )


def _meta_finish(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    df, merged = _sum_by_key(typed["social_daily"], ["date", "platform", "campaign_id"])
    if merged:
        notes.append(
            f"{merged} rows merged: ad sets/ads summed per day, platform and campaign "
            "(summed reach counts a person reached by two ads twice)"
        )
    return {"social_daily": df}


FORMATS: tuple[Format, ...] = (
    Format("shopify_orders", "orders", _shopify_detect, _shopify_prepare, _shopify_finish),
    Format("ga4_report", "web_sessions", _ga4_detect, _ga4_prepare, _ga4_finish, True),
    Format("meta_ads", "social_daily", _meta_detect, _meta_prepare, _meta_finish),
)


def detect_format(headers: list[str], preamble: list[str]) -> Format | None:
    """The known export format whose headers these are, if any."""
    cols = {norm(h): h for h in reversed(headers)}  # the first header wins on duplicates
    for f in FORMATS:
        if f.detect(cols, preamble):
            return f
    return None


def get_format(name: str) -> Format | None:
    return next((f for f in FORMATS if f.name == name), None)
