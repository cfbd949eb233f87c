"""The exchange's budgets, watched live: hold and review rates of withdrawals, monitoring alerts per 1,000
customers, new cases per queue against the queue's daily capacity.

`warden calibrate` fits thresholds to these budgets on the exchange's history; this module measures what the
live flow actually does against them over a recent window (decisions of the last 7 days, monitoring alerts of
the last 30), so a drift in traffic or a rule change that breaks a budget shows on the dashboard. A breach is
raised once per budget per UTC day: an audit record (`budget.breached`) and a warning in the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.audit.tables import audit_log
from warden.cases.model import DISPOSITIONS
from warden.cases.queues import QueueConfig
from warden.cases.tables import cases
from warden.decisions.tables import decisions
from warden.logging import get_logger
from warden.monitoring.tables import alerts_table as alerts
from warden.settings import Settings

HELD = ("hold", "block", "freeze")
CONFIRMED = DISPOSITIONS[0]  # true positive, action taken
DECISION_DAYS = 7
ALERT_DAYS = 30
log = get_logger(__name__)


@dataclass(frozen=True)
class Budgets:
    hold_share: float = 0.01
    review_share: float = 0.05
    alerts_per_1000_per_30d: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        return cls(settings.budget_hold_share, settings.budget_review_share, settings.budget_alerts_per_1000)


@dataclass(frozen=True)
class BudgetLine:
    name: str  # what is measured
    value: float | None  # None: nothing to measure yet
    budget: float
    basis: str  # over what it was measured, in words
    share: bool = False  # a share of withdrawals (shown as %), else a count

    @property
    def breached(self) -> bool:
        return self.value is not None and self.value > self.budget


def budget_lines(conn: sa.Connection, now: datetime, budgets: Budgets, queues: QueueConfig) -> list[BudgetLine]:
    since = now - timedelta(days=DECISION_DAYS)
    # The budgets are about normal withdrawals: those of customers a reviewer confirmed (a case closed as a
    # true positive) are left out, the rest all count, frauds not yet confirmed included.
    confirmed = sa.select(cases.c.subject_customer).where(
        cases.c.state == "closed", cases.c.disposition == CONFIRMED, cases.c.subject_customer.is_not(None)
    )
    recent = sa.and_(decisions.c.event_type == "withdrawal", decisions.c.decided_at >= since)
    counted = decisions.c.customer_id.not_in(confirmed)
    total, held, reviewed, left_out = conn.execute(
        sa.select(
            sa.func.count().filter(counted),
            sa.func.count().filter(counted, decisions.c.outcome.in_(HELD)),
            sa.func.count().filter(counted, decisions.c.outcome == "review"),
            sa.func.count().filter(sa.not_(counted)),
        ).where(recent)
    ).one()
    basis = f"{total:,} withdrawals decided in the last {DECISION_DAYS} days"
    if left_out:
        basis += f" ({left_out:,} of customers confirmed as true positives left out)"
    lines = [
        BudgetLine("withdrawals held or stronger", held / total if total else None, budgets.hold_share, basis, True),
        BudgetLine(
            "withdrawals sent to review", reviewed / total if total else None, budgets.review_share, basis, True
        ),
    ]
    month = now - timedelta(days=ALERT_DAYS)
    customers = conn.execute(
        sa.select(sa.func.count(sa.distinct(decisions.c.customer_id))).where(decisions.c.decided_at >= month)
    ).scalar_one()
    raised = conn.execute(sa.select(sa.func.count()).where(alerts.c.first_seen_at >= month)).scalar_one()
    lines.append(
        BudgetLine(
            "monitoring alerts per 1,000 customers (30 days)",
            1000.0 * raised / customers if customers else None,
            budgets.alerts_per_1000_per_30d,
            f"{raised:,} alerts, {customers:,} active customers in the last {ALERT_DAYS} days",
        )
    )
    opened: dict[str, int] = dict(
        conn.execute(
            sa.select(cases.c.queue, sa.func.count()).where(cases.c.created_at >= since).group_by(cases.c.queue)
        ).all()
    )
    for queue in queues.queues.values():
        if queue.capacity_per_day is not None:
            per_day = opened.get(queue.name, 0) / DECISION_DAYS
            lines.append(
                BudgetLine(
                    f"new cases a day in queue {queue.name}",
                    per_day,
                    float(queue.capacity_per_day),
                    f"{opened.get(queue.name, 0):,} cases opened in the last {DECISION_DAYS} days",
                )
            )
    return lines


def raise_breaches(conn: sa.Connection, lines: list[BudgetLine], now: datetime, actor: str = "system:budgets") -> int:
    """One audit record and one log warning per breached budget per UTC day; returns how many were new."""
    day = f"{now:%Y-%m-%d}"
    new = 0
    for line in lines:
        if not line.breached:
            continue
        subject = f"budget:{line.name}@{day}"
        seen = conn.execute(
            sa.select(sa.func.count()).where(audit_log.c.action == "budget.breached", audit_log.c.subject == subject)
        ).scalar_one()
        if seen:
            continue
        append_audit(conn, actor=actor, action="budget.breached", subject=subject, after=_summary(line))
        log.warning("budget breached", **_summary(line))
        new += 1
    return new


def check_budgets(conn: sa.Connection, settings: Settings, queues: QueueConfig, now: datetime) -> int:
    """The sweep's part: measure every budget now and raise the breaches (see `raise_breaches`)."""
    return raise_breaches(conn, budget_lines(conn, now, Budgets.from_settings(settings), queues), now)


def _summary(line: BudgetLine) -> dict[str, Any]:
    return {**asdict(line), "breached": line.breached}
