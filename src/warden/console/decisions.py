"""Console pages for decisions: the recent list and one decision's drill-down."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from warden.console.auth import ConsoleRefusal, console_router
from warden.console.charts import contribution_bars
from warden.console.templating import TEMPLATES
from warden.decisions.repository import get_decision, outcome_counts, recent_decisions

router = console_router()  # every page needs a signed-in user

LADDER = ["allow", "challenge", "review", "hold", "block", "freeze"]


@router.get("/decisions", response_class=HTMLResponse)
def decisions_page(request: Request, outcome: str | None = None, limit: int = 100) -> HTMLResponse:
    with request.app.state.store.engine.connect() as conn:
        rows = recent_decisions(conn, min(limit, 500), outcome or None)
        counts = outcome_counts(conn)
    context = {"rows": rows, "counts": counts, "ladder": LADDER, "selected": outcome or ""}
    return TEMPLATES.TemplateResponse(request, "decisions.html", context)


@router.get("/decisions/{event_id}", response_class=HTMLResponse)
def decision_page(request: Request, event_id: str) -> HTMLResponse:
    with request.app.state.store.engine.connect() as conn:
        record = get_decision(conn, event_id)
    if record is None:
        raise ConsoleRefusal(404, f"no decision for event {event_id!r}")
    model = record.get("model") or {}
    chart = contribution_bars(model.get("top_contributions") or [])
    return TEMPLATES.TemplateResponse(request, "decision.html", {"d": record, "chart": chart})
