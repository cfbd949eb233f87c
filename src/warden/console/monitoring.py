"""Console pages for monitoring alerts: the list (filter by typology) and one alert with its explanation, the
detector's parameters, the events involved and the fund flow drawn (static/flowgraph.js)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from warden.cases.monitoring_links import monitoring_alert_cases
from warden.console.auth import console_router
from warden.console.templating import TEMPLATES
from warden.monitoring.browse import AlertNotFound, get_alert, list_alerts, typology_counts
from warden.monitoring.flow import alert_events, customer_node, events_flow

MONITORING_ROLES = ("analyst", "senior_analyst", "rule_author", "admin")
PAGE_SIZE = 100
EVENTS_SHOWN = 500

router = console_router(*MONITORING_ROLES)


def readable_parameter(name: str, value: Any) -> str:
    """Detector parameters as people read them: windows in seconds (`*_s`) become days or hours."""
    if name.endswith("_s") and isinstance(value, int | float):
        seconds = float(value)
        if seconds >= 86400 and seconds % 86400 == 0:
            return f"{seconds / 86400:g} d"
        if seconds >= 3600:
            return f"{seconds / 3600:g} h"
        return f"{seconds:g} s"
    if name.endswith("usd") and isinstance(value, int | float):
        return f"{value:,.0f} USD"
    return str(value)


@router.get("/monitoring", response_class=HTMLResponse)
def monitoring_page(
    request: Request, typology: str = Query("", max_length=64), page: int = Query(1, ge=1, le=10_000)
) -> HTMLResponse:
    with request.app.state.store.engine.connect() as conn:
        counts = typology_counts(conn)
        selected = typology if typology in counts else ""
        rows = list_alerts(conn, typology=selected or None, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        cases = monitoring_alert_cases(conn, [r.alert_id for r in rows])
    total = counts.get(selected, 0) if selected else sum(counts.values())
    context = {
        "rows": rows,
        "counts": counts,
        "selected": selected,
        "unknown": typology if typology and not selected else "",
        "cases": cases,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "total": total,
    }
    return TEMPLATES.TemplateResponse(request, "monitoring.html", context)


@router.get("/monitoring/alerts/{alert_id}", response_class=HTMLResponse)
def monitoring_alert_page(request: Request, alert_id: str) -> HTMLResponse:
    with request.app.state.store.engine.connect() as conn:
        try:
            alert = get_alert(conn, alert_id)
        except AlertNotFound as exc:
            raise HTTPException(404, str(exc)) from None
        items = alert_events(conn, alert["event_ids"])
        flow = events_flow(conn, alert["customer_ids"], items)
        cases = monitoring_alert_cases(conn, [alert_id]).get(alert_id, [])
    labels = {n["id"]: n["label"] for n in flow["nodes"]}
    parameters = [(k, readable_parameter(k, v)) for k, v in sorted((alert.get("parameters") or {}).items())]
    context = {
        "a": alert,
        "flow": flow,
        "labels": labels,
        "subjects": {customer_node(c) for c in alert["customer_ids"]},
        "parameters": parameters,
        "events": items[:EVENTS_SHOWN],
        "events_total": len(items),
        "missing": len(set(alert["event_ids"])) - len(items),
        "cases": cases,
    }
    return TEMPLATES.TemplateResponse(request, "monitoring_alert.html", context)
