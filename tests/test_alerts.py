"""Alerts against a local SMTP server and a local webhook receiver (127.0.0.1 only): the
right alerts fire once, a second run sends nothing new, a receiver that failed gets the
alert on the next run, two runs at once never both send, viewers change nothing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from notifytools import SmtpSink, WebhookSink, frame

from smmkpi import store
from smmkpi.actions import imports
from smmkpi.config import NotifySettings
from smmkpi.notify import alerts, edits, rules

D = dt.date
UTC = dt.UTC
TODAY = D(2026, 10, 10)


def ts(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def smtp():
    s = SmtpSink()
    yield s
    s.stop()


@pytest.fixture
def hook():
    h = WebhookSink()
    yield h
    h.stop()


def settings(smtp: SmtpSink) -> NotifySettings:
    return NotifySettings(public_url="https://dash.example.com", smtp_host="127.0.0.1",
                          smtp_port=smtp.port, smtp_security="none",
                          smtp_from="alerts@example.com", timeout_s=5)


def load(engine) -> None:
    """Ten days of 100 social sessions (1 - 10 Oct 2026) against an October target of
    10,000: pace on 10 Oct = 10,000 x 10 / 31 = 3,225.8, actual 1,000 (31 % of pace: off
    track). Questions and complaints opened 4 - 10 Oct: c1 unanswered since 10 Oct 02:00
    (22 h at midnight), c2 answered in 30 min, c3 unanswered since 21:00 (3 h): within the
    60-minute SLA 1 of 3 = 33.3 %."""
    days = [D(2026, 10, 1) + dt.timedelta(days=i) for i in range(10)]
    store.write_frames(engine, {
        "web_sessions": frame("web_sessions", [
            {"date": d, "source": "instagram", "medium": "social", "campaign": "",
             "content": "", "sessions": 100} for d in days]),
        "kpi_targets": frame("kpi_targets", [
            {"kpi": "social_sessions", "period_start": D(2026, 10, 1),
             "period_end": D(2026, 10, 31), "target": 10000.0}]),
        "conversations": frame("conversations", [
            {"conversation_id": "c1", "platform": "instagram", "opened_at": ts(10, 2),
             "kind": "question"},
            {"conversation_id": "c2", "platform": "x", "opened_at": ts(10, 22),
             "kind": "question", "first_response_at": ts(10, 22, 30)},
            {"conversation_id": "c3", "platform": "x", "opened_at": ts(10, 21),
             "kind": "complaint"},
        ]),
    })


def add_rules(engine, hook_url: str) -> None:
    editor = {"role": "editor", "actor": "ed@example.com"}
    edits.save_rule(engine, **editor, name="Targets", kind="target_status",
                    params={"status": "off track"}, emails="cmo@example.com",
                    webhook_url=hook_url)
    edits.save_rule(engine, **editor, name="Waiting", kind="unanswered", params={"hours": 4},
                    webhook_url=hook_url)
    edits.save_rule(engine, **editor, name="SLA", kind="sla_share",
                    params={"threshold": "80 %", "days": 7}, emails="care@example.com")
    edits.save_rule(engine, **editor, name="Imports", kind="import_failed", params={},
                    emails="ops@example.com")


def test_the_right_alerts_fire_once_and_a_second_run_sends_nothing(engine, smtp, hook):
    load(engine)
    add_rules(engine, hook.url)
    imports.record_refusal(engine, actor="cli", files=["orders.csv"],
                           reason="1 problem(s), nothing stored: orders.csv, row 3, column "
                           "'revenue': 'abc' is not a number")
    report = alerts.run(engine, settings(smtp), today=TODAY)
    assert sorted(f.split(":")[0] for f in report.fired) == ["Imports", "SLA", "Targets",
                                                             "Waiting"]
    assert not report.failed and len(report.sent) == 5  # 3 emails, 2 webhook posts

    by_to = {m["To"]: m for m in smtp.messages}
    assert sorted(by_to) == ["care@example.com", "cmo@example.com", "ops@example.com"]
    target = by_to["cmo@example.com"]
    assert target["Subject"] == ("[smmkpi] Target off track: Social sessions (brand-wide, "
                                 "October 2026 target)")
    text = target.get_content()
    assert "Figure: 1,000" in text and "Threshold: pace 3,226" in text
    assert ("https://dash.example.com/targets?range=Custom&dates=2026-10-01&dates=2026-10-10"
            "&compare=Previous+period") in text
    sla = by_to["care@example.com"].get_content()
    assert "Figure: 33.3 %" in sla and "Threshold: 80 %" in sla
    assert "row 3, column 'revenue'" in by_to["ops@example.com"].get_content()

    posts = {p["smmkpi"]["subject"]: p for p in hook.posts}
    assert len(posts) == 2
    waiting = [p for s, p in posts.items() if s.startswith("A question")]
    assert len(waiting) == 1  # c1 only: c3 has waited 3 h, c2 was answered
    assert waiting[0]["smmkpi"]["figure"] == "22 h" and "instagram" not in waiting[0]["text"]
    assert "Instagram" in waiting[0]["text"] and "<https://dash.example.com/community?" in (
        waiting[0]["text"])

    again = alerts.run(engine, settings(smtp), today=TODAY)
    assert again.fired == [] and again.sent == [] and again.lines() == ["nothing new"]
    assert len(smtp.messages) == 3 and len(hook.posts) == 2
    log = store.alert_log(engine)
    assert log.height == 5 and set(log["status"]) == {"sent"}
    assert set(log["attempts"]) == {1} and log["sent_at"].null_count() == 0


def test_a_failing_receiver_gets_the_alert_on_the_next_run(engine, smtp, hook):
    load(engine)
    edits.save_rule(engine, role="editor", actor="ed", name="Targets", kind="target_status",
                    params={"status": "at risk"}, emails="cmo@example.com",
                    webhook_url=hook.url)
    hook.fail = True
    first = alerts.run(engine, settings(smtp), today=TODAY)
    assert len(first.fired) == 1 and len(first.sent) == 1 and len(first.failed) == 1
    assert "500" in first.failed[0] and "secret" not in first.failed[0]  # no hook path shown
    log = store.alert_log(engine)
    failed = log.filter(pl.col("channel") == "webhook").row(0, named=True)
    assert failed["status"] == "failed" and "500" in failed["last_error"]

    hook.fail = False
    second = alerts.run(engine, settings(smtp), today=TODAY)
    assert second.fired == [] and len(second.sent) == 1 and second.failed == []
    assert len(hook.posts) == 1 and len(smtp.messages) == 1  # the email was not sent again
    row = store.alert_log(engine).filter(pl.col("channel") == "webhook").row(0, named=True)
    assert row["status"] == "sent" and row["attempts"] == 2


def test_an_unreachable_smtp_server_is_a_failed_delivery_not_a_lost_one(engine):
    load(engine)
    edits.save_rule(engine, role="editor", actor="ed", name="Targets", kind="target_status",
                    params={}, emails="cmo@example.com")
    down = NotifySettings(smtp_host="127.0.0.1", smtp_port=9, smtp_security="none",
                          timeout_s=2)
    report = alerts.run(engine, down, today=TODAY)
    assert len(report.failed) == 1 and "cmo@example.com" in report.failed[0]
    assert store.undelivered(engine).height == 1


def test_a_run_holding_the_lease_keeps_a_second_one_from_sending(engine, smtp):
    load(engine)
    edits.save_rule(engine, role="editor", actor="ed", name="Targets", kind="target_status",
                    params={}, emails="cmo@example.com")
    assert store.acquire_lock(engine, alerts.LOCK, "other-instance", alerts.LEASE)
    report = alerts.run(engine, settings(smtp), today=TODAY)
    assert report.locked and smtp.messages == []
    store.release_lock(engine, alerts.LOCK, "other-instance")
    assert len(alerts.run(engine, settings(smtp), today=TODAY).sent) == 1


def test_a_kpi_moving_against_its_previous_period(engine, smtp):
    """Social sessions 1 - 5 Oct: 100 a day; 6 - 10 Oct: 100 a day too, then a weaker
    week: 6 - 10 Oct replaced by 50 a day, so the last 5 days (250) are -50 % against
    the 5 before (500)."""
    load(engine)
    store.write_frames(engine, {"web_sessions": frame("web_sessions", [
        {"date": D(2026, 10, d), "source": "instagram", "medium": "social", "campaign": "",
         "content": "", "sessions": 50} for d in range(6, 11)])})
    edits.save_rule(engine, role="editor", actor="ed", name="Drop", kind="kpi_change",
                    params={"kpi": "social_sessions", "percent": 40, "days": 5},
                    emails="cmo@example.com")
    report = alerts.run(engine, settings(smtp), today=TODAY)
    assert len(report.fired) == 1
    text = smtp.messages[0].get_content()
    assert "Figure: -50.0 %" in text and "Threshold: -40 %" in text
    edits.save_rule(engine, role="editor", actor="ed", name="Drop 60", kind="kpi_change",
                    params={"kpi": "social_sessions", "percent": 60, "days": 5},
                    emails="cmo@example.com")
    assert alerts.run(engine, settings(smtp), today=TODAY).fired == []  # -50 % is within


def test_viewers_change_no_rule_subscription_or_annotation(engine):
    with pytest.raises(PermissionError):
        edits.save_rule(engine, role="viewer", actor="vic", name="x", kind="import_failed",
                        params={}, emails="a@example.com")
    with pytest.raises(PermissionError):
        edits.save_subscription(engine, role="viewer", actor="vic", name="x",
                                emails="a@example.com", page="overview", frequency="weekly")
    with pytest.raises(PermissionError):
        edits.save_annotation(engine, role="viewer", actor="vic", day=D(2026, 10, 1),
                              title="Launch")
    with pytest.raises(PermissionError):
        edits.delete_rule(engine, 1, role=None, actor="nobody")
    assert store.read_rows(engine, "rules").height == 0
    assert store.read_dataset(engine, "annotations").height == 0


@pytest.mark.parametrize(("kind", "params", "message"), [
    ("sla_share", {"threshold": "150"}, "Line (%): must be between 1 % and 100 %"),
    ("kpi_change", {"kpi": "nope"}, "'nope' is not a KPI id"),
    ("unanswered", {"hours": "soon"}, "Waiting longer than"),
    ("target_status", {"status": "late"}, "must be 'at risk'"),
])
def test_bad_rule_settings_are_refused_naming_the_setting(kind, params, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rules.parse_params(kind, params)


def test_rules_in_words():
    assert rules.describe("sla_share", rules.parse_params("sla_share", {"threshold": 80})) == (
        "Share answered within the SLA falls below a line: line 80 %, over the last 7 days")
    assert rules.describe("kpi_change", rules.parse_params("kpi_change", {})) == (
        "A KPI moves against its previous period by more than X %: KPI Social sessions, by "
        "more than 20 %, over the last 7 days")


def test_recipients_are_checked(engine):
    with pytest.raises(ValueError, match="not an email"):
        edits.save_rule(engine, role="editor", actor="ed", name="x", kind="import_failed",
                        params={}, emails="cmo at example")
    with pytest.raises(ValueError, match="at least one"):
        edits.save_rule(engine, role="editor", actor="ed", name="x", kind="import_failed",
                        params={})


def test_the_command_prints_what_fired_and_notes_refused_imports(sqlite_engine, tmp_path,
                                                                  smtp, monkeypatch, capsys):
    from smmkpi.__main__ import main

    url = sqlite_engine.url.render_as_string(hide_password=False)
    for k, v in {"SMMKPI_SMTP_HOST": "127.0.0.1", "SMMKPI_SMTP_PORT": str(smtp.port),
                 "SMMKPI_SMTP_SECURITY": "none", "SMMKPI_PUBLIC_URL": "https://d.example"
                 }.items():
        monkeypatch.setenv(k, v)
    edits.save_rule(sqlite_engine, role="editor", actor="ed", name="Imports",
                    kind="import_failed", params={}, emails="ops@example.com")
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,customer_id,ordered_at,revenue\n1,c1,2026-10-01,abc\n")
    raw = (tmp_path / "test.db").read_bytes() if (tmp_path / "test.db").exists() else None
    assert main(["--database", url, "import", str(bad)]) == 2  # interactive: no note
    assert "column 'revenue'" in capsys.readouterr().err
    assert store.refusals(sqlite_engine, dt.datetime(2000, 1, 1, tzinfo=UTC)).height == 0
    assert raw is None or (tmp_path / "test.db").read_bytes() == raw
    assert main(["--database", url, "import", "--record-refusal", str(bad)]) == 2
    assert store.read_dataset(sqlite_engine, "orders").height == 0  # nothing stored
    assert main(["--database", url, "alerts", "run"]) == 0
    out = capsys.readouterr().out
    assert "fired: Imports: Import refused (cli," in out and "sent: " in out
    assert "orders.csv, row 2, column 'revenue'" in smtp.messages[0].get_content()
    assert main(["--database", url, "alerts", "run"]) == 0
    assert capsys.readouterr().out == "nothing new\n"


def test_two_runs_at_once_send_each_alert_once(engine, smtp, hook):
    """Two instances start `alerts run` at the same moment: one holds the lease and sends,
    the other sends nothing; the next run has nothing new."""
    import threading

    load(engine)
    add_rules(engine, hook.url)
    barrier = threading.Barrier(2)
    reports: list[alerts.RunReport] = []

    def run() -> None:
        barrier.wait()
        reports.append(alerts.run(engine, settings(smtp), today=TODAY))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    sent = sum(len(r.sent) for r in reports)
    locked = [r.locked for r in reports]
    # SLA (1 email), target (email + webhook), waiting (webhook); whichever run won
    assert sent == 4 and len(smtp.messages) == 2 and len(hook.posts) == 2
    assert locked.count(True) <= 1
    assert alerts.run(engine, settings(smtp), today=TODAY).sent == []


def test_a_negative_spike_fires_once_with_its_figure_and_line(engine, smtp):
    """30 days of 5 negative mentions a day on x, then 50 on 10 Oct: the trailing 28-day
    mean is 5 with no spread, so the line is 5 + 3 x 0 = 5, and 50 is above it and above
    the minimum of 10."""
    days = [D(2026, 9, 10) + dt.timedelta(days=i) for i in range(31)]
    store.write_frames(engine, {"mentions": frame("mentions", [
        {"date": d, "platform": "x", "positive": 20, "neutral": 10,
         "negative": 50 if d == TODAY else 5} for d in days])})
    edits.save_rule(engine, role="editor", actor="ed", name="Spikes", kind="negative_spike",
                    params={"days": 7}, emails="pr@example.com")
    report = alerts.run(engine, settings(smtp), today=TODAY)
    assert report.fired == ["Spikes: Negative mentions spike on X, 10 Oct 2026"]
    text = smtp.messages[0].get_content()
    assert "Figure: 50\n" in text.replace("\r", "") and "Threshold: 5.00" in text
    assert "platform=X" in text
    assert alerts.run(engine, settings(smtp), today=TODAY).fired == []


def test_a_complaint_waiting_past_the_sla(engine, hook):
    """The line "SLA" is the first-response SLA setting (60 minutes): at midnight after
    10 Oct, c1 has waited 22 h and c3 3 h (both past 60 min), c2 was answered."""
    load(engine)
    edits.save_rule(engine, role="editor", actor="ed", name="SLA wait", kind="unanswered",
                    params={"hours": "sla"}, webhook_url=hook.url)
    report = alerts.run(engine, NotifySettings(timeout_s=5), today=TODAY)
    assert len(report.fired) == 2 and len(hook.posts) == 2
    figures = sorted(p["smmkpi"]["figure"] for p in hook.posts)
    assert figures == ["22 h", "3 h"]
    assert {p["smmkpi"]["threshold"] for p in hook.posts} == {"60 min (SLA)"}
    assert rules.describe("unanswered", {"hours": "SLA"}).endswith("waiting longer than the SLA")
