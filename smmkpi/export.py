"""Safe downloads: frames as CSV or XLSX bytes that a spreadsheet cannot run as formulas,
report columns rounded for people, and file names that say what is in them.

OWASP's CSV injection guidance: a spreadsheet treats a cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula (or may), so text from files or users must not
reach a download as is. `safe_csv_bytes` prefixes such text cells with a single quote `'`,
which makes every spreadsheet show the cell as text. The rule, and why:

- Only text cells are changed. Numeric, date, time and boolean columns are written as values:
  a spreadsheet reads `-12.5` in a number column as a number, never as a formula.
- A text cell is neutralized when its first character, after any leading spaces, is one of
  `=` `+` `-` `@` tab or carriage return. Leading spaces do not protect a cell (some importers
  trim them).
- Exception: a text cell that is a plain number (`-12.5`, `+3`, `1,234.50`) is left alone; it
  cannot run anything and changing it would corrupt the value.
- Column names are neutralized like text cells.
- Nested or other non-scalar columns are written as their text, neutralized.

The bytes are UTF-8 with a byte order mark by default, so that Excel shows accents correctly;
`smmkpi.ingest` reads such files back.

XLSX (`safe_xlsx_bytes`) gets the same neutralized cells, and its writer is told never to
turn a string into a formula, a link or a number (xlsxwriter's `strings_to_*` options):
a text cell `=HYPERLINK(...)` stays the text `'=HYPERLINK(...)`, and editing it in Excel
later cannot start it either.

A *report* download (`report_column`) is what a table shows, for people: ratios as percent
with one decimal and "(%)" in the header, money to cents with the currency in the header,
counts whole, minutes and days to one decimal with their unit in the header. A *data*
download (the Upload page's validation report, the unanswered list) keeps full precision.
"""

from __future__ import annotations

import io
import math
import re

import polars as pl

_DANGEROUS_START = r"^ *[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?$"
_SCALAR = (pl.Boolean, pl.Date, pl.Datetime, pl.Time, pl.Duration)


def neutralize(text: pl.Expr) -> pl.Expr:
    """Text with a leading `'` where a spreadsheet could read it as a formula."""
    risky = text.str.contains(_DANGEROUS_START) & ~text.str.contains(_PLAIN_NUMBER)
    return pl.when(risky.fill_null(False)).then(pl.lit("'") + text).otherwise(text)


def neutralize_name(name: str) -> str:
    """A column name with the same rule as a text cell."""
    out = pl.select(neutralize(pl.lit(name, dtype=pl.String))).item()
    return str(out)


def safe_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text cell and column name neutralized (see the module doc)."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if dtype.is_numeric() or isinstance(dtype, _SCALAR) or dtype == pl.Null:
            exprs.append(col)
        elif dtype == pl.String:
            exprs.append(neutralize(col).alias(name))
        elif isinstance(dtype, (pl.Categorical, pl.Enum, pl.Binary)):
            exprs.append(neutralize(col.cast(pl.String)).alias(name))
        else:  # lists, structs, objects: their Python text form
            text = pl.Series(
                name, [None if v is None else str(v) for v in df[name].to_list()], pl.String
            )
            exprs.append(neutralize(pl.lit(text)).alias(name))
    out = df.select(exprs)
    names: list[str] = []
    for n in out.columns:
        safe = neutralize_name(n)
        while safe in names:
            safe += "_"
        names.append(safe)
    out.columns = names
    return out


def safe_csv_bytes(df: pl.DataFrame, *, bom: bool = True) -> bytes:
    """CSV bytes of `df` for a download, safe against CSV injection (see the module doc)."""
    text = safe_frame(df).write_csv()
    return ("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8")


# --- XLSX ---------------------------------------------------------------------------------
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_OPTIONS = {
    "strings_to_formulas": False,  # never: "=1+1" is text
    "strings_to_urls": False,      # "http://x" is text, not a link
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}
XLSX_MAX_TEXT = 32_767  # characters in one Excel cell


def _excel_ready(df: pl.DataFrame) -> pl.DataFrame:
    """Columns Excel can hold: times without a time zone (the wall-clock time shown),
    durations as seconds, empty columns as text, text within Excel's cell limit."""
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            exprs.append(col.dt.replace_time_zone(None))
        elif isinstance(dtype, pl.Duration):
            exprs.append(col.dt.total_microseconds().truediv(1e6).alias(name))
        elif dtype == pl.Null:
            exprs.append(col.cast(pl.String))
        elif dtype == pl.String:
            exprs.append(col.str.slice(0, XLSX_MAX_TEXT))
        else:
            exprs.append(col)
    return df.select(exprs)


def _sheet_name(name: str) -> str:
    """A valid worksheet name: at most 31 characters, none of []:*?/\\."""
    clean = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31].strip()
    return clean or "Data"


def safe_xlsx_bytes(df: pl.DataFrame, *, sheet: str = "Data") -> bytes:
    """XLSX bytes of `df` (one sheet, header frozen, columns fitted) with the cells of
    `safe_frame` and no string ever written as a formula, link or number."""
    from xlsxwriter import Workbook

    frame = _excel_ready(safe_frame(df))
    buf = io.BytesIO()
    with Workbook(buf, XLSX_OPTIONS) as wb:
        frame.write_excel(
            wb, worksheet=_sheet_name(sheet), autofit=True, freeze_panes=(1, 0),
            dtype_formats={pl.Float32: "General", pl.Float64: "General"},
            table_style="Table Style Light 1")
    return buf.getvalue()


# --- report columns -----------------------------------------------------------------------
HEADER_UNITS = {"ratio": "%", "percent": "%", "pp": "pp", "minutes": "min", "days": "days"}
REPORT_DIGITS = {"ratio": 1, "percent": 1, "pp": 1, "currency": 2, "minutes": 1, "days": 1,
                 "number": 2}


def unit_label(unit: str, currency: str = "USD") -> str:
    """The unit of a report value in words for a header or a Unit column: "%", "USD",
    "min", "days", "pp"; "" for counts and plain numbers."""
    if unit == "currency":
        return currency.upper()
    return HEADER_UNITS.get(unit, "")


def unit_word(unit: str, currency: str = "USD") -> str:
    """The unit in a report's Unit column (rows of different units): "%", "USD", "min",
    "days", "pp", "count"; "" for other numbers."""
    return unit_label(unit, currency) or ("count" if unit in ("count", "signed") else "")


def report_header(label: str, unit: str, currency: str = "USD") -> str:
    """A report column's header: the label with its unit, "Revenue (USD)", "Month-1
    retention (%)"; unchanged when it already names the unit ("Median days to second
    order")."""
    u = unit_label(unit, currency)
    words = {"days": ("days",), "minutes": ("minutes",)}.get(unit, ())
    if not u or label.endswith(f"({u})") or any(w in label.lower() for w in words):
        return label
    return f"{label} ({u})"


def report_value(value: float | int | None, unit: str, digits: int | None = None,
                 ) -> float | int | None:
    """One value as a report shows it: a ratio 0.12603 → 12.6 (percent), money to cents,
    a count whole, minutes and days to one decimal, other numbers to two."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = float(value)
    if unit in ("count", "signed"):
        return int(round(v))
    if unit == "ratio":
        v *= 100
    return round(v, REPORT_DIGITS.get(unit, 2) if digits is None else digits)


def report_column(s: pl.Series, unit: str, label: str, currency: str = "USD",
                  digits: int | None = None) -> pl.Series:
    """A table column as a report download holds it (`report_value`), under
    `report_header`; text, dates and other columns keep their values."""
    header = report_header(label, unit, currency)
    if unit in ("count", "signed"):
        return s.cast(pl.Float64, strict=False).round(0).cast(pl.Int64).alias(header)
    if unit in REPORT_DIGITS:
        x = s.cast(pl.Float64, strict=False) * (100 if unit == "ratio" else 1)
        return x.round(REPORT_DIGITS[unit] if digits is None else digits).alias(header)
    return s.alias(header)


# --- file names ---------------------------------------------------------------------------
MAX_NAME = 150


def _slug(part: object) -> str:
    text = str(part).strip().lower()
    return re.sub(r"[^a-z0-9_.-]+", "-", text).strip("-._")


def file_name(*parts: object, ext: str) -> str:
    """A download's file name from its parts (page, table, period, filters), each made safe
    for every file system: `file_name("community_unanswered", date(2026, 10, 4),
    date(2026, 10, 31), "instagram", ext="xlsx")` →
    community_unanswered_2026-10-04_2026-10-31_instagram.xlsx. Empty parts are left out."""
    stem = "_".join(p for p in (_slug(x) for x in parts if x is not None) if p) or "table"
    return f"{stem[:MAX_NAME].rstrip('-_.')}.{ext}"
