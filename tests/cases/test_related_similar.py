"""Related cases (linked customers, and how) and similar closed cases (nearest on case features)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from warden.access.roles import Actor
from warden.cases.alerts import add_alert
from warden.cases.errors import NotFound
from warden.cases.related import related_cases
from warden.cases.repository import transition
from warden.store.db import Store
from warden.triage.similar import similar_cases

from .events_helper import add_events

BOSS = Actor("boss", "admin")


def test_related_cases_name_the_link(store: Store, new_alert: Callable[..., Any]) -> None:
    with store.engine.begin() as conn:
        add_events(
            conn,
            [
                {
                    "event_id": "e1",
                    "type": "transfer",
                    "customer_id": "alice",
                    "minutes": 1,
                    "counterparty_id": "bob",
                    "asset": "USDT",
                    "amount": "50",
                    "amount_usd": "50",
                },
                {
                    "event_id": "e2",
                    "type": "login",
                    "customer_id": "alice",
                    "minutes": 2,
                    "device_id": "dv_shared",
                    "ip": "10.0.0.1",
                    "country": "DE",
                    "success": True,
                },
                {
                    "event_id": "e3",
                    "type": "login",
                    "customer_id": "carol",
                    "minutes": 3,
                    "device_id": "dv_shared",
                    "ip": "10.0.0.9",
                    "country": "DE",
                    "success": True,
                },
                {
                    "event_id": "e4",
                    "type": "withdrawal",
                    "customer_id": "dave",
                    "minutes": 4,
                    "to_address": "0xabc",
                    "asset": "ETH",
                    "network": "ethereum",
                    "amount": "1",
                    "amount_usd": "3000",
                },
                {
                    "event_id": "e5",
                    "type": "withdrawal",
                    "customer_id": "alice",
                    "minutes": 5,
                    "to_address": "0xabc",
                    "asset": "ETH",
                    "network": "ethereum",
                    "amount": "1",
                    "amount_usd": "3000",
                },
                {
                    "event_id": "e6",
                    "type": "login",
                    "customer_id": "erin",
                    "minutes": 6,
                    "device_id": "dv_erin",
                    "ip": "10.0.0.7",
                    "country": "FR",
                    "success": True,
                },
            ],
        )
        ids = {
            c: add_alert(conn, new_alert(i, customer=c)).case_id
            for i, c in enumerate(["alice", "bob", "carol", "dave", "erin"])
        }
    with store.engine.connect() as conn:
        found = related_cases(conn, ids["alice"])
        assert related_cases(conn, ids["erin"]) == []
        with pytest.raises(NotFound):
            related_cases(conn, "case_missing")
    by_customer = {r.customer_id: r for r in found}
    assert set(by_customer) == {"bob", "carol", "dave"}
    assert by_customer["bob"].links == [{"kind": "transfer", "value": "bob"}]
    assert by_customer["carol"].links == [{"kind": "device", "value": "dv_shared"}]
    assert by_customer["dave"].links == [{"kind": "address", "value": "0xabc"}]
    assert found[0].customer_id == "bob"  # money links first
    # The link is symmetric: bob's case finds alice's through the same transfer.
    with store.engine.connect() as conn:
        assert [r.customer_id for r in related_cases(conn, ids["bob"])] == ["alice"]


def test_similar_cases_are_the_nearest_closed_ones_with_their_dispositions(
    store: Store, new_alert: Callable[..., Any]
) -> None:
    with store.engine.begin() as conn:
        big = [
            add_alert(conn, new_alert(i, customer=f"big{i}", score=0.95, severity="high", amount="90000")).case_id
            for i in range(3)
        ]
        small = [
            add_alert(conn, new_alert(10 + i, customer=f"small{i}", score=0.2, severity="low", amount="50")).case_id
            for i in range(3)
        ]
        target = add_alert(conn, new_alert(99, customer="new", score=0.9, severity="high", amount="85000")).case_id
        for case_id, verdict in [
            *((c, "true_positive_action_taken") for c in big),
            *((c, "false_positive") for c in small),
        ]:
            transition(conn, case_id, BOSS, "in_review")
            transition(conn, case_id, BOSS, "closed", disposition=verdict)
    with store.engine.connect() as conn:
        found = similar_cases(conn, target, k=3)
        assert similar_cases(conn, big[0], k=10)[0].case_id in big  # never itself, nearest are its peers
    assert {s.case_id for s in found} == set(big)
    assert all(s.disposition == "true_positive_action_taken" and s.typologies == ["structuring"] for s in found)
    assert [s.distance for s in found] == sorted(s.distance for s in found)
