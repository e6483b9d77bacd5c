"""The report: every catalog KPI for a period (with the comparison period) and every
target's attainment and status, as JSON, CSV or Markdown. Used by `python -m smmkpi report`."""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from smmkpi import formatting
from smmkpi.kpis.catalog import AREAS, CATALOG
from smmkpi.kpis.targets import evaluate_targets
from smmkpi.workspace import Period, Workspace


def _clean(v: Any) -> Any:
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    return v


def build(ws: Workspace, compare: Period | None = None) -> dict[str, Any]:
    """KPI values keyed by KPI id, plus `_period`, `_comparison` and `_targets`."""
    values = {k.id: _clean(k.compute(ws)) for k in CATALOG.values()}
    out: dict[str, Any] = dict(values)
    out["_period"] = {"start": ws.start.isoformat(), "end": ws.end.isoformat()}
    if compare is not None:
        cws = ws.with_period(compare)
        out["_comparison"] = {
            "start": compare.start.isoformat(),
            "end": compare.end.isoformat(),
            "values": {k.id: _clean(k.compute(cws)) for k in CATALOG.values()},
        }
    targets = evaluate_targets(ws, CATALOG)
    out["_targets"] = [
        {k: (v.isoformat() if hasattr(v, "isoformat") else _clean(v)) for k, v in row.items()}
        for row in targets.iter_rows(named=True)
    ]
    return out


def rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per KPI: id, label, area, unit, value, comparison value."""
    comp = report.get("_comparison", {}).get("values", {})
    return [
        {
            "kpi": k.id,
            "label": k.label,
            "area": AREAS.get(k.area, k.area),
            "unit": k.unit,
            "value": report[k.id],
            "comparison": comp.get(k.id),
        }
        for k in CATALOG.values()
    ]


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_csv(report: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["kpi", "label", "area", "unit", "value", "comparison"])
    w.writeheader()
    for r in rows(report):
        w.writerow(r)
    return buf.getvalue()


def to_markdown(report: dict[str, Any], currency: str = "USD") -> str:
    p = report["_period"]
    lines = [f"# smmkpi report {p['start']} – {p['end']}", ""]
    has_comp = "_comparison" in report
    head = "| KPI | value |" + (" comparison | change |" if has_comp else "")
    lines += [head, "|---|---:|" + ("---:|---:|" if has_comp else "")]
    for r in rows(report):
        v = formatting.value(r["value"], r["unit"], currency)
        line = f"| {r['label']} (`{r['kpi']}`) | {v} |"
        if has_comp:
            c = formatting.value(r["comparison"], r["unit"], currency)
            ch = formatting.change(r["value"], r["comparison"], r["unit"]) or ""
            line += f" {c} | {ch} |"
        lines.append(line)
    targets = report.get("_targets") or []
    if targets:
        lines += ["", "## Targets", "", "| campaign | KPI | period | target | actual | attainment |"
                  " status |", "|---|---|---|---:|---:|---:|---|"]
        for t in targets:
            unit = CATALOG[t["kpi"]].unit
            lines.append(
                f"| {t['campaign_id'] or 'brand-wide'} | {t['kpi']} | {t['period_start']} – "
                f"{t['period_end']} | {formatting.value(t['target'], unit, currency)} | "
                f"{formatting.value(t['actual'], unit, currency)} | "
                f"{formatting.percent(t['attainment'])} | {t['status']} |"
            )
    return "\n".join(lines) + "\n"
