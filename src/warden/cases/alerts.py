"""Alerts into cases: an alert joins the open case of its subject customer, or opens a new, routed case.

Case alert ids are derived from their source (`decision:<event_id>`, `monitoring:<alert id>#<sighting>`), so feeding
the same alert twice is a no-op; `warden.cases.sources` turns stored decisions and monitoring alerts into these.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.cases.errors import CaseError
from warden.cases.model import OPEN_STATES, SLA, check_severity, stronger_severity
from warden.cases.priority import (
    Prioritiser,
    Priority,
    PriorityInput,
    rule_priority,
    with_urgency_floor,
    without_urgency_floor,
)
from warden.cases.queues import QueueConfig, default_queue_config
from warden.cases.records import as_utc, dumps, record_event, utcnow
from warden.cases.tables import case_alerts, cases

SOURCES = ("decision", "monitoring", "screening", "kyc")


@dataclass(frozen=True)
class CaseAlert:
    alert_id: str
    source: str
    typology: str  # the typology, or the rule id for rule-driven alerts
    customer_ids: list[str]
    score: float
    severity: str
    amount_usd: Decimal = Decimal(0)
    addresses: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    evidence: dict[str, Any] = field(default_factory=dict)
    jurisdiction: str | None = None

    def check(self) -> None:
        if self.source not in SOURCES:
            raise CaseError(f"alert {self.alert_id}: unknown source {self.source!r}; use one of {', '.join(SOURCES)}")
        check_severity(self.severity)
        if not (self.customer_ids or self.addresses):
            raise CaseError(f"alert {self.alert_id}: needs a subject (customer_ids or addresses)")
        if not 0.0 <= self.score <= 1.0:
            raise CaseError(f"alert {self.alert_id}: score {self.score} is outside [0, 1]")


@dataclass(frozen=True)
class AlertResult:
    alert_id: str
    case_id: str
    new_alert: bool
    new_case: bool


def add_alert(
    conn: sa.Connection,
    alert: CaseAlert,
    *,
    actor: str = "system:cases",
    config: QueueConfig | None = None,
    prioritiser: Prioritiser = rule_priority,
    now: datetime | None = None,
) -> AlertResult:
    alert.check()
    now = now or utcnow()
    subject = alert.customer_ids[0] if alert.customer_ids else None
    _serialise_subject(conn, subject)
    known = conn.execute(sa.select(case_alerts.c.case_id).where(case_alerts.c.alert_id == alert.alert_id)).scalar()
    if known is not None:
        return AlertResult(alert.alert_id, known, new_alert=False, new_case=False)
    open_case = None
    if subject is not None:
        open_case = conn.execute(
            sa.select(cases)
            .where(cases.c.subject_customer == subject, cases.c.state.in_(OPEN_STATES))
            .order_by(cases.c.created_at)
            .limit(1)
            .with_for_update()
        ).first()
    if open_case is None:
        case_id = _open_case(conn, alert, subject, actor, config or default_queue_config(), prioritiser, now)
        new_case = True
    else:
        case_id = open_case.case_id
        _join_case(conn, open_case, alert, actor, prioritiser, now)
        new_case = False
    conn.execute(
        sa.insert(case_alerts).values(
            alert_id=alert.alert_id,
            case_id=case_id,
            source=alert.source,
            typology=alert.typology,
            customer_ids=dumps(alert.customer_ids),
            addresses=dumps(alert.addresses),
            event_ids=dumps(alert.event_ids),
            score=alert.score,
            amount_usd=alert.amount_usd,
            severity=alert.severity,
            evidence=dumps(alert.evidence),
            created_at=now,
        )
    )
    return AlertResult(alert.alert_id, case_id, new_alert=True, new_case=new_case)


def _serialise_subject(conn: sa.Connection, subject: str | None) -> None:
    """Alerts on the same customer arriving at once must not open two cases: take a lock before looking.

    PostgreSQL: a transaction-scoped advisory lock on the customer. SQLite: any write takes the database's
    single write lock, and a transaction whose first statement writes reads the newest data afterwards.
    """
    if conn.dialect.name == "postgresql":
        if subject is not None:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:s, 0))"), {"s": f"case:{subject}"})
        return
    conn.execute(sa.update(cases).where(sa.false()).values(state=cases.c.state))


def _open_case(
    conn: sa.Connection,
    alert: CaseAlert,
    subject: str | None,
    actor: str,
    config: QueueConfig,
    prioritiser: Prioritiser,
    now: datetime,
) -> str:
    queue, why = config.route(alert.source, [alert.typology], alert.severity, alert.amount_usd, alert.jurisdiction)
    priority = prioritiser(PriorityInput(alert.severity, alert.amount_usd, alert.score, now), now)
    case_id = f"case_{uuid.uuid4().hex[:16]}"
    conn.execute(
        sa.insert(cases).values(
            case_id=case_id,
            subject_customer=subject,
            state="new",
            severity=alert.severity,
            queue=queue,
            priority=priority.value,
            priority_reasons=dumps(priority.reasons),
            amount_usd=alert.amount_usd,
            max_alert_score=alert.score,
            jurisdiction=alert.jurisdiction,
            assignee=None,
            disposition=None,
            tags=dumps([]),
            sla_due_at=now + SLA[alert.severity],
            overdue=False,
            created_at=now,
            updated_at=now,
            closed_at=None,
        )
    )
    detail = {
        "alert_id": alert.alert_id,
        "queue": queue,
        "routing": why,
        "queues_version": config.version,
        "severity": alert.severity,
        "priority": priority.value,
        "priority_reasons": priority.reasons,
    }
    record_event(conn, case_id, actor, "opened", detail, now)
    return case_id


def _join_case(
    conn: sa.Connection, case: sa.Row[Any], alert: CaseAlert, actor: str, prioritiser: Prioritiser, now: datetime
) -> None:
    severity = stronger_severity(case.severity, alert.severity)
    amount = Decimal(case.amount_usd) + alert.amount_usd
    score = max(float(case.max_alert_score), alert.score)
    created = as_utc(case.created_at)
    given = PriorityInput(severity, amount, score, created, overdue=bool(case.overdue))
    priority = prioritiser(given, now)
    if prioritiser is rule_priority and _scored_by_model(case):
        # Keep the triage model's score (same scale as the rest of the queue) until batch scoring re-scores
        # the grown case (`warden cases from-decisions`, `sweep` with the model), rather than mixing scales;
        # a severity that became critical still lifts it above the routine cases.
        stored = Priority(float(case.priority), json.loads(case.priority_reasons))
        priority = with_urgency_floor(given, without_urgency_floor(stored))
    # A stronger severity can only pull the deadline in, never push it out.
    due = min(as_utc(case.sla_due_at), created + SLA[severity])
    conn.execute(
        sa.update(cases)
        .where(cases.c.case_id == case.case_id)
        .values(
            severity=severity,
            amount_usd=amount,
            max_alert_score=score,
            priority=priority.value,
            priority_reasons=dumps(priority.reasons),
            sla_due_at=due,
            updated_at=now,
        )
    )
    detail = {"alert_id": alert.alert_id, "severity": severity, "priority": priority.value}
    record_event(conn, case.case_id, actor, "alert_added", detail, now, before={"severity": case.severity})


def _scored_by_model(case: sa.Row[Any]) -> bool:
    return str(json.loads(case.priority_reasons).get("version", "")).startswith("triage@")


def severity_for_score(score: float) -> str:
    """A starting severity for sources that give only a score (monitoring, screening)."""
    if score >= 0.9:
        return "critical"
    if score >= 0.7:
        return "high"
    return "medium" if score >= 0.4 else "low"
