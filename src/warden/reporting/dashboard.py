"""The figures of the case dashboard: open work by queue and age, SLA breaches, reviewer throughput.

Every figure is one aggregate query (SQLAlchemy Core, the same on SQLite and PostgreSQL) evaluated at an
explicit `now`, so a test or a replay sees the same numbers as the console. Per-rule precision comes from
`warden.cases.feedback.rule_precision`, which the page shows beside these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from warden.cases.model import DISPOSITIONS, OPEN_STATES
from warden.cases.records import as_utc, utcnow
from warden.cases.tables import case_timeline, cases

# Age of an open case since it was opened: (label, upper bound); the last bucket has none.
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("< 1 d", timedelta(days=1)),
    ("1-3 d", timedelta(days=3)),
    ("3-7 d", timedelta(days=7)),
    ("> 7 d", None),
)
AGE_LABELS = tuple(label for label, _ in AGE_BUCKETS)
THROUGHPUT_WINDOWS = (7, 30)

# The closing transition's timeline detail (written with sort_keys by records.dumps). Closed is final, so a
# case has at most one such entry, and its actor is who did the review (for a four-eyes close, the proposer).
_CLOSING_DETAIL = '%"to": "closed"%'


class utc_day(FunctionElement[str]):  # lower case: it reads as the SQL function it is
    """The UTC calendar day of a timestamp column as 'YYYY-MM-DD', compiled per database."""

    type = sa.String()
    inherit_cache = True


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 10)"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    # timestamptz AT TIME ZONE 'UTC' gives the UTC wall clock whatever the session's time zone is.
    return f"to_char(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@dataclass(frozen=True)
class QueueLoad:
    """Open cases of one queue, by age bucket, and how many of them are past their SLA deadline now."""

    queue: str
    open: int
    by_age: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class OverdueCase:
    case_id: str
    queue: str
    severity: str
    assignee: str | None
    sla_due_at: datetime
    overdue_hours: float


@dataclass(frozen=True)
class ReviewerThroughput:
    """Cases one reviewer closed in the window: in total, by disposition and by UTC day."""

    reviewer: str
    closed: int
    per_day: float
    by_disposition: dict[str, int]
    by_day: dict[str, int]


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    days: int
    queues: list[QueueLoad]
    overdue: list[OverdueCase]
    throughput: list[ReviewerThroughput]
    days_shown: list[str] = field(default_factory=list)

    @property
    def open_total(self) -> int:
        return sum(q.open for q in self.queues)

    @property
    def overdue_total(self) -> int:
        return sum(q.overdue for q in self.queues)

    @property
    def closed_total(self) -> int:
        return sum(r.closed for r in self.throughput)


def _age_bucket(now: datetime) -> ColumnElement[int]:
    whens = [(cases.c.created_at > now - bound, i) for i, (_, bound) in enumerate(AGE_BUCKETS) if bound is not None]
    return sa.case(*whens, else_=len(AGE_BUCKETS) - 1)


def queue_load(conn: sa.Connection, now: datetime) -> list[QueueLoad]:
    """Open cases per queue and age bucket, and those past their SLA deadline at `now` (whether or not the
    SLA sweep has flagged them yet); busiest queue first."""
    bucket = _age_bucket(now).label("bucket")
    overdue = sa.func.sum(sa.case((cases.c.sla_due_at < now, 1), else_=0)).label("overdue")
    query = (
        sa.select(cases.c.queue, bucket, sa.func.count().label("n"), overdue)
        .where(cases.c.state.in_(OPEN_STATES))
        .group_by(cases.c.queue, bucket)
    )
    by_queue: dict[str, dict[str, int]] = {}
    late: dict[str, int] = {}
    for queue, index, n, n_overdue in conn.execute(query):
        by_queue.setdefault(queue, dict.fromkeys(AGE_LABELS, 0))[AGE_LABELS[int(index)]] = int(n)
        late[queue] = late.get(queue, 0) + int(n_overdue or 0)
    loads = [QueueLoad(q, sum(ages.values()), ages, late[q]) for q, ages in by_queue.items()]
    return sorted(loads, key=lambda q: (-q.open, q.queue))


def overdue_cases(conn: sa.Connection, now: datetime, limit: int = 20) -> list[OverdueCase]:
    """Open cases past their SLA deadline at `now`, longest overdue first."""
    query = (
        sa.select(cases.c.case_id, cases.c.queue, cases.c.severity, cases.c.assignee, cases.c.sla_due_at)
        .where(cases.c.state.in_(OPEN_STATES), cases.c.sla_due_at < now)
        .order_by(cases.c.sla_due_at, cases.c.case_id)
        .limit(limit)
    )
    return [
        OverdueCase(
            row.case_id,
            row.queue,
            row.severity,
            row.assignee,
            as_utc(row.sla_due_at),
            round((now - as_utc(row.sla_due_at)).total_seconds() / 3600, 1),
        )
        for row in conn.execute(query)
    ]


def throughput(conn: sa.Connection, now: datetime, days: int = 7) -> list[ReviewerThroughput]:
    """Cases closed per reviewer over the last `days` UTC days up to `now` (today and the days before it), by
    disposition and day; most closed first. The reviewer is the actor of the closing transition on the timeline.
    """
    since = window_start(now, days)
    day = utc_day(case_timeline.c.at).label("day")
    query = (
        sa.select(case_timeline.c.actor, day, cases.c.disposition, sa.func.count().label("n"))
        .select_from(case_timeline.join(cases, cases.c.case_id == case_timeline.c.case_id))
        .where(
            case_timeline.c.kind == "transition",
            case_timeline.c.detail.like(_CLOSING_DETAIL),
            case_timeline.c.at >= since,
            case_timeline.c.at <= now,
        )
        .group_by(case_timeline.c.actor, day, cases.c.disposition)
    )
    per: dict[str, tuple[dict[str, int], dict[str, int]]] = {}
    for actor, on, disposition, n in conn.execute(query):
        by_disposition, by_day = per.setdefault(actor, (dict.fromkeys(DISPOSITIONS, 0), {}))
        by_disposition[disposition] = by_disposition.get(disposition, 0) + int(n)
        by_day[on] = by_day.get(on, 0) + int(n)
    result = [
        ReviewerThroughput(actor, total, round(total / days, 2), by_disposition, dict(sorted(by_day.items())))
        for actor, (by_disposition, by_day) in per.items()
        for total in [sum(by_disposition.values())]
    ]
    return sorted(result, key=lambda r: (-r.closed, r.reviewer))


def window_start(now: datetime, days: int) -> datetime:
    """Midnight UTC starting a window of `days` whole days that ends with `now`'s day."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    return datetime.combine(as_utc(now).date() - timedelta(days=days - 1), time(0), UTC)


def window_days(now: datetime, days: int) -> list[str]:
    """The UTC days of the throughput window, oldest first (the last one is `now`'s day)."""
    start = window_start(now, days).date()
    return [(start + timedelta(days=i)).isoformat() for i in range(days)]


def build_dashboard(conn: sa.Connection, *, now: datetime | None = None, days: int = 7) -> Dashboard:
    now = as_utc(now) if now is not None else utcnow()
    return Dashboard(
        now=now,
        days=days,
        queues=queue_load(conn, now),
        overdue=overdue_cases(conn, now),
        throughput=throughput(conn, now, days),
        days_shown=window_days(now, days),
    )
