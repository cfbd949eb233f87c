"""The landing page `/`. A reviewer's operational home: my open cases, approvals waiting for me (four-eyes
proposals, freeze releases, ruleset publications and model versions someone else asked for), SLAs falling due
today in my queues, queue sizes, reports due soon. A rule author lands on the rule editor, a model-risk officer
on the models; the demo's overview is its own page (`demo_overview.py`). `/home` (the old address) redirects."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.roles import REVIEWER_ROLES, SENIOR_ROLES
from warden.access.users import User
from warden.cases.model import OPEN_STATES
from warden.cases.records import as_utc, utcnow
from warden.cases.tables import cases
from warden.console.auth import console_router, console_user
from warden.console.case_queries import pending_proposals, queue_counts
from warden.console.templating import TEMPLATES
from warden.decisions.freezes import customer_holds
from warden.decisions.ruleset_requests import APPROVER_ROLES as RULESET_APPROVERS
from warden.decisions.ruleset_requests import pending_requests
from warden.models.approvals import APPROVER_ROLES as MODEL_APPROVERS
from warden.models.approvals import version_records
from warden.reporting.sar import list_reports

router = console_router()  # every signed-in user lands here; who is not a reviewer is sent on
ELSEWHERE = {"rule_author": "/rules/editor", "model_risk_officer": "/models"}


def _cases(conn: sa.Connection, *where: sa.ColumnElement[bool]) -> list[dict[str, object]]:
    query = sa.select(cases).where(cases.c.state.in_(OPEN_STATES), *where).order_by(cases.c.sla_due_at).limit(50)
    return [{**dict(r._mapping), "sla_due_at": as_utc(r.sla_due_at)} for r in conn.execute(query)]


def _approvals(conn: sa.Connection, user: User) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ruleset publications and model versions waiting for a second person, when `user` may be it."""
    rulesets = models = []
    if user.role in RULESET_APPROVERS:
        rulesets = [
            r for r in pending_requests(conn) if r["status"] == "pending" and r["requested_by"] != user.username
        ]
    if user.role in MODEL_APPROVERS:
        records = [*version_records(conn).values(), *version_records(conn, "triage").values()]
        models = [m for m in records if m["status"] == "pending" and m["trained_by"] != user.username]
    return rulesets, models


@router.get("/home")
def old_home() -> Response:
    return RedirectResponse("/", status_code=303)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: User = Depends(console_user())) -> Response:
    if user.role not in REVIEWER_ROLES:
        return RedirectResponse(ELSEWHERE.get(user.role, "/cases"), status_code=303)
    now = utcnow()
    end_of_day = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)
    senior = user.role in SENIOR_ROLES
    with request.app.state.store.engine.connect() as conn:
        mine = _cases(conn, cases.c.assignee == user.username)
        due_today = _cases(conn, cases.c.sla_due_at < end_of_day, cases.c.queue.in_(user.skills))
        proposals = pending_proposals(conn, not_by=user.username) if senior else []
        releases = (
            conn.execute(
                sa.select(customer_holds).where(
                    customer_holds.c.status == "release_pending",
                    customer_holds.c.release_requested_by != user.username,
                )
            ).all()
            if senior
            else []
        )
        queues = [q for q in queue_counts(conn, now) if q.queue in user.skills]
        reports = [r for r in list_reports(conn, now) if r["due_soon"]]
        rulesets, models = _approvals(conn, user)
    context = {
        "mine": mine,
        "due_today": due_today,
        "proposals": proposals,
        "releases": releases,
        "rulesets": rulesets,
        "models": models,
        "approvals": len(proposals) + len(releases) + len(rulesets) + len(models),
        "queues": queues,
        "reports": reports,
        "now": now,
        "senior": senior,
    }
    return TEMPLATES.TemplateResponse(request, "home.html", context)
