"""Alerts join the open case of their customer or open a routed case; decisions become alerts once."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from warden.audit.log import recent_records, verify_chain
from warden.cases.alerts import add_alert
from warden.cases.errors import CaseError
from warden.cases.repository import get_case, list_cases
from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.decisions.tables import decisions
from warden.store.db import Store


def test_alerts_of_one_customer_share_an_open_case(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    first = ingest(new_alert(1, severity="low", amount="100"))
    second = ingest(new_alert(2, severity="high", score=0.8, amount="250.50"))
    other = ingest(new_alert(3, customer="cust-2"))
    assert first.new_case and not second.new_case and other.new_case
    assert second.case_id == first.case_id != other.case_id
    with store.engine.connect() as conn:
        case = get_case(conn, first.case_id)
    assert case["severity"] == "high"  # the stronger alert lifts the case
    assert Decimal(case["amount_usd"]) == Decimal("350.50")
    assert [a["alert_id"] for a in case["alerts"]] == ["test:1", "test:2"]
    assert [t["kind"] for t in case["timeline"]] == ["opened", "alert_added"]
    assert case["queue"] == "aml"  # monitoring alerts route to AML
    assert "routing rule at" in case["timeline"][0]["detail"]["routing"]


def test_same_alert_twice_is_a_no_op(store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any]) -> None:
    first = ingest(new_alert(1))
    again = ingest(new_alert(1))
    assert again.case_id == first.case_id and not again.new_alert
    with store.engine.connect() as conn:
        assert len(get_case(conn, first.case_id)["alerts"]) == 1


@pytest.mark.parametrize(
    ("kwargs", "queue"),
    [
        ({"source": "screening", "typology": "name_match"}, "sanctions"),
        ({"amount": "250000"}, "high_value"),
        ({"source": "decision", "typology": "kyc_document_mismatch"}, "kyc"),
        ({"source": "decision", "typology": "account_takeover"}, "fraud"),
    ],
)
def test_routing_by_source_amount_and_typology(
    sqlite_store: Store, new_alert: Callable[..., Any], kwargs: dict[str, Any], queue: str
) -> None:
    with sqlite_store.engine.begin() as conn:
        result = add_alert(conn, new_alert(1, **kwargs))
        assert get_case(conn, result.case_id)["queue"] == queue


def test_bad_alert_is_refused_with_its_id(sqlite_store: Store, new_alert: Callable[..., Any]) -> None:
    with sqlite_store.engine.begin() as conn, pytest.raises(CaseError, match=r"alert test:9: unknown source 'email'"):
        add_alert(conn, new_alert(9, source="email"))


def _decision(event_id: str, customer: str, outcome: str, score: float) -> dict[str, Any]:
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    record = {
        "event_id": event_id,
        "customer_id": customer,
        "outcome": outcome,
        "score": score,
        "reasons": [f"{outcome} because of test"],
        "rule_hits": [{"rule_id": "new_device_large_withdrawal", "outcome": outcome}],
        "model": None,
        "features": {"amount_usd": 5000.0},
        "ruleset": {"name": "starter", "version": "1"},
        "versions": {"ruleset": "starter@1"},
        "decided_at": "2026-01-05T12:00:00Z",
    }
    return {
        "event_id": event_id,
        "customer_id": customer,
        "event_type": "withdrawal",
        "occurred_at": now,
        "decided_at": now,
        "outcome": outcome,
        "score": score,
        "latency_ms": 1.0,
        "ruleset_version": "starter@1",
        "model_version": None,
        "degraded": None,
        "record": json.dumps(record),
    }


def test_decisions_at_review_or_stronger_become_alerts_once(store: Store) -> None:
    rows = [
        _decision("e1", "c1", "allow", 0.1),
        _decision("e2", "c1", "review", 0.65),
        _decision("e3", "c1", "hold", 0.92),
        _decision("e4", "c2", "challenge", 0.45),
        _decision("e5", "c3", "freeze", 0.99),
    ]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(decisions), rows)
        first = alerts_from_decisions(conn)
        again = alerts_from_decisions(conn)
        cases = list_cases(conn)
        assert verify_chain(conn).ok
        assert any(r.action == "case.opened" and r.actor == "system:decisions" for r in recent_records(conn))
    assert first == {"alerts": 3, "new_cases": 2, "joined_cases": 1}
    assert again == {"alerts": 0, "new_cases": 0, "joined_cases": 0}
    by_customer = {c["subject_customer"]: c for c in cases}
    assert set(by_customer) == {"c1", "c3"}
    assert by_customer["c3"]["severity"] == "critical" and by_customer["c1"]["severity"] == "high"
    assert Decimal(by_customer["c1"]["amount_usd"]) == Decimal("10000")  # amount from features when no event row


def test_monitoring_alerts_become_case_alerts_and_resightings_join(store: Store) -> None:
    from warden.monitoring.alerts import Alert as RingAlert
    from warden.monitoring.repository import save_alerts

    def ring(events: list[str]) -> RingAlert:
        return RingAlert(
            typology="fan_in",
            customer_ids=["m1", "m2", "m3"],
            event_ids=events,
            addresses=[],
            amount_usd=Decimal("45000"),
            first_at="2026-01-01T00:00:00Z",
            last_at="2026-01-02T00:00:00Z",
            explanation="3 senders into one account in 24h",
            parameters={"min_senders": 3},
        )

    save_alerts(store.engine, [ring(["e1", "e2"])])
    with store.engine.begin() as conn:
        first = alerts_from_monitoring(conn)
        again = alerts_from_monitoring(conn)
    save_alerts(store.engine, [ring(["e3"])])  # the ring is seen again with a new event
    with store.engine.begin() as conn:
        resighted = alerts_from_monitoring(conn)
        (case,) = list_cases(conn)
        full = get_case(conn, case["case_id"])
    assert first == {"alerts": 1, "new_cases": 1, "joined_cases": 0}
    assert again["alerts"] == 0 and resighted == {"alerts": 1, "new_cases": 0, "joined_cases": 1}
    assert case["queue"] == "aml" and case["subject_customer"] == "m1"
    assert full["alerts"][1]["event_ids"] == ["e1", "e2", "e3"]
    assert full["alerts"][0]["evidence"]["detector_version"].startswith("typology-detectors")


def test_simultaneous_alerts_on_one_customer_open_one_case(store: Store, new_alert: Callable[..., Any]) -> None:
    import threading

    start = threading.Barrier(4)
    results: list[Any] = []

    def push(n: int) -> None:
        start.wait()
        with store.engine.begin() as conn:
            results.append(add_alert(conn, new_alert(n, customer="same")))

    threads = [threading.Thread(target=push, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 4 and sum(r.new_case for r in results) == 1
    assert len({r.case_id for r in results}) == 1
