"""`/v1/cases`: list, read (with timeline), notes, transitions, take-next, assign, four-eyes proposals.

People sign in (session cookie) and act under their role; machines use API keys with scope "cases" for
reading, pushing alerts and notes. Assignment and four-eyes steps are for people only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from warden.access.roles import REVIEWER_ROLES, ROLES, SENIOR_ROLES, Actor
from warden.api.session import require_role
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.assignment import assign, sweep, take_next
from warden.cases.proposals import decide_proposal, propose
from warden.cases.queues import default_queue_config
from warden.cases.records import utcnow
from warden.cases.repository import add_note, get_case, list_cases, set_tags, transition
from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.reporting.budgets import check_budgets
from warden.triage.model import load_prioritiser, rescore_with_active_model
from warden.web.errors import domain_errors

router = APIRouter(prefix="/v1/cases", tags=["cases"])

readers = require_role(*ROLES, api_key_scope="cases")
reviewers = require_role(*REVIEWER_ROLES)
reviewers_or_machines = require_role(*REVIEWER_ROLES, api_key_scope="cases")
seniors = require_role(*SENIOR_ROLES)
admins_or_machines = require_role("admin", api_key_scope="cases")


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


class AlertIn(BaseModel):
    alert_id: str = Field(..., max_length=200)
    source: str
    typology: str = Field(..., max_length=64)
    customer_ids: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list)
    event_ids: list[str] = Field(default_factory=list)
    score: float = Field(..., ge=0.0, le=1.0)
    severity: str
    amount_usd: Decimal = Decimal(0)
    evidence: dict[str, Any] = Field(default_factory=dict)
    jurisdiction: str | None = Field(None, max_length=8)


class NoteIn(BaseModel):
    text: str


class TagsIn(BaseModel):
    tags: list[str]


class TransitionIn(BaseModel):
    to: str
    disposition: str | None = None
    action: str | None = None
    reason: str = ""


class AssignIn(BaseModel):
    assignee: str | None
    reason: str = ""


class ProposalIn(BaseModel):
    action: str
    customer_action: str | None = None
    reason: str = ""


class DecisionIn(BaseModel):
    reason: str = ""


@router.get("", summary="Cases matching the filters, highest priority first")
def cases_list(
    request: Request,
    state: str | None = None,
    queue: str | None = None,
    severity: str | None = None,
    assignee: str | None = None,
    customer: str | None = None,
    overdue: bool | None = None,
    open_only: bool = False,
    limit: int = Query(100, ge=1, le=1000),
    _: Actor = Depends(readers),
) -> list[dict[str, Any]]:
    with domain_errors(), _engine(request).connect() as conn:
        return list_cases(
            conn,
            state=state,
            queue=queue,
            severity=severity,
            assignee=assignee,
            customer=customer,
            overdue=overdue,
            open_only=open_only,
            limit=limit,
        )


@router.post("/alerts", status_code=201, summary="Add an alert: it joins the customer's open case or opens one")
def alerts_add(body: AlertIn, request: Request, actor: Actor = Depends(admins_or_machines)) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        result = add_alert(conn, CaseAlert(**body.model_dump()), actor=actor.name)
    return result.__dict__


@router.post("/from-decisions", summary="Turn stored decisions at review or stronger into alerts (idempotent)")
def from_decisions(request: Request, _: Actor = Depends(admins_or_machines)) -> dict[str, int]:
    with domain_errors(), _engine(request).begin() as conn:
        counts = alerts_from_decisions(conn)
        counts["rescored_by_triage_model"] = rescore_with_active_model(conn, request.app.state.settings.data_dir)
        return counts


@router.post("/from-monitoring", summary="Turn stored monitoring alerts into case alerts (idempotent)")
def from_monitoring(request: Request, _: Actor = Depends(admins_or_machines)) -> dict[str, int]:
    with domain_errors(), _engine(request).begin() as conn:
        counts = alerts_from_monitoring(conn)
        counts["rescored_by_triage_model"] = rescore_with_active_model(conn, request.app.state.settings.data_dir)
        return counts


@router.post(
    "/sweep", summary="Flag cases past SLA, refresh priorities (the triage model when trained), check the budgets"
)
def sla_sweep(request: Request, _: Actor = Depends(admins_or_machines)) -> dict[str, int]:
    settings = request.app.state.settings
    prioritiser = load_prioritiser(settings.data_dir)
    with domain_errors(), _engine(request).begin() as conn:
        counts = sweep(conn, prioritiser=prioritiser)
        counts["budgets_breached_now"] = check_budgets(conn, settings, default_queue_config(), utcnow())
        return counts


@router.post("/take-next", summary="Lock the highest-priority open case of your queues to you (204 when none)")
def next_case(request: Request, actor: Actor = Depends(reviewers)) -> Any:
    with domain_errors():
        case_id = take_next(_engine(request), actor.name)
        if case_id is None:
            return Response(status_code=204)
        with _engine(request).connect() as conn:
            return get_case(conn, case_id)


@router.get("/{case_id}", summary="One case with its alerts, timeline and proposals")
def case_get(case_id: str, request: Request, _: Actor = Depends(readers)) -> dict[str, Any]:
    with domain_errors(), _engine(request).connect() as conn:
        return get_case(conn, case_id)


@router.post("/{case_id}/notes", status_code=201, summary="Add a note to the case timeline")
def note_add(
    case_id: str, body: NoteIn, request: Request, actor: Actor = Depends(reviewers_or_machines)
) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        add_note(conn, case_id, actor, body.text)
    return {"case_id": case_id, "noted_by": actor.name}


@router.put("/{case_id}/tags", summary="Replace the case's tags")
def tags_set(case_id: str, body: TagsIn, request: Request, actor: Actor = Depends(reviewers)) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        return {"case_id": case_id, "tags": set_tags(conn, case_id, actor, body.tags)}


@router.post("/{case_id}/transitions", summary="Move the case: in_review, escalated, closed (with disposition)")
def transition_add(
    case_id: str, body: TransitionIn, request: Request, actor: Actor = Depends(reviewers)
) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        return transition(
            conn, case_id, actor, body.to, disposition=body.disposition, action=body.action, reason=body.reason
        )


@router.post("/{case_id}/assign", summary="Assign, reassign or release (assignee null) a case (senior)")
def assign_case(case_id: str, body: AssignIn, request: Request, actor: Actor = Depends(seniors)) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        assign(conn, case_id, actor, body.assignee, reason=body.reason)
    return {"case_id": case_id, "assignee": body.assignee}


@router.post("/{case_id}/proposals", status_code=201, summary="Propose a four-eyes action")
def proposal_add(case_id: str, body: ProposalIn, request: Request, actor: Actor = Depends(reviewers)) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        proposal_id = propose(
            conn, case_id, actor, body.action, customer_action=body.customer_action, reason=body.reason
        )
    return {"proposal_id": proposal_id, "case_id": case_id, "status": "pending"}


@router.post("/proposals/{proposal_id}/approve", summary="Approve and apply a proposal (a second, senior person)")
def proposal_approve(
    proposal_id: str, body: DecisionIn, request: Request, actor: Actor = Depends(reviewers)
) -> dict[str, Any]:
    # Analysts are let through to the domain so its message says why they cannot approve.
    with domain_errors(), _engine(request).begin() as conn:
        return decide_proposal(conn, proposal_id, actor, approve=True, reason=body.reason)


@router.post("/proposals/{proposal_id}/reject", summary="Reject a proposal (a second, senior person)")
def proposal_reject(
    proposal_id: str, body: DecisionIn, request: Request, actor: Actor = Depends(reviewers)
) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        return decide_proposal(conn, proposal_id, actor, approve=False, reason=body.reason)
