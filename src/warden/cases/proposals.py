"""Four eyes: actions that hurt a customer or go to an authority are proposed by one person and applied only
when a second person, a senior analyst or admin who is not the proposer, approves. Both steps are audited."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import REVIEWER_ROLES, Actor
from warden.cases.errors import CaseError, Conflict, Forbidden, NotFound
from warden.cases.holds import place_freeze
from warden.cases.model import FOUR_EYES_ACTIONS
from warden.cases.records import dumps, record_event, utcnow
from warden.cases.repository import close_case, load_case_row
from warden.cases.tables import case_proposals

# close_with_action: close as a true positive with a freeze or exit; file_report: a SAR/STR to the authority.
PROPOSAL_ACTIONS = ("close_with_action", "file_report")


def propose(
    conn: sa.Connection,
    case_id: str,
    actor: Actor,
    action: str,
    *,
    customer_action: str | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> str:
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot propose case actions")
    if action not in PROPOSAL_ACTIONS:
        raise CaseError(f"unknown proposal {action!r}; use one of {', '.join(PROPOSAL_ACTIONS)}")
    payload: dict[str, Any] = {"reason": reason}
    if action == "close_with_action":
        if customer_action not in FOUR_EYES_ACTIONS:
            raise CaseError(f"close_with_action needs customer_action, one of {', '.join(FOUR_EYES_ACTIONS)}")
        payload.update(disposition="true_positive_action_taken", customer_action=customer_action)
    now = now or utcnow()
    row = load_case_row(conn, case_id, lock=True)
    if row.state == "closed":
        raise Conflict(f"case {case_id} is closed")
    pending = conn.execute(
        sa.select(case_proposals.c.proposal_id).where(
            case_proposals.c.case_id == case_id,
            case_proposals.c.action == action,
            case_proposals.c.status == "pending",
        )
    ).first()
    if pending is not None:
        raise Conflict(f"case {case_id} already has a pending {action} proposal ({pending.proposal_id})")
    proposal_id = f"prop_{uuid.uuid4().hex[:16]}"
    conn.execute(
        sa.insert(case_proposals).values(
            proposal_id=proposal_id,
            case_id=case_id,
            action=action,
            payload=dumps(payload),
            status="pending",
            proposed_by=actor.name,
            proposed_at=now,
        )
    )
    record_event(conn, case_id, actor.name, "proposed", {"proposal_id": proposal_id, "action": action, **payload}, now)
    return proposal_id


def decide_proposal(
    conn: sa.Connection, proposal_id: str, actor: Actor, *, approve: bool, reason: str = "", now: datetime | None = None
) -> dict[str, Any]:
    """Approve (and apply) or reject a pending proposal; never by its proposer, only by a senior or admin."""
    now = now or utcnow()
    row = conn.execute(
        sa.select(case_proposals).where(case_proposals.c.proposal_id == proposal_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no proposal {proposal_id!r}")
    verb = "approve" if approve else "reject"
    if row.proposed_by == actor.name:
        raise Forbidden(f"{actor.name} proposed {proposal_id} and cannot {verb} it: four eyes need a second person")
    if not actor.is_senior:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot {verb} proposals; senior_analyst or admin can")
    if row.status != "pending":
        raise Conflict(f"proposal {proposal_id} is already {row.status} (by {row.decided_by})")
    payload = json.loads(row.payload)
    status = "approved" if approve else "rejected"
    if approve and row.action == "close_with_action":
        case = load_case_row(conn, row.case_id, lock=True)
        close_case(
            conn,
            case,
            row.proposed_by,
            payload["disposition"],
            payload["customer_action"],
            payload.get("reason", ""),
            now,
            approved_by=actor.name,
        )
        if payload["customer_action"] == "freeze" and case.subject_customer:
            # The customer's state changes until a release passes its own four eyes (cases/holds.py).
            place_freeze(
                conn, case.subject_customer, row.case_id, row.proposed_by, actor.name, payload.get("reason", ""), now
            )
    conn.execute(
        sa.update(case_proposals)
        .where(case_proposals.c.proposal_id == proposal_id)
        .values(status=status, decided_by=actor.name, decided_at=now)
    )
    detail = {"proposal_id": proposal_id, "action": row.action, "status": status, "reason": reason}
    if approve and row.action == "file_report":
        detail["report_filed"] = True  # the filing itself (goAML XML etc.) is a later slice
    record_event(conn, row.case_id, actor.name, f"proposal_{status}", detail, now, before={"status": "pending"})
    return detail
