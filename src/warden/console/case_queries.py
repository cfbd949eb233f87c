"""Read-only queries behind the queue and case-list pages (counts per queue, filtered and paged case lists,
proposals waiting for a second pair of eyes).

They read the cases table the way the pages need it (counts per queue, tag and substring filters, a total
for paging), which warden.cases.repository.list_cases does not offer; nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.cases.model import OPEN_STATES, SEVERITIES, STATES
from warden.cases.queues import default_queue_config
from warden.cases.records import as_utc
from warden.cases.tables import case_alerts, case_proposals, cases
from warden.events.search_terms import normalise, search_terms

PAGE_SIZE = 50
ALL_STATES = "all"  # the state filter's value that shows closed cases too
# sort key -> (column, descending first); ties go by priority, then age
SORTS: dict[str, tuple[sa.ColumnElement[Any], bool]] = {
    "priority": (cases.c.priority, True),
    "amount": (cases.c.amount_usd, True),
    "age": (cases.c.created_at, False),
    "activity": (cases.c.updated_at, True),
    "sla": (cases.c.sla_due_at, False),
}


@dataclass(frozen=True)
class QueueCounts:
    queue: str
    description: str
    senior_only: bool
    open: int
    unassigned: int
    overdue: int  # open and past the SLA deadline now, whether or not the sweep has flagged it yet


def queue_counts(conn: sa.Connection, now: datetime) -> list[QueueCounts]:
    """Every configured queue (empty ones too) with its open, unassigned and overdue case counts."""
    config = default_queue_config()
    query = (
        sa.select(
            cases.c.queue,
            sa.func.count(),
            sa.func.sum(sa.case((cases.c.assignee.is_(None), 1), else_=0)),
            sa.func.sum(sa.case((cases.c.sla_due_at < now, 1), else_=0)),
        )
        .where(cases.c.state.in_(OPEN_STATES))
        .group_by(cases.c.queue)
    )
    found = {q: (int(n), int(u or 0), int(o or 0)) for q, n, u, o in conn.execute(query)}
    names = list(config.queues) + sorted(set(found) - set(config.queues))
    result = []
    for name in names:
        queue = config.queues.get(name)
        n, unassigned, overdue = found.get(name, (0, 0, 0))
        result.append(
            QueueCounts(
                name, queue.description if queue else "", bool(queue and queue.senior_only), n, unassigned, overdue
            )
        )
    return result


@dataclass(frozen=True)
class CaseFilters:
    """What the case list is narrowed to; empty strings mean "any"."""

    queue: str = ""
    state: str = ""
    severity: str = ""
    assignee: str = ""  # a username, or "-" for unassigned cases
    overdue: str = ""  # "yes" | "no" | ""
    tag: str = ""
    q: str = ""  # a substring of the customer or case id, or the start of a customer's name, e-mail, address ...
    sort: str = ""  # one of SORTS; empty: priority
    errors: list[str] = field(default_factory=list)

    def checked(self) -> CaseFilters:
        """The same filters with unknown values reported (and ignored) rather than silently matching nothing."""
        errors = []
        if self.sort and self.sort not in SORTS:
            errors.append(f"sort {self.sort!r} is not one of {', '.join(SORTS)}")
        if self.state and self.state not in (*STATES, ALL_STATES):
            errors.append(f"state {self.state!r} is not one of {', '.join(STATES)}")
        if self.severity and self.severity not in SEVERITIES:
            errors.append(f"severity {self.severity!r} is not one of {', '.join(SEVERITIES)}")
        if self.overdue not in ("", "yes", "no"):
            errors.append("overdue is yes, no or empty")
        if not errors:
            return self
        return CaseFilters(
            self.queue,
            self.state if self.state in (*STATES, ALL_STATES) else "",
            "" if self.severity not in SEVERITIES else self.severity,
            self.assignee,
            "" if self.overdue not in ("yes", "no") else self.overdue,
            self.tag,
            self.q,
            self.sort if self.sort in SORTS else "",
            errors,
        )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(filters: CaseFilters, now: datetime) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if filters.queue:
        where.append(cases.c.queue == filters.queue)
    if filters.state == ALL_STATES:
        pass
    elif filters.state:
        where.append(cases.c.state == filters.state)
    else:  # the default view is the work still to do
        where.append(cases.c.state.in_(OPEN_STATES))
    if filters.severity:
        where.append(cases.c.severity == filters.severity)
    if filters.assignee == "-":
        where.append(cases.c.assignee.is_(None))
    elif filters.assignee:
        where.append(cases.c.assignee == filters.assignee)
    late = sa.and_(cases.c.state.in_(OPEN_STATES), cases.c.sla_due_at < now)
    if filters.overdue == "yes":
        where.append(late)
    elif filters.overdue == "no":
        where.append(sa.not_(late))
    if filters.tag:
        # tags is a JSON list of lower-case strings; a quoted element matches exactly that tag.
        token = json.dumps(filters.tag.strip().lower())
        where.append(cases.c.tags.like(f"%{_like_escape(token)}%", escape="\\"))
    if filters.q.strip():
        pattern = f"%{_like_escape(filters.q.strip().lower())}%"
        # Also the customers whose name, e-mail, phone, address, device ... starts with the text (search terms).
        term = normalise(filters.q)
        known = (
            sa.select(search_terms.c.customer_id)
            .where(search_terms.c.term >= term, search_terms.c.term < term + chr(0x10FFFF))
            .limit(500)
        )
        where.append(
            sa.or_(
                sa.func.lower(cases.c.subject_customer).like(pattern, escape="\\"),
                sa.func.lower(cases.c.case_id).like(pattern, escape="\\"),
                cases.c.subject_customer.in_(known.scalar_subquery()),
            )
        )
    return where


def _order(sort: str) -> list[sa.ColumnElement[Any]]:
    if not sort or sort == "priority":
        return []
    column, descending = SORTS[sort]
    return [column.desc() if descending else column.asc()]


def _typologies(conn: sa.Connection, case_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if case_ids:
        query = sa.select(case_alerts.c.case_id, case_alerts.c.typology).where(case_alerts.c.case_id.in_(case_ids))
        for case_id, typology in conn.execute(query):
            if typology not in found.setdefault(case_id, []):
                found[case_id].append(typology)
    return found


def search_cases(
    conn: sa.Connection, filters: CaseFilters, now: datetime, page: int = 1, per_page: int = PAGE_SIZE
) -> tuple[list[dict[str, Any]], int]:
    """One page of the cases matching `filters`, highest priority first, and how many match in all."""
    where = _where(filters, now)
    total = int(conn.execute(sa.select(sa.func.count()).select_from(cases).where(*where)).scalar_one())
    query = (
        sa.select(cases)
        .where(*where)
        .order_by(*_order(filters.sort), cases.c.priority.desc(), cases.c.created_at, cases.c.case_id)
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    )
    rows = []
    found = conn.execute(query).all()
    typologies = _typologies(conn, [r.case_id for r in found])
    for row in found:
        due = as_utc(row.sla_due_at)
        rows.append(
            {
                "case_id": row.case_id,
                "customer": row.subject_customer,
                "state": row.state,
                "severity": row.severity,
                "queue": row.queue,
                "assignee": row.assignee,
                "priority": row.priority,
                "tags": json.loads(row.tags),
                "sla_due_at": due.isoformat().replace("+00:00", "Z"),
                "overdue": row.state in OPEN_STATES and due < now,
                "created_at": as_utc(row.created_at).isoformat().replace("+00:00", "Z"),
                "typologies": typologies.get(row.case_id, []),
                "amount_usd": row.amount_usd,
                "age_hours": max(0.0, (now - as_utc(row.created_at)).total_seconds() / 3600),
                "last_activity": as_utc(row.updated_at),
            }
        )
    return rows, total


def pending_proposals(conn: sa.Connection, not_by: str, limit: int = 50) -> list[dict[str, Any]]:
    """Four-eyes proposals waiting for a decision that `not_by` may give (not their own), oldest first."""
    query = (
        sa.select(case_proposals, cases.c.severity, cases.c.queue, cases.c.subject_customer)
        .select_from(case_proposals.join(cases, cases.c.case_id == case_proposals.c.case_id))
        .where(case_proposals.c.status == "pending", case_proposals.c.proposed_by != not_by)
        .order_by(case_proposals.c.proposed_at, case_proposals.c.proposal_id)
        .limit(limit)
    )
    return [
        {
            "proposal_id": row.proposal_id,
            "case_id": row.case_id,
            "action": row.action,
            "payload": json.loads(row.payload),
            "proposed_by": row.proposed_by,
            "proposed_at": as_utc(row.proposed_at).isoformat().replace("+00:00", "Z"),
            "severity": row.severity,
            "queue": row.queue,
            "customer": row.subject_customer,
        }
        for row in conn.execute(query)
    ]
