"""Links into the app that open a page with a period and filters, as the sidebar reads them
from the URL (its widgets bind to query parameters by their labels)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from smmkpi import datasets as ds
from smmkpi.periods import COMPARISONS, PRESETS, Period

# page key -> the page's URL path (Streamlit names pages by their file; "" = the default)
PAGE_PATHS: dict[str, str] = {
    "overview": "", "targets": "targets", "goals": "goals", "content": "content",
    "traffic": "traffic", "journeys": "journeys", "retention": "retention",
    "community": "community", "reputation": "reputation", "upload": "upload",
    "alerts": "alerts",
}
# the page that shows a KPI area's figures
AREA_PAGES: dict[str, str] = {"traffic": "traffic", "retention": "retention",
                              "care": "community", "audience": "reputation",
                              "content": "content"}


def page_link(base: str, page: str, period: Period | None = None, *,
              comparison: str = "previous", campaigns: Sequence[str] = (),
              platforms: Sequence[str] = (),
              campaign_names: Mapping[str, str] | None = None) -> str:
    """`base`/page?range=Custom&dates=START&dates=END&compare=...&campaign=...&platform=...
    (campaigns by the names the sidebar shows, platforms by their labels)."""
    query: list[tuple[str, str]] = []
    if period is not None:
        query += [("range", PRESETS["custom"]), ("dates", period.start.isoformat()),
                  ("dates", period.end.isoformat())]
        query.append(("compare", COMPARISONS[comparison]))
    names = campaign_names or {}
    query += [("campaign", names.get(c, c)) for c in campaigns]
    query += [("platform", ds.platform_label(p)) for p in platforms]
    path = PAGE_PATHS.get(page, page)
    url = f"{base.rstrip('/')}/{path}"
    return f"{url}?{urlencode(query)}" if query else url
