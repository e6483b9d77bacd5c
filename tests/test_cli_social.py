"""The command line on the daily account exports: `report --data DIR` prints the audience
KPIs for a folder holding one export as downloaded (figures summed by hand from the
fixtures); TikTok's overview and follower history need `--year`; `import` of the two, one
after the other, keeps both; LinkedIn's Page exports give new followers and page views, and a
visitors file without its totals exits 2 with what to export instead."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from smmkpi.__main__ import main

DATA = Path(__file__).resolve().parent / "data"
SOCIAL = DATA / "good" / "social"
# file -> (impressions, reach, engagements, link_clicks, follower_growth), None = not exported
EXPORTS = {
    "daily_tweet_activity_metrics_brightmug_20261101_20261104_en.csv":
        (1088 + 1244 + 3974, None, 13 + 19 + 76, 2 + 0 + 45, None),
    "account_overview_analytics.csv": (2871 + 2199 + 336, None, 43 + 26 + 15, None, None),
    "tiktok_overview.csv": (1520 + 980 + 2210 + 1405, None, 231 + 162 + 372 + 207, None, None),
    "tiktok_follower_history.csv": (None, None, None, None, 10296 - 10250),
    "facebook_page_insights.csv": (3120 + 3390 + 2240, 2301 + 2488 + 1790, 88 + 95 + 61, None,
                                   5126 - 5120),
    "meta_facebook_reach.csv": (None, 1204 + 988 + 1530, None, None, None),
}
KPIS = ("impressions", "reach", "engagements", "link_clicks", "follower_growth")


def folder_with(tmp_path: Path, *paths: Path) -> Path:
    d = tmp_path / "export"
    d.mkdir()
    for p in paths:
        shutil.copy(p, d / p.name)
    return d


@pytest.mark.parametrize(("name", "want"), EXPORTS.items())
def test_report_on_a_folder_holding_one_export(tmp_path, capsys, name, want):
    d = folder_with(tmp_path, SOCIAL / name)
    args = ["report", "--data", str(d), "--from", "2025-01-01", "--to", "2026-12-31"]
    assert main([*args, "--year", "2026"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert tuple(report[k] for k in KPIS) == want


def test_tiktok_without_the_year_says_so(tmp_path, capsys):
    d = folder_with(tmp_path, SOCIAL / "tiktok_overview.csv")
    assert main(["report", "--data", str(d)]) == 2
    err = capsys.readouterr().err
    assert "has dates without a year" in err and "--year 2026" in err


def test_import_one_after_the_other_keeps_both(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 't.db'}"
    for name in ("tiktok_overview.csv", "tiktok_follower_history.csv"):
        assert main(["--database", url, "import", str(SOCIAL / name), "--year", "2026"]) == 0
    capsys.readouterr()
    assert main(["--database", url, "report", "--from", "2025-12-30", "--to",
                 "2026-01-02"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["impressions"], report["engagements"], report["follower_growth"]) == (
        6115, 972, 46)


# file(s) -> (new_followers, page_views), summed by hand from the fixtures
LINKEDIN = {
    ("linkedin_followers.xlsx",): (4 + 6 + 0 + 8, None),
    ("linkedin_visitors.xlsx",): (None, 43 + 22 + 1 + 76),
    ("linkedin_followers.xls", "linkedin_visitors.xls"): (18, 142),  # as LinkedIn gives them
}


@pytest.mark.parametrize(("names", "want"), LINKEDIN.items())
def test_report_on_a_folder_holding_only_linkedin_page_exports(tmp_path, capsys, names, want):
    d = folder_with(tmp_path, *(SOCIAL / n for n in names))
    assert main(["report", "--data", str(d), "--from", "2026-11-01", "--to", "2026-11-04"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["new_followers"], report["page_views"]) == want
    # nothing else is in the files: missing, never 0
    assert tuple(report[k] for k in KPIS) == (None,) * len(KPIS)


def test_a_linkedin_visitors_file_with_tabs_only_exits_2_saying_what_to_export(tmp_path,
                                                                               capsys):
    path = tmp_path / "acme_visitors.csv"
    path.write_text("Visitor metrics\nDate,Overview page views (desktop),Overview page views "
                    "(mobile),Overview page views (total)\n11/01/2026,12,20,32\n")
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert main(["--database", url, "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "acme_visitors.csv" in err and "Overview page views (total)" in err
    assert "export the Visitors again (Page admin view, Analytics, Visitors, Export)" in err
