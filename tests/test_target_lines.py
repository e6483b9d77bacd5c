"""Every tile's target line names the target's own period and scope, and agrees with the
Targets page for the same selection (status, target and share of pace)."""

from __future__ import annotations

import datetime as dt

import pagetools
import pytest
from pagetools import open_page

from smmkpi import formatting
from smmkpi.periods import target_period_parts

SELECTIONS = [{}, {"range": "Year to date"}, {"range": "Last 90 days"},
              {"platform": "Instagram", "range": "Year to date"}]


def period_of(text: str, year: int) -> tuple[dt.date, dt.date]:
    """A target's period as the Targets table names it: "Q4 2026", "October 2026", "2026",
    or a span ("7 Sep – 15 Nov", "3 – 23 Nov", "28 Dec 2025 – 3 Jan 2026"; without a year
    it is the selection's)."""
    import calendar
    import re

    if m := re.fullmatch(r"Q([1-4]) (\d{4})", text):
        q, y = int(m[1]), int(m[2])
        return dt.date(y, 3 * q - 2, 1), dt.date(y, 3 * q, calendar.monthrange(y, 3 * q)[1])
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)
    if re.fullmatch(r"[A-Z][a-z]+ \d{4}", text):
        first = dt.datetime.strptime(text, "%B %Y").date()
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    start, end = text.split(" – ")
    if not re.search(r"\d{4}$", end):
        end = f"{end} {year}"
    e = dt.datetime.strptime(end, "%d %b %Y").date()
    if start.isdigit():
        start = f"{start} {e:%b}"
    if not re.search(r"\d{4}$", start):
        start = f"{start} {e.year}"
    return dt.datetime.strptime(start, "%d %b %Y").date(), e


@pytest.mark.parametrize("query", SELECTIONS, ids=lambda q: str(q) or "default")
def test_tile_targets_name_their_period_and_agree_with_the_targets_page(app_env, query):
    overview = open_page("pages/overview.py", query)
    targets = open_page("pages/targets.py", query)
    table = targets.dataframe[0].value
    year = pagetools.default_workspaces(app_env)[0].end.year  # every selection ends there
    lines: dict[str, str] = {}  # tile label -> the captions under it

    def walk(node) -> None:
        metrics = [c for c in getattr(node, "children", {}).values()
                   if type(c).__name__ == "Metric"]
        caps = [c for c in getattr(node, "children", {}).values()
                if type(c).__name__ == "Caption"]
        if metrics:
            lines[metrics[0].label] = " ".join(c.value for c in caps)
        for c in getattr(node, "children", {}).values():
            walk(c)

    for b in overview.main.children.values():
        walk(b)
    checked = 0
    for label, caption in lines.items():
        if "target" not in caption.lower():
            continue
        rows = table[(table["KPI"] == label) & (table["Campaign"] == "Brand-wide")]
        assert len(rows), (label, caption)
        matched = False
        for _, row in rows.iterrows():
            s, e = period_of(row["Period"], year)
            name, span = target_period_parts(s, e)
            if f"{name} {row['Target']} ({span}, brand-wide" in caption:
                status = row["Status"].split(" ", 1)[1]
                assert f"**{status}**" in caption or status in caption, (label, caption)
                pace = formatting.percent(row["Of pace"] / 100, 0)
                assert f"{pace} of pace" in caption, (label, caption, pace)
                matched = True
        assert matched, (label, caption, rows[["Period", "Target", "Status"]].to_dict("records"))
        if query.get("platform"):
            assert "all platforms" in caption, caption  # the target is not by platform
        checked += 1
    assert checked >= 4, lines
