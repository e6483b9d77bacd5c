"""Safe CSV downloads: frames as CSV bytes that a spreadsheet cannot run as formulas.

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
"""

from __future__ import annotations

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
