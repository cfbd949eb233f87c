"""Feedback: per-rule precision from closed cases, and dispositions exported as labels (both databases)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from warden.access.roles import Actor
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.repository import transition
from warden.events.labels import read_labels
from warden.store.db import Store
from warden.triage.feedback import disposition_labels, rule_precision, write_labels_csv

BOSS = Actor("boss", "admin")


def _decision_alert(n: int, customer: str, rules: list[str]) -> CaseAlert:
    return CaseAlert(
        alert_id=f"decision:evt-{n}",
        source="decision",
        typology=rules[0],
        customer_ids=[customer],
        score=0.8,
        severity="high",
        amount_usd=Decimal("500"),
        event_ids=[f"evt-{n}"],
        evidence={"rule_hits": [{"rule_id": r} for r in rules]},
    )


def _close(store: Store, case_id: str, disposition: str) -> None:
    with store.engine.begin() as conn:
        transition(conn, case_id, BOSS, "in_review")
        transition(conn, case_id, BOSS, "closed", disposition=disposition)


def test_rule_precision_counts_every_rule_of_a_decision_alert(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    with store.engine.begin() as conn:
        tp = add_alert(conn, _decision_alert(1, "c1", ["new_address_large", "night_login"])).case_id
        fp = add_alert(conn, _decision_alert(2, "c2", ["new_address_large"])).case_id
        add_alert(conn, _decision_alert(3, "c3", ["new_address_large"]))  # stays open
    ingest(new_alert(9, customer="c9", typology="fan_in"))
    _close(store, tp, "true_positive_action_taken")
    _close(store, fp, "false_positive")
    with store.engine.connect() as conn:
        stats = {(r.source, r.rule): r for r in rule_precision(conn)}
    big = stats[("decision", "new_address_large")]
    assert (big.alerts, big.cases, big.closed_cases, big.true_positives, big.false_positives) == (3, 3, 2, 1, 1)
    assert big.precision == 0.5
    night = stats[("decision", "night_login")]
    assert (night.alerts, night.true_positives, night.precision) == (1, 1, 1.0)
    fan_in = stats[("monitoring", "fan_in")]
    assert fan_in.closed_cases == 0 and fan_in.precision is None
    assert next(iter(stats)) == ("decision", "new_address_large")  # most alerts first


def test_closed_dispositions_export_as_contract_labels(store: Store, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        tp = add_alert(conn, _decision_alert(1, "c1", ["r1"])).case_id
        fp = add_alert(conn, _decision_alert(2, "c2", ["r1"])).case_id
        unsure = add_alert(conn, _decision_alert(3, "c3", ["r1"])).case_id
    _close(store, tp, "true_positive_action_taken")
    _close(store, fp, "false_positive")
    _close(store, unsure, "inconclusive")
    with store.engine.connect() as conn:
        labels = disposition_labels(conn)
    path = tmp_path / "labels.csv"
    assert write_labels_csv(labels, path) == 4
    parsed = read_labels(path)
    assert parsed.errors == []
    by_entity = {(x.entity_type, x.entity_id): x for x in parsed.labels}
    assert by_entity[("customer", "c1")].label == "fraud" and by_entity[("customer", "c1")].scenario_id == tp
    assert by_entity[("event", "evt-2")].label == "normal"
    assert ("customer", "c3") not in by_entity  # inconclusive teaches nothing
