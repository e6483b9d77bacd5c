"""Every table of the app: `table(df, columns={col: Col(label, unit, ...)}, key=..., name=...)`
shows a frame with one format per unit (`smmkpi.formatting.column_format`: counts 12,345,
money with its sign, ratios 34.5 %, minutes and days with their unit, dates), pins the key
columns, sets widths, shows blanks for missing values, and offers the table as CSV and
XLSX downloads (`smmkpi.export`: formula-neutralized; named after the page, the period and
the filters).

    from smmkpi.ui.tables import Col, table

    table(per_channel, {
        "channel": Col("Channel", pinned=True),
        "sessions": Col("Sessions", "count"),
        "revenue": Col("Revenue", "currency"),
        "conversion_rate": Col("Conversion rate", "ratio", help="Orders / sessions"),
    }, key="channels", name="traffic_channels", ctx=ctx)

Ratios are passed as fractions (0.345) and minutes as minutes: the table scales them for
display; a *report* download rounds them for people ("Conversion rate (%)": 34.5), a
*data* download keeps every digit. The downloads are made only when clicked (Streamlit's
deferred downloads), so a table costs nothing extra per run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import polars as pl
import streamlit as st

from smmkpi import export, formatting
from smmkpi.formatting import TABLE_UNITS
from smmkpi.ui.sidebar import Context

Unit = Literal["text", "count", "signed", "currency", "ratio", "percent", "pp", "minutes",
               "days", "number", "date", "datetime", "link", "bool"]
Download = Literal["report", "data", "none"]
Width = Literal["small", "medium", "large"] | int | None

DATE_FORMAT = "YYYY-MM-DD"
DATETIME_FORMAT = "YYYY-MM-DD HH:mm"
ROW_PX = 35  # Streamlit's row height (header row included)
MAX_FILTER_NAMES = 3  # more selected platforms or campaigns are named by their count


@dataclass(frozen=True)
class Col:
    """One shown column: its label (None: the column's name), its unit (`Unit`), a help
    tooltip, a width ("small" 75 px, "medium" 200 px, "large" 400 px or pixels), whether
    it stays on the left while scrolling (`pinned`), decimals overriding the unit's rule
    (`digits`), a date/time display format (`format`, e.g. "ddd YYYY-MM-DD"), and the
    header in downloads when it differs from the label (`export_label`), and the text a
    link column shows in place of the address (`display_text`)."""

    label: str | None = None
    unit: Unit = "text"
    help: str | None = None
    width: Width = None
    pinned: bool = False
    digits: int | None = None
    format: str | None = None
    export_label: str | None = None
    alignment: Literal["left", "center", "right"] | None = None
    display_text: str | None = None  # a link column's text in place of the address


def infer(dtype: pl.DataType) -> Unit:
    """The unit a column of this type is shown in when no Col says otherwise."""
    if dtype.is_integer():
        return "count"
    if dtype.is_numeric():
        return "number"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if dtype == pl.Boolean:
        return "bool"
    return "text"


def columns_of(df: pl.DataFrame, columns: Mapping[str, Col] | None) -> dict[str, Col]:
    """The columns shown, in order: those of `columns` (the others are hidden), or every
    column under its own name with the unit of its type."""
    if columns is None:
        return {c: Col(c, infer(t)) for c, t in df.schema.items()}
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"columns {missing} are not in the frame ({df.columns})")
    return {c: col if col.label is not None else replace(col, label=c)
            for c, col in columns.items()}


_ARROW_SIMPLE = (pl.Boolean, pl.String, pl.Categorical, pl.Enum, pl.Date, pl.Datetime,
                 pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32,
                 pl.UInt64, pl.Float32, pl.Float64)


def as_arrow(df: pl.DataFrame) -> Any:
    """The shown frame as an Arrow table, which Streamlit sends as it is; a Polars frame it
    would first convert to pandas and back to Arrow (a fifth of a warm page run's CPU with
    several tables). Text as plain UTF-8 (categories decoded), the types a pandas round
    trip would give the browser; a frame with any other column type (lists, structs,
    durations) stays a Polars frame for Streamlit to convert."""
    if not all(isinstance(t, _ARROW_SIMPLE) for t in df.dtypes):
        return df
    import pyarrow as pa

    text = [n for n, t in df.schema.items() if isinstance(t, (pl.Categorical, pl.Enum))]
    table = (df.with_columns(pl.col(text).cast(pl.String)) if text else df).to_arrow()
    fields = [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
              for f in table.schema]
    return table.cast(pa.schema(fields))


def column_config(df: pl.DataFrame, columns: Mapping[str, Col] | None = None,
                  currency: str = "USD") -> tuple[pl.DataFrame, dict[str, Any]]:
    """The frame as the table shows it (shown columns only, ratios × 100, minutes in the
    column's scale) and its st.column_config, every number format from the unit."""
    cols = columns_of(df, columns)
    exprs: list[pl.Expr] = []
    config: dict[str, Any] = {}
    cc = st.column_config
    for name, col in cols.items():
        common: dict[str, Any] = {"label": col.label, "help": col.help, "width": col.width,
                                  "pinned": col.pinned or None}
        if col.unit in TABLE_UNITS:
            fmt = formatting.column_format(col.unit, df.get_column(name), currency,
                                           col.digits)
            value = pl.col(name).cast(pl.Float64, strict=False)
            exprs.append(value * fmt.scale if fmt.scale != 1 else pl.col(name))
            config[name] = cc.NumberColumn(**common, format=fmt.printf,
                                           alignment=col.alignment)
        elif col.unit == "date":
            exprs.append(pl.col(name))
            config[name] = cc.DateColumn(**common, format=col.format or DATE_FORMAT)
        elif col.unit == "datetime":
            exprs.append(pl.col(name))
            config[name] = cc.DatetimeColumn(**common, format=col.format or DATETIME_FORMAT)
        elif col.unit == "link":
            exprs.append(pl.col(name))
            config[name] = cc.LinkColumn(**common, display_text=col.display_text)
        elif col.unit == "bool":
            exprs.append(pl.col(name))
            config[name] = cc.CheckboxColumn(**common)
        else:
            exprs.append(pl.col(name))
            config[name] = cc.TextColumn(**common, alignment=col.alignment)
    return df.select(exprs), config


def download_frame(df: pl.DataFrame, columns: Mapping[str, Col] | None = None,
                   mode: Download = "report", currency: str = "USD") -> pl.DataFrame:
    """The frame a download holds: the shown columns (plus any of `df` not described by
    `columns` when it is a separate download frame) under people's labels; `report`
    rounds numbers by unit with the unit in the header (`export.report_column`), `data`
    keeps every digit."""
    cols = columns_of(df, columns)
    out: list[pl.Series] = []
    for name, col in cols.items():
        label = col.export_label or col.label or name
        s = df.get_column(name)
        if mode == "report":
            out.append(export.report_column(s, col.unit, label, currency, col.digits))
        elif col.unit in ("minutes", "days", "currency"):  # every digit, the unit named
            out.append(s.alias(export.report_header(label, col.unit, currency)))
        else:
            out.append(s.alias(label))
    return pl.DataFrame(out)


def file_stem(name: str, ctx: Context | None = None) -> str:
    """A download's name before its extension: the page and table (`name`), then, with a
    context, the period and the selected platforms and campaigns."""
    if ctx is None:
        return name
    f = ctx.filters
    plats = ("-".join(f.platforms) if len(f.platforms) <= MAX_FILTER_NAMES
             else f"{len(f.platforms)}-platforms")
    camps = ("-".join(f.campaigns) if len(f.campaigns) <= MAX_FILTER_NAMES
             else f"{len(f.campaigns)}-campaigns")
    return "_".join(p for p in (name, str(ctx.ws.start), str(ctx.ws.end), plats, camps) if p)


def downloads(make: Callable[[], pl.DataFrame], stem: str, key: str, *,
              label: str | None = None, help: str | None = None, sheet: str = "Data") -> None:
    """A CSV and an XLSX download button side by side. `make` builds the frame when a
    button is clicked (deferred: nothing is computed per run); cells a spreadsheet would
    run as a formula are neutralized (smmkpi.export)."""
    what = label or "Download"
    row = st.container(horizontal=True, gap="small")
    with row:
        st.download_button(
            f"{what} (CSV)", lambda: export.safe_csv_bytes(make()),
            file_name=export.file_name(stem, ext="csv"), mime=export.CSV_MIME,
            key=f"{key}_csv", help=help, icon=":material/download:", on_click="ignore",
            type="tertiary")
        st.download_button(
            f"{what} (Excel)", lambda: export.safe_xlsx_bytes(make(), sheet=sheet),
            file_name=export.file_name(stem, ext="xlsx"), mime=export.XLSX_MIME,
            key=f"{key}_xlsx", help=help, icon=":material/download:", on_click="ignore",
            type="tertiary")


def content_height(rows: int, cap: int = 10) -> int:
    """The height that shows `rows` rows (at most `cap`) without an empty band."""
    return ROW_PX * (min(rows, cap) + 1) + 3


def table(
    df: pl.DataFrame,
    columns: Mapping[str, Col] | None = None,
    *,
    key: str,
    name: str | None = None,
    ctx: Context | None = None,
    download: Download = "report",
    download_df: pl.DataFrame | None = None,
    download_columns: Mapping[str, Col] | None = None,
    download_label: str | None = None,
    download_help: str | None = None,
    currency: str | None = None,
    placeholder: str = "",
    height: int | Literal["auto", "content", "stretch"] = "auto",
    width: int | Literal["stretch", "content"] = "stretch",
    row_height: int | None = None,
) -> None:
    """Show `df` with the formats of `columns` (see the module doc) and, unless `download`
    is "none", CSV and XLSX downloads named `name` (+ period and filters of `ctx`).
    `download_df` replaces the shown frame in the downloads (e.g. every row where the page
    shows the first 500, or numbers where the table shows text), described by
    `download_columns` (default: every column under its own name, unit by type)."""
    cur = currency or (ctx.settings.currency if ctx is not None else "USD")
    shown, config = column_config(df, columns, cur)
    st.dataframe(as_arrow(shown), hide_index=True, key=key, column_config=config,
                 placeholder=placeholder, height=height, width=width, row_height=row_height)
    if download == "none":
        return
    if download_df is not None:
        df, columns = download_df, download_columns
    table_downloads(df, columns, key=key, name=name, ctx=ctx, mode=download, currency=cur,
                    label=download_label, help=download_help)


def table_downloads(
    df: pl.DataFrame,
    columns: Mapping[str, Col] | None = None,
    *,
    key: str,
    name: str | None = None,
    ctx: Context | None = None,
    mode: Download = "report",
    currency: str | None = None,
    label: str | None = None,
    help: str | None = None,
) -> None:
    """The CSV and XLSX downloads of a table (`table` offers them below the table; call
    this for a table shown elsewhere, e.g. inside an expander). File name: `name` (default
    the key), then the period and filters of `ctx`."""
    cur = currency or (ctx.settings.currency if ctx is not None else "USD")
    downloads(lambda: download_frame(df, columns, mode, cur), file_stem(name or key, ctx),
              key, label=label, help=help, sheet=name or key)
