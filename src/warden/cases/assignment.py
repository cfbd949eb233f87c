"""Handing cases to reviewers: take-next (never the same case to two people), assign, SLA sweep.

Take-next locks the chosen case to the reviewer in one short transaction. On PostgreSQL the candidate row is
picked with `FOR UPDATE SKIP LOCKED`, so concurrent reviewers skip each other's rows instead of waiting; on
SQLite a conditional `UPDATE ... WHERE assignee IS NULL` claims it and the rowcount says whether it did
(SQLite has one writer at a time, so the claim and its check cannot interleave).
"""

from __future__ import annotations

import json
import threading
import weakref
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.access.users import User, get_user
from warden.cases.errors import Conflict, Forbidden
from warden.cases.model import OPEN_STATES
from warden.cases.priority import (
    Prioritiser,
    Priority,
    PriorityInput,
    ScoresCaseFeatures,
    rule_priority,
    with_urgency_floor,
    without_urgency_floor,
)
from warden.cases.records import as_utc, dumps, record_event, utcnow
from warden.cases.repository import load_case_row
from warden.cases.tables import cases

_CLAIM_ATTEMPTS = 20
# Written out literally so both databases see it matches the partial index ix_cases_takeable (bound parameters
# would hide that), letting take-next stop at the first row instead of sorting every open case.
TAKEABLE = sa.text("cases.assignee IS NULL AND cases.state IN ('new', 'escalated')")


_SQLITE_WRITERS: weakref.WeakKeyDictionary[sa.Engine, threading.Lock] = weakref.WeakKeyDictionary()
_SQLITE_WRITERS_GUARD = threading.Lock()


def _writer_lock(engine: sa.Engine) -> AbstractContextManager[Any]:
    """SQLite admits one writer and makes the others poll with sleeps of up to 100 ms; threads of one process
    queue on a lock instead, which cut take-next p99 several-fold (docs/cases.md). PostgreSQL needs none."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    with _SQLITE_WRITERS_GUARD:
        return _SQLITE_WRITERS.setdefault(engine, threading.Lock())


def open_load(conn: sa.Connection, username: str) -> int:
    query = sa.select(sa.func.count()).where(cases.c.assignee == username, cases.c.state.in_(OPEN_STATES))
    return int(conn.execute(query).scalar_one())


def _candidates(queues: tuple[str, ...]) -> sa.Select[Any]:
    return (
        sa.select(cases.c.case_id, cases.c.state)
        .where(TAKEABLE, cases.c.queue.in_(queues))
        .order_by(cases.c.priority.desc(), cases.c.sla_due_at, cases.c.case_id)
    )


def _claim_postgres(conn: sa.Connection, reviewer: User) -> tuple[str, str] | None:
    row = conn.execute(_candidates(reviewer.skills).limit(1).with_for_update(skip_locked=True)).first()
    if row is None:
        return None
    conn.execute(sa.update(cases).where(cases.c.case_id == row.case_id).values(assignee=reviewer.username))
    return row.case_id, row.state


def _claim_sqlite(conn: sa.Connection, reviewer: User) -> tuple[str, str] | None:
    for _ in range(_CLAIM_ATTEMPTS):
        row = conn.execute(_candidates(reviewer.skills).limit(1)).first()
        if row is None:
            return None
        claimed = conn.execute(
            sa.update(cases)
            .where(cases.c.case_id == row.case_id, cases.c.assignee.is_(None))
            .values(assignee=reviewer.username)
        )
        if claimed.rowcount == 1:
            return row.case_id, row.state
    raise Conflict("the queue is busy: every case looked at was claimed by someone else first; try again")


def take_next(engine: sa.Engine, username: str, now: datetime | None = None) -> str | None:
    """Give `username` the highest-priority open, unassigned case of their queues; None when there is none.

    Runs its own transaction (so the lock is held as briefly as possible); refuses reviewers at capacity.
    """
    now = now or utcnow()
    with _writer_lock(engine), engine.begin() as conn:
        reviewer = get_user(conn, username)
        if not reviewer.active or not reviewer.skills:
            raise Forbidden(f"{username} ({reviewer.role}) works no queue")
        if open_load(conn, username) >= reviewer.capacity:
            raise Conflict(f"{username} already holds {reviewer.capacity} open cases (their capacity)")
        claim = _claim_postgres if conn.dialect.name == "postgresql" else _claim_sqlite
        taken = claim(conn, reviewer)
        if taken is None:
            return None
        case_id, state = taken
        new_state = "in_review" if state == "new" else state
        conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(state=new_state, updated_at=now))
        detail = {"assignee": username, "from": state, "to": new_state, "how": "take_next"}
        record_event(conn, case_id, username, "assigned", detail, now, before={"assignee": None, "state": state})
        return case_id


def assign(
    conn: sa.Connection,
    case_id: str,
    actor: Actor,
    assignee: str | None,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> None:
    """Senior analysts and admins (re)assign or release a case; the new holder must have the case's queue."""
    if not actor.is_senior:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot assign cases; senior_analyst or admin can")
    now = now or utcnow()
    row = load_case_row(conn, case_id, lock=True)
    if row.state == "closed":
        raise Conflict(f"case {case_id} is closed")
    if assignee is not None:
        user = get_user(conn, assignee)
        if row.queue not in user.skills:
            raise Forbidden(f"{assignee} does not work queue {row.queue}")
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(assignee=assignee, updated_at=now))
    detail = {"assignee": assignee, "reason": reason, "how": "assign"}
    record_event(conn, case_id, actor.name, "assigned", detail, now, before={"assignee": row.assignee})


def sweep(
    conn: sa.Connection,
    *,
    prioritiser: Prioritiser | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Flag open cases past their SLA (once each, on the timeline) and refresh priorities.

    With no prioritiser given, rule-based priorities are refreshed for age and cases the triage model scored
    keep their score (a caller without the model must not silently undo it); pass the `TriagePrioritiser`
    (`warden.triage.model.load_prioritiser`) to re-score with the model.
    """
    now = now or utcnow()
    counts = {"flagged_overdue": 0, "reprioritised": 0}
    rows = conn.execute(sa.select(cases).where(cases.c.state.in_(OPEN_STATES))).all()
    features: dict[str, dict[str, float]] = {}
    if isinstance(prioritiser, ScoresCaseFeatures):
        # The triage model scores on case features; computed once for every open case, not per case.
        features = prioritiser.case_features(conn, [r.case_id for r in rows])
    for row in rows:
        values: dict[str, Any] = {}
        if not row.overdue and as_utc(row.sla_due_at) <= now:
            values["overdue"] = True
            record_event(conn, row.case_id, "system:sla", "sla_breached", {"sla_due_at": str(row.sla_due_at)}, now)
            counts["flagged_overdue"] += 1
        given = PriorityInput(
            row.severity,
            row.amount_usd,
            float(row.max_alert_score),
            as_utc(row.created_at),
            case_id=row.case_id,
            features=features.get(row.case_id),
            overdue=bool(row.overdue or values.get("overdue")),
        )
        if prioritiser is None and str(json.loads(row.priority_reasons).get("version", "")).startswith("triage@"):
            stored = Priority(row.priority, json.loads(row.priority_reasons))  # the triage model's score stays
            priority = with_urgency_floor(given, without_urgency_floor(stored))
        else:
            priority = (prioritiser or rule_priority)(given, now)
        if priority.value != row.priority:
            values.update(priority=priority.value, priority_reasons=dumps(priority.reasons))
            counts["reprioritised"] += 1
        if values:
            conn.execute(sa.update(cases).where(cases.c.case_id == row.case_id).values(**values))
    return counts
