"""Post exports on the Upload page (AppTest): each known export is recognized and named, a
TikTok file without a year asks for it (the field appears, the file is held back, then
reads), and reviewing the exports without saving fills the Content page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from test_page_upload import CSV, XLSX, button, fid, ok, open_page, summary, upload

from smmkpi import ingest
from smmkpi.kpis.catalog import CATALOG
from smmkpi.workspace import FrameSource, Period, Workspace

POSTS = Path(__file__).resolve().parent / "data" / "good" / "posts"
FILES = {
    "tweet_activity_metrics_brightmug_20190101_20190201_en.csv": "X tweet activity (by Tweet)",
    "facebook_post_data.csv": "Facebook Page post data",
    "facebook_post_data_legacy.xls": "Facebook Page post data",
    "meta_business_suite_instagram.csv": "Meta Business Suite content",
    "linkedin_content_export.xls": "LinkedIn update engagement",
    "linkedin_content_export.xlsx": "LinkedIn update engagement",
    "youtube_table_data.csv": "YouTube Studio content table",
}


def file(name: str) -> tuple[str, bytes, str]:
    data = (POSTS / name).read_bytes()
    return name, data, XLSX if name.endswith((".xlsx", ".xls")) else CSV


def test_every_post_export_is_recognized(app_env):
    at = upload(open_page(), *(file(n) for n in FILES))
    got = summary(at)
    assert dict(zip(got["File"], got["Format"], strict=True)) == FILES
    assert set(got["Dataset"]) == {"Posts"} and set(got["Status"]) == {"✔ ready"}
    read = dict(zip(got["File"], got["Read as"], strict=True))
    assert read["linkedin_content_export.xls"] == "Excel 97-2003 workbook (sheet 'All posts')"
    assert read["facebook_post_data_legacy.xls"] == "XML spreadsheet (sheet 'Key Metrics')"


def test_tiktok_asks_for_the_year_then_reads(app_env):
    name, data, mime = file("tiktok_studio_content.csv")
    at = upload(open_page(), (name, data, mime))
    assert "1 problem" in at.expander[0].label
    assert any("Give the year of the export's last day" in e.value for e in at.error)
    field = at.number_input(key=f"year_{fid(data)}")
    assert field.value is None
    assert not [b for b in at.button if b.key == "import"]
    field.set_value(2026)
    at.run()
    ok(at)
    assert "ready" in at.expander[0].label
    assert any("dates without a year read as" in c.value and "2026" in c.value
               for c in at.caption)
    button(at, "start_review").click()
    at.run()
    ok(at)
    at.switch_page("pages/content.py")
    at.run()
    ok(at)
    shown = {m.label: m.value for m in at.metric}
    # the last 28 days up to 2 January 2026 hold the three videos
    frames = ingest.parse_file(data, name=name, year=2026).frames
    ws = Workspace(FrameSource(frames, key="t"), Period(dt.date(2025, 12, 6),
                                                        dt.date(2026, 1, 2)))
    assert CATALOG["post_engagements"].compute(ws) == 1463 + 3922 + 760
    assert shown["Posts published"] == "3"
    assert shown["Post engagements"] == "6.1k"
