"""`python -m smmkpi alerts run`: evaluate every enabled rule, record what is new, send
what is not sent yet.

Idempotent: an occurrence is recorded once per rule (alert_events' unique key), with a
pending delivery per recipient and channel; a delivery is marked sent when the server or
webhook accepted it and failed (with the reason) otherwise, and every run tries the
unsent ones again, so nothing is sent twice and nothing is lost silently. A lease in
`scheduler_locks` keeps two runs (cron on two machines, several app instances) from
working at once: the second one says so and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Engine

from smmkpi import config, periods, store
from smmkpi.config import NotifySettings
from smmkpi.notify import deliver, rules
from smmkpi.workspace import DbSource, Period, Workspace

log = logging.getLogger("smmkpi.alerts")
LOCK = "alerts"
LEASE = dt.timedelta(minutes=30)


def holder_id() -> str:
    """Who holds a lease: host, process and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class RunReport:
    """What a run did, in lines for the terminal."""

    fired: list[str] = field(default_factory=list)  # new occurrences
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # rules that could not be evaluated
    locked: bool = False  # another run held the lease: nothing done

    def lines(self) -> list[str]:
        if self.locked:
            return ["another alerts run is in progress; nothing sent by this one"]
        out = [f"fired: {f}" for f in self.fired]
        out += [f"sent: {s}" for s in self.sent]
        out += [f"failed (retried on the next run): {f}" for f in self.failed]
        out += [f"rule not evaluated: {p}" for p in self.problems]
        return out or ["nothing new"]


def workspace(engine: Engine, today: dt.date | None = None) -> tuple[Workspace, dt.date]:
    """A workspace on the stored data with the app's settings, and the day rules are
    evaluated as of (the last day with data, never after today)."""
    source = DbSource(engine)
    settings = config.with_overrides(config.get_settings(), store.setting_overrides(engine))
    as_of = periods.anchor_day(source.bounds()[1], today)
    return Workspace(source, Period(as_of, as_of), settings=settings), as_of


def recipients(rule: dict) -> list[tuple[str, str]]:
    """(channel, recipient) of a rule: each email, and the webhook when it has one."""
    out = [("email", a) for a in deliver.parse_emails(rule.get("emails") or "")]
    if (rule.get("webhook_url") or "").strip():
        out.append(("webhook", rule["webhook_url"].strip()))
    return out


def campaign_names(ws: Workspace) -> dict[str, str]:
    df = ws.everything("campaigns")
    return dict(df.select("campaign_id", "name").iter_rows()) if df is not None else {}


def evaluate_rules(engine: Engine, notify: NotifySettings, report: RunReport,
                   now: dt.datetime, today: dt.date | None = None) -> None:
    """Record the new occurrences of every enabled rule with their pending deliveries."""
    rows = store.read_rows(engine, "rules")
    if rows.height == 0:
        return
    ws, as_of = workspace(engine, today)
    names = campaign_names(ws)
    oldest = rows["updated_at"].min()
    refused = store.refusals(engine, oldest) if rows.filter(
        pl.col("kind") == "import_failed").height else None
    for rule in rows.filter(pl.col("enabled")).iter_rows(named=True):
        ctx = rules.Context(as_of, notify.public_url, names, rule["updated_at"], now, refused)
        try:
            found = rules.evaluate(rule["kind"], json.loads(rule["params"] or "{}"), ws, ctx)
            to = recipients(rule)
        except Exception as e:  # noqa: BLE001 - one bad rule never stops the others
            log.exception("alert rule %s failed", rule["id"])
            report.problems.append(f"{rule['name']}: {type(e).__name__}: {e}")
            continue
        known = store.known_occurrences(engine, rule["id"])
        new = [o for o in found if o.key not in known]
        if not new:
            continue
        store.add_events(engine, rule["id"], [
            {"occurrence": o.key, "subject": o.subject, "body": o.body, "figure": o.figure,
             "threshold": o.threshold, "link": o.link} for o in new], to)
        report.fired += [f"{rule['name']}: {o.subject}" for o in new]


def alert_text(d: dict) -> str:
    """An alert as plain text: what happened, the figure, the threshold, the link."""
    text = f"{d['body']}\n\nFigure: {d['figure']}\nThreshold: {d['threshold']}\n"
    if d["link"]:
        text += f"\nOpen the page: {d['link']}\n"
    return text + "\n-- smmkpi alerts (rules are on the Alerts page)\n"


def send_pending(engine: Engine, notify: NotifySettings, report: RunReport,
                 holder: str | None = None) -> None:
    """Try every delivery not sent yet; record each attempt as it happens. With `holder`,
    the lease is renewed before each one and the run stops if it was lost (a run slower
    than the lease never overlaps the next)."""
    for d in store.undelivered(engine).iter_rows(named=True):
        if holder is not None and not store.acquire_lock(engine, LOCK, holder, LEASE):
            report.problems.append("the lease was lost; the rest is sent by the next run")
            return
        if d["channel"] == "email":
            msg = deliver.email_message(notify, d["recipient"], f"[smmkpi] {d['subject']}",
                                        alert_text(d))
            error = deliver.send_email(notify, msg)
        else:
            error = deliver.post_webhook(d["recipient"], deliver.slack_payload(
                d["subject"], d["body"], d["figure"], d["threshold"], d["link"]),
                notify.timeout_s)
        store.mark_delivery(engine, d["id"], error)
        where = f"{d['channel']} {_shown(d)}"
        if error is None:
            report.sent.append(f"{d['subject']} → {where}")
        else:
            report.failed.append(f"{d['subject']} → {where}: {error}")


def _shown(d: dict) -> str:
    """A recipient for the terminal: a webhook's address without its secret path."""
    r = d["recipient"]
    if d["channel"] == "webhook":
        from urllib.parse import urlsplit

        u = urlsplit(r)
        return f"{u.scheme}://{u.netloc}/…"
    return r


def run(engine: Engine, notify: NotifySettings | None = None, *,
        today: dt.date | None = None) -> RunReport:
    """One alerts run (see the module doc)."""
    notify = notify or config.load_notify_settings()
    report = RunReport()
    me = holder_id()
    if not store.acquire_lock(engine, LOCK, me, LEASE):
        report.locked = True
        return report
    try:
        evaluate_rules(engine, notify, report, dt.datetime.now(dt.UTC), today)
        send_pending(engine, notify, report, me)
    finally:
        store.release_lock(engine, LOCK, me)
    return report
