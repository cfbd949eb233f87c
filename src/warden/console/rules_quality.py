"""Rule quality for rule authors: each rule's hits in decisions by outcome beside what reviewers concluded about
its alerts, so noisy rules stand out."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from warden.cases.records import utcnow
from warden.console.auth import console_router
from warden.console.templating import TEMPLATES
from warden.reporting.rule_quality import LADDER, rule_quality

RULE_QUALITY_ROLES = ("rule_author", "senior_analyst", "admin")
WINDOWS = (0, 7, 30, 90)  # days of decisions counted; 0: all

router = console_router(*RULE_QUALITY_ROLES)


@router.get("/rules/quality", response_class=HTMLResponse)
def rules_quality_page(request: Request, days: int = Query(0)) -> HTMLResponse:
    days = days if days in WINDOWS else 0
    since = utcnow() - timedelta(days=days) if days else None
    with request.app.state.store.engine.connect() as conn:
        rows = rule_quality(conn, since=since)
    outcomes = [o for o in LADDER if any(r.by_outcome.get(o) for r in rows)]
    context = {"rows": rows, "outcomes": outcomes, "days": days, "windows": WINDOWS}
    return TEMPLATES.TemplateResponse(request, "rules_quality.html", context)
