"""Read CSV/XLSX files into typed dataset frames, or say exactly what is wrong with them.

`parse_file(src)` takes bytes, a binary file object or a path and returns a `ParsedFile`:
the detected dataset, the column mapping, typed frames that match `datasets.DATASETS[name].schema`
exactly, and a list of `Problem`s (file, spreadsheet row, column, value, what was expected).
It never raises for bad input: a file is importable when `ParsedFile.ok`. `combine` joins the
files of one upload, `load_folder` reads a folder (its regular files only: `not_a_file` says
what else an entry is, without opening it).

What it accepts:
- UTF-8 with or without BOM, UTF-16 (with or without BOM), cp1252 / latin-1; XLSX (first
  sheet, needs the `fastexcel` package; zips that are not workbooks, and ones that really
  unpack to more than SMMKPI_MAX_XLSX_UNPACKED_MB or 20 times the size limit, counted while
  unpacking, are refused).
- comma, semicolon, tab or pipe delimiters (sniffed; an Excel `sep=;` first line is honoured);
  quoted fields with embedded line breaks; blank lines and empty trailing columns;
  comment lines starting with `#` before the header.
- numbers with decimal points or decimal commas (decided per column from values such as `12,50`
  or `1.234,56`, else per file, else `;`-delimited files use commas), thousands separators
  (`,` `.` space, no-break space, `'`), currency symbols; integers must be whole.
- dates: ISO `2026-03-01`, `2026/03/01`, `20260301`, `01/03/2026`, `03/01/2026`, `1.3.2026`
  (day first), `Mar 1, 2026`, `1 Mar 2026`, Excel serial numbers (20000-80000); dates without
  a year (`July 16`, `16 de julio`) with the year of the export's last day given (`year=`,
  see `yearless`), else the file is refused with a message asking for it. Slash dates
  are read day-first or month-first from the values (a part above 12 decides, per column,
  else per file); when no value decides it the file is refused until `date_order` is given.
- timestamps: any of the dates followed by `14:05`, `14:05:09`, `14:05:09.123`, `2:05 PM`,
  with an optional zone `Z`, `UTC`, `+01:00`, `+0100`, `-05`; converted to UTC, no zone = UTC.
- booleans: true/false, yes/no, y/n, t/f, 1/0 (and ja/nein, oui/non, si/no, wahr/falsch).
- header names are matched case-, space- and underscore-insensitively against each column's
  name and aliases (`datasets.py`), also without a trailing `(...)` such as a currency.
- known export formats (shop orders, analytics reports, ad platforms, helpdesks, post
  exports): one module each in `smmkpi.ingest.formats`, listed in its registry.
- rows that are not data: totals rows (`Total`, `Total: ...`, `Grand total`, or unlabelled
  sums), "No data available.", a description row under the header (see `nondata`).

What it refuses, so that every stored value is one every reader handles: dates and
timestamps (in UTC) outside the years SMMKPI_YEAR_MIN ... SMMKPI_YEAR_MAX (1900-2200);
time-zone offsets outside -12:00 ... +14:00; numbers that are not finite (inf, nan, 1e309)
or outside their column's bounds (`datasets.Column.bounds`: counts and amounts 0 ... 10^12,
so that no sum over a million rows overflows); a quoted value that swallowed rows (its quote
never closed, see `csvfile`).

Rules: categorical text (a column with allowed `values`) and platform names are lower-cased;
empty optional text is null; negative numbers are refused where the column is non-negative;
exact duplicate rows are dropped with a note; the same key with different values is a problem.
Row numbers are spreadsheet rows: the header is row 1 of a plain file, comment and blank lines
count as rows, a quoted line break does not start a new row.
At most `MAX_LISTED` problems are listed, followed by one that gives the total.

How: the file is split into records and typed column by column with Polars (every value read
as text, then vectorized casts; a failing row is `parsed is null and text is not null`);
Python never loops over rows except for files whose quoting the fast reader cannot split.
The modules: `source` (bytes, encodings), `csvfile` and `xlsxfile` (the table), `nondata`
(totals rows, "No data available.", description rows: left out with a note), `mapping`
(dataset and columns), `values` with `numeric` and `temporal` (a parser per column type),
`keys` (duplicates), `problems`, `formats` (known exports), `core` (what they all share),
`files` (the steps in order).

Layering: this package imports only `smmkpi.datasets`, `smmkpi.config`, `smmkpi.formatting`
and itself (never streamlit), so the CLI, the pages and the tests read files the same way.
"""

from __future__ import annotations

from smmkpi.ingest.core import DateOrder
from smmkpi.ingest.files import ParsedFile, load_folder, parse_file
from smmkpi.ingest.formats import FORMATS, detect_format
from smmkpi.ingest.formats.ga4 import CHANNEL_GROUP_MEDIUM
from smmkpi.ingest.keys import combine
from smmkpi.ingest.mapping import detect_dataset
from smmkpi.ingest.problems import MAX_LISTED, Problem, problems_frame
from smmkpi.ingest.source import not_a_file
from smmkpi.ingest.yearless import YearHint

__all__ = [
    "CHANNEL_GROUP_MEDIUM",
    "FORMATS",
    "MAX_LISTED",
    "DateOrder",
    "ParsedFile",
    "Problem",
    "YearHint",
    "combine",
    "detect_dataset",
    "detect_format",
    "load_folder",
    "not_a_file",
    "parse_file",
    "problems_frame",
]
