"""Daily account exports on the Upload page (AppTest): each is recognized and named with the
menu that produces it, a LinkedIn Page export is refused in one sentence, and TikTok's
overview and follower history, given the year, fill the Reputation & audience page."""

from __future__ import annotations

from pathlib import Path

from test_page_upload import (
    CSV,
    XLSX,
    button,
    fid,
    file_problems,
    ok,
    open_page,
    summary,
    upload,
)

DATA = Path(__file__).resolve().parent / "data"
SOCIAL = DATA / "good" / "social"
FILES = {
    "daily_tweet_activity_metrics_brightmug_20261101_20261104_en.csv":
        "X tweet activity by day (X Analytics: Tweets, Export data, By day)",
    "account_overview_analytics.csv": "X account overview (X Analytics: Overview, Export data)",
    "facebook_page_insights.csv": "Facebook Page insights (Insights: Export data, Page data)",
    "meta_facebook_reach.csv": "Meta Business Suite insights chart (Insights: a chart's Export)",
}


def file(path: Path) -> tuple[str, bytes, str]:
    return path.name, path.read_bytes(), XLSX if path.suffix == ".xlsx" else CSV


def test_every_daily_export_is_recognized_and_named(app_env):
    at = upload(open_page(), *(file(SOCIAL / n) for n in FILES))
    got = summary(at)
    assert dict(zip(got["File"], got["Format"], strict=True)) == FILES
    assert set(got["Dataset"]) == {"Social media, daily"}
    assert set(got["Status"]) == {"✔ ready"}


def test_a_linkedin_page_export_says_what_to_import_instead(app_env):
    at = upload(open_page(), file(DATA / "bad" / "linkedin_followers.xlsx"))
    assert any("format: LinkedIn Page followers (Analytics: Followers, Export)" in c.value
               for c in at.caption)
    assert "1 problem" in at.expander[0].label
    problems = file_problems(at)["problem"].to_list()
    assert len(problems) == 1
    assert problems[0].startswith("this is LinkedIn's Page followers export")
    assert "no dataset recognized" not in problems[0]


def test_tiktok_overview_and_followers_fill_the_audience_page(app_env):
    files = [file(SOCIAL / n) for n in ("tiktok_overview.csv", "tiktok_follower_history.csv")]
    at = upload(open_page(), *files)
    for _, data, _ in files:
        at.number_input(key=f"year_{fid(data)}").set_value(2026)
        at.run()
        ok(at)
    assert set(summary(at)["Status"]) == {"✔ ready"}
    button(at, "start_review").click()
    at.run()
    ok(at)
    at.switch_page("pages/reputation.py")
    at.run()
    ok(at)
    shown = {m.label: m.value for m in at.metric}
    # the four days 30 December 2025 to 2 January 2026, summed by hand
    assert shown["Impressions"] == "6.1k"  # 1520 + 980 + 2210 + 1405 = 6115
    assert shown["Engagements"] == "972"  # 231 + 162 + 372 + 207
    assert shown["Follower growth"] == "46"  # 10296 - 10250
