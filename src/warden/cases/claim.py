"""Claiming: a reviewer takes one particular unassigned case (seen in a list or a search) rather than the next
one of their queues. The same rules as take-next hold: the case's queue must be one the reviewer works, and
they must be under their capacity."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from warden.access.roles import REVIEWER_ROLES, Actor
from warden.access.users import get_user
from warden.cases.assignment import open_load
from warden.cases.errors import Conflict, Forbidden
from warden.cases.records import record_event, utcnow
from warden.cases.repository import load_case_row
from warden.cases.tables import cases


def claim(conn: sa.Connection, case_id: str, actor: Actor, now: datetime | None = None) -> None:
    """Assign an open, unassigned case to the reviewer asking for it (a new case moves to in_review)."""
    now = now or utcnow()
    if actor.role not in REVIEWER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) does not review cases")
    row = load_case_row(conn, case_id, lock=True)
    if row.state == "closed":
        raise Conflict(f"case {case_id} is closed")
    if row.assignee is not None:
        raise Conflict(f"case {case_id} is already assigned to {row.assignee}")
    reviewer = get_user(conn, actor.name)
    if row.queue not in reviewer.skills:
        raise Forbidden(f"{actor.name} does not work queue {row.queue}")
    if open_load(conn, actor.name) >= reviewer.capacity:
        raise Conflict(f"{actor.name} already holds {reviewer.capacity} open cases (their capacity)")
    new_state = "in_review" if row.state == "new" else row.state
    # Only if still unassigned: two claims at once, one wins and the other is told.
    done = conn.execute(
        sa.update(cases)
        .where(cases.c.case_id == case_id, cases.c.assignee.is_(None))
        .values(assignee=actor.name, state=new_state, updated_at=now)
    )
    if done.rowcount != 1:
        raise Conflict(f"case {case_id} was claimed by someone else a moment ago")
    detail = {"assignee": actor.name, "from": row.state, "to": new_state, "how": "claim"}
    record_event(conn, case_id, actor.name, "assigned", detail, now, before={"assignee": None, "state": row.state})
