"""The command line on post exports: `report --data DIR` prints the content KPIs for a folder
holding only one export as downloaded; a TikTok export needs `--year` (exit 2 and a message
asking for it otherwise); `import --year` stores it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smmkpi.__main__ import main

POSTS = Path(__file__).resolve().parent / "data" / "good" / "posts"
CONTENT = ["posts_published", "post_impressions", "post_reach", "post_engagements",
           "post_link_clicks", "post_video_views", "post_engagement_rate", "promo_post_share",
           "post_sessions", "post_conversions", "post_revenue"]
# (file, posts in it, their engagements, their impressions) by hand from the fixtures
EXPORTS = [
    ("tweet_activity_metrics_brightmug_20190101_20190201_en.csv", 3, 88 + 64 + 301,
     2633 + 1210 + 5120),
    ("facebook_post_data.csv", 3, 301 + 950 + 260, 6120 + 12500 + 2600),
    ("facebook_post_data_legacy.xls", 3, 301 + 950 + 260, 6120 + 12500 + 2600),
    ("meta_business_suite_facebook.csv", 3, 210 + 640 + 96, 5400 + 12000 + 2100),
    ("meta_business_suite_instagram.csv", 3, 985 + 331 + 2, 12400 + 3050 + 800),
    ("linkedin_content_export.xls", 2, 10 + 204, 980 + 4200),
    ("linkedin_content_export.xlsx", 2, 10 + 204, 980 + 4200),
    ("linkedin_content_export.csv", 2, 10 + 204, 980 + 4200),
    ("youtube_table_data.csv", 2, 520 + 232, 210000 + 150000),
    ("tiktok_studio_content.csv", 3, 1463 + 3922 + 760, 20310 + 51022 + 9804),
]


def folder_with(tmp_path: Path, name: str) -> Path:
    d = tmp_path / "export"
    d.mkdir()
    shutil.copy(POSTS / name, d / name)
    return d


@pytest.mark.parametrize(("name", "posts", "engagements", "impressions"), EXPORTS)
def test_report_on_a_folder_holding_one_export(tmp_path, capsys, name, posts, engagements,
                                               impressions):
    d = folder_with(tmp_path, name)
    args = ["report", "--data", str(d), "--from", "2015-01-01", "--to", "2026-12-31"]
    assert main([*args, "--year", "2026"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(CONTENT) <= set(report)
    assert report["posts_published"] == posts
    assert report["post_engagements"] == engagements
    assert report["post_impressions"] == impressions
    assert report["post_engagement_rate"] == pytest.approx(engagements / impressions)
    assert report["post_sessions"] is None  # no web sessions in the folder: n/a, not 0


def test_tiktok_without_the_year_says_so(tmp_path, capsys):
    d = folder_with(tmp_path, "tiktok_studio_content.csv")
    assert main(["report", "--data", str(d)]) == 2
    err = capsys.readouterr().err
    assert "has dates without a year" in err and "--year 2026" in err


def test_import_and_check_take_the_year(tmp_path, capsys):
    db = tmp_path / "t.db"
    f = POSTS / "tiktok_studio_content.csv"
    assert main(["--database", f"sqlite:///{db}", "check", str(f)]) == 2
    assert main(["--database", f"sqlite:///{db}", "check", str(f), "--year", "2026-01-02"]) == 0
    assert main(["--database", f"sqlite:///{db}", "import", str(f), "--year", "2026"]) == 0
    assert "posts: 3 inserted" in capsys.readouterr().out
    with pytest.raises(SystemExit) as bad:  # argparse: usage and exit 2
        main(["--database", f"sqlite:///{db}", "import", str(f), "--year", "26"])
    assert bad.value.code == 2
    assert "'26' is not a year" in capsys.readouterr().err
