"""The sidebar shared by every page and the context it produces (source, period,
comparison, filters, workspaces). Selections live in the URL query parameters
(`bind="query-params"`), so a link reproduces exactly what a manager sees. Pages get the
context from `smmkpi.ui.context.current`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
import streamlit as st

from smmkpi import datasets as ds
from smmkpi import periods
from smmkpi.config import Settings, get_settings, with_overrides
from smmkpi.ui import cache
from smmkpi.workspace import Filters, Period, Source, Workspace

CTX_KEY = "_smmkpi_context"
UPLOAD_SOURCE_KEY = "upload_source"  # set by the Upload page: a FrameSource of this session
REVIEW_KEY = "review_uploads"  # True while this session reviews its uploads


@dataclass
class Context:
    settings: Settings
    source: Source
    source_label: str
    reviewing_uploads: bool
    period: Period
    comparison: Period | None
    comparison_label: str
    filters: Filters
    ws: Workspace
    cws: Workspace | None
    first_day: dt.date | None
    last_day: dt.date | None
    campaigns: pl.DataFrame | None  # every campaign (for names), unfiltered

    def workspace(self, period: Period | None = None, filters: Filters | None = None) -> Workspace:
        """Another workspace on this source (cached reads, shared results), e.g. one campaign
        or one target's period."""
        return _workspace(self.source, period or self.period,
                          self.filters if filters is None else filters, self.settings)

    def campaign_name(self, cid: str | None) -> str:
        if not cid:
            return "Brand-wide"
        if self.campaigns is not None:
            hit = self.campaigns.filter(pl.col("campaign_id") == cid)
            if hit.height:
                return str(hit.item(0, "name"))
        return cid


def _workspace(source: Source, period: Period, filters: Filters, settings: Settings) -> Workspace:
    return Workspace(source, period, filters, settings=settings, reader=cache.cached_read,
                     shared=cache.shared_results(source.key))


def _canonical_platforms_in_url() -> None:
    """`?platform=` in any case (instagram, INSTAGRAM, Tiktok) selects what it names. The
    widget binds to the URL by its labels exactly ("Instagram", "TikTok"); on a session's
    first run a value in another case is taken over as the widget's state instead (the
    binding then rewrites the URL in the widget's spelling). Unknown names are dropped."""
    if "platform" in st.session_state:
        return  # not the first run: the widget's own state wins
    raw = st.query_params.get_all("platform")
    ids = list(dict.fromkeys(i for v in raw if (i := ds.platform_id(v)) in ds.PLATFORMS))
    if ids and [ds.platform_label(i) for i in ids] != raw:
        st.session_state["platform"] = ids


def render_sidebar() -> Context:
    """Draw the sidebar and store the context for the page of this run."""
    url = get_settings().database_url
    settings = with_overrides(get_settings(), cache.setting_overrides(url))
    upload = st.session_state.get(UPLOAD_SOURCE_KEY)
    sb = st.sidebar
    reviewing = False
    if upload is not None:
        choice = sb.segmented_control(
            "Data source", ["stored", "uploads"], key="data_source",
            # the Upload page may set the value first: no default then (Streamlit warns)
            default=None if "data_source" in st.session_state else "stored",
            format_func={"stored": "Stored data", "uploads": "My uploads"}.get,
            required=True, help="My uploads: the files you uploaded in this browser session, "
            "never stored.",
        )
        reviewing = choice == "uploads"
        st.session_state[REVIEW_KEY] = reviewing
    if reviewing:
        source: Source = upload
        source_label = "your uploaded files (not stored)"
    else:
        source = cache.db_source(url, cache.data_version(url))
        source_label = "stored data"
    first, last = source.bounds()
    anchor = periods.anchor_day(last)

    preset = sb.selectbox(
        "Date range", list(periods.PRESETS), index=list(periods.PRESETS).index(
            periods.DEFAULT_PRESET), format_func=periods.PRESETS.get, key="range",
        bind="query-params",
        help=f"Presets count back from {anchor:%d %b %Y}, the last day with data.",
    )
    if preset == "custom":
        default = periods.preset_period(periods.DEFAULT_PRESET, anchor)
        picked = sb.date_input("From – to", value=(default.start, default.end), key="dates",
                               bind="query-params", format="YYYY-MM-DD")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            period = Period(picked[0], picked[1])
        else:
            start = picked[0] if isinstance(picked, tuple | list) and picked else default.start
            period = Period(start, start)  # first click of a range: one day until the second
    else:
        period = periods.preset_period(preset, anchor)

    comparison_key = sb.selectbox(
        "Compare with", list(periods.COMPARISONS), format_func=periods.COMPARISONS.get,
        key="compare", bind="query-params",
    )
    comparison = periods.comparison_period(period, comparison_key)

    campaigns = cache.cached_read(source, "campaigns", None, None, Filters())
    options = campaigns.sort("start_date", descending=True)["campaign_id"].to_list() if (
        campaigns is not None) else []
    names = (dict(campaigns.select("campaign_id", "name").iter_rows())
             if campaigns is not None else {})
    chosen_campaigns = sb.multiselect(
        "Campaigns", options, format_func=lambda c: names.get(c, c), key="campaign",
        bind="query-params", placeholder="All campaigns",
        help="Applies to social activity, website sessions (UTM campaign), conversations and "
        "targets. Orders, customers, mentions and journeys carry no campaign and stay whole.",
    )
    _canonical_platforms_in_url()
    chosen_platforms = sb.multiselect(
        "Platforms", list(ds.PLATFORMS), format_func=ds.platform_label, key="platform",
        bind="query-params", placeholder="All platforms",
        help="Applies to social activity, conversations, mentions and social website sessions.",
    )
    filters = Filters(tuple(chosen_campaigns), tuple(chosen_platforms))
    ws = _workspace(source, period, filters, settings)
    cws = _workspace(source, comparison, filters, settings) if comparison else None
    sb.caption(f"**{period}** ({period.days} days)")
    if comparison:
        sb.caption(f"compared with {comparison}")
    sb.caption(f"Data: {source_label}" + (f", {first:%d %b %Y} – {last:%d %b %Y}" if first and
                                           last else ", empty"))
    ctx = Context(
        settings=settings, source=source, source_label=source_label, reviewing_uploads=reviewing,
        period=period, comparison=comparison,
        comparison_label=periods.COMPARISONS[comparison_key].lower(), filters=filters, ws=ws,
        cws=cws, first_day=first, last_day=last, campaigns=campaigns,
    )
    st.session_state[CTX_KEY] = ctx
    return ctx
