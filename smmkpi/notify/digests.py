"""Digests: a page's figures for a period (KPI tiles as a table, the charts, the targets
most behind pace, the alerts sent since the period began, the period's annotations), as an
HTML email with the same content as a PDF attachment (`pdf.render`), and
`python -m smmkpi digests run`, which sends what is due once per period.

Due periods: weekly = the last complete Monday-Sunday week before today (sent on Monday,
or on the next run after it when the machine was off); monthly = the month before today's
month (sent on the 1st, or later likewise); custom N days = the latest complete run of N
days counted from the subscription's creation day. A period is recorded when it becomes
due and marked sent when the SMTP server accepted the email; a failed send is retried on
every run until it goes out. A lease (`scheduler_locks`) keeps two runs from sending at
once.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import Engine

from smmkpi import charts, config, formatting, periods, store
from smmkpi import datasets as ds
from smmkpi.config import NotifySettings
from smmkpi.kpis.catalog import CATALOG, compute_all
from smmkpi.kpis.targets import evaluate_targets
from smmkpi.notify import alerts, deliver
from smmkpi.notify.links import page_link
from smmkpi.views import overview
from smmkpi.views.annotations import annotations_for, listing
from smmkpi.views.targets import target_scope
from smmkpi.workspace import DbSource, Filters, Period, Workspace

log = logging.getLogger("smmkpi.digests")
LOCK = "digests"

_TRAFFIC = ["sessions", "social_sessions", "social_share_of_sessions", "social_to_site_rate",
            "social_conversion_rate", "cost_per_social_session", "social_roas", "spend",
            "paid_search_spend", "cost_per_session_paid_search", "paid_search_roas"]


@dataclass(frozen=True)
class PageDigest:
    """What a page's digest holds: its title and question, the KPIs of its tiles, and
    whether it lists every target (Targets page) or the few most behind."""

    title: str
    question: str
    kpis: tuple[str, ...]
    all_targets: bool = False


def _area(area: str, module: str | None = None) -> tuple[str, ...]:
    from smmkpi.kpis.catalog import DEFINED_IN

    return tuple(k.id for k in CATALOG.values() if k.area == area and (
        module is None or DEFINED_IN[k.id].endswith("." + module)))


PAGES: dict[str, PageDigest] = {
    "overview": PageDigest("Overview", "Is social media working for the business this "
                           "period: traffic, sales, care and reputation against last period "
                           "and targets?", tuple(overview.HEADLINE)),
    "targets": PageDigest("Targets", "Which targets are on track, and which need action?",
                          tuple(overview.HEADLINE), all_targets=True),
    "goals": PageDigest("Goals", "How is each campaign doing on the KPIs of its goal?",
                        tuple(overview.HEADLINE)),
    "content": PageDigest("Content", "Which posts, formats and platforms work?",
                          _area("content")),
    "traffic": PageDigest("Traffic", "Where does social traffic go, and what does it cost?",
                          tuple(_TRAFFIC)),
    "journeys": PageDigest("Journeys", "Do social visitors reach the website?",
                           _area("traffic", "journeys")),
    "retention": PageDigest("Retention", "Do customers come back and buy again?",
                            _area("retention")),
    "community": PageDigest("Community", "Are questions and complaints answered, and fast?",
                            _area("care")),
    "reputation": PageDigest("Reputation & audience", "How many people do we reach, and "
                             "what do they say about us?", _area("audience")),
}
# the page titles as the navigation shows them -> digest key (the Export button)
TITLE_PAGES: dict[str, str] = {p.title: key for key, p in PAGES.items()}


@dataclass
class Digest:
    """The content of one digest, ready for HTML and PDF."""

    page: str
    title: str
    question: str
    period: Period
    comparison: Period | None
    scope: str  # "All campaigns, all platforms" or the filters
    tiles: pl.DataFrame  # KPI, value, comparison, change, target
    charts: list[tuple[str, dict]]  # (title, figure data with annotations)
    targets: list[str]  # the targets most behind, in words
    alerts: list[str]  # alerts sent since the period began
    annotations: pl.DataFrame  # When, Title, Campaign, Platform, Note
    link: str
    currency: str
    notes: list[str] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        """"October 2026", "Q4 2026" or "3 – 9 Nov 2026"."""
        p = self.period
        return periods.period_name(p.start, p.end) or periods.span_label(p.start, p.end)

    @property
    def comparison_label(self) -> str:
        c = self.comparison
        return "" if c is None else periods.span_label(c.start, c.end)


def _scope(filters: Filters, names: dict[str, str]) -> str:
    camps = ", ".join(names.get(c, c) for c in filters.campaigns) or "all campaigns"
    plats = ", ".join(ds.platform_label(p) for p in filters.platforms) or "all platforms"
    return f"{camps[0].upper()}{camps[1:]}; {plats}"


def _daily_chart(ws: Workspace, kid: str) -> tuple[str, dict] | None:
    """A KPI per day over the period (sum of its parts per day; ratios recomputed)."""
    k = CATALOG[kid]
    if k.daily is None:
        return None
    d = k.daily(ws)
    if d is None or d.height == 0:
        return None
    days = pl.date_range(ws.start, ws.end, "1d", eager=True).alias("date").to_frame()
    per = d.group_by("date").agg(pl.col("num").sum(), *(
        [pl.col("den").sum()] if "den" in d.columns else []))
    per = days.join(per, on="date", how="left")
    value = (pl.col("num").fill_null(0) if k.additive else
             pl.when(pl.col("den") > 0).then(pl.col("num") / pl.col("den")))
    per = per.with_columns(value.alias("value")).sort("date")
    unit = {"ratio": "%", "currency": ws.settings.currency, "minutes": "minutes",
            "days": "days"}.get(k.unit, "count")
    title = f"{k.label} per day ({unit}), {periods.span_label(ws.start, ws.end)}"
    fig = charts.lines(per, "date", ["value"], [k.label], title=title, y_title=k.label,
                       percent=k.unit == "ratio")
    return title, charts.sanitized_dict(fig)


def _overview_chart(ws: Workspace) -> tuple[str, dict] | None:
    df, grain = overview.trend(ws)
    if df is None or df.height == 0:
        return None
    title = (f"Social sessions and revenue per {grain}, "
             f"{periods.span_label(ws.start, ws.end)}")
    fig = charts.dual_axis_lines(df, "date", "social_sessions", "revenue", title=title,
                                 left_label="Social sessions",
                                 right_label=f"Revenue ({ws.settings.currency})",
                                 right_prefix=formatting.CURRENCY_SYMBOLS.get(
                                     ws.settings.currency, ""))
    return title, charts.sanitized_dict(charts.legend_below(fig))


def build(ws: Workspace, page: str, comparison: Period | None, *, base_url: str,
          engine: Engine | None = None, names: dict[str, str] | None = None) -> Digest:
    """The digest of `page` for the workspace's period and filters (`engine`: the stored
    data, for the alerts sent; None for files never stored)."""
    spec = PAGES[page]
    cur = ws.settings.currency
    names = names if names is not None else alerts.campaign_names(ws)
    values = compute_all(ws, list(spec.kpis))
    before = compute_all(ws.with_period(comparison), list(spec.kpis)) if comparison else {}
    targets = evaluate_targets(ws, CATALOG)
    brand = overview.headline_targets(targets, ws.end)
    rows = []
    for kid in spec.kpis:
        k = CATALOG[kid]
        t = brand.get(kid)
        rows.append({
            "KPI": k.label,
            "Value": formatting.value_in_full(values[kid], k.unit, cur),
            "Comparison": formatting.value_in_full(before.get(kid), k.unit, cur) if comparison
            else "",
            "Change": (formatting.change(values[kid], before.get(kid), k.unit) or "n/a")
            if comparison else "",
            "Target": (f"{formatting.value(t['target'], k.unit, cur)} · {t['status']}"
                       if t else ""),
        })
    tiles = pl.DataFrame(rows, schema=dict.fromkeys(
        ("KPI", "Value", "Comparison", "Change", "Target"), pl.String))
    notes = annotations_for(ws)
    figs: list[tuple[str, dict]] = []
    first = _overview_chart(ws) if page == "overview" else None
    if first:
        figs.append(first)
    for kid in spec.kpis:
        if len(figs) >= 2:
            break
        got = None if page == "overview" and kid in ("social_sessions", "revenue") else (
            _daily_chart(ws, kid))
        if got:
            figs.append(got)
    figs = [(t, charts.with_annotations(f, notes, labels=True)) for t, f in figs]
    shown = targets if spec.all_targets else targets.filter(
        pl.col("status").is_in(["off track", "at risk"])).head(5)
    behind = []
    for t in shown.iter_rows(named=True):
        k = CATALOG[t["kpi"]]
        name, span = periods.target_period_parts(t["period_start"], t["period_end"])
        scope = target_scope(t["campaign_id"], names.get(t["campaign_id"] or "", "") or
                             str(t["campaign_id"]), ws.filters.campaigns, ws.filters.platforms)
        behind.append(f"{k.label} ({scope}, {name}, {span}): {t['status']}; actual "
                      f"{formatting.value(t['actual'], k.unit, cur)} against pace "
                      f"{formatting.value(t['pace'], k.unit, cur)} "
                      f"({formatting.percent(t['pace_attainment'], 0)}), target "
                      f"{formatting.value(t['target'], k.unit, cur)}")
    sent = []
    if engine is not None:
        log_df = store.alert_log(engine, limit=500)
        since = ds.utc_midnight(ws.start)
        if log_df.height:
            recent = log_df.filter(pl.col("fired_at") >= since).unique(
                "subject", keep="first", maintain_order=True).head(10)
            sent = [f"{r['fired_at']:%d %b %H:%M} UTC: {r['subject']}"
                    for r in recent.iter_rows(named=True)]
    return Digest(
        page=page, title=spec.title, question=spec.question, period=ws.period,
        comparison=comparison, scope=_scope(ws.filters, names), tiles=tiles, charts=figs,
        targets=behind, alerts=sent, annotations=listing(notes, names),
        link=page_link(base_url, page, ws.period, campaigns=ws.filters.campaigns,
                       platforms=ws.filters.platforms, campaign_names=names),
        currency=cur)


# --- HTML email -------------------------------------------------------------------------

_TD = "padding:4px 10px;border-bottom:1px solid #e5e5e5;text-align:left;"


def _table_html(df: pl.DataFrame) -> str:
    head = "".join(f'<th style="{_TD}background:#f3f3f3">{html.escape(c)}</th>'
                   for c in df.columns)
    body = "".join("<tr>" + "".join(f'<td style="{_TD}">{html.escape(str(v or ""))}</td>'
                                    for v in row) + "</tr>" for row in df.iter_rows())
    return (f'<table cellpadding="0" cellspacing="0" style="border-collapse:collapse;'
            f'font-size:14px">{"<tr>" + head + "</tr>"}{body}</table>')


def _list_html(items: Sequence[str], empty: str) -> str:
    if not items:
        return f"<p style=\"color:#555\">{html.escape(empty)}</p>"
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"


def email_html(d: Digest, images: Sequence[str | None]) -> str:
    """The digest as HTML for mail clients: tables and inline styles only (no scripts, no
    external images); chart images are `cid:` parts of the message (`images`: their ids,
    None where a chart could not be rendered)."""
    comp = f"; compared with {d.comparison_label}" if d.comparison else ""
    parts = [
        '<div style="font-family:Arial,Helvetica,sans-serif;color:#222;max-width:760px">',
        f"<h1 style=\"font-size:22px;margin:0 0 4px\">{html.escape(d.title)}: "
        f"{html.escape(d.period_label)}</h1>",
        f"<p style=\"color:#555;margin:0 0 12px\">{html.escape(d.question)}<br>"
        f"{html.escape(d.scope)}{html.escape(comp)}</p>",
        "<h2 style=\"font-size:17px\">KPIs</h2>", _table_html(d.tiles),
    ]
    for (title, _), cid in zip(d.charts, images, strict=True):
        # the image carries its title; a client that blocks images shows the alt text
        parts.append(f'<p><img src="cid:{cid}" width="720" alt="{html.escape(title)}" '
                     'style="max-width:100%;height:auto"></p>' if cid else
                     f"<h2 style=\"font-size:17px\">{html.escape(title)}</h2>"
                     "<p style=\"color:#555\">Chart omitted: it could not be rendered "
                     "here (the page has it).</p>")
    parts += ["<h2 style=\"font-size:17px\">Targets most behind pace</h2>",
              _list_html(d.targets, "No target is at risk or off track."),
              "<h2 style=\"font-size:17px\">Alerts since the period began</h2>",
              _list_html(d.alerts, "No alerts were sent."),
              "<h2 style=\"font-size:17px\">Annotations in the period</h2>",
              _table_html(d.annotations) if d.annotations.height else
              _list_html([], "No annotations in this period."),
              f'<p><a href="{html.escape(d.link)}">Open the page in smmkpi</a></p>',
              "<p style=\"color:#888;font-size:12px\">Sent by smmkpi. Subscriptions are "
              "edited on the Alerts page.</p></div>"]
    return "\n".join(parts)


def email_text(d: Digest) -> str:
    """The plain-text part: the KPI table as lines, the lists, the link."""
    lines = [f"{d.title}: {d.period_label}", d.scope, ""]
    lines += [f"{r['KPI']}: {r['Value']}" + (f" ({r['Change']} against {r['Comparison']})"
                                            if r["Comparison"] else "")
              for r in d.tiles.iter_rows(named=True)]
    lines += ["", "Targets most behind pace:"] + [f"- {t}" for t in d.targets or ["none"]]
    lines += ["", "Alerts since the period began:"] + [f"- {a}" for a in d.alerts or ["none"]]
    lines += ["", f"Open the page: {d.link}", "", "The PDF attached has the charts."]
    return "\n".join(lines) + "\n"


def message(d: Digest, notify: NotifySettings, to: Sequence[str]) -> Any:
    """The digest email: text, HTML with the charts inline, the PDF attached."""
    from email.utils import make_msgid

    from smmkpi.notify import pdf

    pngs = pdf.chart_images([f for _, f in d.charts])
    cids = [make_msgid(domain="smmkpi")[1:-1] if png else None for png in pngs]
    msg = deliver.email_message(notify, ", ".join(to), f"[smmkpi] {d.title} digest, "
                                f"{periods.span_label(d.period.start, d.period.end)}",
                                email_text(d), email_html(d, cids))
    html_part = msg.get_body(("html",))
    for png, cid in zip(pngs, cids, strict=True):
        if png and html_part is not None:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>")
    pdf_bytes = pdf.render(d, pngs)
    msg.add_attachment(pdf_bytes, maintype="application", subtype="pdf",
                       filename=file_name(d.page, d.period))
    return msg


def file_name(page: str, period: Period) -> str:
    """The PDF's file name: smmkpi-overview-2026-10-01-2026-10-31.pdf."""
    return f"smmkpi-{page}-{period.start}-{period.end}.pdf"


# --- what is due ------------------------------------------------------------------------


def due_period(frequency: str, today: dt.date, *, days: int | None = None,
               created: dt.date | None = None) -> Period | None:
    """The latest complete period of a subscription before `today` (see the module doc)."""
    if frequency == "weekly":
        end = today - dt.timedelta(days=today.weekday() + 1)  # the Sunday before
        return Period(end - dt.timedelta(days=6), end)
    if frequency == "monthly":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    if frequency == "custom":
        if not days or created is None:
            return None
        done = (today - created).days // days  # complete runs of `days` before today
        if done < 1:
            return None
        start = created + dt.timedelta(days=(done - 1) * days)
        return Period(start, start + dt.timedelta(days=days - 1))
    raise ValueError(f"unknown frequency {frequency!r}")


@dataclass
class DigestReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    locked: bool = False

    def lines(self) -> list[str]:
        if self.locked:
            return ["another digests run is in progress; nothing sent by this one"]
        out = [f"sent: {s}" for s in self.sent]
        out += [f"failed (retried on the next run): {f}" for f in self.failed]
        return out or ["nothing due"]


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(",") if p.strip())


def run(engine: Engine, notify: NotifySettings | None = None, *,
        today: dt.date | None = None) -> DigestReport:
    """One digests run: record what became due, send everything not sent yet."""
    notify = notify or config.load_notify_settings()
    today = today or dt.datetime.now(dt.UTC).date()
    report = DigestReport()
    me = alerts.holder_id()
    if not store.acquire_lock(engine, LOCK, me, alerts.LEASE):
        report.locked = True
        return report
    try:
        subs = store.read_rows(engine, "subscriptions")
        by_id = {r["id"]: r for r in subs.iter_rows(named=True)}
        for s in by_id.values():
            if not s["enabled"]:
                continue
            p = due_period(s["frequency"], today, days=s["days"],
                           created=s["updated_at"].date() if s["updated_at"] else None)
            if p is not None and store.digest_send(engine, s["id"], p.start, p.end) is None:
                store.open_digest(engine, s["id"], p.start, p.end)
        ws0, _ = alerts.workspace(engine, today)
        names = alerts.campaign_names(ws0)
        for due in store.unsent_digests(engine).iter_rows(named=True):
            s = by_id.get(due["subscription_id"])
            if s is None or not s["enabled"]:
                continue
            if not store.acquire_lock(engine, LOCK, me, alerts.LEASE):  # renew, or stop
                report.failed.append("the lease was lost; the rest is sent by the next run")
                break
            period = Period(due["period_start"], due["period_end"])
            label = f"{s['name']} ({PAGES[s['page']].title}, {period})"
            try:
                ws = Workspace(ws0.source, period, Filters(_split(s["campaigns"]),
                                                           _split(s["platforms"])),
                               settings=ws0.settings, shared=ws0.shared)
                d = build(ws, s["page"], period.previous(), base_url=notify.public_url,
                          engine=engine, names=names)
                to = deliver.parse_emails(s["emails"])
                error = deliver.send_email(notify, message(d, notify, to))
            except Exception as e:  # noqa: BLE001 - recorded and retried, never lost
                log.exception("digest %s failed", s["id"])
                error = f"{type(e).__name__}: {e}"
            store.mark_digest(engine, s["id"], period.start, period.end, error)
            if error is None:
                report.sent.append(f"{label} → {s['emails']}")
            else:
                report.failed.append(f"{label}: {error}")
    finally:
        store.release_lock(engine, LOCK, me)
    return report


def page_pdf(ws: Workspace, page: str, comparison: Period | None, *, base_url: str,
             engine: Engine | None = None) -> bytes:
    """The PDF of a page for the workspace's period and filters ("Export this page as
    PDF")."""
    from smmkpi.notify import pdf

    d = build(ws, page, comparison, base_url=base_url, engine=engine)
    return pdf.render(d, pdf.chart_images([f for _, f in d.charts]))


def stored_workspace(engine: Engine, period: Period, filters: Filters) -> Workspace:
    """A workspace on the stored data with the app's settings."""
    settings = config.with_overrides(config.get_settings(), store.setting_overrides(engine))
    return Workspace(DbSource(engine), period, filters, settings=settings)
