"""Write the small XLSX test files (no spreadsheet library needed): `python make_xlsx.py`.

`make_xls.py` writes the one binary .xls file (it needs xlwt, which the app does not).

An .xlsx file is a zip of XML parts; this writes the minimal set with inline strings, numbers
and one date style, which is how spreadsheets store dates (a number with a date format).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent

_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/></Relationships>'
    ),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
        '<fonts count="1"><font/></fonts><fills count="1"><fill/></fills>'
        '<borders count="1"><border/></borders><cellStyleXfs count="1"><xf/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/>'
        "</cellXfs></styleSheet>"
    ),
}


class Stamp(float):
    """A number stored with the date-time style (an Excel date)."""


def _ref(col: int, row: int) -> str:
    letters, col = "", col + 1
    while col:
        col, r = divmod(col - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row}"


def make_workbook(path: Path, sheets: dict[str, dict[int, list[object]]]) -> None:
    """Write a workbook of several sheets (name -> rows, as for `make_xlsx`)."""
    n = len(sheets)
    parts = dict(_PARTS)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        '<Override PartName="/xl/worksheets/sheet1.xml"', "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(2, n + 1)) + '<Override PartName="/xl/worksheets/sheet1.xml"')
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        '<sheet name="Orders" sheetId="1" r:id="rId1"/>', "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rS{i}"/>'
            for i, name in enumerate(sheets, 1)))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>', "".join(
            f'<Relationship Id="rS{i}" Type="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, n + 1)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
        for i, rows in enumerate(sheets.values(), 1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(rows))


def make_xlsx(path: Path, rows: dict[int, list[object]]) -> None:
    """Write a one-sheet workbook; `rows` maps sheet row numbers (1-based) to cell values."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in _PARTS.items():
            z.writestr(name, xml)
        z.writestr("xl/worksheets/sheet1.xml", _sheet(rows))


def _sheet(rows: dict[int, list[object]]) -> str:
    cells = []
    for r in sorted(rows):
        out = [f'<row r="{r}">']
        for c, v in enumerate(rows[r]):
            ref = _ref(c, r)
            if v is None:
                continue
            if isinstance(v, Stamp):
                out.append(f'<c r="{ref}" s="1"><v>{float(v)}</v></c>')
            elif isinstance(v, (int, float)):
                out.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>')
        out.append("</row>")
        cells.append("".join(out))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        "<sheetData>" + "".join(cells) + "</sheetData></worksheet>"
    )


# LinkedIn's page content export (Page: Analytics, Content, Export): a daily "Metrics"
# sheet first, then the posts with a one-cell description line above their header
LINKEDIN_HEADER = [
    "Update title", "Update link", "Update type", "Campaign name", "Posted by", "Created date",
    "Campaign start date", "Campaign end date", "Audience", "Impressions", "Video views",
    "Clicks", "Click through rate (CTR)", "Likes", "Comments", "Shares", "Follows",
    "Engagement rate", "Content Type",
]
LINKEDIN_POSTS = [
    ["We are hiring a ceramicist! Join the studio in Porto",
     "https://www.linkedin.com/feed/update/urn:li:activity:7105000000000000001", "Organic",
     None, "Ana Lima", "09/14/2023", None, None, "All followers", 980, None, 4, 4.081632E-3,
     3, 1, 1, 1, 1.0204081E-2, "Image"],
    ["How we cut kiln energy by 30 % (case study)",
     "https://www.linkedin.com/feed/update/urn:li:activity:7104000000000000002", "Sponsored",
     "Kiln case study", "Ana Lima", Stamp(45177.0), "09/08/2023", "09/30/2023",
     "Manufacturing", 4200, 1500, 120, 2.857142E-2, 60, 12, 9, 3, 4.857142E-2, "Video"],
]


def linkedin_sheets() -> dict[str, dict[int, list[object]]]:
    posts = {1: ["All posts (by date posted): engagement metrics of each post, organic and "
                 "sponsored"], 2: LINKEDIN_HEADER}
    posts.update({3 + i: row for i, row in enumerate(LINKEDIN_POSTS)})
    metrics = {1: ["Metrics (aggregated by day)"], 2: ["Date", "Impressions (organic)"],
               3: ["09/14/2023", 1200]}
    return {"Metrics": metrics, "All posts": posts}


# LinkedIn's Page followers and visitors exports (Page admin view, Analytics, Followers /
# Visitors, Export): a one-cell description line above the header, the Date as MM/DD/YYYY
# text or as an Excel date, the demographic sheets after the daily one
def _tabs(*days: tuple[list[int], ...]) -> list[list[object]]:
    """Visitor rows from (page views, unique visitors) of Overview, Life and Jobs, each
    [desktop, mobile], and the Page's unique visitors [desktop, mobile, total] (uniques do
    not add up across tabs or devices; page views do)."""
    out = []
    for ov, ou, lv, lu, jv, ju, tu in days:
        row: list[object] = []
        for pair in (ov, ou, lv, lu, jv, ju):
            row += [*pair, sum(pair)]
        tv = [ov[0] + lv[0] + jv[0], ov[1] + lv[1] + jv[1]]
        out.append(row + [*tv, sum(tv)] + tu)
    return out


LINKEDIN_VISITOR_HEADER = ["Date"] + [
    f"{tab} {what} ({device})" for tab in ("Overview", "Life", "Jobs", "Total")
    for what in ("page views", "unique visitors") for device in ("desktop", "mobile", "total")]


def linkedin_page_sheets() -> dict[str, dict[str, dict[int, list[object]]]]:
    followers = {
        "New followers": {
            1: ["New followers (by day): followers gained each day, by source"],
            2: ["Date", "Sponsored followers", "Organic followers", "Auto-invited followers",
                "Total followers"],
            3: ["11/01/2026", 0, 4, 0, 4],
            4: [Stamp(46328.0), 2, 3, 1, 6],  # 2026-11-02
            5: ["11/03/2026", 0, 0, 0, 0],
            6: [Stamp(46330.0), 1, 7, 0, 8],  # 2026-11-04
        },
        "Location": {1: ["Location", "Total followers"], 2: ["Porto, Portugal", 812]},
        "Job function": {1: ["Job function", "Total followers"], 2: ["Arts and Design", 240]},
    }
    days = _tabs(
        ([12, 20], [9, 14], [3, 2], [2, 2], [4, 2], [3, 1], [11, 15, 25]),  # 43 views
        ([8, 11], [6, 9], [0, 1], [0, 1], [2, 0], [1, 0], [7, 10, 16]),  # 22
        ([1, 0], [1, 0], [0, 0], [0, 0], [0, 0], [0, 0], [1, 0, 1]),  # 1
        ([25, 30], [18, 21], [5, 6], [4, 5], [7, 3], [5, 2], [22, 25, 46]),  # 76
    )
    dates: list[object] = ["11/01/2026", Stamp(46328.0), "11/03/2026", Stamp(46330.0)]
    visitors = {
        "Visitor metrics": {
            1: ["Visitor metrics (by day): page views and unique visitors of the Page"],
            2: LINKEDIN_VISITOR_HEADER,
            **{3 + i: [d, *row] for i, (d, row) in enumerate(zip(dates, days, strict=True))},
        },
        "Location": {1: ["Location", "Total views"], 2: ["Porto, Portugal", 61]},
    }
    return {"linkedin_followers.xlsx": followers, "linkedin_visitors.xlsx": visitors}


# TikTok Studio's Overview downloaded as XLSX: every cell text, dates without a year
TIKTOK_OVERVIEW = {
    1: ["Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"],
    2: ["December 30", "1520", "40", "210", "12", "9"],
    3: ["December 31", "980", "31", "150", "8", "4"],
    4: ["January 1", "2210", "77", "330", "25", "17"],
    5: ["January 2", "1405", "52", "190", "11", "6"],
}


def main() -> None:
    # header on sheet row 2 (row 1 empty), dates as date-styled numbers, a blank row 5
    make_xlsx(
        HERE / "good" / "orders_excel.xlsx",
        {
            2: ["Order ID", "Customer", "Order date", "Total", "Channel"],
            3: ["X-1", "c1", Stamp(46082.5), 49.9, "instagram"],  # 2026-03-01 12:00
            4: ["X-2", "c2", Stamp(46083.25), 120, None],  # 2026-03-02 06:00
            6: ["X-3", "c1", "2026-03-03 14:05", "15.50", "email"],  # text cells
        },
    )
    # a bad value on sheet row 4 and a missing customer on row 5
    make_xlsx(
        HERE / "bad" / "orders_excel_bad.xlsx",
        {
            1: ["order_id", "customer_id", "ordered_at", "revenue"],
            2: ["X-1", "c1", Stamp(46082.5), 10],
            4: ["X-2", "c2", Stamp(46083.0), "lots"],
            5: ["X-3", None, Stamp(46084.0), 5],
        },
    )
    # Google Ads "Excel .xlsx" download: title and date range rows above the header, a
    # date-styled Day, number cells, ' --' text cells and a Total row
    make_xlsx(
        HERE / "good" / "google_ads_campaigns.xlsx",
        {
            1: ["Campaign report"],
            2: ["November 1, 2026 - November 2, 2026"],
            3: ["Day", "Campaign", "Campaign type", "Currency code", "Cost", "Impr.", "Clicks",
                "Conversions", "Conv. value", "Search impr. share"],
            4: [Stamp(46327.0), "Brand search", "Search", "USD", 1234.56, 795836, 9231, 45,
                5432.1, "> 90%"],  # 2026-11-01
            5: [Stamp(46328.0), "Display remarketing", "Display", "USD", 312.4, 120004, 560,
                " --", " --", " --"],  # 2026-11-02
            6: ["Total: Account", " --", " --", "USD", 1546.96, 915840, 9791, 45, 5432.1,
                " --"],
        },
    )


    make_workbook(HERE / "good" / "posts" / "linkedin_content_export.xlsx", linkedin_sheets())
    for name, sheets in linkedin_page_sheets().items():
        make_workbook(HERE / "good" / "social" / name, sheets)
    make_xlsx(HERE / "good" / "social" / "tiktok_overview.xlsx", TIKTOK_OVERVIEW)


if __name__ == "__main__":
    main()
