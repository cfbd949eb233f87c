"""Customer holds: a freeze approved on a case (four eyes: proposed by one person, approved by a senior) stays in
force on the customer until it is released through its own four-eyes step (one person asks, a senior who is
not that person approves). Both steps are on the case's timeline and the audit log.

The table belongs to the decisions stage (`warden.decisions.freezes`), whose engine holds the withdrawals
of frozen customers; this module makes the changes, with their four eyes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import REVIEWER_ROLES, Actor
from warden.audit.log import append_audit
from warden.cases.errors import CaseError, Conflict, Forbidden, NotFound
from warden.cases.records import as_utc, record_event, utcnow
from warden.decisions.freezes import IN_FORCE, customer_holds


def place_freeze(
    conn: sa.Connection, customer_id: str, case_id: str, placed_by: str, approved_by: str, reason: str, now: datetime
) -> str:
    """Record an approved freeze (called inside the approval's transaction)."""
    hold_id = f"hold_{uuid.uuid4().hex[:16]}"
    conn.execute(
        sa.insert(customer_holds).values(
            hold_id=hold_id,
            customer_id=customer_id,
            kind="freeze",
            status="active",
            case_id=case_id,
            reason=reason,
            placed_by=placed_by,
            approved_by=approved_by,
            placed_at=now,
        )
    )
    record_event(conn, case_id, approved_by, "customer_frozen", {"hold_id": hold_id, "customer_id": customer_id}, now)
    return hold_id


def _load(conn: sa.Connection, hold_id: str) -> sa.Row[Any]:
    row = conn.execute(sa.select(customer_holds).where(customer_holds.c.hold_id == hold_id).with_for_update()).first()
    if row is None:
        raise NotFound(f"no hold {hold_id!r}")
    return row


def request_release(conn: sa.Connection, hold_id: str, actor: Actor, reason: str, now: datetime | None = None) -> None:
    """First pair of eyes: ask for the freeze to end, with the reason."""
    now = now or utcnow()
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot ask for a release")
    if not reason.strip():
        raise CaseError("a release needs a reason")
    row = _load(conn, hold_id)
    if row.status != "active":
        raise Conflict(f"hold {hold_id} is {row.status}; only an active hold can be asked to be released")
    conn.execute(
        sa.update(customer_holds)
        .where(customer_holds.c.hold_id == hold_id)
        .values(status="release_pending", release_requested_by=actor.name, release_reason=reason.strip())
    )
    _record(conn, row, actor.name, "release_requested", {"reason": reason.strip()}, now)


def decide_release(conn: sa.Connection, hold_id: str, actor: Actor, approve: bool, now: datetime | None = None) -> None:
    """Second pair of eyes: a senior who did not ask approves (the freeze ends) or rejects (it stays)."""
    now = now or utcnow()
    row = _load(conn, hold_id)
    if row.status != "release_pending":
        raise Conflict(f"hold {hold_id} is {row.status}; no release is waiting")
    if row.release_requested_by == actor.name:
        raise Forbidden(f"{actor.name} asked for this release and cannot decide it: four eyes need a second person")
    if not actor.is_senior:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot decide releases; senior_analyst or admin can")
    values: dict[str, Any] = (
        {"status": "released", "released_by": actor.name, "released_at": now}
        if approve
        else {"status": "active", "release_requested_by": None, "release_reason": None}
    )
    conn.execute(sa.update(customer_holds).where(customer_holds.c.hold_id == hold_id).values(**values))
    _record(conn, row, actor.name, "release_approved" if approve else "release_rejected", {}, now)


def _record(
    conn: sa.Connection, row: sa.Row[Any], actor: str, action: str, detail: dict[str, Any], now: datetime
) -> None:
    detail = {"hold_id": row.hold_id, "customer_id": row.customer_id, **detail}
    if row.case_id:
        record_event(conn, row.case_id, actor, action, detail, now)
    else:
        append_audit(conn, actor=actor, action=f"hold.{action}", subject=f"customer:{row.customer_id}", after=detail)


def holds_of(conn: sa.Connection, customer_id: str, in_force_only: bool = False) -> list[dict[str, Any]]:
    query = sa.select(customer_holds).where(customer_holds.c.customer_id == customer_id)
    if in_force_only:
        query = query.where(customer_holds.c.status.in_(IN_FORCE))
    rows = conn.execute(query.order_by(customer_holds.c.placed_at.desc())).all()
    return [
        {
            **dict(r._mapping),
            "placed_at": as_utc(r.placed_at),
            "released_at": None if r.released_at is None else as_utc(r.released_at),
            "in_force": r.status in IN_FORCE,
        }
        for r in rows
    ]
