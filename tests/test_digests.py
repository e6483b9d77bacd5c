"""Digests: which period is due, the email (text, HTML with inline charts, the PDF) against
a local SMTP server, sent once per period and retried after a failure, and the PDF of the
demo Overview with its KPI table."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from notifytools import SmtpSink, frame
from pypdf import PdfReader

from smmkpi import db, store
from smmkpi.config import NotifySettings
from smmkpi.notify import digests, edits
from smmkpi.workspace import Filters, Period

D = dt.date


@pytest.mark.parametrize(("freq", "today", "days", "created", "want"), [
    # Tuesday 1 Dec 2026: the week before is Mon 23 - Sun 29 Nov
    ("weekly", D(2026, 12, 1), None, None, (D(2026, 11, 23), D(2026, 11, 29))),
    ("weekly", D(2026, 11, 30), None, None, (D(2026, 11, 23), D(2026, 11, 29))),  # Monday
    ("weekly", D(2026, 11, 29), None, None, (D(2026, 11, 16), D(2026, 11, 22))),  # Sunday
    ("monthly", D(2026, 12, 1), None, None, (D(2026, 11, 1), D(2026, 11, 30))),
    ("monthly", D(2026, 3, 15), None, None, (D(2026, 2, 1), D(2026, 2, 28))),
    ("monthly", D(2026, 1, 1), None, None, (D(2025, 12, 1), D(2025, 12, 31))),
    # every 10 days from 1 Nov: on 25 Nov two runs are complete, the latest is 11 - 20 Nov
    ("custom", D(2026, 11, 25), 10, D(2026, 11, 1), (D(2026, 11, 11), D(2026, 11, 20))),
    ("custom", D(2026, 11, 10), 10, D(2026, 11, 1), None),  # the first is not over yet
    ("custom", D(2026, 11, 11), 10, D(2026, 11, 1), (D(2026, 11, 1), D(2026, 11, 10))),
])
def test_the_due_period(freq, today, days, created, want):
    got = digests.due_period(freq, today, days=days, created=created)
    assert (None if got is None else (got.start, got.end)) == want


def load(engine) -> None:
    """23 - 29 Nov 2026: 100 website sessions a day from instagram / social (700); the week
    before: 50 a day (350), so +100.0 %."""
    rows = [{"date": D(2026, 11, 16) + dt.timedelta(days=i), "source": "instagram",
             "medium": "social", "campaign": "", "content": "",
             "sessions": 50 if i < 7 else 100} for i in range(14)]
    store.write_frames(engine, {
        "web_sessions": frame("web_sessions", rows),
        "annotations": frame("annotations", [
            {"date": D(2026, 11, 25), "title": "Price change", "note": "+5 %"}]),
    })


def notify(smtp: SmtpSink | None) -> NotifySettings:
    return NotifySettings(public_url="https://dash.example.com", smtp_host="127.0.0.1",
                          smtp_port=smtp.port if smtp else 9, smtp_security="none",
                          smtp_from="digest@example.com", timeout_s=5)


@pytest.fixture
def smtp():
    s = SmtpSink()
    yield s
    s.stop()


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_a_weekly_digest_is_sent_once_with_its_pdf(engine, smtp):
    load(engine)
    edits.save_subscription(engine, role="editor", actor="ed", name="CMO weekly",
                            emails="cmo@example.com, ceo@example.com", page="traffic",
                            frequency="weekly")
    report = digests.run(engine, notify(smtp), today=D(2026, 11, 30))
    assert len(report.sent) == 1 and not report.failed, report.lines()
    msg = smtp.messages[0]
    assert sorted(smtp.envelopes[0]) == ["ceo@example.com", "cmo@example.com"]
    assert msg["Subject"] == "[smmkpi] Traffic digest, 23 – 29 Nov 2026"
    text = msg.get_body(("plain",)).get_content()
    assert "Sessions: 700 (+100.0 % against 350)" in text
    html = msg.get_body(("html",)).get_content()
    assert "<h1" in html and "Traffic: 23 – 29 Nov 2026" in html and "<script" not in html
    assert "Price change" in html
    attachments = list(msg.iter_attachments())
    pdfs = [a for a in attachments if a.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_filename() == (
        "smmkpi-traffic-2026-11-23-2026-11-29.pdf")
    body = pdf_text(pdfs[0].get_content())
    assert "Traffic: 23 – 29 Nov 2026" in body and "Sessions 700 350 +100.0 %" in body
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert images and all(f"cid:{p['Content-ID'][1:-1]}" in html for p in images)

    again = digests.run(engine, notify(smtp), today=D(2026, 12, 1))  # Tuesday: same week
    assert again.sent == [] and again.lines() == ["nothing due"]
    assert len(smtp.messages) == 1
    sends = store.digest_log(engine)
    assert sends.height == 1 and sends["status"].item() == "sent"


def test_a_failed_send_is_retried_on_the_next_run(engine, smtp):
    load(engine)
    edits.save_subscription(engine, role="editor", actor="ed", name="Monthly",
                            emails="cmo@example.com", page="overview", frequency="monthly")
    down = digests.run(engine, notify(None), today=D(2026, 12, 1))
    assert len(down.failed) == 1 and "November 2026" not in down.failed[0]
    assert store.unsent_digests(engine)["status"].to_list() == ["failed"]
    up = digests.run(engine, notify(smtp), today=D(2026, 12, 2))
    assert len(up.sent) == 1 and len(smtp.messages) == 1
    assert smtp.messages[0]["Subject"] == "[smmkpi] Overview digest, 1 – 30 Nov 2026"
    row = store.digest_log(engine).row(0, named=True)
    assert row["status"] == "sent" and row["attempts"] == 2


def test_two_runs_never_send_the_same_digest(engine, smtp):
    load(engine)
    edits.save_subscription(engine, role="editor", actor="ed", name="W", emails="a@example.com",
                            page="traffic", frequency="weekly")
    assert store.acquire_lock(engine, digests.LOCK, "other", dt.timedelta(minutes=5))
    assert digests.run(engine, notify(smtp), today=D(2026, 11, 30)).locked
    assert smtp.messages == []


def test_the_demo_overview_pdf_has_its_kpi_table(demo_db, demo_frames):
    """October 2026 of the demo data; the figures computed here from the demo rows."""
    engine = db.make_engine(demo_db)
    period = Period(D(2026, 10, 1), D(2026, 10, 31))
    ws = digests.stored_workspace(engine, period, Filters())
    data = digests.page_pdf(ws, "overview", period.previous(),
                            base_url="https://dash.example.com", engine=engine)
    text = pdf_text(data)
    web = demo_frames["web_sessions"]
    sessions = web.filter(pl.col("date").is_between(period.start, period.end))["sessions"].sum()
    before = web.filter(pl.col("date").is_between(D(2026, 8, 31), D(2026, 9, 30)))[
        "sessions"].sum()
    orders = demo_frames["orders"].filter(pl.col("ordered_at").dt.date().is_between(
        period.start, period.end)).height
    assert "Overview: October 2026" in text and "KPIs" in text
    assert f"Sessions {sessions:,} {before:,}" in text
    assert f"Orders {orders:,}" in text
    for label in ("Social share of sessions", "Repeat purchase rate", "Response rate",
                  "Negative share of mentions", "Engagement rate"):
        assert label in text
    assert "Targets most behind pace" in text and "Instagram feed algorithm change" in text


def test_the_scheduler_round_sends_alerts_and_digests(engine, smtp, monkeypatch):
    """One round of the in-process scheduler is the two commands' runs."""
    from smmkpi.notify import scheduler

    load(engine)
    for k, v in {"SMMKPI_SMTP_HOST": "127.0.0.1", "SMMKPI_SMTP_PORT": str(smtp.port),
                 "SMMKPI_SMTP_SECURITY": "none"}.items():
        monkeypatch.setenv(k, v)
    edits.save_subscription(engine, role="editor", actor="ed", name="W", emails="a@example.com",
                            page="traffic", frequency="weekly")
    lines = scheduler.tick(engine)
    assert lines[0] == "alerts: nothing new"
    assert lines[1].startswith("digests: sent: W (Traffic, ") and len(smtp.messages) == 1
    assert scheduler.tick(engine)[1] == "digests: nothing due"
    monkeypatch.setenv("SMMKPI_SCHEDULER_MINUTES", "0")
    with pytest.raises(ValueError, match="at least 1"):
        scheduler.interval_minutes()


def test_without_image_export_the_pdf_has_its_tables_and_says_charts_are_omitted(
        engine, monkeypatch):
    import kaleido
    import plotly.io as pio

    from smmkpi.notify import pdf

    def no_chrome(*args, **kwargs):
        raise RuntimeError("Could not find Chrome")

    monkeypatch.setattr(pio, "to_image", no_chrome)
    monkeypatch.setattr(kaleido, "start_sync_server", no_chrome)
    load(engine)
    period = Period(D(2026, 11, 23), D(2026, 11, 29))
    ws = digests.stored_workspace(engine, period, Filters())
    d = digests.build(ws, "traffic", period.previous(), base_url="https://d.example",
                      engine=engine)
    images = pdf.chart_images([f for _, f in d.charts])
    assert d.charts and images == [None] * len(d.charts)
    text = pdf_text(pdf.render(d, images))
    assert "Sessions 700 350 +100.0 %" in text
    flat = " ".join(text.split())  # lines wrap anywhere
    assert "Charts omitted" in flat and "Could not find Chrome" in flat
    html = digests.email_html(d, [None] * len(d.charts))
    assert "Chart omitted" in html and "<img" not in html
