"""The exchange's budgets watched live: rates against budgets, a breach on the audit log once a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from warden.audit.tables import audit_log
from warden.cases.queues import parse_queue_config
from warden.cases.tables import cases
from warden.decisions.tables import decisions
from warden.reporting.budgets import Budgets, budget_lines, raise_breaches
from warden.store.db import Store

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
QUEUES = parse_queue_config(
    "queues:\n  fraud:\n    capacity_per_day: 2\n  aml: {}\nroutes:\n  - queue: fraud\n", "queues.yaml"
)


def _decision(i: int, outcome: str, days_ago: float, kind: str = "withdrawal") -> dict[str, object]:
    at = NOW - timedelta(days=days_ago)
    return {
        "event_id": f"e{i}", "customer_id": f"c{i % 40}", "event_type": kind, "occurred_at": at, "decided_at": at,
        "outcome": outcome, "score": 0.0, "latency_ms": 1.0, "ruleset_version": "r@1", "record": "{}",
    }  # fmt: skip


def _case(i: int) -> dict[str, object]:
    opened = NOW - timedelta(hours=8 * i)
    return {
        "case_id": f"k{i}", "subject_customer": f"c{i}", "state": "new", "severity": "medium", "queue": "fraud",
        "priority": 1.0, "priority_reasons": "{}", "amount_usd": 0, "max_alert_score": 0.1, "tags": "[]", "overdue": False,
        "created_at": opened, "updated_at": opened, "sla_due_at": opened + timedelta(days=1),
    }  # fmt: skip


def test_live_rates_against_budgets_and_a_breach_raised_once_a_day(store: Store) -> None:
    rows = [_decision(i, "allow", 1) for i in range(90)]
    rows += [_decision(100 + i, "hold", 2) for i in range(3)]  # 3 of 100 recent withdrawals held: over 1 %
    rows += [_decision(200 + i, "review", 3) for i in range(4)]  # 4 of 100 reviewed: within 5 %
    rows += [_decision(300 + i, "freeze", 10) for i in range(20)]  # older than the window: not counted
    rows += [_decision(400 + i, "review", 1, "login") for i in range(3)]  # not withdrawals
    rows += [_decision(500 + i, "allow", 1) for i in range(3)]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(decisions), rows)
        conn.execute(sa.insert(cases), [_case(i) for i in range(21)])  # 3 a day over 7 days: over capacity 2
        lines = {line.name: line for line in budget_lines(conn, NOW, Budgets(), QUEUES)}
        held, reviewed = lines["withdrawals held or stronger"], lines["withdrawals sent to review"]
        assert held.value == 0.03 and held.breached and held.basis.startswith("100 withdrawals")
        assert reviewed.value == 0.04 and not reviewed.breached
        assert lines["new cases a day in queue fraud"].value == 3.0 and lines["new cases a day in queue fraud"].breached
        assert "new cases a day in queue aml" not in lines  # no capacity set: not watched
        assert lines["monitoring alerts per 1,000 customers (30 days)"].value == 0.0
        # a reviewer confirms customer c20 (one of the holds, and three allowed): its withdrawals leave the rates
        conn.execute(sa.insert(cases), [{**_case(99), "subject_customer": "c20", "state": "closed",
                                         "disposition": "true_positive_action_taken"}])  # fmt: skip
        confirmed = {line.name: line for line in budget_lines(conn, NOW, Budgets(), QUEUES)}
        held_now = confirmed["withdrawals held or stronger"]
        assert held_now.value == 2 / 96 and "4 of customers confirmed" in held_now.basis
        assert raise_breaches(conn, list(lines.values()), NOW) == 2
        assert raise_breaches(conn, list(lines.values()), NOW + timedelta(hours=1)) == 0  # once a day
        assert raise_breaches(conn, list(lines.values()), NOW + timedelta(days=1)) == 2
        actions = conn.execute(sa.select(audit_log.c.subject).where(audit_log.c.action == "budget.breached")).all()
    assert len(actions) == 4 and all("@2026-03-1" in a.subject for a in actions)


def test_a_queue_capacity_must_be_a_whole_number() -> None:
    import pytest

    from warden.cases.model import CaseError

    with pytest.raises(CaseError, match="capacity_per_day"):
        parse_queue_config("queues:\n  fraud:\n    capacity_per_day: -1\nroutes:\n  - queue: fraud\n", "q.yaml")
