"""The KPI catalog: every KPI registered once (id, label, unit, direction, additive or
ratio, goal types, the function computing it). Pages, the CLI report and the tests all
use this registry."""

from __future__ import annotations

from smmkpi.kpis import audience, care, content, cost, journeys, retention, traffic
from smmkpi.kpis.base import KPI
from smmkpi.workspace import Workspace

AREAS: dict[str, str] = {
    "traffic": "Traffic",
    "retention": "Repeat sales",
    "care": "Community care",
    "audience": "Audience & reputation",
    "content": "Content",
}


def _build() -> tuple[dict[str, KPI], dict[str, str]]:
    """Every area module's KPIs by id, and the module each is defined in."""
    out: dict[str, KPI] = {}
    where: dict[str, str] = {}
    for module in (traffic, cost, journeys, retention, care, audience, content):
        for k in module.KPIS:
            if k.id in out:
                raise ValueError(f"KPI {k.id!r} is registered twice")
            out[k.id] = k
            where[k.id] = module.__name__
    return out, where


CATALOG: dict[str, KPI]
DEFINED_IN: dict[str, str]  # KPI id -> the module that states it ("defined in" of docs/kpis.md)
CATALOG, DEFINED_IN = _build()


def get(kpi_id: str) -> KPI:
    try:
        return CATALOG[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(CATALOG)}") from None


def for_goal(goal: str) -> list[KPI]:
    """The KPIs that serve a goal type, in catalog order."""
    return [k for k in CATALOG.values() if goal in k.goals]


def compute_all(ws: Workspace, ids: list[str] | None = None) -> dict[str, float | None]:
    """Every catalog KPI (or the given ids) for the workspace's period."""
    return {i: CATALOG[i].compute(ws) for i in (ids or list(CATALOG))}


def catalog_markdown() -> str:
    """The KPI catalog table of docs/kpis.md, generated from the registry."""
    from smmkpi.datasets import GOAL_LABELS

    lines = [
        "| id | KPI | unit | better | kind | goal types | definition | defined in |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in CATALOG.values():
        module = DEFINED_IN[k.id].replace(".", "/") + ".py"
        goals = ", ".join(GOAL_LABELS.get(g, g).lower() for g in k.goals)
        kind = "sum over days" if k.additive else "computed for the period"
        lines.append(
            f"| `{k.id}` | {k.label} | {k.unit} | {k.direction} | {kind} | {goals} | "
            f"{k.description.replace('|', '/')} | `{module}` |"
        )
    return "\n".join(lines) + "\n"
