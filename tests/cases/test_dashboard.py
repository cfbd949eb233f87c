"""The dashboard's figures on both databases: open cases by queue and age, SLA breaches, reviewer throughput,
and rule quality (decision hits beside review precision)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from warden.access.roles import Actor
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.proposals import decide_proposal, propose
from warden.cases.repository import list_cases, transition
from warden.decisions.repository import insert_decisions
from warden.reporting.dashboard import AGE_LABELS, Dashboard, build_dashboard, throughput, window_days
from warden.reporting.rule_quality import RuleHits, decision_hits, rule_quality
from warden.store.db import Store

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ANA = Actor("ana", "analyst")
SAM = Actor("sam", "senior_analyst")
LEE = Actor("lee", "senior_analyst")


def _open(store: Store, n: int, age_days: float, *, source: str = "monitoring", severity: str = "medium") -> str:
    alert = CaseAlert(
        alert_id=f"t:{n}",
        source=source,
        typology="fan_in" if source == "monitoring" else "big_withdrawal",
        customer_ids=[f"cust-{n}"],
        score=0.5,
        severity=severity,
        amount_usd=Decimal("1000"),
        event_ids=[f"ev-{n}"],
    )
    with store.engine.begin() as conn:
        return add_alert(conn, alert, now=NOW - timedelta(days=age_days)).case_id


def _close(store: Store, case_id: str, who: Actor, disposition: str, at: datetime) -> None:
    with store.engine.begin() as conn:
        transition(conn, case_id, who, "in_review", now=at - timedelta(minutes=5))
        transition(conn, case_id, who, "closed", disposition=disposition, now=at)


def test_open_cases_by_queue_and_age_and_overdue_now(store: Store) -> None:
    # aml (monitoring, medium: 3-day SLA): ages 2 h, 20 h, 2 d, 5 d, 10 d -> the last two are overdue
    aml = [_open(store, i, age) for i, age in enumerate([2 / 24, 20 / 24, 2, 5, 10])]
    # fraud (decisions): a high case (24 h SLA) 2 days old is overdue; a low one (7 d) 4 days old is not
    _open(store, 10, 2, source="decision", severity="high")
    _open(store, 11, 4, source="decision", severity="low")
    # a closed case, old and past its SLA, counts nowhere
    _close(store, _open(store, 12, 9), SAM, "false_positive", NOW - timedelta(days=1))

    board = build_dashboard_at(store)
    queues = {q.queue: q for q in board.queues}
    assert set(queues) == {"aml", "fraud"}
    assert queues["aml"].open == 5 and queues["fraud"].open == 2
    assert queues["aml"].by_age == dict(zip(AGE_LABELS, [2, 1, 1, 1], strict=True))
    assert queues["fraud"].by_age == dict(zip(AGE_LABELS, [0, 1, 1, 0], strict=True))
    assert (queues["aml"].overdue, queues["fraud"].overdue) == (2, 1)
    assert board.overdue_total == 3 and board.open_total == 7
    # longest overdue first: the 10-day aml case is 7 days past its deadline
    assert [c.case_id for c in board.overdue][:2] == [aml[4], aml[3]]
    assert board.overdue[0].overdue_hours == pytest.approx(7 * 24)
    # the same count as the stored cases say, without the sweep having flagged anything
    with store.engine.connect() as conn:
        flagged = list_cases(conn, overdue=True)
    assert flagged == []


def build_dashboard_at(store: Store, days: int = 7) -> Dashboard:
    with store.engine.connect() as conn:
        return build_dashboard(conn, now=NOW, days=days)


def test_throughput_per_reviewer_per_day_with_dispositions(store: Store) -> None:
    day = timedelta(days=1)
    plan = [  # (reviewer, disposition, closed at)
        (SAM, "false_positive", NOW - timedelta(hours=1)),
        (SAM, "false_positive", NOW - timedelta(hours=2)),
        (SAM, "true_positive_action_taken", NOW - 2 * day),
        (LEE, "inconclusive", NOW - 6 * day),
        (LEE, "false_positive", NOW - 10 * day),  # outside the 7-day window, inside the 30-day one
        (SAM, "false_positive", NOW - 40 * day),  # outside both
    ]
    for i, (who, disposition, at) in enumerate(plan):
        _close(store, _open(store, 100 + i, 45), who, disposition, at)
    # four eyes: ana proposes a freeze, sam approves; the review is ana's, closed 3 days ago
    case_id = _open(store, 200, 45)
    with store.engine.begin() as conn:
        transition(conn, case_id, SAM, "in_review", now=NOW - 4 * day)
        proposal = propose(conn, case_id, ANA, "close_with_action", customer_action="freeze", now=NOW - 4 * day)
        decide_proposal(conn, proposal, SAM, approve=True, now=NOW - 3 * day)

    with store.engine.connect() as conn:
        week = {r.reviewer: r for r in throughput(conn, NOW, 7)}
        month = {r.reviewer: r for r in throughput(conn, NOW, 30)}
    assert {name: r.closed for name, r in week.items()} == {"sam": 3, "lee": 1, "ana": 1}
    assert week["sam"].by_disposition == {
        "true_positive_action_taken": 1,
        "false_positive": 2,
        "inconclusive": 0,
    }
    assert week["sam"].by_day == {"2026-03-08": 1, "2026-03-10": 2}
    assert week["ana"].by_day == {"2026-03-07": 1}
    assert week["sam"].per_day == round(3 / 7, 2)
    assert month["lee"].closed == 2 and month["sam"].closed == 3
    assert window_days(NOW, 7) == [f"2026-03-{d:02d}" for d in range(4, 11)]


def test_rule_quality_joins_decision_hits_with_review_precision(store: Store) -> None:
    def record(n: int, outcome: str, rules: list[str]) -> dict[str, object]:
        hits = [{"rule_id": r, "rule_version": 1, "outcome": outcome, "score": 0.5, "reason": r} for r in rules]
        return {
            "event_id": f"e{n}",
            "customer_id": f"dc{n}",
            "event_type": "withdrawal",
            "occurred_at": NOW - timedelta(days=2),
            "decided_at": NOW - timedelta(days=2) + timedelta(seconds=n),
            "outcome": outcome,
            "score": 0.5,
            "latency_ms": 1.0,
            "ruleset_version": "starter@1",
            "model_version": None,
            "degraded": None,
            "record": json.dumps({"event_id": f"e{n}", "outcome": outcome, "rule_hits": hits}),
        }

    rows = [record(0, "allow", ["new_device"]), record(1, "hold", ["new_device", "big_withdrawal"])]
    rows += [record(2, "review", ["big_withdrawal"]), record(3, "allow", []), record(4, "hold", ["big_withdrawal"])]
    with store.engine.begin() as conn:
        insert_decisions(conn, rows)
    hits = {h.rule: h for h in decision_hits_at(store)}
    assert set(hits) == {"new_device", "big_withdrawal"}
    assert hits["big_withdrawal"].by_outcome == {"review": 1, "hold": 2}
    assert hits["new_device"].by_outcome == {"allow": 1, "hold": 1} and hits["new_device"].alerting == 1

    # two decision cases for big_withdrawal reviewed: one true, one false positive
    tp, fp = _open(store, 300, 1, source="decision"), _open(store, 301, 1, source="decision")
    _close(store, tp, SAM, "true_positive_action_taken", NOW)
    _close(store, fp, SAM, "false_positive", NOW)
    _open(store, 302, 1)  # a monitoring fan_in alert, still open
    with store.engine.connect() as conn:
        quality = {(q.source, q.rule): q for q in rule_quality(conn)}
    bw = quality[("decision", "big_withdrawal")]
    assert (bw.hits, bw.alerts, bw.closed_cases, bw.true_positives, bw.false_positives) == (3, 2, 2, 1, 1)
    assert bw.precision == 0.5 and bw.false_positive_share == 0.5
    assert quality[("decision", "new_device")].alerts == 0
    fan_in = quality[("monitoring", "fan_in")]
    assert (fan_in.hits, fan_in.alerts, fan_in.closed_cases, fan_in.precision) == (0, 1, 0, None)
    with store.engine.connect() as conn:
        later = decision_hits(conn, since=NOW - timedelta(days=2) + timedelta(seconds=2))
    assert {h.rule: h.hits for h in later} == {"big_withdrawal": 2}


def decision_hits_at(store: Store) -> list[RuleHits]:
    with store.engine.connect() as conn:
        return decision_hits(conn)
