"""Changes editors make on the Alerts page: alert rules, digest subscriptions and
annotations. Each checks the role (viewers change nothing, whatever the page shows), then
every value (ValueError naming the field), then stores with the audit log
(`smmkpi.store`), and answers with a sentence saying what changed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine

from smmkpi import datasets as ds
from smmkpi import store
from smmkpi.notify import deliver, rules
from smmkpi.roles import Role, allowed

FREQUENCIES: dict[str, str] = {
    "weekly": "Weekly, on Monday, for the week before (Monday to Sunday)",
    "monthly": "Monthly, on the 1st, for the month before",
    "custom": "Every N days, for those N days",
}


def check_role(role: Role | None) -> None:
    """PermissionError unless the role may edit alerts, digests and annotations."""
    if not allowed(role, "edit_alerts"):
        raise PermissionError("changing alerts, digests and annotations needs the editor "
                              "role")


def _name(text: str, what: str) -> str:
    t = (text or "").strip()
    if not t:
        raise ValueError(f"{what}: a name is needed")
    if len(t) > 200:
        raise ValueError(f"{what}: at most 200 characters")
    return t


def save_rule(engine: Engine, *, role: Role | None, actor: str, name: str, kind: str,
              params: Mapping[str, Any], emails: str = "", webhook_url: str = "",
              enabled: bool = True, rule_id: int | None = None) -> str:
    """Add (rule_id None) or change an alert rule."""
    check_role(role)
    label = _name(name, "Rule")
    typed = rules.parse_params(kind, dict(params))
    to = deliver.parse_emails(emails)
    hook = deliver.check_webhook(webhook_url)
    if not to and not hook:
        raise ValueError("Recipients: give at least one email address or a webhook URL")
    values = {"name": label, "kind": kind, "params": json.dumps(typed), "emails": ", ".join(to),
              "webhook_url": hook, "enabled": bool(enabled)}
    what = rules.describe(kind, typed)
    store.put_notify_row(engine, "rules", values, actor=actor, row_id=rule_id,
                         detail=f"{label}: {what}")
    return f"{'Added' if rule_id is None else 'Saved'} the alert rule “{label}” ({what})."


def delete_rule(engine: Engine, rule_id: int, *, role: Role | None, actor: str) -> str:
    check_role(role)
    store.delete_notify_row(engine, "rules", rule_id, actor=actor, detail=f"rule {rule_id}")
    return "Deleted the alert rule; what it sent stays in the log."


def save_subscription(engine: Engine, *, role: Role | None, actor: str, name: str,
                      emails: str, page: str, frequency: str, days: int | None = None,
                      campaigns: tuple[str, ...] = (), platforms: tuple[str, ...] = (),
                      enabled: bool = True, subscription_id: int | None = None) -> str:
    """Add or change a digest subscription (who, which page and filters, how often)."""
    from smmkpi.notify.digests import PAGES

    check_role(role)
    label = _name(name, "Digest")
    to = deliver.parse_emails(emails)
    if not to:
        raise ValueError("Recipients: give at least one email address")
    if page not in PAGES:
        raise ValueError(f"Page: {page!r} has no digest; choose one of {', '.join(PAGES)}")
    if frequency not in FREQUENCIES:
        raise ValueError(f"Frequency: choose one of {', '.join(FREQUENCIES)}")
    if frequency == "custom" and (days is None or not 1 <= int(days) <= 366):
        raise ValueError("Every N days: N must be a whole number from 1 to 366")
    unknown = [p for p in platforms if p not in ds.PLATFORMS]
    if unknown:
        raise ValueError(f"Platforms: unknown {', '.join(unknown)}")
    values = {"name": label, "emails": ", ".join(to), "page": page, "frequency": frequency,
              "days": int(days) if frequency == "custom" and days else None,
              "campaigns": ",".join(campaigns), "platforms": ",".join(platforms),
              "enabled": bool(enabled)}
    store.put_notify_row(engine, "subscriptions", values, actor=actor,
                         row_id=subscription_id,
                         detail=f"{label}: {PAGES[page]} {frequency} to {', '.join(to)}")
    return (f"{'Added' if subscription_id is None else 'Saved'} the digest “{label}” "
            f"({PAGES[page]}, {frequency}, to {', '.join(to)}).")


def delete_subscription(engine: Engine, subscription_id: int, *, role: Role | None,
                        actor: str) -> str:
    check_role(role)
    store.delete_notify_row(engine, "subscriptions", subscription_id, actor=actor,
                            detail=f"subscription {subscription_id}")
    return "Deleted the digest subscription; what it sent stays in the log."


def save_annotation(engine: Engine, *, role: Role | None, actor: str, day: dt.date,
                    title: str, end_date: dt.date | None = None,
                    campaign_id: str | None = None, platform: str | None = None,
                    note: str | None = None,
                    replaces: tuple[dt.date, str] | None = None) -> str:
    """Add or change an annotation (the same checks as the `annotations` CSV)."""
    check_role(role)
    label = _name(title, "Annotation")
    if end_date is not None and end_date < day:
        raise ValueError(f"End date: {end_date:%d %b %Y} is before the date {day:%d %b %Y}")
    if end_date == day:
        end_date = None
    plat = (platform or "").strip().lower() or None
    if plat and ds.platform_id(plat) is None:
        raise ValueError(f"Platform: {platform!r} is not a known platform")
    row = {"date": day, "title": label, "end_date": end_date,
           "campaign_id": (campaign_id or "").strip() or None,
           "platform": ds.platform_id(plat) if plat else None,
           "note": (note or "").strip() or None}
    store.put_annotation(engine, row, actor=actor, replaces=replaces)
    return f"{'Saved' if replaces else 'Added'} the annotation “{label}” ({day:%d %b %Y})."


def delete_annotation(engine: Engine, day: dt.date, title: str, *, role: Role | None,
                      actor: str) -> str:
    check_role(role)
    store.delete_annotation(engine, day, title, actor=actor)
    return f"Deleted the annotation “{title}” ({day:%d %b %Y})."
