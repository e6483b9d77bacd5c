"""LinkedIn Page "Update engagement" export (smmkpi.ingest.formats.linkedin_updates) as XLS,
XLSX and CSV: the posts sheet chosen over the daily "Metrics" sheet, the one-cell
description line above the header left out, Created date as MM/DD/YYYY text or an Excel
date, rates not stored but recomputed equal to LinkedIn's."""

from __future__ import annotations

import datetime as dt

import pytest
from postsfixtures import POSTS, UTC, by_id, read_ok

NAMES = ["linkedin_content_export.xls", "linkedin_content_export.xlsx",
         "linkedin_content_export.csv"]


@pytest.mark.parametrize("name", NAMES)
def test_update_engagement(name):
    pf = read_ok(POSTS / name)
    assert pf.fmt == "linkedin_updates"
    if not name.endswith(".csv"):
        assert "other sheets ignored: Metrics" in pf.notes
    posts = by_id(pf)
    hiring = posts["urn:li:activity:7105000000000000001"]
    assert hiring["platform"] == "linkedin" and hiring["format"] == "image"
    assert hiring["published_at"] == dt.datetime(2023, 9, 14, tzinfo=UTC)  # "09/14/2023"
    assert (hiring["impressions"], hiring["link_clicks"], hiring["likes"],
            hiring["comments"], hiring["shares"]) == (980, 4, 3, 1, 1)
    case = posts["urn:li:activity:7104000000000000002"]
    assert case["published_at"] == dt.datetime(2023, 9, 8, tzinfo=UTC)  # Excel date 45177
    assert (case["campaign_id"], case["format"], case["video_views"]) == (
        "Kiln case study", "video", 1500)


@pytest.mark.parametrize("name", NAMES)
def test_rates_are_recomputed_equal_to_linkedins(name):
    """Engagements = clicks + likes + comments + shares + follows, so engagements /
    impressions is the file's `Engagement rate` (1.0204081E-2 = 10 / 980)."""
    pf = read_ok(POSTS / name)
    posts = by_id(pf)
    for pid, rate in (("urn:li:activity:7105000000000000001", 1.0204081e-2),
                      ("urn:li:activity:7104000000000000002", 4.857142e-2)):
        p = posts[pid]
        assert p["engagements"] / p["impressions"] == pytest.approx(rate, rel=1e-6)
    assert pf.mapping["Engagement rate"] is None
    assert pf.mapping["Click through rate (CTR)"] is None
