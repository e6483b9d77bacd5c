"""Numbers for people: 1.2k, 34.5 %, $1,234, 12 min / 3.4 h, 5.2 days. Used by the pages,
the markdown report and the tests (one formatter, one look)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


def value_in_full(v: float | int | None, unit: str, currency: str = "USD") -> str:
    """`value` without abbreviating: 2,483 (not 2.5k), $715,000 (not $715k); rates, times
    and days as `value` shows them. For a figure next to one that is typed in full."""
    if unit == "count":
        return MISSING if _missing(v) else f"{float(v):,.0f}"  # type: ignore[arg-type]
    if unit == "currency":
        return money(v, currency, compact_large=False)  # type: ignore[arg-type]
    return value(v, unit, currency)


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


# --- tables, editors and downloads: one rule per unit ---------------------------------
# Tables show numbers in full ("$63,916", "164,796") where tiles abbreviate ("$63.9k"), with
# the same units, signs and decimals. A table column is one number format for all its
# rows (st.column_config's printf), so the choice that `value` makes per value (cents
# below $100, minutes or hours) is made once per column from its typical (median) value.
TABLE_UNITS = ("count", "signed", "currency", "ratio", "percent", "pp", "minutes", "days",
               "number")


@dataclass(frozen=True)
class ColumnFormat:
    """How a numeric column of one unit is shown: values × `scale` through `printf`
    (st.column_config.NumberColumn's format)."""

    printf: str
    scale: float = 1.0


def _typical(values: Sequence[float | int | None] | pl.Series | None) -> float | None:
    """The median absolute value, None when there is none."""
    if values is None:
        return None
    s = pl.Series(values, dtype=pl.Float64, strict=False) if not isinstance(
        values, pl.Series) else values.cast(pl.Float64, strict=False)
    m = s.drop_nulls().drop_nans().abs().median()
    return None if m is None else float(m)  # type: ignore[arg-type]


def money_printf(currency: str = "USD", decimals: int = 0) -> str:
    """$%,.0f, €%,.2f, or %,.0f CHF for a currency without a symbol."""
    sym = CURRENCY_SYMBOLS.get(currency.upper())
    body = f"%,.{decimals}f"
    return f"{sym}{body}" if sym else f"{body} {currency.upper()}"


def column_format(unit: str, values: Sequence[float | int | None] | pl.Series | None = None,
                  currency: str = "USD", digits: int | None = None) -> ColumnFormat:
    """The table format of a unit (see TABLE_UNITS): counts 12,345 (`signed`: +5,415),
    currency with its sign and cents only when amounts are typically under 100 (the rule of
    `money`), ratios (fractions, 0.345) and percents (34.5) 34.5 %, percentage points
    +1.2 pp, minutes as min, h or days by the typical value (the rule of
    `duration_minutes`), days 62 days (1 decimal under 10), other numbers 1,234.56.
    `digits` overrides the decimals."""
    # only these units look at the values (a median per column and table costs a query)
    typical = _typical(values) if unit in ("currency", "minutes", "days") else None
    if unit == "count":
        return ColumnFormat("%,d" if not digits else f"%,.{digits}f")
    if unit == "signed":
        return ColumnFormat("%+,d" if not digits else f"%+,.{digits}f")
    if unit == "currency":
        cents = 2 if typical is None or typical < 100 else 0
        return ColumnFormat(money_printf(currency, cents if digits is None else digits))
    if unit == "ratio":
        return ColumnFormat(f"%.{1 if digits is None else digits}f %%", 100.0)
    if unit == "percent":  # already in percent: 34.5
        return ColumnFormat(f"%.{1 if digits is None else digits}f %%")
    if unit == "pp":
        return ColumnFormat(f"%+.{1 if digits is None else digits}f pp")
    if unit == "minutes":
        if typical is not None and typical >= 48 * 60:
            return ColumnFormat(f"%,.{1 if digits is None else digits}f days", 1 / 1440)
        if typical is not None and typical >= 90:
            return ColumnFormat(f"%,.{1 if digits is None else digits}f h", 1 / 60)
        small = typical is not None and typical < 10
        return ColumnFormat(f"%,.{(1 if small else 0) if digits is None else digits}f min")
    if unit == "days":
        small = typical is not None and typical < 10
        return ColumnFormat(f"%,.{(1 if small else 0) if digits is None else digits}f days")
    if unit == "number":
        return ColumnFormat(f"%,.{2 if digits is None else digits}f")
    raise ValueError(f"not a number unit: {unit!r} (one of {', '.join(TABLE_UNITS)})")


# --- entering values: what people type in an editor -----------------------------------
# Rates are typed as percentages ("12.5 %" or "12.5"), money with or without its sign
# ("$715,000", "715k"), times in minutes ("45", "45 min", "1.5 h", "2 days"), counts with
# separators or k/M ("12,000", "12k"). Shown the same way, without losing a digit.
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9}
_NUMBER = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*([kmb]?)$", re.IGNORECASE)
_TIME_UNITS = {"min": 1.0, "mins": 1.0, "minute": 1.0, "minutes": 1.0, "m": 1.0,
               "h": 60.0, "hr": 60.0, "hrs": 60.0, "hour": 60.0, "hours": 60.0,
               "d": 1440.0, "day": 1440.0, "days": 1440.0}


def _plain(v: float, separators: bool = True) -> str:
    """A number with every significant digit it has (up to 10 decimals), no exponent."""
    text = f"{round(v, 10):,.10f}" if separators else f"{round(v, 10):.10f}"
    return text.rstrip("0").rstrip(".")


def entry_text(v: float | int | None, unit: str, currency: str = "USD") -> str:
    """A stored value as an editor shows it, in its unit and without losing a digit:
    0.038 → "3.8 %", 715000 → "$715,000", 12.5 → "$12.50", 45 → "45 min", 12 → "12"."""
    if _missing(v):
        return ""
    x = float(v)  # type: ignore[arg-type]
    if unit == "ratio":
        return f"{_plain(100 * x)} %"
    if unit == "currency":
        sym = CURRENCY_SYMBOLS.get(currency.upper())
        body = (f"{abs(x):,.0f}" if x == round(x) else
                f"{abs(x):,.2f}" if round(x, 2) == x else _plain(abs(x)))
        sign = "-" if x < 0 else ""
        return f"{sign}{sym}{body}" if sym else f"{sign}{body} {currency.upper()}"
    if unit == "minutes":
        return f"{_plain(x)} min"
    if unit == "days":
        return f"{_plain(x)} days"
    return _plain(x)


def entry_hint(unit: str, currency: str = "USD") -> str:
    """How to type a value of this unit, e.g. "a percentage, e.g. 12.5 %"."""
    sym = CURRENCY_SYMBOLS.get(currency.upper(), "")
    return {
        "ratio": "a percentage, e.g. 12.5 %",
        "currency": f"an amount in {currency.upper()}, e.g. {sym}1,200 or {sym}1.2k",
        "minutes": "a time, e.g. 45 min, 1.5 h or 2 days",
        "days": "a number of days, e.g. 14 days",
        "count": "a number, e.g. 12,000 or 12k",
    }.get(unit, "a number, e.g. 2.5")


def parse_entry(text: object, unit: str, currency: str = "USD") -> float | None:
    """What a person typed for a value of `unit`, in the stored unit (see `entry_text`):
    "12.5 %" or "12.5" → 0.125 for a ratio; "$1.2k" → 1200; "1.5 h" → 90 (minutes). None
    for an empty cell; ValueError (its message says what to type) when it is no number."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        x = float(text)
        return round(x / 100, 12) if unit == "ratio" else x
    s = str(text).strip().replace("\u00a0", " ").replace("\u202f", " ")
    if not s:
        return None
    s = s.replace(",", "").replace("_", "")
    factor = 1.0
    if unit == "ratio":
        s = s.removesuffix("%").strip()
    elif unit == "currency":
        for token in (currency.upper(), currency.lower(),
                      CURRENCY_SYMBOLS.get(currency.upper(), "$")):
            s = s.replace(token, "")
        s = s.strip()
    elif unit in ("minutes", "days"):
        word = re.search(r"[a-z]+$", s, re.IGNORECASE)
        if word and word.group(0).lower() in _TIME_UNITS:
            factor = _TIME_UNITS[word.group(0).lower()]
            if unit == "days":
                factor /= 1440.0
            s = s[: word.start()].strip()
    s = s.replace(" ", "")
    m = _NUMBER.match(s)
    if not m or (unit in ("ratio", "minutes", "days") and m.group(2)):
        raise ValueError(f"not a number: write {entry_hint(unit, currency)}")
    x = float(m.group(1)) * _MULTIPLIERS.get(m.group(2).lower(), 1.0) * factor
    if unit == "ratio":
        return round(x / 100, 12)
    return round(x, 10)


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
