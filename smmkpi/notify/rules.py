"""Alert rules: what each kind watches, its settings, and what it finds.

Every kind reuses the dashboard's own definitions (never a second one): target status from
`kpis.targets.evaluate_targets`, the negative-spike rule of `kpis.audience`, the SLA share
and the unanswered list of `kpis.care`, any catalog KPI against its previous period. A rule
is evaluated as of the last day with data (never after today) and returns its
occurrences: each has a key that names it (a target and its status, a spike day, a
conversation, a window), so `alerts.run` sends each occurrence once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from smmkpi import datasets as ds
from smmkpi import formatting, periods
from smmkpi.kpis import audience, care
from smmkpi.kpis.catalog import CATALOG
from smmkpi.kpis.targets import evaluate_targets
from smmkpi.notify.links import AREA_PAGES, page_link
from smmkpi.views.targets import target_line
from smmkpi.workspace import Period, Workspace


@dataclass(frozen=True)
class Occurrence:
    """One thing a rule found: sent once per rule and key."""

    key: str
    subject: str
    body: str  # what happened, in a sentence or two
    figure: str  # the figure, formatted
    threshold: str  # the line it crossed, formatted
    link: str  # the page with the period and filters


@dataclass(frozen=True)
class Param:
    """One setting of a rule kind: its label, default and how typed text is read."""

    name: str
    label: str
    default: Any
    parse: Callable[[Any], Any]
    help: str = ""


def _int(lo: int, hi: int) -> Callable[[Any], int]:
    def parse(v: Any) -> int:
        n = int(str(v).strip())
        if not lo <= n <= hi:
            raise ValueError(f"must be a whole number from {lo} to {hi}")
        return n
    return parse


def _percent(lo: float, hi: float) -> Callable[[Any], float]:
    """A share typed as 80, "80 %" or 0.8 (a number above 1 is read as percent)."""
    def parse(v: Any) -> float:
        x = float(str(v).strip().rstrip("%").strip())
        x = x / 100 if x > 1 else x
        if not lo <= x <= hi:
            raise ValueError(f"must be between {lo * 100:g} % and {hi * 100:g} %")
        return x
    return parse


SLA = "SLA"  # the unanswered rule's line: the first-response SLA setting


def _hours_or_sla(v: Any) -> int | str:
    """Whole hours (1 to 720), or "SLA" for the first-response SLA setting."""
    if str(v).strip().lower() == "sla":
        return SLA
    return _int(1, 24 * 30)(v)


def _status(v: Any) -> str:
    s = str(v).strip().lower()
    if s not in ("at risk", "off track"):
        raise ValueError("must be 'at risk' (at risk or off track) or 'off track'")
    return s


def _kpi(v: Any) -> str:
    k = str(v).strip()
    if k not in CATALOG:
        raise ValueError(f"{k!r} is not a KPI id of the catalog (docs/kpis.md)")
    return k


@dataclass(frozen=True)
class Kind:
    """A kind of rule: its label, settings, the page its alerts link to, and evaluation."""

    id: str
    label: str
    params: tuple[Param, ...]
    page: str
    evaluate: Callable[[Workspace, dict[str, Any], Context], list[Occurrence]]


@dataclass(frozen=True)
class Context:
    """What every evaluation shares: the day it is as of, the app's address, the campaign
    names for links and texts, and the rule's own last change (refused imports before it
    are not news)."""

    as_of: dt.date
    base_url: str
    campaign_names: Mapping[str, str]
    since: dt.datetime
    now: dt.datetime
    refusals: pl.DataFrame | None = None


def _window(as_of: dt.date, days: int) -> Period:
    return Period(as_of - dt.timedelta(days=days - 1), as_of)


def _targets(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    wanted = ("off track",) if p["status"] == "off track" else ("at risk", "off track")
    day = ws.with_period(Period(c.as_of, c.as_of))
    results = evaluate_targets(day, CATALOG, as_of=c.as_of)
    out = []
    cur = ws.settings.currency
    for t in results.filter(pl.col("status").is_in(list(wanted))).iter_rows(named=True):
        k = CATALOG[t["kpi"]]
        scope = "brand-wide" if not t["campaign_id"] else c.campaign_names.get(
            t["campaign_id"], t["campaign_id"])
        name, span = periods.target_period_parts(t["period_start"], t["period_end"])
        target_period = Period(t["period_start"], min(t["period_end"], c.as_of))
        out.append(Occurrence(
            key=f"{t['campaign_id'] or ''}|{t['kpi']}|{t['period_start']}|{t['period_end']}|"
                f"{t['status']}",
            subject=f"Target {t['status']}: {k.label} ({scope}, {name})",
            body=(f"{k.label} ({scope}) is {t['status']} as of {c.as_of:%d %b %Y}: "
                  f"{target_line(t, k.unit, cur, scope)}. Forecast for the period: "
                  f"{formatting.value(t['forecast'], k.unit, cur)} against a target of "
                  f"{formatting.value(t['target'], k.unit, cur)} ({span})."),
            figure=formatting.value_in_full(t["actual"], k.unit, cur),
            threshold=f"pace {formatting.value_in_full(t['pace'], k.unit, cur)}",
            link=page_link(c.base_url, "targets", target_period,
                           campaigns=(t["campaign_id"],) if t["campaign_id"] else (),
                           campaign_names=c.campaign_names),
        ))
    return out


def _spikes(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    win = ws.with_period(_window(c.as_of, p["days"]))
    out = []
    for s in audience.spikes_for(win).iter_rows(named=True):
        where = ("all platforms" if s["platform"] == audience.ALL_PLATFORMS else
                 ds.platform_label(s["platform"]))
        plats = () if s["platform"] == audience.ALL_PLATFORMS else (s["platform"],)
        out.append(Occurrence(
            key=f"{s['date']}|{s['platform']}",
            subject=f"Negative mentions spike on {where}, {s['date']:%d %b %Y}",
            body=(f"{formatting.value(s['negative'], 'count')} negative mentions on {where} "
                  f"on {s['date']:%d %b %Y}, above the spike line of "
                  f"{formatting.value(s['threshold'], 'number')} (the previous 28 days' mean "
                  f"{formatting.value(s['baseline_mean'], 'number')} plus "
                  f"{ws.settings.spike_sigma:g} standard deviations, at least "
                  f"{ws.settings.spike_min_count})."),
            figure=formatting.value_in_full(s["negative"], "count"),
            threshold=formatting.value_in_full(s["threshold"], "number"),
            link=page_link(c.base_url, "reputation", _window(s["date"], 28), platforms=plats),
        ))
    return out


def _sla(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    period = _window(c.as_of, p["days"])
    k = CATALOG["within_sla_share"]
    value = k.compute(ws.with_period(period))
    if value is None or value >= p["threshold"]:
        return []
    return [Occurrence(
        key=f"{period.start}|{period.end}",
        subject=f"Answered within SLA: {formatting.percent(value)} "
                f"(below {formatting.percent(p['threshold'], 0)})",
        body=(f"Of the questions and complaints opened "
              f"{periods.span_label(period.start, period.end)}, "
              f"{formatting.percent(value)} were answered within "
              f"{ws.settings.sla_minutes} minutes, below the line of "
              f"{formatting.percent(p['threshold'], 0)}."),
        figure=formatting.percent(value),
        threshold=formatting.percent(p["threshold"], 0),
        link=page_link(c.base_url, "community", period),
    )]


def _unanswered(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    day = Period(c.as_of, c.as_of)
    as_of = care.care_as_of(day, c.now)
    waiting = care.unanswered_at(ws.with_period(day), as_of)
    sla = p["hours"] == SLA
    minutes = ws.settings.sla_minutes if sla else 60 * int(p["hours"])
    line = (f"the SLA of {formatting.duration_minutes(minutes)}" if sla else
            f"{p['hours']} hours")
    late = waiting.filter(pl.col("age_minutes") > minutes)
    out = []
    for r in late.iter_rows(named=True):
        where = ds.platform_label(r["platform"])
        out.append(Occurrence(
            key=str(r["conversation_id"]),
            subject=f"A {r['kind']} on {where} has waited {r['age']} for a first response",
            body=(f"{r['kind'].capitalize()} {r['conversation_id']} on {where}, opened "
                  f"{r['opened_at']:%d %b %Y %H:%M} UTC, has no first response after "
                  f"{r['age']} (the line: {line})."),
            figure=str(r["age"]),
            threshold=(f"{formatting.duration_minutes(minutes)} (SLA)" if sla else
                       f"{p['hours']} h"),
            link=page_link(c.base_url, "community", _window(c.as_of, 7),
                           platforms=(r["platform"],)),
        ))
    return out


def _change(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    k = CATALOG[p["kpi"]]
    period = _window(c.as_of, p["days"])
    now, before = k.compute(ws.with_period(period)), k.compute(ws.with_period(period.previous()))
    if now is None or not before:
        return []
    change = now / before - 1
    worse = change < -p["percent"] if k.direction == "higher" else change > p["percent"]
    if not worse:
        return []
    cur = ws.settings.currency
    moved = formatting.change(now, before, k.unit) or formatting.percent(change)
    return [Occurrence(
        key=f"{k.id}|{period.start}|{period.end}",
        subject=f"{k.label} {moved} against the previous {p['days']} days",
        body=(f"{k.label} was {formatting.value(now, k.unit, cur)} "
              f"({periods.span_label(period.start, period.end)}) against "
              f"{formatting.value(before, k.unit, cur)} in the {p['days']} days before: "
              f"{formatting.percent(change)}, worse than the line of "
              f"{formatting.percent(p['percent'], 0)}."),
        figure=formatting.percent(change),
        threshold=f"{'-' if k.direction == 'higher' else '+'}"
                  f"{formatting.percent(p['percent'], 0)}",
        link=page_link(c.base_url, AREA_PAGES.get(k.area, "overview"), period),
    )]


def _imports(ws: Workspace, p: dict[str, Any], c: Context) -> list[Occurrence]:
    df = c.refusals
    if df is None or df.height == 0:
        return []
    out = []
    for r in df.filter(pl.col("at") >= c.since).iter_rows(named=True):
        detail = str(r["detail"] or "")
        first = detail.splitlines()[0] if detail else "no detail"
        out.append(Occurrence(
            key=f"audit:{r['id']}",
            subject=f"Import refused ({r['actor']}, {r['at']:%d %b %Y %H:%M} UTC)",
            body=f"An import by {r['actor']} was refused; nothing was stored. {detail}",
            figure=first[:200],
            threshold="any refused import",
            link=page_link(c.base_url, "upload"),
        ))
    return out


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("target_status", "A target turns at risk or off track",
         (Param("status", "Alert when a target is", "off track", _status,
                "'off track', or 'at risk' for at risk or off track"),), "targets", _targets),
    Kind("negative_spike", "Negative mentions spike (the Reputation page's spike rule)",
         (Param("days", "Look back (days)", 7, _int(1, 90),
                "spike days within this many days of the last day with data"),),
         "reputation", _spikes),
    Kind("sla_share", "Share answered within the SLA falls below a line",
         (Param("threshold", "Line (%)", 0.8, _percent(0.01, 1.0)),
          Param("days", "Over the last (days)", 7, _int(1, 90))), "community", _sla),
    Kind("unanswered", "A question or complaint waits longer than N hours (or the SLA)",
         (Param("hours", "Waiting longer than (hours)", 4, _hours_or_sla,
                "whole hours, or SLA for the first-response SLA setting"),),
         "community", _unanswered),
    Kind("kpi_change", "A KPI moves against its previous period by more than X %",
         (Param("kpi", "KPI (catalog id)", "social_sessions", _kpi),
          Param("percent", "By more than (%)", 0.2, _percent(0.01, 10.0)),
          Param("days", "Over the last (days)", 7, _int(1, 90))), "overview", _change),
    Kind("import_failed", "An import is refused", (), "upload", _imports),
)}


def parse_params(kind: str, raw: Mapping[str, Any] | str | None) -> dict[str, Any]:
    """A rule's settings checked and typed, defaults filled in; ValueError naming the
    setting that is wrong."""
    if kind not in KINDS:
        raise ValueError(f"unknown alert kind {kind!r}; known: {', '.join(KINDS)}")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "{}")
        except json.JSONDecodeError as e:
            raise ValueError(f"the rule's settings are not JSON: {e}") from None
    raw = dict(raw or {})
    out: dict[str, Any] = {}
    for p in KINDS[kind].params:
        value = raw.get(p.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            out[p.name] = p.default
            continue
        try:
            out[p.name] = p.parse(value)
        except (ValueError, TypeError) as e:
            raise ValueError(f"{p.label}: {e}") from None
    return out


PERCENT_PARAMS = ("threshold", "percent")  # settings that are shares (shown as %)


def describe(kind: str, params: Mapping[str, Any]) -> str:
    """A rule in words for the Alerts page ("Share answered within the SLA falls below a
    line: line 80 %, over the last 7 days")."""
    import re

    k = KINDS[kind]
    parts = []
    for p in k.params:
        v = params.get(p.name, p.default)
        shown = (formatting.percent(v, 0) if p.name in PERCENT_PARAMS else
                 CATALOG[v].label if p.name == "kpi" and v in CATALOG else str(v))
        m = re.match(r"(.*?) \((.*)\)$", p.label)
        base, unit = (m.group(1), m.group(2)) if m else (p.label, "")
        suffix = f" {unit}" if unit and unit not in ("%", "catalog id") and v != SLA else ""
        shown = "the SLA" if v == SLA else shown
        parts.append(f"{base[0].lower() + base[1:] if base != 'KPI' else base} "
                     f"{shown}{suffix}")
    return k.label + (": " + ", ".join(parts) if parts else "")


def evaluate(kind: str, params: Mapping[str, Any], ws: Workspace, ctx: Context,
             ) -> list[Occurrence]:
    """The rule's occurrences as of `ctx.as_of` (ws: any workspace on the stored data)."""
    return KINDS[kind].evaluate(ws, parse_params(kind, dict(params)), ctx)
