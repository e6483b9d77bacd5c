"""The structure of an XML Spreadsheet 2003 file: one worksheet's cells as text.

Facebook's legacy Page Insights download is called `.xls` but is this XML (Excel 2003's
"XML Spreadsheet"), with one worksheet per breakdown; the table is on "Key Metrics". The
worksheet read is the first one, unless one has a name a known export keeps its table in
(`preferred`). Rows and cells may skip positions (`ss:Index`) and span columns
(`ss:MergeAcross`); every value is read as text, for the common value parsers. A file with
a document type or entity declarations is refused (they can make a small file expand
enormously, and no export needs them).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import polars as pl

from smmkpi.ingest.problems import Collector
from smmkpi.ingest.table import Table
from smmkpi.ingest.xlsxfile import grid_table, pick_sheet, sheet_notes

NS = "urn:schemas-microsoft-com:office:spreadsheet"
_SS = "{" + NS + "}"


def is_xml_spreadsheet(text: bytes) -> bool:
    """UTF-8 text that starts like an XML Spreadsheet 2003 workbook."""
    head = text[:4096].lstrip()
    return head.startswith((b"<?xml", b"<Workbook")) and NS.encode() in head


def _index(el: ET.Element) -> int | None:
    v = el.get(_SS + "Index")
    return int(v) if v and v.isdigit() else None


def read_xml_spreadsheet(text: bytes, col: Collector, notes: list[str],
                         preferred: Sequence[str] = ()) -> Table:
    """The table of the worksheet to read (see the module doc)."""
    if re.search(rb"<!(?:DOCTYPE|ENTITY)", text[:65536], re.IGNORECASE):
        raise col.fatal("this XML file declares a document type or entities, which no "
                        "spreadsheet export needs: save it as .xlsx or CSV")
    sheets: list[tuple[str, list[list[str | None]]]] = []
    try:
        for _, el in ET.iterparse(io.BytesIO(text), events=("end",)):
            if el.tag == _SS + "Worksheet":
                sheets.append((el.get(_SS + "Name") or f"Sheet{len(sheets) + 1}",
                               _rows(el)))
                el.clear()
    except ET.ParseError as exc:
        raise col.fatal(f"the XML spreadsheet cannot be read ({exc})") from None
    if not sheets:
        raise col.fatal("the XML file holds no worksheet")
    names = [n for n, _ in sheets]
    index = pick_sheet(names, preferred)
    notes.extend(sheet_notes("XML spreadsheet", names, index))
    rows = sheets[index][1]
    width = max((len(r) for r in rows), default=0)
    grid = pl.DataFrame(
        {f"c{j}": [r[j] if j < len(r) else None for r in rows] for j in range(width)},
        schema={f"c{j}": pl.String for j in range(width)},
    )
    return grid_table(grid, 1, "xml", col)


def _rows(sheet: ET.Element) -> list[list[str | None]]:
    """The worksheet's rows of cell texts, placed by their `ss:Index` (row 1 first)."""
    out: list[list[str | None]] = []
    table = sheet.find(_SS + "Table")
    if table is None:
        return out
    for row in table.iter(_SS + "Row"):
        at = _index(row)
        while at is not None and len(out) < at - 1:
            out.append([])
        cells: list[str | None] = []
        for cell in row.iter(_SS + "Cell"):
            pos = _index(cell)
            while pos is not None and len(cells) < pos - 1:
                cells.append(None)
            data = cell.find(_SS + "Data")
            value = "".join(data.itertext()) if data is not None else None
            cells.append(value if value else None)
            span = cell.get(_SS + "MergeAcross")
            if span and span.isdigit():
                cells.extend([None] * int(span))
        out.append(cells)
    return out
