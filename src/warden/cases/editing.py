"""Who may change a case's working material (narrative, tags, notes, attachments), reopening a closed case, and
the narrative's saved versions.

A closed case is read-only: its record is what was decided. Reopening it is a transition of its own (a senior
analyst or admin, with a reason, on the timeline and the audit log), after which it is worked again.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.cases.errors import CaseError, Conflict, Forbidden
from warden.cases.records import as_utc, record_event, utcnow
from warden.cases.repository import load_case_row
from warden.cases.tables import case_timeline, cases


def require_editable(conn: sa.Connection, case_id: str, actor: Actor, what: str) -> None:
    """Refuse changes to a closed case, and changes by anyone but its assignee or a senior."""
    row = load_case_row(conn, case_id)
    if row.state == "closed":
        raise Conflict(f"case {case_id} is closed and read-only; a senior analyst can reopen it")
    if not actor.is_senior and row.assignee != actor.name:
        holder = f"assigned to {row.assignee}" if row.assignee else "not assigned to anyone (claim it first)"
        raise Forbidden(f"{actor.name} ({actor.role}) cannot {what} on case {case_id}: it is {holder}")


def reopen(conn: sa.Connection, case_id: str, actor: Actor, reason: str, now: datetime | None = None) -> None:
    """closed -> in_review, kept with its assignee; the disposition is cleared (the old one stays on the timeline)."""
    if not actor.is_senior:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot reopen cases; senior_analyst or admin can")
    if not reason.strip():
        raise CaseError("reason: reopening a case needs a reason")
    now = now or utcnow()
    row = load_case_row(conn, case_id, lock=True)
    if row.state != "closed":
        raise Conflict(f"case {case_id} is {row.state}, not closed")
    conn.execute(
        sa.update(cases)
        .where(cases.c.case_id == case_id)
        .values(state="in_review", disposition=None, closed_at=None, updated_at=now)
    )
    detail = {"from": "closed", "to": "in_review", "reason": reason.strip()}
    record_event(conn, case_id, actor.name, "reopened", detail, now, before={"disposition": row.disposition})


def narrative_versions(conn: sa.Connection, case_id: str) -> list[dict[str, Any]]:
    """Every saved narrative, newest first, with who saved it and when."""
    query = (
        sa.select(case_timeline.c.at, case_timeline.c.actor, case_timeline.c.detail)
        .where(case_timeline.c.case_id == case_id, case_timeline.c.kind == "narrative")
        .order_by(case_timeline.c.id.desc())
    )
    rows = conn.execute(query).all()
    return [
        {"version": len(rows) - i, "at": as_utc(at), "by": actor, "text": json.loads(detail)["text"]}
        for i, (at, actor, detail) in enumerate(rows)
    ]
