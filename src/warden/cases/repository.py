"""Reading cases and changing them by hand: notes, tags, state transitions. Every change lands on the timeline
and the audit log in the same transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.cases.errors import CaseError, Forbidden, NotFound
from warden.cases.model import (
    FOUR_EYES_ACTIONS,
    OPEN_STATES,
    STATES,
    check_disposition,
    check_severity,
    check_transition,
)
from warden.cases.queues import QueueConfig, default_queue_config
from warden.cases.records import as_utc, dumps, record_event, utcnow
from warden.cases.tables import case_alerts, case_proposals, case_timeline, cases

MAX_NOTE_CHARS = 10_000


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def _case_dict(row: sa.Row[Any]) -> dict[str, Any]:
    value = dict(row._mapping)
    for key in ("sla_due_at", "created_at", "updated_at", "closed_at"):
        if value[key] is not None:
            value[key] = _iso(value[key])
    value["amount_usd"] = str(value["amount_usd"])
    value["tags"] = json.loads(value["tags"])
    value["priority_reasons"] = json.loads(value["priority_reasons"])
    value["overdue"] = bool(value["overdue"])
    return value


def load_case_row(conn: sa.Connection, case_id: str, lock: bool = False) -> sa.Row[Any]:
    query = sa.select(cases).where(cases.c.case_id == case_id)
    if lock:
        query = query.with_for_update()  # PostgreSQL row lock; SQLite serialises writers anyway
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no case {case_id!r}")
    return row


def get_case(conn: sa.Connection, case_id: str) -> dict[str, Any]:
    """The case with its alerts, timeline (oldest first) and four-eyes proposals."""
    case = _case_dict(load_case_row(conn, case_id))
    case["alerts"] = [
        {
            **dict(r._mapping),
            "customer_ids": json.loads(r.customer_ids),
            "addresses": json.loads(r.addresses),
            "event_ids": json.loads(r.event_ids),
            "evidence": json.loads(r.evidence),
            "amount_usd": str(r.amount_usd),
            "created_at": _iso(r.created_at),
        }
        for r in conn.execute(
            sa.select(case_alerts).where(case_alerts.c.case_id == case_id).order_by(case_alerts.c.created_at)
        )
    ]
    case["timeline"] = [
        {
            "at": _iso(r.at),
            "actor": r.actor,
            "kind": r.kind,
            "detail": json.loads(r.detail),
        }
        for r in conn.execute(
            sa.select(case_timeline).where(case_timeline.c.case_id == case_id).order_by(case_timeline.c.id)
        )
    ]
    case["proposals"] = [
        {
            **dict(r._mapping),
            "payload": json.loads(r.payload),
            "proposed_at": _iso(r.proposed_at),
            "decided_at": None if r.decided_at is None else _iso(r.decided_at),
        }
        for r in conn.execute(
            sa.select(case_proposals).where(case_proposals.c.case_id == case_id).order_by(case_proposals.c.proposed_at)
        )
    ]
    return case


def list_cases(
    conn: sa.Connection,
    *,
    state: str | None = None,
    queue: str | None = None,
    severity: str | None = None,
    assignee: str | None = None,
    customer: str | None = None,
    overdue: bool | None = None,
    open_only: bool = False,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Cases matching every filter given, highest priority first."""
    query = sa.select(cases).order_by(cases.c.priority.desc(), cases.c.created_at).limit(max(1, min(limit, 1000)))
    if state is not None:
        if state not in STATES:
            raise CaseError(f"unknown state {state!r}; use one of {', '.join(STATES)}")
        query = query.where(cases.c.state == state)
    if open_only:
        query = query.where(cases.c.state.in_(OPEN_STATES))
    if queue is not None:
        query = query.where(cases.c.queue == queue)
    if severity is not None:
        query = query.where(cases.c.severity == check_severity(severity))
    if assignee is not None:
        query = query.where(cases.c.assignee == assignee)
    if customer is not None:
        query = query.where(cases.c.subject_customer == customer)
    if overdue is not None:
        query = query.where(cases.c.overdue == overdue)
    return [_case_dict(row) for row in conn.execute(query)]


def _require_worker(case: sa.Row[Any], actor: Actor, what: str) -> None:
    """Analysts act on the cases assigned to them; seniors and admins on any."""
    if actor.is_senior or case.assignee == actor.name:
        return
    holder = f"assigned to {case.assignee}" if case.assignee else "not assigned to anyone"
    raise Forbidden(f"{actor.name} ({actor.role}) cannot {what} case {case.case_id}: it is {holder}")


def add_note(conn: sa.Connection, case_id: str, actor: Actor, text: str, now: datetime | None = None) -> None:
    text = text.strip()
    if not text:
        raise CaseError("a note needs some text")
    if len(text) > MAX_NOTE_CHARS:
        raise CaseError(f"a note is at most {MAX_NOTE_CHARS} characters; this one has {len(text)}")
    now = now or utcnow()
    load_case_row(conn, case_id, lock=True)  # anyone who may read the case may annotate it
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(updated_at=now))
    record_event(conn, case_id, actor.name, "note", {"text": text}, now)


def set_tags(
    conn: sa.Connection, case_id: str, actor: Actor, tags: list[str], now: datetime | None = None
) -> list[str]:
    clean = sorted({t.strip().lower() for t in tags if t.strip()})
    if any(len(t) > 64 for t in clean):
        raise CaseError("a tag is at most 64 characters")
    now = now or utcnow()
    row = load_case_row(conn, case_id, lock=True)
    before = json.loads(row.tags)
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(tags=dumps(clean), updated_at=now))
    record_event(conn, case_id, actor.name, "tags", {"tags": clean}, now, before={"tags": before})
    return clean


def transition(
    conn: sa.Connection,
    case_id: str,
    actor: Actor,
    target: str,
    *,
    disposition: str | None = None,
    action: str | None = None,
    reason: str = "",
    config: QueueConfig | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Move a case along new -> in_review -> escalated -> closed; anything else is refused with the reason.

    Escalating hands the case to its queue's senior queue, unassigned. Closing needs a disposition; closing as
    a true positive with a freeze or exit needs four eyes (`proposals.propose`), so it is refused here.
    """
    now = now or utcnow()
    row = load_case_row(conn, case_id, lock=True)
    _require_worker(row, actor, f"move to {target}")
    check_transition(case_id, row.state, target)
    if target == "closed":
        if disposition is None:
            raise CaseError(f"closing case {case_id} needs a disposition")
        check_disposition(disposition)
        if action is not None and action not in (*FOUR_EYES_ACTIONS, "no_action"):
            raise CaseError(f"unknown action {action!r}; use one of {', '.join(FOUR_EYES_ACTIONS)}, no_action or none")
        if action in FOUR_EYES_ACTIONS:
            raise Forbidden(
                f"closing case {case_id} with a {action} needs four eyes: propose it, a senior analyst approves"
            )
        return close_case(conn, row, actor.name, disposition, action, reason, now)
    values: dict[str, Any] = {"state": target, "updated_at": now}
    detail: dict[str, Any] = {"from": row.state, "to": target, "reason": reason}
    if target == "escalated":
        senior = (config or default_queue_config()).senior_queue(row.queue)
        values.update(queue=senior, assignee=None)
        detail.update(queue_from=row.queue, queue_to=senior)
    conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(**values))
    record_event(conn, case_id, actor.name, "transition", detail, now, before={"state": row.state, "queue": row.queue})
    return detail


def close_case(
    conn: sa.Connection,
    row: sa.Row[Any],
    actor: str,
    disposition: str,
    action: str | None,
    reason: str,
    now: datetime,
    approved_by: str | None = None,
) -> dict[str, Any]:
    """Close a locked, checked case row (the four-eyes approval path calls this after its own checks)."""
    check_transition(row.case_id, row.state, "closed")
    conn.execute(
        sa.update(cases)
        .where(cases.c.case_id == row.case_id)
        .values(state="closed", disposition=disposition, closed_at=now, updated_at=now, overdue=False)
    )
    detail = {
        "from": row.state,
        "to": "closed",
        "disposition": disposition,
        "action": action,
        "reason": reason,
        "approved_by": approved_by,
    }
    record_event(conn, row.case_id, actor, "transition", detail, now, before={"state": row.state})
    return detail
