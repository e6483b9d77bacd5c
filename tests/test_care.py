"""Community care KPIs against hand-computed figures."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from smmkpi import datasets as ds
from smmkpi.config import get_settings
from smmkpi.kpis import care
from smmkpi.workspace import FrameSource, Period, Workspace

UTC = dt.UTC
PERIOD = Period(dt.date(2024, 3, 1), dt.date(2024, 3, 7))  # Friday to Thursday
END = dt.datetime(2024, 3, 8, tzinfo=UTC)  # midnight after the last day


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=UTC)


def conversations(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=ds.get("conversations").schema, orient="row")


# id, platform, opened_at, kind, sentiment, first_response_at, resolved_at, campaign_id
ROWS = [
    # answered exactly at the SLA (60 min): within
    ("q1", "x", t(1, 10), "question", None, t(1, 11), None, "spring"),
    # answered after 61 min: responded, not within
    ("q2", "x", t(1, 12), "question", None, t(1, 13, 1), None, None),
    # never answered
    ("q3", "y", t(2, 9), "question", "neutral", None, None, "spring"),
    # answered in 30 min, resolved
    ("c1", "y", t(2, 10), "complaint", "negative", t(2, 10, 30), t(3, 9), None),
    # answered BEFORE it was opened: flagged, out of response figures; its resolution is fine
    ("c2", "x", t(3, 8), "complaint", "negative", t(3, 7), t(3, 9), None),
    # answered in 10 min, never resolved
    ("c3", "x", t(4, 8), "complaint", "negative", t(4, 8, 10), None, None),
    # praise with and without a reply
    ("p1", "x", t(5, 14), "praise", "positive", t(5, 15), None, None),
    ("p2", "y", t(5, 15), "praise", "positive", None, None, None),
    ("s1", "y", t(6, 11), "suggestion", "neutral", None, None, None),
    # before the period, never answered: unanswered now, not a period figure
    ("q4", "x", t(28, 6, month=2), "question", None, None, None, None),
    # opened on the last day, answered after the period's end (300 min)
    ("q5", "y", t(7, 20), "question", None, t(8, 1), None, None),
    # resolved before it was opened: flagged, out of the resolution rate; answered in 20 min
    ("c4", "y", t(6, 9), "complaint", "negative", t(6, 9, 20), t(6, 8), None),
    # after the period
    ("q6", "y", t(9, 9), "question", None, None, None, None),
]


def workspace(rows: list[tuple] = ROWS, sla: int = 60, period: Period = PERIOD) -> Workspace:
    settings = dataclasses.replace(get_settings(), sla_minutes=sla)
    src = FrameSource({"conversations": conversations(rows)}, key="t")
    return Workspace(src, period, settings=settings)


def kpi(ws: Workspace, kid: str) -> float | None:
    (k,) = [k for k in care.KPIS if k.id == kid]
    return k.compute(ws)


def test_catalog_entries() -> None:
    ids = [k.id for k in care.KPIS]
    assert len(ids) == len(set(ids))
    assert {
        "response_rate",
        "median_first_response_minutes",
        "p90_first_response_minutes",
        "within_sla_share",
        "unanswered_now",
        "praise_acknowledged_rate",
        "complaint_resolution_rate",
        "suggestions",
    } <= set(ids)
    assert all(k.area == "care" for k in care.KPIS)
    by_id = {k.id: k for k in care.KPIS}
    assert by_id["median_first_response_minutes"].direction == "lower"
    assert by_id["unanswered_now"].direction == "lower"
    assert not by_id["unanswered_now"].additive
    assert by_id["suggestions"].goals == ("research",)
    assert "advocacy" in by_id["praise_acknowledged_rate"].goals
    valid_goals = set(ds.GOALS)
    assert all(set(k.goals) <= valid_goals for k in care.KPIS)


def test_period_kpis_by_hand() -> None:
    ws = workspace()
    # questions+complaints opened in the period: q1 q2 q3 c1 c2 c3 q5 c4 = 8, minus c2
    # (answered before opened) = 7; with a response: q1 q2 c1 c3 q5 c4 = 6
    assert kpi(ws, "response_rate") == pytest.approx(6 / 7)
    # response minutes: q1 60, q2 61, c1 30, c3 10, q5 300, c4 20 -> 10 20 30 60 61 300
    # median = (30 + 60) / 2 = 45
    assert kpi(ws, "median_first_response_minutes") == pytest.approx(45.0)
    # p90: position 0.9 * (6 - 1) = 4.5 -> 61 + 0.5 * (300 - 61) = 180.5
    assert kpi(ws, "p90_first_response_minutes") == pytest.approx(180.5)
    # within 60 min: q1 (exactly 60), c1 30, c3 10, c4 20 = 4 of 7
    assert kpi(ws, "within_sla_share") == pytest.approx(4 / 7)
    # praise: p1 answered, p2 not
    assert kpi(ws, "praise_acknowledged_rate") == pytest.approx(0.5)
    # complaints c1 c2 c3 (c4 resolved before opened: out); resolved c1 c2 -> 2 / 3
    assert kpi(ws, "complaint_resolution_rate") == pytest.approx(2 / 3)
    assert kpi(ws, "questions") == 4.0  # q1 q2 q3 q5
    assert kpi(ws, "suggestions") == 1.0
    # as of 2024-03-08 00:00 UTC: q4 (before the period), q3, q5 (answered only on the 8th)
    assert kpi(ws, "unanswered_now") == 3.0


def test_sla_boundary_follows_the_setting() -> None:
    # q2 was answered after 61 min: out at SLA 60, in at SLA 61 -> 5 of 7
    assert kpi(workspace(sla=61), "within_sla_share") == pytest.approx(5 / 7)
    # at SLA 59, q1 (exactly 60) drops out -> c1 c3 c4 = 3 of 7
    assert kpi(workspace(sla=59), "within_sla_share") == pytest.approx(3 / 7)


def test_bad_rows_are_flagged_reported_and_excluded() -> None:
    df = conversations(ROWS)
    bad = care.bad_rows(df)
    assert bad.get_column("conversation_id").to_list() == ["c2", "c4"]
    assert bad.get_column("reason").to_list() == [
        "response before opened",
        "resolved before opened",
    ]
    both = conversations([("z", "x", t(2, 10), "complaint", None, t(2, 9), t(2, 8), None)])
    assert care.bad_rows(both).get_column("reason").to_list() == [
        "response before opened; resolved before opened"
    ]
    quality = care.care_quality(df)
    assert (quality.response_before_open, quality.resolved_before_open) == (1, 1)
    assert care.care_quality_for(workspace()) == quality
    assert care.care_quality_for(Workspace(FrameSource({}, key="e"), PERIOD)).total == 0
    msg = quality.message()
    assert msg is not None and "1 conversation answered before it was opened" in msg
    three = conversations(
        [(f"b{i}", "x", t(2, 10), "question", None, t(2, 9), None, None) for i in range(3)]
    )
    msg3 = care.care_quality(three).message()
    assert msg3 is not None and msg3.startswith("3 conversations answered before they were")
    assert care.care_quality(conversations(ROWS[:2])).message() is None
    # all answered before opened: nothing left to measure -> n/a, never 0
    ws = workspace(list(three.iter_rows()))
    assert kpi(ws, "response_rate") is None
    assert kpi(ws, "median_first_response_minutes") is None
    assert kpi(ws, "questions") == 3.0  # still questions asked


def test_percentile_is_linear_interpolation() -> None:
    # responses after 1..10 minutes: p90 at position 0.9 * 9 = 8.1 -> 9 + 0.1 * (10 - 9)
    rows = [
        (f"q{i}", "x", t(2, 10), "question", None, t(2, 10, i), None, None) for i in range(1, 11)
    ]
    table = care.care_table(conversations(rows), 60)
    assert table.item(0, "p90_first_response_minutes") == pytest.approx(9.1)
    assert table.item(0, "median_first_response_minutes") == pytest.approx(5.5)
    one = care.care_table(conversations(rows[:1]), 60)
    assert one.item(0, "p90_first_response_minutes") == pytest.approx(1.0)


def test_seconds_count_in_response_time() -> None:
    opened = t(2, 10)
    rows = [("q", "x", opened, "question", None, opened + dt.timedelta(seconds=90), None, None)]
    assert kpi(workspace(rows), "median_first_response_minutes") == pytest.approx(1.5)
    # 60 min and 1 s is not within a 60 min SLA
    late = [("q", "x", opened, "question", None, opened + dt.timedelta(seconds=3601), None, None)]
    assert kpi(workspace(late), "within_sla_share") == 0.0


def test_missing_data_is_none_not_zero() -> None:
    empty = Workspace(FrameSource({}, key="e"), PERIOD)
    assert all(k.compute(empty) is None for k in care.KPIS)
    praise_only = workspace([ROWS[6]])
    assert kpi(praise_only, "response_rate") is None
    assert kpi(praise_only, "within_sla_share") is None
    assert kpi(praise_only, "complaint_resolution_rate") is None
    assert kpi(praise_only, "praise_acknowledged_rate") == 1.0
    assert kpi(praise_only, "unanswered_now") == 0.0


def test_daily_figures_by_day_of_opening() -> None:
    # (that the daily figures add up to the period value is checked for the whole catalog
    # in test_catalog.py)
    ws = workspace()
    for k in care.KPIS:
        if k.daily is None:
            continue
        d = k.daily(ws)
        assert d is not None, k.id
        assert d.get_column("date").is_between(PERIOD.start, PERIOD.end).all(), k.id
    # response rate by day of opening: 1 March q1 q2 both answered
    rr = next(k for k in care.KPIS if k.id == "response_rate").daily(ws)
    assert rr is not None
    first = rr.filter(pl.col("date") == dt.date(2024, 3, 1)).row(0, named=True)
    assert (first["num"], first["den"]) == (2.0, 2.0)


def test_unanswered_list_oldest_first_with_age() -> None:
    df = conversations(ROWS)
    out = care.unanswered(df, END, tz="Europe/Berlin")
    assert out.get_column("conversation_id").to_list() == ["q4", "q3", "q5"]
    q4 = out.row(0, named=True)
    # 28 Feb 06:00 -> 8 Mar 00:00 in a leap year: 8 days 18 hours = 210 h = 12600 min
    assert q4["age_hours"] == pytest.approx(210.0)
    assert q4["age_minutes"] == pytest.approx(12600.0)
    assert q4["platform"] == "x" and q4["kind"] == "question"
    assert out.row(1, named=True)["campaign_id"] == "spring"
    assert out.row(1, named=True)["opened_local"].hour == 10  # 09:00 UTC = 10:00 CET
    # as of 7 March 21:00: q5 (opened 20:00, answered on the 8th) waits 60 minutes
    mid = care.unanswered(df, t(7, 21))
    assert mid.get_column("conversation_id").to_list() == ["q4", "q3", "q5"]
    assert mid.row(2, named=True)["age_minutes"] == pytest.approx(60.0)
    # as of 1 March 10:30: q4, and q1 (opened 10:00, answered only at 11:00)
    early = care.unanswered(df, t(1, 10, 30))
    assert early.get_column("conversation_id").to_list() == ["q4", "q1"]
    with pytest.raises(ValueError):
        care.unanswered(df, dt.datetime(2024, 3, 8))
    assert care.unanswered(None, END).height == 0


def test_care_as_of() -> None:
    assert care.period_end_instant(PERIOD) == END
    assert care.care_as_of(PERIOD, now=t(5, 12)) == t(5, 12)
    assert care.care_as_of(PERIOD, now=t(20, 12)) == END


def test_care_by_platform() -> None:
    table = care.care_by_platform(conversations(ROWS).filter(pl.col("opened_at") < END), 60)
    assert table.get_column("platform").to_list() == ["x", "y"]
    x, y = table.rows(named=True)
    # x in range: q1 q2 c2 (bad) c3 p1 q4 -> needing a reply q1 q2 c3 q4, answered q1 q2 c3
    assert (x["needs_reply"], x["responded"], x["within_sla"]) == (4, 3, 2)
    assert x["response_rate"] == pytest.approx(0.75)
    assert x["median_first_response_minutes"] == pytest.approx(60.0)  # of 60 61 10
    assert x["bad_response"] == 1
    # y: q3 c1 q5 c4 -> answered c1 q5 c4; within c1 (30) c4 (20)
    assert (y["needs_reply"], y["responded"], y["within_sla"]) == (4, 3, 2)
    assert y["within_sla_share"] == pytest.approx(0.5)
    assert y["median_first_response_minutes"] == pytest.approx(30.0)  # of 30 300 20
    assert y["praise_acknowledged_rate"] == 0.0  # p2 unanswered
    assert y["complaint_resolution_rate"] == pytest.approx(1.0)  # c1 (c4 excluded)


def test_care_over_time_weeks_count_back_from_the_end() -> None:
    ws = workspace()
    frame = ws.frame("conversations")
    assert frame is not None
    # the period ends on Sunday 10 March: weeks 4-10 March and 26 Feb-3 March
    weeks = care.care_over_time(frame, 60, grain="week", end=dt.date(2024, 3, 10))
    assert weeks.get_column("period").to_list() == [dt.date(2024, 2, 26), dt.date(2024, 3, 4)]
    w1, w2 = weeks.rows(named=True)
    # week of 26 Feb (1-3 March): q1 q2 q3 c1 (c2 bad) -> 3 of 4 answered
    assert (w1["needs_reply"], w1["responded"]) == (4, 3)
    # week of 4 March: c3 q5 c4 -> all answered
    assert (w2["needs_reply"], w2["responded"]) == (3, 3)
    days = care.care_over_time(frame, 60, grain="day")
    assert days.get_column("needs_reply").sum() == 7


def test_response_heatmap_in_display_time_zone() -> None:
    ws = workspace()
    frame = ws.frame("conversations")
    assert frame is not None
    heat = care.response_heatmap(frame, "America/New_York")
    assert heat.height == 7 * 24
    assert heat.get_column("needs_reply").sum() == 7  # c2 left out

    def cell(weekday: int, hour: int) -> dict:
        return heat.filter((pl.col("weekday") == weekday) & (pl.col("hour") == hour)).row(
            0, named=True
        )

    # q1: Friday 10:00 UTC = 05:00 EST, answered in 60 min
    assert cell(5, 5) == {
        "weekday": 5,
        "weekday_name": "Fri",
        "hour": 5,
        "needs_reply": 1,
        "responded": 1,
        "median_first_response_minutes": 60.0,
    }
    # q3: Saturday 09:00 UTC = 04:00 EST, unanswered
    assert cell(6, 4)["needs_reply"] == 1
    assert cell(6, 4)["median_first_response_minutes"] is None
    # q5: Thursday 20:00 UTC = 15:00 EST, 300 min
    assert cell(4, 15)["median_first_response_minutes"] == pytest.approx(300.0)
    # c2 (bad) opened Sunday 08:00 UTC = 03:00 EST: not counted
    assert cell(7, 3)["needs_reply"] == 0


def test_campaign_filter_applies() -> None:
    from smmkpi.workspace import Filters

    ws = dataclasses.replace(workspace(), filters=Filters(campaigns=("spring",)), _memo={})
    # q1 (answered at 60 min) and q3 (never)
    assert kpi(ws, "response_rate") == pytest.approx(0.5)
    assert kpi(ws, "unanswered_now") == 1.0


def test_unanswered_survives_the_streaming_plan_that_panicked_in_pl_format():
    """Community page, platform filter: the history arrived in two chunks, the first of
    which had no unanswered item; `pl.format` in the age label then panicked inside Polars'
    streaming engine (binview assertion, pola-rs/polars#25339). The labels come from
    formatting.template now."""
    import datetime as dt

    import polars as pl

    from smmkpi import datasets as ds
    from smmkpi.kpis import care

    as_of = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    schema = ds.get("conversations").empty_frame().schema

    def chunk(n: int, start: dt.datetime, answered: bool) -> pl.DataFrame:
        opened = [start + dt.timedelta(minutes=7 * i) for i in range(n)]
        return pl.DataFrame({
            "conversation_id": [f"{start:%m%d}-{i}" for i in range(n)],
            "platform": ["instagram"] * n,
            "opened_at": opened,
            "kind": ["question", "complaint"] * (n // 2) + ["question"] * (n % 2),
            "sentiment": ["neutral"] * n,
            "first_response_at": [t + dt.timedelta(minutes=5) if answered else None
                                  for t in opened],
            "resolved_at": [None] * n,
            "campaign_id": [None] * n,
        }, schema=schema)

    first = chunk(3644, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), answered=True)
    second = chunk(3275, dt.datetime(2026, 10, 31, 12, tzinfo=dt.UTC), answered=False)
    frame = pl.concat([first, second], rechunk=False)
    assert frame.n_chunks() == 2
    waiting = second.filter(pl.col("opened_at") <= as_of)
    with pl.Config(engine_affinity="streaming"):
        out = care.unanswered(frame, as_of, tz="UTC")
    assert out.height == waiting.height > 0
    oldest = out.row(0, named=True)
    assert oldest["age"] == "12 h"  # opened 31 Oct 12:00, as of 1 Nov 00:00


# a helpdesk export without its first-response column: email tickets resolved, none answered
UNRECORDED = [
    ("z1", "email", t(1, 9), "question", None, None, t(1, 12), None),
    ("z2", "email", t(2, 9), "complaint", "negative", None, t(2, 10), None),
    ("z3", "email", t(3, 9), "question", None, None, None, None),
]


def test_a_platform_without_response_times_is_left_out_of_the_response_figures() -> None:
    # x: q1 answered in 60 min, q2 in 61 min; email: z1-z3 with no response time recorded
    rows = [r for r in ROWS if r[0] in ("q1", "q2")] + UNRECORDED
    ws = workspace(rows)
    assert kpi(ws, "response_rate") == 1.0  # 2 of x's 2 (email's 3 left out, not 0 of 5)
    assert kpi(ws, "within_sla_share") == 0.5  # q1 within 60 min, q2 not
    assert kpi(ws, "median_first_response_minutes") == pytest.approx(60.5)
    assert kpi(ws, "unanswered_now") == 0.0  # z3 is not known to be waiting
    # the complaint resolution rate uses what was recorded: z2 resolved of 1 complaint
    assert kpi(ws, "complaint_resolution_rate") == 1.0
    quality = care.care_quality_for(ws)
    assert (quality.response_unrecorded, quality.unrecorded_platforms) == (3, "email")
    assert quality.total == 0 and quality.message() is None
    msg = quality.unrecorded_message()
    assert msg.startswith("3 questions and complaints from email have no response times")
    assert "'First reply time in minutes' (Zendesk)" in msg
    assert care.care_quality(conversations(rows)) == quality


def test_only_unrecorded_responses_make_the_response_kpis_missing() -> None:
    ws = workspace(UNRECORDED)
    for kid in ("response_rate", "within_sla_share", "median_first_response_minutes",
                "p90_first_response_minutes"):
        assert kpi(ws, kid) is None, kid
    assert kpi(ws, "questions") == 2.0
    # a platform that never answers and never resolves is truly unanswered: 0 %, not n/a
    silent = [("n1", "x", t(1, 9), "question", None, None, None, None)]
    assert kpi(workspace(silent), "response_rate") == 0.0
    assert care.care_quality_for(workspace(silent)).unrecorded_message() is None


def _both(engine, frames: dict[str, pl.DataFrame]):
    """A workspace maker over the same rows stored in `engine` and held as frames."""
    from smmkpi import store
    from smmkpi.workspace import DbSource, Filters

    store.write_frames(engine, frames, actor="test", action="test")
    db_src, frame_src = DbSource(engine), FrameSource(frames, key="f")

    def make(period: Period, filters: Filters | None = None) -> tuple[Workspace, Workspace]:
        filters = filters or Filters()
        return (Workspace(db_src, period, filters), Workspace(frame_src, period, filters))

    return make


def test_the_database_selects_the_waiting_conversations_as_the_history_has_them(engine):
    """`waiting_candidates` on a database (the rows not answered by then and the platforms
    without response times, selected in SQL) against the whole history held as frames:
    the same unanswered list and count, on SQLite and PostgreSQL."""
    from smmkpi.workspace import Filters

    rows = [*ROWS,
            # platform z: a resolution, never a response: no response times (left out)
            ("z1", "z", t(2, 9), "question", None, None, t(3, 9), None),
            ("z2", "z", t(3, 9), "complaint", "negative", None, None, None)]
    make = _both(engine, {"conversations": conversations(rows)})
    for period, as_of in [(PERIOD, END), (PERIOD, t(2, 10, 15)), (PERIOD, t(1, 12, 30)),
                          (Period(dt.date(2024, 3, 1), dt.date(2024, 3, 10)), t(11, 0))]:
        for filters in (Filters(), Filters(platforms=("y",)), Filters(campaigns=("spring",))):
            on_db, on_frames = make(period, filters)
            got, want = care.unanswered_at(on_db, as_of), care.unanswered_at(on_frames, as_of)
            # (ages to the last bit: Polars may divide a column of another layout with
            # another rounding, 0.008611111111111113 against ...111)
            assert_frame_equal(got, want, check_exact=False, rel_tol=1e-12)
            assert care.waiting_candidates(on_db, as_of)[1] == care.waiting_candidates(
                on_frames, as_of)[1]
    on_db, _ = make(PERIOD)
    waiting, skip = care.waiting_candidates(on_db, END)
    assert skip == ["z"]
    # q5 was answered after the period's end; z1, z2 are on a platform without responses
    assert sorted(care.unanswered_at(on_db, END)["conversation_id"]) == ["q3", "q4", "q5"]
    assert kpi(on_db, "unanswered_now") == 3.0
    # only what can be waiting: questions and complaints without a response by then
    assert waiting is not None
    assert sorted(waiting["conversation_id"]) == ["q3", "q4", "q5", "z1", "z2"]


def test_waiting_conversations_of_the_demo_data_on_a_database(engine, demo_frames):
    from smmkpi.workspace import Filters

    conv = demo_frames["conversations"]
    make = _both(engine, {"conversations": conv})
    last = conv["opened_at"].max().date()
    checked = 0
    for back in (0, 3, 30, 90):
        end = last - dt.timedelta(days=back)
        period = Period(end - dt.timedelta(days=27), end)
        for as_of in (care.period_end_instant(period),
                      dt.datetime.combine(end, dt.time(13, 37), tzinfo=UTC)):
            for filters in (Filters(), Filters(platforms=("instagram",))):
                on_db, on_frames = make(period, filters)
                got = care.unanswered_at(on_db, as_of)
                assert_frame_equal(got, care.unanswered_at(on_frames, as_of),
                                   check_exact=False, rel_tol=1e-12)
                assert kpi(on_db, "unanswered_now") == kpi(on_frames, "unanswered_now")
                checked += got.height
    assert checked > 0


# --- conversation_days: what the store keeps so that waiting needs no full scan ----------


def _stored_day_counts(engine) -> pl.DataFrame:
    from sqlalchemy import select

    from smmkpi import db
    from smmkpi.models import ConversationDays

    df = db.read_frame(engine, select(ConversationDays))
    return df.select(
        pl.col("date").cast(pl.String).str.slice(0, 10).str.to_date(),
        pl.col("platform", "campaign", "kind").cast(pl.String),
        pl.col("conversations", "responses", "unreadable_responses",
               "resolved_unanswered").cast(pl.Int64),
    ).sort("date", "platform", "campaign", "kind")


def _day_counts_of(conv: pl.DataFrame) -> pl.DataFrame:
    """`conversation_days` computed in Polars from conversations as read (every stored
    timestamp readable)."""
    responded = pl.col("first_response_at").is_not_null()
    return (
        conv.group_by(date=pl.col("opened_at").dt.date(), platform="platform",
                      campaign=pl.col("campaign_id").fill_null(""), kind="kind")
        .agg(conversations=pl.len().cast(pl.Int64),
             responses=responded.sum().cast(pl.Int64),
             unreadable_responses=pl.lit(0, pl.Int64),
             resolved_unanswered=(pl.col("resolved_at").is_not_null() & ~responded).sum()
             .cast(pl.Int64))
        .sort("date", "platform", "campaign", "kind")
    )


def test_the_conversation_day_counts_follow_every_write(engine, demo_frames):
    """`conversation_days` (kept by the store with each conversations import) equals the
    counts of every stored conversation after each step: an import into an empty table, a
    second import that moves conversations to other days, adds and removes responses and
    resolutions and adds a campaign, an unchanged re-import, a rebuild of a table emptied by
    hand, and clearing; SQLite and PostgreSQL."""
    from sqlalchemy import text

    from smmkpi import store

    conv = demo_frames["conversations"]
    first = conv.head(conv.height // 2)
    store.write_frames(engine, {"conversations": first})

    def check() -> None:
        stored = store.read_dataset(engine, "conversations")
        want = (_day_counts_of(stored) if stored is not None and stored.height
                else _stored_day_counts(engine).clear())
        assert_frame_equal(_stored_day_counts(engine), want)

    check()
    assert _stored_day_counts(engine).height > 50
    moved = first.head(300).with_columns(
        opened_at=pl.col("opened_at") + dt.timedelta(days=3),
        first_response_at=pl.when(pl.int_range(pl.len()) % 3 == 0).then(None)
        .otherwise(pl.col("first_response_at") + dt.timedelta(days=3)),
        resolved_at=pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.col("opened_at") + dt.timedelta(days=4)).otherwise(None),
        campaign_id=pl.lit("moved_campaign"),
    )
    store.write_frames(engine, {"conversations": pl.concat([moved, conv.tail(500)])})
    check()
    assert _stored_day_counts(engine).filter(pl.col("campaign") == "moved_campaign").height
    store.write_frames(engine, {"conversations": first.tail(200)})  # unchanged rows
    check()
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM conversation_days"))
    store.rebuild_summaries(engine)
    check()
    store.clear(engine, ["conversations"])
    assert _stored_day_counts(engine).height == 0


def test_waiting_conversations_are_read_by_the_day_counts_or_else_by_a_scan(engine,
                                                                           monkeypatch):
    """The same waiting rows and platforms without responses as the history held in memory
    (as read from the store), through the day counts and index ranges where the stored
    values allow it, and by scanning the history where they do not: a first response
    outside the settings' years (both backends), a first response that is no timestamp
    (text written by hand, SQLite)."""
    from sqlalchemy import text

    from smmkpi import store
    from smmkpi.workspace import DbSource

    used: list[bool] = []
    real = store._waiting_from_days

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        out = real(*a, **k)
        used.append(out is not None)
        return out

    monkeypatch.setattr(store, "_waiting_from_days", spy)
    # nothing that needs a reply: empty rows and flags (an empty read has no column types)
    store.write_frames(engine, {"conversations": conversations(
        [("p9", "x", t(1, 9), "praise", "positive", None, None, None)])})
    waiting, flags = store.read_waiting_conversations(engine, PERIOD.end, END,
                                                      care.NEEDS_REPLY)
    assert (waiting.height, flags.height, used) == (0, 0, [True])
    assert care.unanswered_at(Workspace(DbSource(engine), PERIOD), END).height == 0
    used.clear()
    rows = [*ROWS, ("z1", "z", t(2, 9), "question", None, None, t(3, 9), "spring")]
    store.write_frames(engine, {"conversations": conversations(rows)})

    def same() -> None:
        held = FrameSource({"conversations": store.read_dataset(engine, "conversations")},
                           key=str(len(used)))
        for as_of in (END, t(2, 10, 15), t(8, 0, 30)):
            on_db = Workspace(DbSource(engine), PERIOD)
            on_frames = Workspace(held, PERIOD)
            assert_frame_equal(care.unanswered_at(on_db, as_of),
                               care.unanswered_at(on_frames, as_of),
                               check_exact=False, rel_tol=1e-12)
            assert (care.waiting_candidates(on_db, as_of)[1]
                    == care.waiting_candidates(on_frames, as_of)[1] == ["z"])

    same()
    assert used and all(used)  # the day counts served every read
    assert sorted(care.unanswered_at(Workspace(DbSource(engine), PERIOD), END)
                  ["conversation_id"]) == ["q3", "q4", "q5"]
    # a response in 1850 (outside the years; imports write none such, a hand can): read
    # as none, so q2 is waiting too
    from sqlalchemy import update

    from smmkpi.models import Conversation

    with engine.begin() as conn:
        conn.execute(update(Conversation).where(Conversation.conversation_id == "q2")
                     .values(first_response_at=dt.datetime(1850, 1, 1, tzinfo=UTC)))
    used.clear()
    same()
    assert used and not any(used)
    assert "q2" in care.unanswered_at(Workspace(DbSource(engine), PERIOD), END)[
        "conversation_id"].to_list()
    if engine.dialect.name == "sqlite":
        store.write_frames(engine, {"conversations": conversations(rows)})
        with engine.begin() as conn:  # text no reader takes as a time, written by hand
            conn.execute(text("UPDATE conversations SET first_response_at = 'soon' "
                              "WHERE conversation_id = 'q1'"))
        store.rebuild_summaries(engine)
        assert _stored_day_counts(engine)["unreadable_responses"].sum() == 1
        used.clear()
        same()
        assert used and not any(used)


def test_migration_0011_counts_the_stored_conversations(engine, demo_frames, downgrade_to):
    """Conversations stored, down to 0010 (the table and the new indexes gone, the
    conversations kept), up again: the migration fills `conversation_days` from the stored
    rows; SQLite and PostgreSQL."""
    from sqlalchemy import inspect

    from smmkpi import db, store

    store.write_frames(engine, {"conversations": demo_frames["conversations"].head(3000)})
    downgrade_to("0010")
    assert "conversation_days" not in inspect(engine).get_table_names()
    assert {ix["name"] for ix in inspect(engine).get_indexes("conversations")} == {
        "ix_conversations_opened_at"}
    db.migrate(engine)
    counts = _stored_day_counts(engine)
    assert counts.height > 50
    assert_frame_equal(counts, _day_counts_of(store.read_dataset(engine, "conversations")))
