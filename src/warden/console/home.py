"""A reviewer's operational home (`/home`): my open cases, approvals waiting for me (four-eyes proposals and
freeze releases someone else asked for), SLAs falling due today in my queues, queue sizes, reports due soon."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse

from warden.access.roles import REVIEWER_ROLES, SENIOR_ROLES
from warden.access.users import User
from warden.cases.model import OPEN_STATES
from warden.cases.records import as_utc, utcnow
from warden.cases.tables import cases
from warden.console.auth import console_router, console_user
from warden.console.case_queries import pending_proposals, queue_counts
from warden.console.templating import TEMPLATES
from warden.decisions.freezes import customer_holds
from warden.reporting.sar import list_reports

router = console_router(*REVIEWER_ROLES)


def _cases(conn: sa.Connection, *where: sa.ColumnElement[bool]) -> list[dict[str, object]]:
    query = sa.select(cases).where(cases.c.state.in_(OPEN_STATES), *where).order_by(cases.c.sla_due_at).limit(50)
    return [{**dict(r._mapping), "sla_due_at": as_utc(r.sla_due_at)} for r in conn.execute(query)]


@router.get("/home", response_class=HTMLResponse)
def home(request: Request, user: User = Depends(console_user(*REVIEWER_ROLES))) -> Response:
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
    context = {
        "mine": mine,
        "due_today": due_today,
        "proposals": proposals,
        "releases": releases,
        "queues": queues,
        "reports": reports,
        "now": now,
        "senior": senior,
    }
    return TEMPLATES.TemplateResponse(request, "home.html", context)
