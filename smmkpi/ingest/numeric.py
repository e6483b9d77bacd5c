"""Numbers written by people and spreadsheets, parsed column-wise with Polars.

Accepted: decimal points or decimal commas, thousands separators (`,` `.` space, no-break
space, `'`), currency symbols, scientific notation; integers must be whole. Non-finite
values ('inf', 'nan', 1e309) are read as such, for `values` to refuse them with the column's
bounds. The decimal
separator of a column is decided from its values (`12,50` or `1.234,56` can only be read one
way), else from the other numeric columns of the file, else by the file's default (comma for
`;`-delimited files).

Parsed here rather than with Babel: Babel parses one value per Python call for a known locale
(about 115 times slower on a million values), and the locale of an uploaded file is not known;
it is what the values tell.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import frame_select

_NUM_JUNK = r"[\s\u00a0\u202f'\u2019$€£¥]"
_DOT_NUM = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]*)?$|^[+-]?\.[0-9]+$"
_COMMA_NUM = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,[0-9]*)?$|^[+-]?,[0-9]+$"
_SCI_NUM = r"^[+-]?[0-9]+(?:\.[0-9]+)?[eE][+-]?[0-9]+$"
_NON_FINITE = r"(?i)^[+-]?(?:inf|infinity|nan)$"  # read as what they say, then refused
# without commas, a decimal point is certain unless the value looks like 1.234 (grouping)
_DOT_DECIMAL = r"^[+-]?(?:[0-9]*\.[0-9]{0,2}|[0-9]*\.[0-9]{4,}|[0-9]{4,}\.[0-9]*)$"


def clean_num(s: pl.Series) -> pl.Series:
    """Text of a number without spaces, currency symbols and apostrophes."""
    return s.str.replace_all(_NUM_JUNK, "") if s.str.contains(_NUM_JUNK).any() else s


def to_float(t: pl.Series, decimal: str) -> pl.Series:
    """Float64 from cleaned text with the given decimal separator, null when not a number.
    Not checked here: 'inf', 'nan' and literals beyond Float64 such as 1e309 (read as
    infinity) stay non-finite, for the caller to refuse with its own message."""
    if decimal == "." and not t.str.contains(",", literal=True).any():
        return t.cast(pl.Float64, strict=False)  # fast path: plain numbers
    return frame_select(t, _to_number_expr(pl.col("s"), decimal))


def to_int(t: pl.Series, decimal: str) -> pl.Series:
    """Int64 from cleaned text: integers, or numbers with a zero fraction (`1.000,00`); null
    for other text, fractions, non-finite values and whole numbers beyond 9e15 (see
    `to_float` for what they read as)."""
    v = t.cast(pl.Int64, strict=False)
    if v.null_count() == t.null_count():
        return v
    f = to_float(t, decimal)
    whole = f.is_finite() & (f == f.floor()) & (f.abs() < 9.0e15)
    return pl.select(
        pl.when(v.is_not_null()).then(v).when(whole).then(f.cast(pl.Int64, strict=False))
    ).to_series()


def decimal_choice(texts: dict[str, pl.Series], default: str, notes: list[str]) -> dict[str, str]:
    """The decimal separator of each numeric column: its own values decide, else the file's,
    else `default`. A note says when decimal commas are read."""
    ev = {c: _number_evidence(t) for c, t in texts.items()}
    file_dot = sum(d for d, _ in ev.values())
    file_comma = sum(c for _, c in ev.values())
    fallback = (
        "," if file_comma and not file_dot else "." if file_dot and not file_comma else default
    )
    out = {c: "," if cm > dt else "." if dt > cm else fallback for c, (dt, cm) in ev.items()}
    if any(
        out[c] == "," and (cm or texts[c].str.contains(".", literal=True).any())
        for c, (_, cm) in ev.items()
    ):
        notes.append("decimal commas detected (e.g. '12,50' read as 12.5)")
    return out


def _number_evidence(t: pl.Series) -> tuple[int, int]:
    """(values only readable with a decimal point, values only readable with a decimal comma)."""
    has_comma = bool(t.str.contains(",", literal=True).any())
    if not has_comma:
        if not t.str.contains(".", literal=True).any():
            return 0, 0
        return int(t.str.contains(_DOT_DECIMAL).sum()), 0
    dot, comma = t.str.contains(_DOT_NUM), t.str.contains(_COMMA_NUM)
    return int((dot & ~comma).sum()), int((comma & ~dot).sum())


def _to_number_expr(t: pl.Expr, decimal: str) -> pl.Expr:
    """Float64 from cleaned text with the given decimal separator (null when not a number)."""
    if decimal == ",":
        plain = t.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        ok = t.str.contains(_COMMA_NUM)
    else:
        plain = t.str.replace_all(",", "", literal=True)
        ok = t.str.contains(_DOT_NUM)
    return (
        pl.when(ok)
        .then(plain.cast(pl.Float64, strict=False))
        .when(t.str.contains(_SCI_NUM) | t.str.contains(_NON_FINITE))
        .then(t.cast(pl.Float64, strict=False))
    )
