"""Write the binary .xls test files, LinkedIn's exports as LinkedIn offers them (Excel
97-2003): xlwt (in requirements-dev.txt; the app does not need it), then
`python make_xls.py`.

- `good/posts/linkedin_content_export.xls`: the same two sheets as the .xlsx one from
  `make_xlsx.py` (a daily "Metrics" sheet, then "All posts" with its one-cell description
  line); `Created date` is an Excel date number on the second post.
- `good/social/linkedin_followers.xls`, `linkedin_visitors.xls`: the Page followers and
  visitors exports, the same sheets as their .xlsx twins (`Date` as text and as Excel
  dates)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlwt  # type: ignore[import-not-found]
from make_xlsx import HERE, Stamp, linkedin_page_sheets, linkedin_sheets


def write_xls(path: Path, sheets: dict[str, dict[int, list[object]]]) -> None:
    """One workbook of `sheets` (name -> rows, as for `make_xlsx.make_workbook`)."""
    book = xlwt.Workbook()
    dated = xlwt.easyxf(num_format_str="mm/dd/yyyy")
    for name, rows in sheets.items():
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
    book.save(str(path))


def main() -> None:
    write_xls(HERE / "good" / "posts" / "linkedin_content_export.xls", linkedin_sheets())
    for name, sheets in linkedin_page_sheets().items():
        write_xls(HERE / "good" / "social" / name.replace(".xlsx", ".xls"), sheets)


if __name__ == "__main__":
    main()
