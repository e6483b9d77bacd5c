"""Community care KPIs: how fast and how fully the brand answers people on social.

Seeds: "response windows are fairly short", "few things look worse than unanswered
questions or grievances", "neglecting positive feedback is another common mistake".

Definitions (see `docs/kpis.md`); every timestamp is UTC:

- A conversation belongs to the period of its `opened_at` (UTC calendar day).
- *Needing a reply* = kind `question` or `complaint`.
- `response_rate`: of those opened in the period, the share with a first response (a
  response recorded at any time in the data, also after the period's end).
- `median_first_response_minutes`, `p90_first_response_minutes`: over those that were
  answered; percentiles by linear interpolation between the closest ranks (numpy's
  default, Excel's PERCENTILE.INC): p of sorted x_0..x_{n-1} is at position p * (n - 1).
- `within_sla_share`: of those opened in the period, the share whose first response came
  at most `settings.sla_minutes` after opening (exactly at the SLA counts as within);
  unanswered ones count as not within.
- `unanswered_now`: those opened on or before the period's end and not answered by then
  (as of midnight UTC after the period's last day), however old: a snapshot, not additive.
- `praise_acknowledged_rate`: praise opened in the period with a response / praise.
- `complaint_resolution_rate`: complaints opened in the period with `resolved_at` /
  complaints.
- `questions`, `suggestions`: counts of conversations of that kind opened in the period.

Bad data: a first response before the conversation was opened (or a resolution before
it) cannot be right. Such rows are listed by `bad_rows` with a reason and left out of
the KPIs that use the broken timestamp: a response before opening is excluded from
everything about responses (response rate, times, SLA, praise acknowledged); a
resolution before opening is excluded from the complaint resolution rate. They still
count as questions and suggestions. `care_quality` gives the counts for the page.

Missing response times: a platform whose questions and complaints in the data have
resolutions but not one first response came without response times (a helpdesk ticket
export without its first-response column). Its conversations are left out of everything
about responses (response rate, times, SLA, praise acknowledged, unanswered now), so that
those read n/a rather than 0 %; they still count in the complaint resolution rate, the
questions and the suggestions, and `CareQuality.unrecorded_message` says so on the page.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import polars as pl

from smmkpi import datasets as ds
from smmkpi import formatting
from smmkpi.kpis.audience import period_bucket
from smmkpi.kpis.base import KPI, Area, additive, ratio_expr, ratio_of

if TYPE_CHECKING:
    from smmkpi.workspace import Period, Workspace

NEEDS_REPLY: tuple[str, ...] = ("question", "complaint")
Grain = Literal["day", "week", "month"]
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# --- building blocks -------------------------------------------------------------------

_needs_reply = pl.col("kind").is_in(list(NEEDS_REPLY))
_responded = pl.col("first_response_at").is_not_null()
_bad_response = _responded & (pl.col("first_response_at") < pl.col("opened_at"))
_bad_resolution = pl.col("resolved_at").is_not_null() & (
    pl.col("resolved_at") < pl.col("opened_at")
)


# A platform whose questions and complaints have resolutions but not one recorded first
# response: its data came without response times (a helpdesk export without a first-response
# column), so its conversations say nothing about responses and are left out of them.
def unrecorded_platforms(conversations: pl.DataFrame | pl.LazyFrame) -> list[str]:
    """The platforms whose questions and complaints have resolutions but not one recorded
    first response (sorted): one small aggregation, so that every other row costs nothing."""
    return _without_responses(
        conversations.lazy()
        .filter(_needs_reply)
        .group_by("platform")
        .agg((pl.col("resolved_at").is_not_null() & ~_responded).any().alias("resolved"),
             _responded.any().alias("answered")))


def _without_responses(flags: pl.DataFrame | pl.LazyFrame) -> list[str]:
    """`unrecorded_platforms` from flags per platform, or per platform and anything finer
    (campaign): resolved (a resolution without a response) and answered (a response), as
    booleans or 0/1."""
    found = (
        flags.lazy()
        .group_by("platform")
        .agg(pl.col("resolved").cast(pl.Boolean).any(), pl.col("answered").cast(pl.Boolean).any())
        .filter(pl.col("resolved") & ~pl.col("answered"))
        .select("platform")
        .collect()
    )
    return sorted(p for p in found.get_column("platform").to_list() if p is not None)


def _on(platforms: list[str]) -> pl.Expr:
    """Whether a row's platform is one of `platforms` (false for none)."""
    return pl.col("platform").is_in(platforms) if platforms else pl.lit(False)


def first_response_minutes() -> pl.Expr:
    """Minutes from opening to the first response (null when unanswered)."""
    return (pl.col("first_response_at") - pl.col("opened_at")).dt.total_microseconds() / 60e6


def _flagged(lf: pl.LazyFrame, sla_minutes: int) -> pl.LazyFrame:
    """Add the per-row flags every care figure is built from."""
    sla = pl.duration(minutes=sla_minutes)
    ok = ~_bad_response & ~pl.col("_unrec")
    return lf.with_columns(_on(unrecorded_platforms(lf)).alias("_unrec")).with_columns(
        _bad_response.alias("bad_response"),
        (_needs_reply & pl.col("_unrec")).alias("_nr_unrec"),
        _bad_resolution.alias("bad_resolution"),
        (_needs_reply & ok).alias("_nr"),
        (_needs_reply & ok & _responded).alias("_nr_resp"),
        (
            _needs_reply
            & ok
            & _responded
            & ((pl.col("first_response_at") - pl.col("opened_at")) <= sla)
        ).alias("_nr_sla"),
        pl.when(_needs_reply & ok & _responded)
        .then(first_response_minutes())
        .otherwise(None)
        .alias("_minutes"),
        ((pl.col("kind") == "praise") & ok).alias("_praise"),
        ((pl.col("kind") == "praise") & ok & _responded).alias("_praise_ack"),
        ((pl.col("kind") == "complaint") & ~_bad_resolution).alias("_compl"),
        (
            (pl.col("kind") == "complaint") & ~_bad_resolution & pl.col("resolved_at").is_not_null()
        ).alias("_compl_res"),
    )


def _aggs(percentiles: bool = True) -> list[pl.Expr]:
    """The summed numerators and denominators and (unless left out) the percentiles of one
    group."""
    n = pl.col
    counts = [
        pl.len().alias("conversations"),
        n("_nr").sum().alias("needs_reply"),
        n("_nr_resp").sum().alias("responded"),
        n("_nr_sla").sum().alias("within_sla"),
        n("_praise").sum().alias("praise"),
        n("_praise_ack").sum().alias("praise_acknowledged"),
        n("_compl").sum().alias("complaints"),
        n("_compl_res").sum().alias("complaints_resolved"),
        (n("kind") == "question").sum().alias("questions"),
        (n("kind") == "suggestion").sum().alias("suggestions"),
        n("bad_response").sum().alias("bad_response"),
        n("bad_resolution").sum().alias("bad_resolution"),
        n("_nr_unrec").sum().alias("response_unrecorded"),
    ]
    out = [c.cast(pl.Int64) for c in counts]
    if not percentiles:
        return out
    return out + [
        n("platform").filter(n("_nr_unrec")).unique().sort().str.join(", ")
        .alias("unrecorded_platforms"),
        n("_minutes").quantile(0.5, "linear").alias("median_first_response_minutes"),
        n("_minutes").quantile(0.9, "linear").alias("p90_first_response_minutes"),
    ]


def _with_rates(lf: pl.LazyFrame) -> pl.LazyFrame:
    return lf.with_columns(
        ratio_expr("responded", "needs_reply").alias("response_rate"),
        ratio_expr("within_sla", "needs_reply").alias("within_sla_share"),
        ratio_expr("praise_acknowledged", "praise").alias("praise_acknowledged_rate"),
        ratio_expr("complaints_resolved", "complaints").alias("complaint_resolution_rate"),
    )


def care_table(
    conversations: pl.DataFrame | pl.LazyFrame, sla_minutes: int, by: list[str] | None = None
) -> pl.DataFrame:
    """Every care figure per group of `by` (one row overall when `by` is empty).

    Columns: the groups, conversations, needs_reply, responded, within_sla, the median
    and p90 first response minutes, praise, praise_acknowledged, complaints,
    complaints_resolved, questions, suggestions, bad_response, bad_resolution (counts of
    flagged rows) and the rates response_rate, within_sla_share, praise_acknowledged_rate,
    complaint_resolution_rate (null where the denominator is zero).
    """
    return _care_lazy(conversations.lazy(), sla_minutes, by or []).collect()


def _care_lazy(
    lf: pl.LazyFrame, sla_minutes: int, by: list[str], percentiles: bool = True
) -> pl.LazyFrame:
    """`care_table` as a lazy query, optionally without the (costly) percentiles."""
    flagged = _flagged(lf, sla_minutes)
    aggs = _aggs(percentiles)
    grouped = flagged.group_by(by, maintain_order=False).agg(aggs) if by else flagged.select(aggs)
    out = _with_rates(grouped)
    return out.sort(by) if by else out


# --- data quality ----------------------------------------------------------------------


def bad_rows(conversations: pl.DataFrame) -> pl.DataFrame:
    """Conversations whose response or resolution is timed before their opening.

    Columns: the conversation's own columns plus `reason` ("response before opened",
    "resolved before opened", or both joined by "; "), sorted by opened_at.
    """
    reasons = pl.concat_list(
        pl.when(_bad_response).then(pl.lit("response before opened")),
        pl.when(_bad_resolution).then(pl.lit("resolved before opened")),
    ).list.drop_nulls()
    return (
        conversations.lazy()
        .filter(_bad_response | _bad_resolution)
        .with_columns(reasons.list.join("; ").alias("reason"))
        .sort("opened_at", "conversation_id")
        .collect()
    )


@dataclass(frozen=True)
class CareQuality:
    """How many conversations were left out of care figures for impossible timestamps."""

    response_before_open: int  # excluded from response rate, times, SLA, praise acknowledged
    resolved_before_open: int  # excluded from complaint resolution rate
    response_unrecorded: int = 0  # questions and complaints of platforms without responses
    unrecorded_platforms: str = ""  # their names, joined by ", "

    @property
    def total(self) -> int:
        return self.response_before_open + self.resolved_before_open

    def message(self) -> str | None:
        """A sentence for the page, or None when nothing was excluded."""
        parts: list[str] = []
        if self.response_before_open:
            n = self.response_before_open
            parts.append(
                f"{n} conversation{'s' if n != 1 else ''} answered before "
                f"{'they were' if n != 1 else 'it was'} opened "
                f"{'were' if n != 1 else 'was'} excluded from the response figures"
            )
        if self.resolved_before_open:
            n = self.resolved_before_open
            parts.append(
                f"{n} conversation{'s' if n != 1 else ''} resolved before "
                f"{'they were' if n != 1 else 'it was'} opened "
                f"{'were' if n != 1 else 'was'} excluded from the resolution rate"
            )
        return "; ".join(parts) + "." if parts else None

    def unrecorded_message(self) -> str | None:
        """Why the response figures leave out some platforms (or are missing), or None."""
        n = self.response_unrecorded
        if not n:
            return None
        where = self.unrecorded_platforms or "some platforms"
        return (
            f"{n:,} question{'s' if n != 1 else ''} and complaint{'s' if n != 1 else ''} from "
            f"{where} {'have' if n != 1 else 'has'} no response times: resolutions were "
            "imported but not one first response, so the file had no first-response column. "
            "They are left out of the response figures (n/a where nothing else is left). "
            "Import the export again with its first-response column: 'First reply time in "
            "minutes' (Zendesk) or 'Initial response time' (Freshdesk)."
        )


def care_quality(conversations: pl.DataFrame | None) -> CareQuality:
    """Counts of flagged conversations (for the period's frame)."""
    if conversations is None or conversations.height == 0:
        return CareQuality(0, 0)
    skip = unrecorded_platforms(conversations)
    row = conversations.select(
        _bad_response.sum().alias("a"), _bad_resolution.sum().alias("b"),
        (_needs_reply & _on(skip)).sum().alias("c"),
    ).row(0)
    return CareQuality(int(row[0]), int(row[1]), int(row[2]), ", ".join(skip))


# --- unanswered ------------------------------------------------------------------------


def period_end_instant(period: Period) -> dt.datetime:
    """Midnight UTC after the period's last day: the moment `unanswered_now` is taken."""
    return dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def care_as_of(period: Period, now: dt.datetime | None = None) -> dt.datetime:
    """The instant the unanswered list is aged at: the period's end, or now if earlier."""
    end = period_end_instant(period)
    now = now or dt.datetime.now(dt.UTC)
    return min(end, now)


def _unanswered_filter(as_of: dt.datetime, skip: list[str]) -> pl.Expr:
    """Waiting at `as_of`: needing a reply, opened by then, not answered by then; not on a
    platform whose response times are missing (`skip`)."""
    return (
        _needs_reply
        & ~_on(skip)
        & (pl.col("opened_at") <= as_of)
        & (pl.col("first_response_at").is_null() | (pl.col("first_response_at") > as_of))
    )


def age_label(minutes: pl.Expr) -> pl.Expr:
    """A waiting time for people: "42 min" under an hour, "3 h 20 min" under two days
    (rounded to the minute), "2.1 days" from two days on; null stays null."""
    m = minutes.round(0).cast(pl.Int64)
    h, rest = m // 60, m % 60
    hours = pl.when(rest == 0).then(
        formatting.template("{} h", h)
    ).otherwise(formatting.template("{} h {} min", h, rest))
    return (
        pl.when(minutes.is_null())
        .then(None)
        .when(m < 60)
        .then(formatting.template("{} min", m))
        .when(minutes < 48 * 60)
        .then(hours)
        .otherwise(formatting.template("{} days", (minutes / 1440).round(1)))
    )


def unanswered(
    conversations: pl.DataFrame | None, as_of: dt.datetime, tz: str | None = None,
    skip: list[str] | None = None,
) -> pl.DataFrame:
    """Questions and complaints opened by `as_of` with no response by then, oldest first.

    Pass every conversation up to the period's end (`ws.history`), not only the period's:
    an old question left unanswered is the most urgent one; or, with `skip` (the platforms
    without response times in that history, `unrecorded_platforms`), any part of it that
    holds every row waiting at `as_of` (`waiting_candidates`). Columns: conversation_id,
    platform, kind, sentiment, campaign_id, opened_at (UTC), age_minutes, age_hours, age
    (`age_label`) and, with `tz`, opened_local (opened_at in that time zone).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (UTC)")
    cols = ["conversation_id", "platform", "kind", "sentiment", "campaign_id", "opened_at"]
    if conversations is None:
        conversations = ds.get("conversations").empty_frame()
    age = pl.lit(as_of).cast(pl.Datetime("us", "UTC")) - pl.col("opened_at")
    out = (
        conversations.lazy()
        .filter(_unanswered_filter(
            as_of, unrecorded_platforms(conversations) if skip is None else skip))
        .select(cols)
        .with_columns((age.dt.total_microseconds() / 60e6).alias("age_minutes"))
        .with_columns(
            (pl.col("age_minutes") / 60).alias("age_hours"),
            age_label(pl.col("age_minutes")).alias("age"),
        )
        .sort("opened_at", "conversation_id")
    )
    if tz:
        out = out.with_columns(pl.col("opened_at").dt.convert_time_zone(tz).alias("opened_local"))
    return out.collect()


def unanswered_count(conversations: pl.DataFrame | None, as_of: dt.datetime,
                     skip: list[str] | None = None) -> int:
    """How many questions and complaints were waiting for a first response at `as_of`
    (`conversations` and `skip` as for `unanswered`)."""
    if conversations is None:
        return 0
    if skip is None:
        skip = unrecorded_platforms(conversations)
    return int(conversations.select(_unanswered_filter(as_of, skip).sum()).item())


_WAITING = threading.Lock()


def waiting_candidates(ws: Workspace, as_of: dt.datetime) -> tuple[pl.DataFrame | None,
                                                                   list[str]]:
    """The conversations up to the workspace's end (filters applied) that may be waiting
    at `as_of`, with the platforms of that history without response times
    (`unrecorded_platforms`): what `unanswered` and `unanswered_count` need. A database
    source selects them itself, once for every filter (`store.read_waiting_conversations`:
    the questions and complaints not answered by `as_of`, and per platform and campaign
    whether they were resolved and answered), filtered here by the same conditions as any
    read (`workspace.filter_frame`); otherwise the whole history. (None, []) without
    conversations. Shared by every workspace with the same end, filters and `as_of`."""
    from smmkpi.workspace import filter_frame

    if not ws.has("conversations"):
        return None, []
    select_waiting = getattr(ws.source, "waiting_conversations", None)

    def load() -> tuple[pl.DataFrame | None, list[str]]:
        if select_waiting is None:
            hist = ws.history("conversations")
            return hist, [] if hist is None else unrecorded_platforms(hist)
        rows, flags = ws.unfiltered().shared_memo(
            "conversations", ("waiting rows", ws.end, as_of),
            lambda: select_waiting(ws.end, as_of, NEEDS_REPLY))
        return (filter_frame(rows, "conversations", None, None, ws.filters),
                _without_responses(filter_frame(flags, "conversations", None, None,
                                                ws.filters)))

    # one at a time: the KPI and the page's list ask for the same rows from two threads
    # (the page's sections run in a pool), and shared_memo does not wait for a result
    # being computed
    with _WAITING:
        return ws.shared_memo("conversations", ("waiting", ws.end, as_of), load)  # type: ignore[no-any-return]


def unanswered_at(ws: Workspace, as_of: dt.datetime, tz: str | None = None) -> pl.DataFrame:
    """`unanswered` of every conversation up to the workspace's end, at `as_of`."""
    rows, skip = waiting_candidates(ws, as_of)
    return unanswered(rows, as_of, tz, skip)


# --- tables for the page ---------------------------------------------------------------


def care_by_platform(conversations: pl.DataFrame, sla_minutes: int) -> pl.DataFrame:
    """`care_table` per platform."""
    return care_table(conversations, sla_minutes, by=["platform"])


def care_over_time(
    conversations: pl.DataFrame,
    sla_minutes: int,
    grain: Grain = "week",
    end: dt.date | None = None,
) -> pl.DataFrame:
    """`care_table` per UTC day, week or month of opening (`periods.bucket`: weeks counted
    back from `end`, default the last day present); the bucket's first day is in column
    `period`. Buckets without conversations are absent."""
    lf = conversations.lazy().with_columns(
        period_bucket(pl.col("opened_at").dt.date(), grain, end).alias("period")
    )
    return care_table(lf, sla_minutes, by=["period"])


def response_heatmap(conversations: pl.DataFrame, tz: str) -> pl.DataFrame:
    """First response time by weekday and hour of opening in the display time zone.

    Questions and complaints only, flagged rows left out. One row for each of the 7 x 24
    cells: weekday (1 = Monday), weekday_name, hour (0-23), needs_reply (opened),
    responded, median_first_response_minutes (null where nothing was answered).
    """
    local = pl.col("opened_at").dt.convert_time_zone(tz)
    cells = (
        _flagged(conversations.lazy(), 0)
        .filter(pl.col("_nr"))
        .with_columns(
            local.dt.weekday().cast(pl.Int8).alias("weekday"),
            local.dt.hour().cast(pl.Int8).alias("hour"),
        )
        .group_by("weekday", "hour")
        .agg(
            pl.len().alias("needs_reply"),
            pl.col("_nr_resp").sum().alias("responded"),
            pl.col("_minutes").quantile(0.5, "linear").alias("median_first_response_minutes"),
        )
    )
    grid = pl.LazyFrame({"weekday": list(range(1, 8))}, schema={"weekday": pl.Int8}).join(
        pl.LazyFrame({"hour": list(range(24))}, schema={"hour": pl.Int8}), how="cross"
    )
    return (
        grid.join(cells, on=["weekday", "hour"], how="left")
        .with_columns(
            pl.col("weekday")
            .replace_strict(dict(enumerate(WEEKDAYS, start=1)), return_dtype=pl.String)
            .alias("weekday_name"),
            pl.col("needs_reply").fill_null(0).cast(pl.Int64),
            pl.col("responded").fill_null(0).cast(pl.Int64),
        )
        .select(
            "weekday",
            "weekday_name",
            "hour",
            "needs_reply",
            "responded",
            "median_first_response_minutes",
        )
        .sort("weekday", "hour")
        .collect()
    )


# --- KPIs ------------------------------------------------------------------------------


def _tables(ws: Workspace) -> tuple[dict[str, float | int | None] | None, pl.DataFrame | None]:
    """The period's care figures, in one pass over its conversations: the one-row care
    table (percentiles, data quality) and the counts per day of opening (the KPIs that
    decompose by day). (None, None) when conversations are absent."""

    def build() -> tuple[dict[str, float | int | None] | None, pl.DataFrame | None]:
        df = ws.frame("conversations")
        if df is None:
            return None, None
        lf = df.lazy().with_columns(pl.col("opened_at").dt.date().alias("date"))
        sla = ws.settings.sla_minutes
        period, daily = pl.collect_all(
            [_care_lazy(lf, sla, []), _care_lazy(lf, sla, ["date"], percentiles=False)]
        )
        return period.row(0, named=True), daily

    return ws.memo(("care", "tables", ws.settings.sla_minutes), build)  # type: ignore[no-any-return]


def _summary(ws: Workspace) -> dict[str, float | int | None] | None:
    """The one-row care table of the workspace's period."""
    return _tables(ws)[0]


def _daily(ws: Workspace) -> pl.DataFrame | None:
    """The care counts per day of opening (shared by the KPIs that decompose by day)."""
    return _tables(ws)[1]


def _percentile(field: str) -> Callable[[Workspace], float | None]:
    """A response-time percentile of the period's care table (None when absent or null)."""

    def compute(ws: Workspace) -> float | None:
        s = _summary(ws)
        v = None if s is None else s[field]
        return None if v is None else float(v)

    return compute


def care_quality_for(ws: Workspace) -> CareQuality:
    """The period's flagged-conversation counts, from the KPIs' shared summary."""
    s = _summary(ws)
    if s is None:
        return CareQuality(0, 0)
    return CareQuality(int(s["bad_response"] or 0), int(s["bad_resolution"] or 0),
                       int(s["response_unrecorded"] or 0),
                       str(s["unrecorded_platforms"] or ""))


def unanswered_now(ws: Workspace) -> float | None:
    """Questions and complaints opened by the period's end with no response by then."""
    as_of = period_end_instant(ws.period)
    rows, skip = waiting_candidates(ws, as_of)
    if rows is None:
        return None
    return float(unanswered_count(rows, as_of, skip))


_CARE = Area("care", ("conversations",))

KPIS: list[KPI] = [
    _CARE.kpi("response_rate", "Response rate", "ratio", "higher", ("support", "reputation"),
              "Of questions and complaints opened in the period, the share with a first "
              "response.", ratio_of(_daily, "responded", "needs_reply")),
    _CARE.kpi("median_first_response_minutes", "Median first response", "minutes", "lower",
              ("support",),
              "Median minutes from opening to the first response, over answered questions "
              "and complaints opened in the period.",
              _percentile("median_first_response_minutes")),
    _CARE.kpi("p90_first_response_minutes", "90th percentile first response", "minutes",
              "lower", ("support",),
              "90 % of answered questions and complaints got a first response within this many "
              "minutes (linear interpolation between ranks).",
              _percentile("p90_first_response_minutes")),
    _CARE.kpi("within_sla_share", "Answered within SLA", "ratio", "higher", ("support",),
              "Of questions and complaints opened in the period, the share answered within the "
              "SLA setting (exactly at the SLA counts as within).",
              ratio_of(_daily, "within_sla", "needs_reply")),
    _CARE.kpi("unanswered_now", "Unanswered now", "count", "lower", ("support", "reputation"),
              "Questions and complaints opened by the period's end and not answered by then "
              "(midnight UTC after the last day), however old.", unanswered_now),
    _CARE.kpi("praise_acknowledged_rate", "Praise acknowledged", "ratio", "higher",
              ("advocacy",), "Of praise received in the period, the share with a response.",
              ratio_of(_daily, "praise_acknowledged", "praise")),
    _CARE.kpi("complaint_resolution_rate", "Complaint resolution rate", "ratio", "higher",
              ("reputation", "support"),
              "Of complaints opened in the period, the share marked resolved.",
              ratio_of(_daily, "complaints_resolved", "complaints")),
    # a period without conversations has none: 0, not n/a
    _CARE.kpi("questions", "Questions", "count", "higher", ("research", "support"),
              "Questions received in the period: what people want to know.",
              additive(_daily, "questions", empty=0.0)),
    _CARE.kpi("suggestions", "Suggestions", "count", "higher", ("research",),
              "Suggestions received in the period: demand research from the community.",
              additive(_daily, "suggestions", empty=0.0)),
]
