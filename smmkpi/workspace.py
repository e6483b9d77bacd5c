"""The Workspace: the frames one page works on, from stored data or from files never stored.

A Workspace is a data source plus the selected period and filters. KPI code asks it for
`frame(name)` (rows in the period) or `history(name)` (every row up to the period's end,
for KPIs that look back, such as a customer's first-ever order). Both return typed Polars
frames with the canonical columns of `datasets.py`, or None when the source has no rows of
that dataset at all (the KPI is then missing, never zero).

The same page code runs on either source. Reads go through `reader`, which the Streamlit
layer replaces by a cached function keyed by small values (source key, dataset, dates,
filters); nothing in here caches across workspaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import polars as pl

from smmkpi import datasets as ds
from smmkpi.channels import (
    CHANNEL_GROUPINGS,
    SOCIAL_GROUPS,
    channel_sessions,
    sum_channel_sessions,
    with_channels,
)
from smmkpi.config import Settings, get_settings
from smmkpi.periods import Period

__all__ = ["DbSource", "Filters", "FrameSource", "Period", "Source", "Workspace"]

# What `Workspace.channel_sessions` reads through the reader (and so the UI's cache): the
# web sessions summed per each grouping of `channels.CHANNEL_GROUPINGS`, by name. Not
# datasets: derived from `web_sessions` by each source.
CHANNEL_READS: dict[str, str] = {f"web_sessions by {by}": by for by in CHANNEL_GROUPINGS}


@dataclass(frozen=True)
class Filters:
    """Campaign and platform filters; empty means all."""

    campaigns: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.campaigns or self.platforms)


class Source(Protocol):
    """Where a workspace's rows come from: the database or uploaded/folder files."""

    key: str  # changes whenever the data changes; part of every cache key

    def read(
        self,
        dataset: str,
        start: dt.date | None,
        end: dt.date | None,
        filters: Filters,
    ) -> pl.DataFrame | None:
        """Typed rows of one dataset in [start, end] (None = unbounded), filters applied where
        the dataset has the filtered column; None when the source has no such dataset."""
        ...

    def available(self) -> frozenset[str]:
        """The datasets that have at least one row."""
        ...

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        """First and last day with data over the time-based datasets."""
        ...


Reader = Callable[[Source, str, "dt.date | None", "dt.date | None", Filters], "pl.DataFrame | None"]


def direct_read(
    source: Source, dataset: str, start: dt.date | None, end: dt.date | None, filters: Filters
) -> pl.DataFrame | None:
    return source.read(dataset, start, end, filters)


@dataclass
class Workspace:
    """Frames for one period and set of filters on one source."""

    source: Source
    period: Period
    filters: Filters = Filters()
    settings: Settings = field(default_factory=get_settings)
    reader: Reader = direct_read
    # results that do not depend on the period (e.g. every order sorted per customer), shared
    # by the workspaces of one source: `with_period` copies and the targets' sub-workspaces
    # keep it, and the Streamlit layer passes one dict per source and data version
    shared: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    def has(self, name: str) -> bool:
        return name in self.source.available()

    def frame(self, name: str) -> pl.DataFrame | None:
        """Rows of `name` in the period, filters applied; None if the source lacks it."""
        ds.get(name)
        return self.memo(("frame", name), lambda: self._read(name, self.start, self.end))

    def history(self, name: str) -> pl.DataFrame | None:
        """Rows of `name` up to the period's end (and all rows of undated datasets)."""
        spec = ds.get(name)

        def load() -> pl.DataFrame | None:
            df = self._read(name, None, None)
            if df is None or spec.date_column is None:
                return df
            return filter_frame(df, name, None, self.end, Filters())

        # shared: every workspace on this source with the same end and the same filters
        # that apply to this dataset (e.g. one per campaign on orders) reuses it
        return self.shared_memo(name, ("history", self.end), load)

    def followers(self) -> pl.DataFrame | None:
        """Social rows up to the period's end with their follower counts, filters applied:
        at least date, platform and followers, which is all follower growth reads
        (`kpis.audience`). From a source that groups them (`DbSource.followers`: the
        largest count per day and platform of the filter's campaigns, one read for every
        platform filter) or else the history itself; either gives the same largest count
        per day and platform."""
        if not self.has("social_daily"):
            return None
        grouped = getattr(self.source, "followers", None)
        if grouped is None:
            return self.history("social_daily")
        end, campaigns = self.end, self.filters.campaigns
        by_campaigns = replace(self, filters=Filters(campaigns=campaigns), _memo={})
        rows = by_campaigns.shared_memo("social_daily", ("followers", end),
                                        lambda: grouped(end, campaigns))
        platforms = Filters(platforms=self.filters.platforms)
        return self.memo(("followers",),
                         lambda: filter_frame(rows, "social_daily", None, None, platforms))

    def channel_sessions(self, by: str = "day_campaign") -> pl.DataFrame | None:
        """The period's web sessions summed per day, UTM campaign, channel group, platform
        and reported figures (`channels.channel_sessions`), or per the coarser grouping
        `by` of `channels.CHANNEL_GROUPINGS` ("day": the campaigns summed; "campaign": the
        days, groups and platforms summed; the summed key columns null), the filters
        applied as to the session rows; None without web sessions. What every traffic and
        cost figure is a sum over: a database source reads the sums the store keeps, a
        frame source sums its rows."""
        if not self.has("web_sessions"):
            return None
        name = f"web_sessions by {by}"
        if name not in CHANNEL_READS:
            raise ValueError(f"no grouping {by!r} of the web sessions")
        return self.memo(("frame", name),
                         lambda: self.reader(self.source, name, self.start, self.end,
                                             self.filters))

    def everything(self, name: str) -> pl.DataFrame | None:
        """All rows of `name` regardless of dates (filters still applied)."""
        return self.shared_memo(name, "all", lambda: self._read(name, None, None))

    def unfiltered(self) -> Workspace:
        """The same source and period without the page's filters (a fresh memo; the shared
        results stay shared)."""
        return replace(self, filters=Filters(), _memo={})

    def with_period(self, period: Period) -> Workspace:
        """The same source and filters over another period (a fresh memo)."""
        return replace(self, period=period, _memo={})

    def shared_memo(self, dataset: str, key: Any, fn: Callable[[], Any]) -> Any:
        """Compute once per source what depends only on `dataset`'s rows as filtered (never
        on the period): the key includes the filters that apply to that dataset."""
        spec = ds.get(dataset)
        applies = (
            self.filters.campaigns if spec.campaign_column else (),
            self.filters.platforms if spec.platform_column or spec.platform_rule != "column"
            else (),
        )
        full = (self.source.key, dataset, applies, key)
        if full not in self.shared:
            self.shared[full] = fn()
        return self.shared[full]

    def memo(self, key: Any, fn: Callable[[], Any]) -> Any:
        """Compute once per workspace: KPIs that share an intermediate result reuse it."""
        if key not in self._memo:
            self._memo[key] = fn()
        return self._memo[key]

    def _read(self, name: str, start: dt.date | None, end: dt.date | None) -> pl.DataFrame | None:
        if start is None and end is None and self.filters:
            # a whole-history read: filter the one unfiltered read (cached by the UI) in
            # memory rather than read the history again per campaign or platform
            df = self.reader(self.source, name, None, None, Filters())
            if df is not None:
                df = filter_frame(df, name, None, None, self.filters)
        else:
            df = self.reader(self.source, name, start, end, self.filters)
        if df is None:
            return None
        if ds.get(name).platform_rule == "social_source" and self.filters.platforms:
            df = filter_sessions_by_platform(df, self.filters.platforms)
        return df


def _polars_condition(c: ds.Condition) -> pl.Expr:
    """A dataset's row condition (`Dataset.conditions`) in Polars."""
    col = pl.col(c.column)
    if c.op == "ge":
        return col >= c.value
    if c.op == "lt":
        return col < c.value
    if c.op == "le":
        return col <= c.value
    if c.op == "in":
        return col.is_in(list(c.value))
    if c.op == "null_or_ge":
        return col.is_null() | (col >= c.value)
    raise ValueError(f"unknown condition {c.op!r}")


def filter_frame(
    df: pl.DataFrame, dataset: str, start: dt.date | None, end: dt.date | None, filters: Filters
) -> pl.DataFrame:
    """Apply the period and filters to an in-memory frame, by the same conditions as the
    database reader (`Dataset.conditions`)."""
    conds = ds.get(dataset).conditions(start, end, filters.campaigns, filters.platforms)
    if not conds:
        return df  # nothing applies: no copy of a large frame
    return df.filter(*(_polars_condition(c) for c in conds))


def filter_sessions_by_platform(df: pl.DataFrame, platforms: tuple[str, ...]) -> pl.DataFrame:
    """Keep non-social sessions and the social sessions of the selected platforms, so that
    social KPIs follow the platform filter while shares keep their whole-site denominator.
    Session rows are classified for it (and given back without the classification); rows
    that have their channel group and platform already (`channels.channel_sessions`) keep
    them."""
    keep = ~pl.col("channel_group").is_in(list(SOCIAL_GROUPS)) | pl.col("platform").is_in(
        list(platforms))
    if {"channel_group", "platform"} <= set(df.columns):
        return df.filter(keep)
    return with_channels(df).filter(keep).drop("channel_group", "platform")


def sessions_by_channel(source: Source, dataset: str, start: dt.date | None,
                        end: dt.date | None, filters: Filters) -> pl.DataFrame | None:
    """`Workspace.channel_sessions` from a source's session rows (`dataset` one of
    `CHANNEL_READS`): the period's rows of the filtered campaigns, summed, the platform
    filter applied, then summed per the grouping."""
    web = source.read("web_sessions", start, end, Filters(campaigns=filters.campaigns))
    if web is None:
        return None
    out = channel_sessions(web)
    if filters.platforms:
        out = filter_sessions_by_platform(out, filters.platforms)
    return sum_channel_sessions(out, CHANNEL_READS[dataset])


class FrameSource:
    """A source over in-memory frames: uploaded files or a folder of CSV files."""

    def __init__(self, frames: Mapping[str, pl.DataFrame], key: str) -> None:
        for name, df in frames.items():
            spec = ds.get(name)
            missing = [c for c in spec.names if c not in df.columns]
            if missing:
                raise ValueError(f"{name} frame lacks columns {missing}")
        self.frames = {n: df.select(ds.get(n).names) for n, df in frames.items()}
        self.key = key

    def read(
        self, dataset: str, start: dt.date | None, end: dt.date | None, filters: Filters
    ) -> pl.DataFrame | None:
        if dataset in CHANNEL_READS:
            return sessions_by_channel(self, dataset, start, end, filters)
        df = self.frames.get(dataset)
        if df is None or df.height == 0:
            return None
        return filter_frame(df, dataset, start, end, filters)

    def available(self) -> frozenset[str]:
        return frozenset(n for n, df in self.frames.items() if df.height)

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        lows: list[dt.date] = []
        highs: list[dt.date] = []
        for name, df in self.frames.items():
            col = ds.get(name).date_column
            if col is None or df.height == 0:
                continue
            s = df.get_column(col).drop_nulls()
            if s.len() == 0:
                continue
            lo, hi = s.min(), s.max()
            lows.append(lo.date() if isinstance(lo, dt.datetime) else lo)  # type: ignore[union-attr,arg-type]
            hi_d = hi.date() if isinstance(hi, dt.datetime) else hi  # type: ignore[union-attr]
            highs.append(hi_d)  # type: ignore[arg-type]
        return (min(lows) if lows else None, max(highs) if highs else None)


class DbSource:
    """A source over the stored data; reads push dates and filters into SQL."""

    def __init__(self, engine: Any) -> None:
        from smmkpi import db, store

        self.engine = engine
        self._store = store
        self.version = store.data_version(engine)
        self.key = f"db:{db.describe(engine)}:v{self.version}"
        self._available: frozenset[str] | None = None
        # Whether the repeat-sales figures are read from the counts the store keeps
        # (`repeat_figures`: no window of orders held in the app) instead of from the
        # window: sums over a row per day and pair of days (migration 0015), whatever the
        # number of orders, on both databases
        self.counts_repeat_figures = True
        # Whether the Retention page's splits are counted by the database
        # (`repeat_split`) instead of from the window: on PostgreSQL, whose join and
        # grouping of the period's orders is a hash join and aggregate (scale L 0.93 s,
        # the page 1.59 s cold against 2.13-3.32 s); not on SQLite, whose GROUP BY sorts
        # (0.70 s per split, the page 2.65 s against 1.26 s); see docs/benchmarks.md
        self.counts_splits = engine.dialect.name == "postgresql"
        self._bounds: tuple[dt.date | None, dt.date | None] | None = None

    def read(
        self, dataset: str, start: dt.date | None, end: dt.date | None, filters: Filters
    ) -> pl.DataFrame | None:
        if dataset in CHANNEL_READS:  # the sums the store keeps (`channel_sessions`)
            if "web_sessions" not in self.available():
                return None
            return self._store.read_channel_sessions(
                self.engine, start, end, filters.campaigns, filters.platforms,
                by=CHANNEL_READS[dataset])
        if dataset not in self.available():
            return None
        return self._store.read_dataset(
            self.engine, dataset, start, end, filters.campaigns, filters.platforms
        )

    def available(self) -> frozenset[str]:
        if self._available is None:
            self._available = self._store.available(self.engine)
        return self._available

    # The store keeps per-customer summaries and cohort cells beside the orders
    # (smmkpi.summaries): the retention KPIs read these and the period's orders instead
    # of the whole order history.
    keeps_summaries = True

    def window(self, first: dt.date, end: dt.date, since: dt.date, *,
               attributes: bool = False) -> dict[str, pl.DataFrame]:
        """A retention window's orders, the first orders of the cohorts before it and,
        if asked, its customers' attributes, read at once (`store.read_window`)."""
        return self._store.read_window(self.engine, first, end, since,
                                       attributes=attributes)

    def window_attributes(self, first: dt.date) -> pl.DataFrame:
        """The acquisition channel and follower status of every customer with an order on
        or after `first` (`store.read_window_attributes`)."""
        return self._store.read_window_attributes(self.engine, first)

    def repeat_figures(self, start: dt.date, end: dt.date) -> dict[str, pl.DataFrame]:
        """What the repeat-sales figures of [start, end] count, counted by the database
        (`store.read_repeat_figures`): per day, the distinct customers, and the days to
        the second orders."""
        return self._store.read_repeat_figures(self.engine, start, end)

    def repeat_split(self, start: dt.date, end: dt.date, by: str,
                     months: tuple[dt.date, dt.date], ks: tuple[int, ...],
                     no_channel: str) -> dict[str, pl.DataFrame]:
        """What the repeat-sales figures of [start, end] split by the customers' attributes
        (`by` = "customer") or the orders' channel ("channel") count, counted by the
        database (`store.read_repeat_split`)."""
        return self._store.read_repeat_split(self.engine, start, end, by, months, ks,
                                             no_channel)

    def cohort_recent(self, first: dt.date, end: dt.date) -> pl.DataFrame:
        """Per first-order day, the customers and revenue of the orders of [first, end],
        counted by the database (`store.read_cohort_recent`)."""
        return self._store.read_cohort_recent(self.engine, first, end)

    def followers(self, end: dt.date, campaigns: tuple[str, ...] = ()) -> pl.DataFrame:
        """The largest follower count per day and platform up to `end` (of `campaigns`'
        rows when given), grouped by the database (`store.read_followers`)."""
        return self._store.read_followers(self.engine, end, campaigns)

    def content_sessions(self, first: dt.date | None = None,
                         last: dt.date | None = None) -> pl.DataFrame:
        """The web sessions with a content value summed per day, content and source, by
        the database (`store.read_content_sessions`), from `first` on and up to `last`
        when given."""
        return self._store.read_content_sessions(self.engine, first, last)

    def post_keys(self, start: dt.date, end: dt.date) -> pl.DataFrame:
        """The posts of [start, end] with a content value, by the key the store keeps on
        each (`store.read_post_keys`)."""
        return self._store.read_post_keys(self.engine, start, end)

    def post_days(self, start: dt.date, end: dt.date, platforms: tuple[str, ...],
                  metrics: tuple[str, ...]) -> pl.DataFrame:
        """The posts of [start, end] (of `platforms` when given) counted and summed per day
        published by the database (`store.read_post_days`)."""
        return self._store.read_post_days(self.engine, start, end, platforms, metrics)

    def post_key_bounds(self, start: dt.date, end: dt.date,
                        platforms: tuple[str, ...]) -> pl.DataFrame:
        """Per content key of [start, end]'s posts and platform, the first post's and the
        first after `end`'s publish times (`store.read_post_key_bounds`)."""
        return self._store.read_post_key_bounds(self.engine, start, end, platforms)

    def content_keys(self, keys: tuple[str, ...]) -> set[str]:
        """Which of `keys` some stored post has (`store.read_content_keys`)."""
        return self._store.read_content_keys(self.engine, keys)

    def waiting_conversations(self, end: dt.date, as_of: dt.datetime,
                              kinds: tuple[str, ...]) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The conversations of `kinds` up to `end` that may be waiting at `as_of`, and per
        platform and campaign whether they have resolutions and responses, by the database,
        unfiltered (`store.read_waiting_conversations`)."""
        return self._store.read_waiting_conversations(self.engine, end, as_of, kinds)

    def cohort_cells(self, grain: str, since: int, before: int) -> pl.DataFrame:
        """Stored cohort cells of cohorts >= since in periods < before."""
        return self._store.read_cohort_cells(self.engine, grain, since, before)

    def bounds(self) -> tuple[dt.date | None, dt.date | None]:
        if self._bounds is None:
            self._bounds = self._store.bounds(self.engine)
        return self._bounds
