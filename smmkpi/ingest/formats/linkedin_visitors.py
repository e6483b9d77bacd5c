"""LinkedIn Page visitors export (`fmt="linkedin_visitors"`) into `social_daily`.

Made on the LinkedIn Page: Page admin view, Analytics, *Visitors*, Export
(`<page>_visitors_<time>.xls`; sheet "Visitor metrics", then one sheet per demographic, not
read). XLS or XLSX (also saved as CSV), a one-cell description line above the header (left
out by the reader), `Date` as `MM/DD/YYYY` text or an Excel date, then the page views and
unique visitors of each tab of the Page (`Overview ...`, `Life ...`, `Jobs ...`) and of all
of them (`Total page views ...`, `Total unique visitors ...`), each `(desktop)`,
`(mobile)` and `(total)`: 25 columns. The file has no platform column: it can only come
from LinkedIn. Recognized by `Date` and a column whose name starts with `Total page views`
or `Overview page views`. One row per day:

- `platform` = `linkedin`; `campaign_id` empty (the Page's own figures);
- `page_views` = `Total page views (total)`: every tab, desktop and mobile (the desktop
  and mobile columns summed when a file has no total);
- `unique_visitors` = `Total unique visitors (total)` (never summed from desktop and
  mobile: a person may use both);
- the tab columns are not stored (they are parts of the totals). A file with only tab
  columns is refused: the tabs would undercount the Page.

An empty value never replaces a stored one, so the followers export of the same days
(`linkedin_followers`) and this one both stay.
"""

from __future__ import annotations

import polars as pl

from smmkpi.ingest.core import (
    Format,
    Prepared,
    ignored,
    pick,
    social_frame,
    text_sum,
    unchanged,
    us_dates,
)

_STARTS = ("total page views", "overview page views")  # how the columns' names start
_PAGE_VIEWS = ("total page views (total)", "total page views")
_PAGE_VIEW_PARTS = (("total page views (desktop)",),
                    ("total page views (mobile)", "total page views (mobile devices)"))
_UNIQUE = ("total unique visitors (total)", "total unique visitors")


def detect(cols: dict[str, str], preamble: list[str]) -> bool:
    """Date and a Total (or Overview) page views column."""
    return "date" in cols and any(c.startswith(_STARTS) for c in cols)


def _refused(raw: pl.DataFrame, cols: dict[str, str]) -> Prepared:
    """A file with the views of single tabs only: one whole-file problem."""
    date = cols["date"]
    header = next(h for c, h in cols.items() if c.startswith(_STARTS))
    frame = social_frame(raw, {"date": pl.col(date), "platform": pl.lit("linkedin")})
    return Prepared({"social_daily": frame}, {"social_daily": {"date": date}}, ignored(raw, {}),
                    ["LinkedIn Page visitors export"], [(None, header, None, (
                        "this LinkedIn Page visitors export has no 'Total page views' columns, "
                        "only the views of single tabs of the Page, which would undercount it; "
                        "export the Visitors again (Page admin view, Analytics, Visitors, "
                        "Export) with every column"))])


def prepare(raw: pl.DataFrame, cols: dict[str, str], preamble: list[str]) -> Prepared:
    """Each day's page views and unique visitors of the whole Page, platform linkedin."""
    date = cols["date"]
    views = pick(cols, *_PAGE_VIEWS)
    parts = [h for h in (pick(cols, *names) for names in _PAGE_VIEW_PARTS) if h is not None]
    if views is None and not parts:
        return _refused(raw, cols)
    exprs: dict[str, pl.Expr] = {"date": us_dates(date), "platform": pl.lit("linkedin")}
    labels: dict[str, str] = {"date": date, "platform": "platform"}
    used: dict[str, str] = {date: "date"}
    if views is not None:
        exprs["page_views"], labels["page_views"], used[views] = (pl.col(views), views,
                                                                  "page_views")
    else:
        exprs["page_views"], labels["page_views"] = text_sum(parts), " + ".join(parts)
        used.update(dict.fromkeys(parts, "page_views"))
    uniques = pick(cols, *_UNIQUE)
    if uniques is not None:
        exprs["unique_visitors"], labels["unique_visitors"] = pl.col(uniques), uniques
        used[uniques] = "unique_visitors"
    notes = ["LinkedIn Page visitors export: platform linkedin",
             "page views and unique visitors of the whole Page (all tabs, desktop and mobile); "
             "the views of single tabs (Overview, Life, Jobs) not stored"]
    return Prepared({"social_daily": social_frame(raw, exprs)}, {"social_daily": labels},
                    ignored(raw, used), notes)


FORMAT = Format("linkedin_visitors", "social_daily", detect, prepare, unchanged,
                sheets=("Visitor metrics",))
