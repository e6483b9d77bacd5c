"""Daily account exports on the Upload page (AppTest): each is recognized and named with the
menu that produces it; LinkedIn's Page followers and visitors exports, and TikTok's overview
and follower history given the year, fill the Reputation & audience page."""

from __future__ import annotations

from pathlib import Path

from test_page_upload import (
    CSV,
    XLSX,
    button,
    fid,
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


LINKEDIN = {
    "linkedin_followers.xlsx":
        "LinkedIn Page followers (Page admin view: Analytics, Followers, Export)",
    "linkedin_visitors.xlsx":
        "LinkedIn Page visitors (Page admin view: Analytics, Visitors, Export)",
}


def test_linkedin_page_exports_are_recognized_and_fill_the_audience_page(app_env):
    at = upload(open_page(), *(file(SOCIAL / n) for n in LINKEDIN))
    got = summary(at)
    assert dict(zip(got["File"], got["Format"], strict=True)) == LINKEDIN
    assert set(got["Dataset"]) == {"Social media, daily"}
    assert set(got["Status"]) == {"✔ ready"}
    button(at, "start_review").click()
    at.run()
    ok(at)
    at.switch_page("pages/reputation.py")
    at.run()
    ok(at)
    shown = {m.label: m.value for m in at.metric}
    # 1 to 4 November 2026, summed by hand from the fixtures
    assert shown["New followers"] == "18"  # 4 + 6 + 0 + 8
    assert shown["Page views"] == "142"  # 43 + 22 + 1 + 76
    assert shown["Follower growth"] == "n/a"  # LinkedIn exports no follower count
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("New followers per day, followers" in t for t in titles)
    assert any("Page views per day, views" in t for t in titles)


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
