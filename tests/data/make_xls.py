"""Write the binary .xls test file, LinkedIn's content export as LinkedIn offers it (Excel
97-2003): `pip install xlwt==1.3.0` (only for this script), then `python make_xls.py`.

The same two sheets as the .xlsx one from `make_xlsx.py` (a daily "Metrics" sheet, then
"All posts" with its one-cell description line); `Created date` is an Excel date number on
the second post."""

from __future__ import annotations

import datetime as dt

import xlwt  # type: ignore[import-not-found]
from make_xlsx import HERE, Stamp, linkedin_sheets


def main() -> None:
    book = xlwt.Workbook()
    dated = xlwt.easyxf(num_format_str="mm/dd/yyyy")
    for name, rows in linkedin_sheets().items():
        sheet = book.add_sheet(name)
        for r, values in rows.items():
            for c, v in enumerate(values):
                if v is None:
                    continue
                if isinstance(v, Stamp):
                    sheet.write(r - 1, c, dt.datetime(1899, 12, 30) + dt.timedelta(days=v),
                                dated)
                else:
                    sheet.write(r - 1, c, v)
    book.save(str(HERE / "good" / "posts" / "linkedin_content_export.xls"))


if __name__ == "__main__":
    main()
