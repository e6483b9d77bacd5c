"""The vocabulary every part of `smmkpi.ingest` shares, and the interface of a known format.

This module imports no other part of the package, so that the readers, the value parsers and
every format module in `formats/` can import it without a cycle: a format module imports only
this one (never the core importing back from a format).

What it holds:
- `ROW`, the column that carries each record's spreadsheet row, and `norm`, the header
  comparison used by column mapping and format detection alike;
- small text-column helpers (`empty_as_null`, `strip`, `frame_select`);
- `Format` and `Prepared`, the detect/prepare/finish interface of a known export format, and
  the helpers formats use to build their frames (`pick`, `text_or_null`, `ignored`,
  `sum_by_key`, `post_frame`, `social_frame`);
- `LOCALES`, the languages whose CLDR month and weekday names (from Babel) are read in
  dates, and `without_weekday` for dates that begin with one ("Tue, Aug 26, 2025").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import polars as pl

ROW = "__row"  # the spreadsheet row number of a record (header = row 1 in a plain file)

DateOrder = Literal["dmy", "mdy"]

# A problem found while converting a known format: (row, column, value, message); row None
# means the whole file.
RawProblem = tuple[int | None, str | None, str | None, str]


# the languages whose CLDR month and weekday names (Babel) dates may be written in
LOCALES: tuple[str, ...] = ("en", "es", "pt", "fr", "de", "it")


def norm(name: str) -> str:
    """A header name for comparison: lower case, BOM removed, runs of space/_/-/. as one space."""
    s = name.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_.\-]+", " ", s).strip()


# --- text columns --------------------------------------------------------------------------------


def empty_as_null(s: pl.Series) -> pl.Series:
    """`s` with empty strings as null (the series itself when it has none)."""
    if (s == "").any():
        s = pl.select(pl.when(s != "").then(s)).to_series().alias(s.name)
    return s


def strip(s: pl.Series) -> pl.Series:
    """Surrounding white space removed; empty text is null."""
    if s.str.contains(r"^\s|\s$").any():
        s = empty_as_null(s.str.strip_chars())
    return s


def frame_select(s: pl.Series, expr: pl.Expr) -> pl.Series:
    """Evaluate an expression over pl.col('s') = `s`."""
    return s.to_frame("s").select(expr.alias("s")).to_series()


# --- the interface of a known export format ------------------------------------------------------


@dataclass
class Prepared:
    """A known-format file turned into canonical-named text frames, ready for validation."""

    frames: dict[str, pl.DataFrame]  # dataset -> text frame with canonical names and ROW
    labels: dict[str, dict[str, str]]  # dataset -> canonical column -> header shown in messages
    mapping: dict[str, str | None]  # source header -> canonical column (None = ignored)
    notes: list[str] = field(default_factory=list)
    problems: list[RawProblem] = field(default_factory=list)
    # dataset -> further text columns of its frame, kept beside the typed columns for `finish`
    # (a time offset to add to a typed timestamp); never stored
    carry: dict[str, tuple[str, ...]] = field(default_factory=dict)


# (normalized header -> the file's header, preamble lines) -> whether the file is this format
Detect = Callable[[dict[str, str], list[str]], bool]
# (text records with ROW, normalized header -> header, preamble lines) -> canonical text frames
Prepare = Callable[[pl.DataFrame, dict[str, str], list[str]], Prepared]
# (typed frames, notes to append to) -> the final frames per dataset (still with ROW)
Finish = Callable[[dict[str, pl.DataFrame], list[str]], dict[str, pl.DataFrame]]


@dataclass(frozen=True)
class Format:
    """A known export format: how to recognize it, convert it and finish the typed frames.

    `prepare` renames and reshapes the file's text columns into the canonical columns of
    `dataset` (the values stay text: the common value parsers type and check them, with the
    file's own headers in the messages); `finish` derives or aggregates from the typed frames.
    """

    name: str
    dataset: str  # the main dataset it produces
    detect: Detect
    prepare: Prepare
    finish: Finish
    cut_at_blank: bool = False  # the table ends at the first blank or '#' line
    sheets: tuple[str, ...] = ()  # in a workbook, the sheet that holds the table
    label: str = ""  # what people call the export ("Zendesk ticket export"), for messages
    menu: str = ""  # where it is made ("Admin Center → Account → Tools → Reports → Export")
    total_of: tuple[str, ...] = ()  # normalized headers whose value a totals-row note states


def unchanged(typed: dict[str, pl.DataFrame], notes: list[str]) -> dict[str, pl.DataFrame]:
    """The `finish` of a format whose typed frames need nothing more."""
    return typed


# --- totals rows and exports without data ---------------------------------------------------------

# a totals row's label: "Total", "Totals", "Total: Account", "Grand total", "Grand totals"
TOTAL_LABEL = r"(?i)^\s*(?:grand\s+)?totals?\s*(?::.*)?$"
# what an export writes in place of a table when its period has no data
NO_DATA = (r"(?i)^\s*(?:no\s+data(?:\s+available)?|there\s+is\s+no\s+data(?:\s+for\s+.*)?"
           r"|no\s+results?(?:\s+found)?|no\s+rows)\s*[.!]?\s*$")


def first_value(columns: list[str]) -> pl.Expr:
    """Each row's first non-empty value (white space counts as empty), or null."""
    return pl.coalesce(
        pl.when(pl.col(c).str.strip_chars() != "").then(pl.col(c).str.strip_chars())
        for c in columns
    )


def totals_mask(raw: pl.DataFrame) -> pl.Series:
    """The rows whose first non-empty value is a totals label (`TOTAL_LABEL`): a report's
    `Total`, `Total: Account` or `Grand total` row, which sums the others."""
    names = [c for c in raw.columns if c != ROW]
    if not names or raw.height == 0:
        return pl.Series("total", [False] * raw.height, dtype=pl.Boolean)
    # the first column decides, but on the (few) rows where it is empty: one regex pass
    first = raw.get_column(names[0])
    hit = first.str.contains(TOTAL_LABEL).fill_null(False).alias("total")
    blank = first.is_null() | first.str.contains(r"^\s*$").fill_null(False)
    if len(names) > 1 and blank.any():
        rest = raw.filter(blank).select(
            first_value(names[1:]).str.contains(TOTAL_LABEL).fill_null(False)).to_series()
        hit = hit.scatter(blank.arg_true(), rest)
    return hit


def describe_totals(totals: pl.DataFrame, cols: list[str], prefer: tuple[str, ...]) -> str:
    """'Total: Account (Cost 3,852.21); Grand total (Sessions 1235)': each dropped totals row
    by its label and the value it states, of the first `prefer` header (normalized) the file
    has, else of its first column with a number."""
    names = [c for c in cols if c != ROW]
    shown = next((c for p in prefer for c in names
                  if norm(c) == p or norm(c).startswith(p + " (")), None)
    parts = []
    for row in totals.select(names).iter_rows():
        vals = [(n, (v or "").strip()) for n, v in zip(names, row, strict=True)]
        label = next((v for _, v in vals if v), "")
        nums = [(n, v) for n, v in vals if v and v != label and re.search(r"[0-9]", v)]
        if shown is not None:
            nums = [(n, v) for n, v in vals if n == shown and v] or nums
        parts.append(f"{label} ({nums[0][0]} {nums[0][1]})" if nums else label)
    return "; ".join(parts)


def pick(cols: dict[str, str], *names: str) -> str | None:
    """The file's header for the first of `names` (normalized) that it has."""
    for n in names:
        if n in cols:
            return cols[n]
    return None


def text_or_null(col: str | None) -> pl.Expr:
    """The column `col`, or a null text column when the file does not have it."""
    return pl.col(col) if col is not None else pl.lit(None, dtype=pl.String)


def ignored(raw: pl.DataFrame, used: dict[str, str]) -> dict[str, str | None]:
    """Every header of the file (in file order) -> what it became (None = not used)."""
    return {h: used.get(h) for h in raw.columns if h != ROW}


def sum_by_key(
    df: pl.DataFrame, key: list[str], first: tuple[str, ...] = ()
) -> tuple[pl.DataFrame, int]:
    """Rows summed per key; a column empty on every merged row stays empty; the text columns
    `first` (a currency code) keep their first value. Returns the frame and the number of
    rows merged away."""
    measures = [c for c in df.columns if c not in key and c != ROW and c not in first]
    out = (
        df.group_by(key, maintain_order=True)
        .agg(
            pl.col(ROW).min(),
            *[
                pl.when(pl.col(m).is_not_null().any()).then(pl.col(m).sum()).alias(m)
                for m in measures
            ],
            *[pl.col(c).drop_nulls().first() for c in first],
        )
        .sort(ROW)
    )
    return out.select(df.columns), df.height - out.height


def customers_from_orders(orders: pl.DataFrame) -> pl.DataFrame:
    """The customers of a shop's typed orders (with ROW): one per customer_id, `first_seen` =
    the date of their earliest order in the file, acquisition channel and social following
    empty (a shop's order export knows neither)."""
    return (
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


# --- post exports --------------------------------------------------------------------------------

# the posts dataset's columns (datasets.POSTS; a test keeps the two equal): formats build
# their text frames in this order
POST_COLUMNS: tuple[str, ...] = (
    "platform", "post_id", "published_at", "format", "title", "url", "campaign_id",
    "utm_content", "is_promo", "impressions", "reach", "engagements", "likes", "comments",
    "shares", "saves", "link_clicks", "video_views",
)
_US_STAMP = r"^\s*[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}(?:\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?\s*$"


def us_dates(col: str) -> pl.Expr:
    """A column of month-first dates (`MM/DD/YYYY`, with an optional `HH:MM[:SS]`), as
    exports from US platforms write them, as ISO text; other values are left as they are
    (ISO dates, Excel serial numbers), for the common date parser."""
    c = pl.col(col).str.strip_chars()
    full = c.str.replace(r"^([0-9/]+)$", "$1 00:00").str.replace(
        r"^([0-9/]+ [0-9]{1,2}:[0-9]{2})$", "$1:00")
    iso = full.str.to_datetime("%m/%d/%Y %H:%M:%S", strict=False).dt.strftime("%Y-%m-%dT%H:%M:%S")
    return pl.when(c.str.contains(_US_STAMP)).then(pl.coalesce(iso, c)).otherwise(c)


# (word in the platform's type, smmkpi format), first match wins
_FORMAT_WORDS: tuple[tuple[str, str], ...] = (
    ("reel", "reel"), ("short", "reel"), ("carousel", "carousel"), ("album", "carousel"),
    ("stor", "story"), ("live", "live"), ("video", "video"), ("photo", "image"),
    ("image", "image"), ("link", "link"), ("article", "link"), ("status", "text"),
    ("text", "text"), ("note", "text"),
)


def post_format(col: str | None) -> pl.Expr:
    """A platform's post type ("IG reel", "Photos", "Shared Video", "Status") as one of the
    posts formats: by the first word of `_FORMAT_WORDS` it contains, else "other"."""
    if col is None:
        return pl.lit(None, dtype=pl.String)
    low = pl.col(col).str.to_lowercase()
    out = pl.when(low.is_null()).then(pl.lit(None, dtype=pl.String))
    for word, fmt in _FORMAT_WORDS:
        out = out.when(low.str.contains(word, literal=True)).then(pl.lit(fmt))
    return out.otherwise(pl.lit("other"))


def text_sum(cols: list[str]) -> pl.Expr:
    """The sum of whole-number text columns (thousands separators and a `.0` allowed), as
    text: null where no column has a value, and where one holds something else (that
    column's own check names it)."""
    nums = []
    for c in cols:
        t = pl.col(c).str.replace_all(r"[\s,]", "").str.replace(r"\.0+$", "")
        nums.append(t.cast(pl.Int64, strict=False))
    any_value = pl.any_horizontal(pl.col(c).is_not_null() for c in cols)
    bad = pl.any_horizontal(pl.col(c).is_not_null() & n.is_null()
                            for c, n in zip(cols, nums, strict=True))
    return (pl.when(any_value & ~bad).then(pl.sum_horizontal(nums).cast(pl.String))
            .otherwise(pl.lit(None, dtype=pl.String)))


def post_frame(raw: pl.DataFrame, exprs: dict[str, pl.Expr]) -> pl.DataFrame:
    """The posts text frame (ROW and `POST_COLUMNS`): each column from `exprs`, empty where
    the export has none."""
    return raw.select(
        pl.col(ROW),
        *[exprs.get(c, pl.lit(None, dtype=pl.String)).cast(pl.String).alias(c)
          for c in POST_COLUMNS],
    )


def sum_into(df: pl.DataFrame, target: str, parts: list[str]) -> tuple[pl.DataFrame, bool]:
    """`target` as the sum of `parts` on rows where the export gives no `target` but some
    part (null parts count as 0); returns the frame and whether any row was filled."""
    have = pl.any_horizontal(pl.col(p).is_not_null() for p in parts)
    fill = pl.col(target).is_null() & have
    if not df.select(fill.any()).item():
        return df, False
    total = pl.sum_horizontal(pl.col(p).fill_null(0) for p in parts)
    return df.with_columns(pl.when(fill).then(total).otherwise(pl.col(target)).alias(target)), True


# --- daily account exports -------------------------------------------------------------------

# the social_daily dataset's columns (datasets.SOCIAL_DAILY; a test keeps the two equal)
SOCIAL_COLUMNS: tuple[str, ...] = (
    "date", "platform", "campaign_id", "impressions", "reach", "engagements", "link_clicks",
    "followers", "posts", "promo_posts", "spend", "new_followers", "page_views",
    "unique_visitors",
)


def social_frame(raw: pl.DataFrame, exprs: dict[str, pl.Expr]) -> pl.DataFrame:
    """The social_daily text frame (ROW and `SOCIAL_COLUMNS`): each column from `exprs`,
    empty where the export has none."""
    return raw.select(
        pl.col(ROW),
        *[exprs.get(c, pl.lit(None, dtype=pl.String)).cast(pl.String).alias(c)
          for c in SOCIAL_COLUMNS],
    )


def channel_of_type(raw: pl.DataFrame, header: str, types: dict[str, str], other: str,
                    notes: list[str]) -> pl.Expr:
    """The channel group of each row from an ad platform's campaign type column `header`
    (`types`: lower-case campaign type -> channel group; any other type is `other`, with a
    note naming those types)."""
    kind = pl.col(header).str.strip_chars().str.to_lowercase()
    unknown = raw.filter(~kind.is_in(list(types)) & kind.is_not_null())
    if unknown.height:
        kinds = ", ".join(sorted(set(unknown.get_column(header).to_list())))
        notes.append(f"campaign types {kinds} counted as {other}")
    return kind.replace_strict(list(types), list(types.values()), default=pl.lit(other),
                               return_dtype=pl.String)


def daily_social(raw: pl.DataFrame, cols: dict[str, str], date: pl.Expr, platform: str,
                 measures: dict[str, tuple[str, ...]], notes: list[str]) -> Prepared:
    """A daily account export as social_daily text: the date from `date`, the platform
    given, and each canonical measure from the first of its header names the file has
    (`measures`: canonical column -> normalized header names)."""
    used: dict[str, str] = {cols["date"]: "date"}
    labels: dict[str, str] = {"date": cols["date"], "platform": "platform"}
    exprs: dict[str, pl.Expr] = {"date": date, "platform": pl.lit(platform)}
    for canon, names in measures.items():
        header = pick(cols, *names)
        if header is not None:
            used[header], labels[canon] = canon, header
            exprs[canon] = pl.col(header)
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, used), notes)


@lru_cache(maxsize=1)
def weekday_names() -> tuple[str, ...]:
    """Lower-case weekday names, wide and abbreviated, of `LOCALES` (CLDR data from Babel,
    a trailing dot left out), longest first so that a regex alternation takes the whole
    name."""
    from babel.dates import get_day_names

    names: set[str] = set()
    for loc in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(n.lower().rstrip(".") for n in
                             get_day_names(width, context, locale=loc).values())
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def without_weekday(col: str) -> pl.Expr:
    """The text column `col` with a leading weekday name and its comma removed ("Tue, Aug
    26, 2025" -> "Aug 26, 2025", "martes, 26 ago 2025" -> "26 ago 2025"), for the common
    date parser; other values unchanged. The comma is required: "mar" is Tuesday in Spanish
    and March in English, and "Mar 26, 2025" stays as it is."""
    alt = "|".join(re.escape(n) for n in weekday_names())
    return pl.col(col).str.replace(rf"(?i)^\s*(?:{alt})\.?,\s*", "")


def drop_rows(raw: pl.DataFrame, mask: pl.Expr) -> tuple[pl.DataFrame, list[int]]:
    """`raw` without the rows where `mask` holds, and the spreadsheet rows dropped."""
    m = mask.fill_null(False)
    gone = raw.filter(m)[ROW].to_list()
    return (raw.filter(~m) if gone else raw), gone
