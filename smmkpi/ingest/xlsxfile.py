"""The structure of an Excel workbook (.xlsx, or an old binary .xls): one sheet's cells as
text, with sheet row numbers.

Cells are read by fastexcel (the calamine engine that `polars.read_excel` uses), every cell as
text so that the common value parsers type it as they type a CSV file. The zip is checked
first: other zips and damaged ones are refused, and so are ones that unpack to more than
`Settings.max_xlsx_unpacked_mb` (SMMKPI_MAX_XLSX_UNPACKED_MB, 1000 MB) or more than 20
times the upload limit. The unpacked size is counted, never read from the sizes the zip
declares (a zip bomb declares a few KB): every part is streamed through zlib, its output
counted and thrown away, and the count stops at the limit, so a bomb costs at most about
the limit's worth of inflating (about 0.3 s per GB here) and 1 MB of memory before it is
refused. The cap bounds what the reader then costs, which grows with the unpacked size: a
1,000,000-row orders sheet of 219 MB took 3.8 s and 450 MB to check here, so the default
cap holds one upload to about 20 s and 2.5 GB.

The sheet read is the first one, unless the workbook has a sheet a known export keeps its
table in (`preferred`: LinkedIn's "All posts" beside its daily "Metrics"). An .xls file
(`OLE_SIGNATURE`) has no zip to check and is read by the same engine.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence

import polars as pl

from smmkpi import config
from smmkpi.ingest.core import ROW
from smmkpi.ingest.problems import Collector
from smmkpi.ingest.source import EMPTY
from smmkpi.ingest.table import Table, unique_names

ZIP_SIGNATURE = b"PK\x03\x04"
_EXPANSION = 20  # XML compresses about 5-10 times
_TITLE_ROWS = 15  # a report's title rows above its table: at most this many
MAX_PARTS = 10_000  # parts (files) in one workbook; Excel writes a few dozen
_STORED, _DEFLATED = 0, 8  # the only compression methods Excel writes
_LOCAL = struct.Struct("<4s5H3L2H")  # a zip local file header


OLE_SIGNATURE = b"\xd0\xcf\x11\xe0"  # an old binary Office file (.xls, .doc, ...)


def pick_sheet(names: list[str], preferred: Sequence[str]) -> int:
    """The index of the first sheet whose name (case-insensitively) is one of `preferred`,
    else 0."""
    wanted = {p.strip().lower() for p in preferred}
    return next((i for i, n in enumerate(names) if n.strip().lower() in wanted), 0)


def sheet_notes(kind: str, names: list[str], index: int) -> list[str]:
    """Which sheet was read and which were not."""
    out = [f"read as {kind}, sheet {names[index]!r}"]
    others = [n for i, n in enumerate(names) if i != index]
    if others:
        out.append(f"other sheets ignored: {', '.join(others)}")
    return out


def read_xlsx(data: bytes, col: Collector, notes: list[str], limit: int,
              preferred: Sequence[str] = ()) -> Table:
    """The table of the sheet to read (see the module doc); notes say which sheet was read
    and which were not. An .xls file (`OLE_SIGNATURE`) is read the same way."""
    old = data.startswith(OLE_SIGNATURE)
    if not old:
        _check_zip(data, limit, col)
    kind = "XLS" if old else "XLSX"
    try:
        import fastexcel
    except ImportError:
        raise col.fatal(
            f"reading {kind} files needs the 'fastexcel' package; save the sheet as CSV instead"
        ) from None
    try:
        reader = fastexcel.read_excel(data)
        index = pick_sheet(reader.sheet_names, preferred)
        sheet = reader.load_sheet(index, header_row=None, dtypes="string")
        grid = sheet.to_polars()
    except Exception as exc:
        if old:
            raise col.fatal("this is an old Office file but not a readable .xls workbook "
                            f"({exc}); save it as .xlsx or CSV") from None
        raise col.fatal(f"the XLSX file cannot be read ({exc})") from None
    notes.extend(sheet_notes(kind, reader.sheet_names, index))
    first = 1 if old or index else _first_row(data)
    return grid_table(grid, first, "xls" if old else "xlsx", col)


def grid_table(grid: pl.DataFrame, first: int, encoding: str, col: Collector) -> Table:
    """The table of a sheet's cells as text (`first`: the sheet row of the grid's first row):
    blank and '#' rows and a report's title rows before the header are the preamble, the
    header is the next row, blank rows are dropped."""
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
    return Table(headers, body, preamble, encoding, "")


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
    """An XLSX is a zip: refuse other zips, broken ones and ones that unpack to more than the
    cap (counted while unpacking, see the module)."""
    _check_part_count(data, col)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise col.fatal(DAMAGED) from None
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise col.fatal("this is a ZIP archive, not an XLSX workbook: unpack it first")
    cap, why = unpacked_cap(limit)
    left = cap
    view = memoryview(data)
    for info in infos:
        if info.compress_type not in (_STORED, _DEFLATED):
            raise col.fatal(
                f"the XLSX file's part {info.filename!r} uses a compression Excel does not "
                "write; open and save it in a spreadsheet program, or save the sheet as CSV"
            )
        start = _data_start(view, info.header_offset)
        if start is None:
            raise col.fatal(DAMAGED)
        try:
            size = _unpacked_size(view, start, info, left)
        except zlib.error:
            raise col.fatal(DAMAGED) from None
        left -= size
        if left < 0:
            raise col.fatal(
                f"the XLSX file unpacks to more than {cap / 2**20:,.1f} MB ({why}; counted "
                "while unpacking, whatever sizes the file declares); save the sheet as CSV "
                "instead"
            )


DAMAGED = "the file looks like an XLSX (zip) file but is damaged"


def unpacked_cap(limit: int) -> tuple[int, str]:
    """The bytes an XLSX upload may unpack to, and why: the setting, or 20 times the upload
    limit `limit` when that is smaller (0 = no upload limit)."""
    mb = config.get_settings().max_xlsx_unpacked_mb
    cap = mb << 20 if mb > 0 else 1 << 62
    why = "the limit for XLSX files, a setting: SMMKPI_MAX_XLSX_UNPACKED_MB"
    if limit > 0 and _EXPANSION * limit < cap:
        cap, why = _EXPANSION * limit, f"{_EXPANSION} times the upload limit"
    return cap, why


def _check_part_count(data: bytes, col: Collector) -> None:
    """Refuse a zip whose end record announces more than MAX_PARTS parts before the zip
    module builds an object for each (a zip of a million empty parts)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return  # the zip module says what is wrong
    (entries,) = struct.unpack_from("<H", data, end + 10)
    if entries > MAX_PARTS:  # a Zip64 count (0xFFFF) too
        raise col.fatal(
            f"the XLSX file has more than {MAX_PARTS:,} parts: it is not a workbook a "
            "spreadsheet program wrote; save the sheet as CSV instead"
        )


def _data_start(view: memoryview, offset: int) -> int | None:
    """Where a part's compressed bytes start: after its local header (None when there is
    no local header at `offset`)."""
    if offset < 0 or offset + _LOCAL.size > len(view):
        return None
    sig, *_, name_len, extra_len = _LOCAL.unpack_from(view, offset)
    if sig != ZIP_SIGNATURE:
        return None
    start = offset + _LOCAL.size + name_len + extra_len
    return start if start <= len(view) else None


def _unpacked_size(view: memoryview, start: int, info: zipfile.ZipInfo, budget: int) -> int:
    """The bytes a part really unpacks to, counted up to just past `budget`. A deflated part
    is inflated from `start` to the end of its deflate stream (or of the file), not to the
    compressed size the zip declares; a stored part is as long as declared, within the file."""
    if info.compress_type == _STORED:
        return min(info.compress_size, len(view) - start)
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    total, pos, step = 0, start, 1 << 16
    while pos < len(view) and not inflate.eof:
        chunk: bytes | memoryview = view[pos : pos + step]
        pos += step
        while chunk and not inflate.eof:
            total += len(inflate.decompress(chunk, 1 << 20))
            if total > budget:
                return total
            chunk = inflate.unconsumed_tail
    return total
