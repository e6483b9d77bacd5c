"""Numbers for people: 1.2k, 34.5 %, $1,234, 12 min / 3.4 h, 5.2 days. Used by the pages,
the markdown report and the tests (one formatter, one look)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import polars as pl

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
MISSING = "n/a"


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def compact(value: float | int | None, digits: int = 1) -> str:
    """1234 → 1.2k, 1_500_000 → 1.5M, 12 → 12, 0.5 → 0.5."""
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    tiers = ((1e3, "k"), (1e6, "M"), (1e9, "B"))
    for i, (div, suffix) in enumerate(tiers):
        if abs(v) < div * 1000 or i == len(tiers) - 1:
            if abs(v) < div:
                break
            s = f"{v / div:.{digits}f}".rstrip("0").rstrip(".")
            if abs(float(s)) >= 1000 and i < len(tiers) - 1:  # 999_950 → 1M, not 1000k
                nxt, nsuffix = tiers[i + 1]
                return f"{v / nxt:.{digits}f}".rstrip("0").rstrip(".") + nsuffix
            return s + suffix
    if v == int(v):
        return f"{int(v):,}"
    return f"{v:,.{digits}f}"


def percent(value: float | None, digits: int = 1) -> str:
    """0.345 → 34.5 %."""
    if _missing(value):
        return MISSING
    return f"{100 * float(value):.{digits}f} %"  # type: ignore[arg-type]


def money(value: float | None, currency: str = "USD", compact_large: bool = True) -> str:
    """1234.5 → $1,235; 1_234_567 → $1.2M; 12.34 → $12.34."""
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    sym = CURRENCY_SYMBOLS.get(currency.upper())
    sign = "-" if v < 0 else ""
    a = abs(v)
    if compact_large and a >= 100_000:
        body = compact(a)
    elif a >= 100:
        body = f"{a:,.0f}"
    else:
        body = f"{a:,.2f}"
    return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency.upper()}"


def duration_minutes(value: float | None) -> str:
    """Minutes for people: 42 min, 3.5 h, 2.1 days."""
    if _missing(value):
        return MISSING
    m = float(value)  # type: ignore[arg-type]
    if abs(m) < 90:
        return f"{m:.0f} min" if abs(m) >= 10 else f"{m:.1f} min"
    if abs(m) < 48 * 60:
        return f"{m / 60:.1f} h"
    return f"{m / 1440:.1f} days"


def days(value: float | None) -> str:
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    return f"{v:.0f} days" if abs(v) >= 10 else f"{v:.1f} days"


def value(v: float | int | None, unit: str, currency: str = "USD") -> str:
    """Format a KPI value by its unit (count, currency, ratio, minutes, days, number)."""
    if unit == "ratio":
        return percent(v)  # type: ignore[arg-type]
    if unit == "currency":
        return money(v, currency)  # type: ignore[arg-type]
    if unit == "minutes":
        return duration_minutes(v)  # type: ignore[arg-type]
    if unit == "days":
        return days(v)  # type: ignore[arg-type]
    if unit == "number":
        return MISSING if _missing(v) else f"{float(v):,.2f}"  # type: ignore[arg-type]
    return compact(v)


def change(current: float | None, previous: float | None, unit: str) -> str | None:
    """The change against the comparison period: percentage points for ratios, relative
    change otherwise; None when it cannot be computed."""
    if _missing(current) or _missing(previous):
        return None
    c, p = float(current), float(previous)  # type: ignore[arg-type]
    if unit == "ratio":
        diff, suffix = 100 * (c - p), "pp"
    elif p == 0:
        return None
    else:
        diff, suffix = 100 * (c / p - 1), "%"
    if round(diff, 1) == 0:
        return f"0.0 {suffix}"  # no sign: neither up nor down (Streamlit colours by sign)
    return f"{diff:+.1f} {suffix}"


def texts(series: pl.Series, fmt: Callable[[Any], str]) -> pl.Series:
    """`fmt` applied to each value of `series` in this thread, as a String Series of the
    same name. Never `map_elements`: a Python function that Polars calls from its own
    worker threads waits for Python's lock, and a page holding that lock while it waits
    for Polars (a table being shown) froze the server (docs/architecture.md)."""
    return pl.Series(series.name, [fmt(v) for v in series.to_list()], dtype=pl.String)


def template(fmt: str, *args: pl.Expr | str) -> pl.Expr:
    """`pl.format(fmt, *args)` built from `pl.concat_str`: null where any argument is null.

    `pl.format` panics inside Polars on some plans (`binview/mod.rs: assertion failed:
    i < self.len()`, pola-rs/polars#25339 and #25525, open in Polars 2.1): the Community
    page's unanswered list died that way after a platform filter. `concat_str` does the
    same job without the bug."""
    pieces = fmt.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError(f"template {fmt!r} has {len(pieces) - 1} placeholders, "
                         f"{len(args)} arguments given")
    parts: list[pl.Expr] = []
    for i, piece in enumerate(pieces):
        if piece:
            parts.append(pl.lit(piece))
        if i < len(args):
            a = args[i]
            parts.append((pl.col(a) if isinstance(a, str) else a).cast(pl.String))
    return pl.concat_str(parts, ignore_nulls=False)


# --- text from data inside Markdown ---------------------------------------------------
_MD_SPECIAL = set("\\`*_{}[]()#+-.!|<>~$:=")


# Markdown's automatic links need no markup at all: `https://x`, `www.x` and `a@b.c` become
# links on their own. A word joiner (U+2060, invisible) breaks each of those patterns.
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """Text from data made inert for st.markdown: every Markdown/HTML character escaped and
    automatic links broken, so a campaign name like `[click](http://x)`, `<img>` or
    `https://evil.example` shows as typed and links nothing."""
    s = _AUTOLINK.sub(WORD_JOINER, str(text))
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)
