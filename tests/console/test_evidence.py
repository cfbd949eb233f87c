"""case_evidence gathers the profile, KYC, events, decisions, fund flow and contributions of a case."""

from __future__ import annotations

from pathlib import Path

import pytest
from console_seed import CONTRIBUTIONS, SOURCE_ADDRESS, WITHDRAWAL_ADDRESS, seed

from warden.cases.errors import NotFound
from warden.cases.evidence import case_evidence
from warden.settings import Settings
from warden.store.db import Store


def test_evidence_of_a_case(store: Store, settings: Settings, tmp_path: Path) -> None:
    ids = seed(store, settings, tmp_path)
    with store.engine.connect() as conn:
        evidence = case_evidence(conn, ids["main"])

    assert evidence.customer_id == "cus-42"
    assert evidence.profile["by_type"]["deposit"] == 3 and evidence.profile["events"] == 11
    assert evidence.profile["login_countries"] == {"DE": 1, "NG": 1} and evidence.profile["failed_logins"] == 1
    assert [k["payload"]["full_name"] for k in evidence.kyc] == ["Anna Maria Schmidt"]
    assert {e["type"] for e in evidence.account_events} == {"profile_change", "address_book_change"}
    # The alerts' events (the hold's withdrawal, the ring's transfer and deposit), oldest first.
    assert [e["event_id"] for e in evidence.events] == ["evt-0002", "evt-0003", "evt-0004"]
    assert [d["event_id"] for d in evidence.decisions] == ["evt-0003"]
    assert evidence.decisions[0]["rule_hits"][0]["rule_id"] == "new_address_large_withdrawal"
    assert evidence.contributions == CONTRIBUTIONS
    assert evidence.contributions_from == {
        "event_id": "evt-0003",
        "model": "fraud",
        "version": "2026.11.1",
        "score": 0.62,
    }

    flow = evidence.fund_flow
    nodes = {n["id"]: n for n in flow["nodes"]}
    assert nodes["customer:cus-42"]["kind"] == "subject" and nodes["customer:cus-42"]["risk"] == 0.875
    assert nodes["customer:cus-77"] == {"id": "customer:cus-77", "label": "cus-77", "kind": "customer", "risk": None}
    assert nodes["external:fiat"]["kind"] == "external"
    assert nodes[f"address:{WITHDRAWAL_ADDRESS}"]["kind"] == "address"
    edges = {(e["source"], e["target"]): e for e in flow["edges"]}
    assert set(edges) == {
        (f"address:{SOURCE_ADDRESS}", "customer:cus-42"),
        ("external:fiat", "customer:cus-42"),
        ("customer:cus-42", f"address:{WITHDRAWAL_ADDRESS}"),
        ("customer:cus-42", "customer:cus-77"),
    }
    incoming = edges[(f"address:{SOURCE_ADDRESS}", "customer:cus-42")]
    # Two deposits from one address, one edge; evt-0002 is in the alert AND the customer's history, counted once.
    assert incoming["count"] == 2 and incoming["amount_usd"] == pytest.approx(1521.40)
    assert incoming["first"] == "2026-03-02T07:20:00Z" and incoming["last"] == "2026-03-03T10:00:00Z"
    assert set(flow["edges"][0]) == {"source", "target", "amount_usd", "count", "first", "last"}


def test_evidence_of_a_customer_with_no_history(store: Store, settings: Settings, tmp_path: Path) -> None:
    ids = seed(store, settings, tmp_path)
    with store.engine.connect() as conn:
        evidence = case_evidence(conn, ids["other"])  # cus-77: one login, an alert pointing at no stored events
        assert evidence.events == [] and evidence.decisions == [] and evidence.contributions == []
        assert evidence.profile["by_type"] == {"login": 1}
        assert evidence.fund_flow == {
            "nodes": [{"id": "customer:cus-77", "label": "cus-77", "kind": "subject", "risk": None}],
            "edges": [],
        }
        with pytest.raises(NotFound):
            case_evidence(conn, "case_missing")
