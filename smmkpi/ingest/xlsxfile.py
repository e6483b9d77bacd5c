"""The structure of an XLSX file: the first sheet's cells as text, with sheet row numbers.

Cells are read by fastexcel (the calamine engine that `polars.read_excel` uses), every cell as
text so that the common value parsers type it as they type a CSV file. The zip is checked
first: other zips, damaged ones and ones that would expand to more than 20 times the size
limit are refused.
"""

from __future__ import annotations

import io
import re
import zipfile

import polars as pl

from smmkpi.ingest.core import ROW
from smmkpi.ingest.problems import Collector
from smmkpi.ingest.source import EMPTY
from smmkpi.ingest.table import Table, unique_names

ZIP_SIGNATURE = b"PK\x03\x04"
_EXPANSION = 20  # XML compresses about 5-10 times
_TITLE_ROWS = 15  # a report's title rows above its table: at most this many


def read_xlsx(data: bytes, col: Collector, notes: list[str], limit: int) -> Table:
    """The table of the first sheet; notes say which sheet was read and which were not."""
    _check_zip(data, limit, col)
    try:
        import fastexcel
    except ImportError:
        raise col.fatal(
            "reading XLSX files needs the 'fastexcel' package; save the sheet as CSV instead"
        ) from None
    try:
        reader = fastexcel.read_excel(data)
        sheet = reader.load_sheet(0, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as exc:
        raise col.fatal(f"the XLSX file cannot be read ({exc})") from None
    notes.append(f"read as XLSX, sheet {reader.sheet_names[0]!r}")
    if len(reader.sheet_names) > 1:
        notes.append(f"other sheets ignored: {', '.join(reader.sheet_names[1:])}")
    first = _first_row(data)
    if grid.height == 0 or grid.width == 0:
        raise col.fatal(EMPTY)
    cells = grid.columns
    grid = grid.with_columns(pl.col(c).cast(pl.String).str.strip_chars() for c in cells)
    blank = grid.select(
        pl.all_horizontal(pl.col(c).is_null() | (pl.col(c) == "") for c in cells)
    ).to_series()
    hashy = grid[cells[0]].str.starts_with("#").fill_null(False)
    skip = blank | hashy
    # a report's title rows (one value alone, such as Google Ads' 'Campaign report' and its
    # date range) above a table of several columns are preamble too
    filled = grid.select(
        pl.sum_horizontal((pl.col(c).is_not_null() & (pl.col(c) != "")).cast(pl.Int64)
                          for c in cells)
    ).to_series()
    table_at = (filled >= 2).arg_true()
    if table_at.len() and table_at[0] <= _TITLE_ROWS and (filled.head(table_at[0]) <= 1).all():
        skip = skip | (pl.int_range(grid.height, eager=True) < table_at[0])
    start = skip.arg_min() if not skip.all() else None
    if start is None:
        raise col.fatal("the file has no header row (only blank or '#' comment lines)")
    preamble = [str(v or "") for v in grid[cells[0]].head(start).to_list()]
    headers = [str(v or "").strip() for v in grid.row(start)]
    while (
        headers
        and not headers[-1]
        and grid[cells[len(headers) - 1]].slice(start).null_count() == grid.height - start
    ):
        headers.pop()
    names = unique_names(headers)
    body = grid.slice(start + 1).select(cells[: len(names)])
    body.columns = names
    rows = pl.int_range(first + start + 1, first + start + 1 + body.height, dtype=pl.Int64)
    body = body.with_columns(rows.alias(ROW)).select(ROW, *names)
    body = body.filter(~blank.slice(start + 1))
    body = body.with_columns(pl.when(pl.col(n) != "").then(pl.col(n)).alias(n) for n in names)
    return Table(headers, body, preamble, "xlsx", "")


def _first_row(data: bytes) -> int:
    """The sheet row of the first used cell of the first sheet (the reader drops empty rows)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            rid = re.search(r"<sheet\b[^>]*\br:id=\"([^\"]+)\"", wb)
            target = re.search(
                rf"<Relationship\b[^>]*Id=\"{re.escape(rid.group(1))}\"[^>]*Target=\"([^\"]+)\"",  # type: ignore[union-attr]
                rels,
            ) or re.search(
                rf"<Relationship\b[^>]*Target=\"([^\"]+)\"[^>]*Id=\"{re.escape(rid.group(1))}\"",  # type: ignore[union-attr]
                rels,
            )
            path = target.group(1).lstrip("/")  # type: ignore[union-attr]
            path = path if path.startswith("xl/") else "xl/" + path
            with z.open(path) as f:
                head = f.read(1 << 20).decode("utf-8", "replace")
        m = re.search(r"<(?:\w+:)?c\b[^>]*\br=\"[A-Z]+([0-9]+)\"", head)
        return int(m.group(1)) if m else 1
    except Exception:  # an unusual workbook layout: count from row 1
        return 1


def _check_zip(data: bytes, limit: int, col: Collector) -> None:
    """An XLSX is a zip: refuse other zips, broken ones and ones that expand enormously."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            expanded = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise col.fatal("the file looks like an XLSX (zip) file but is damaged") from None
    if "xl/workbook.xml" not in names:
        raise col.fatal("this is a ZIP archive, not an XLSX workbook: unpack it first")
    if limit > 0 and expanded > _EXPANSION * limit:
        raise col.fatal(
            f"the XLSX file expands to {expanded / 2**20:,.1f} MB, more than 20 times the "
            "upload limit; save the sheet as CSV instead"
        )
