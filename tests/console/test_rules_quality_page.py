"""/rules/quality and GET /v1/rules/quality over a real store on both databases: decision hits by outcome and
the review outcome of each rule's cases, as stored; analysts are refused."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.access.roles import Actor
from warden.api.app import create_app
from warden.cases.records import utcnow
from warden.cases.repository import transition
from warden.cases.sources import alerts_from_decisions
from warden.cases.staffing import add_user
from warden.decisions.repository import insert_decisions
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"
# (outcome, rules that hit): big_withdrawal hits 3 decisions at hold/review, new_device 3 (2 allowed)
DECISIONS = [
    ("hold", ["big_withdrawal", "new_device"]),
    ("review", ["big_withdrawal"]),
    ("hold", ["big_withdrawal"]),
    ("allow", ["new_device"]),
    ("allow", ["new_device"]),
    ("allow", []),
]


def _row(n: int, outcome: str, rules: list[str]) -> dict[str, Any]:
    at = utcnow() - timedelta(hours=n + 1)
    hits = [{"rule_id": r, "rule_version": 1, "outcome": outcome, "score": 0.5, "reason": r} for r in rules]
    record = {"event_id": f"e{n}", "customer_id": f"c{n}", "outcome": outcome, "score": 0.5, "rule_hits": hits}
    return {
        "event_id": f"e{n}",
        "customer_id": f"c{n}",
        "event_type": "withdrawal",
        "occurred_at": at,
        "decided_at": at,
        "outcome": outcome,
        "score": 0.5,
        "latency_ms": 1.0,
        "ruleset_version": "starter@1",
        "model_version": None,
        "degraded": None,
        "record": json.dumps(record),
    }


@pytest.fixture
def app(settings: Settings, store: Store) -> Any:
    with store.engine.begin() as conn:
        insert_decisions(conn, [_row(n, outcome, rules) for n, (outcome, rules) in enumerate(DECISIONS)])
        alerts_from_decisions(conn)  # the three held/reviewed decisions open three cases
        for name, role in [("ana", "analyst"), ("rita", "rule_author"), ("sam", "senior_analyst")]:
            add_user(conn, name, role, PASSWORD)
        # sam closes two of big_withdrawal's cases: e0 (also new_device) a true positive, e1 a false positive
        sam = Actor("sam", "senior_analyst")
        for customer, disposition in [("c0", "true_positive_action_taken"), ("c1", "false_positive")]:
            case_id = conn.execute(
                sa.text("SELECT case_id FROM cases WHERE subject_customer = :c"), {"c": customer}
            ).scalar_one()
            transition(conn, case_id, sam, "in_review")
            transition(conn, case_id, sam, "closed", disposition=disposition)
    return create_app(settings.model_copy(update={"secret_key": "test-secret"}), store)


def signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(app)
    assert client.post("/v1/session/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return client


def _cells(html: str, rule: str) -> list[str]:
    row = re.search(rf'<tr data-rule="decision:{rule}">(.*?)</tr>', html, re.S)
    assert row, rule
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_page_shows_hits_by_outcome_and_precision(app: Any) -> None:
    page = signed_in(app, "rita").get("/rules/quality")
    assert page.status_code == 200
    header = re.findall(r'<span class="outcome-(\w+)">', page.text)
    assert header == ["allow", "review", "hold"]  # only outcomes that occur, in ladder order
    # source, rule, hits, allow, review, hold, alerts, cases, closed, TP, FP, inconclusive, precision
    assert _cells(page.text, "big_withdrawal") == [
        "decision",
        "big_withdrawal",
        "3",
        "0",
        "1",
        "2",
        "3",
        "3",
        "2",
        "1",
        "1",
        "0",
        "50%",
    ]
    assert _cells(page.text, "new_device") == [
        "decision",
        "new_device",
        "3",
        "2",
        "0",
        "1",
        "1",
        "1",
        "1",
        "1",
        "0",
        "0",
        "100%",
    ]


def test_api_returns_the_same_figures_and_checks_roles(app: Any, store: Store) -> None:
    rows = {r["rule"]: r for r in signed_in(app, "sam").get("/v1/rules/quality").json()}
    assert rows["big_withdrawal"]["by_outcome"] == {"review": 1, "hold": 2}
    assert rows["big_withdrawal"]["precision"] == 0.5 and rows["big_withdrawal"]["false_positive_share"] == 0.5
    recent = signed_in(app, "rita").get(
        "/v1/rules/quality", params={"since": (utcnow() - timedelta(hours=2.5)).isoformat()}
    )
    assert {r["rule"]: r["hits"] for r in recent.json() if r["hits"]} == {"big_withdrawal": 2, "new_device": 1}
    assert TestClient(app).get("/v1/rules/quality").status_code == 401
    assert signed_in(app, "ana").get("/v1/rules/quality").status_code == 403
    with store.engine.begin() as conn:
        _, secret = create_api_key(conn, "ci", {"rules"}, actor="test")
    assert TestClient(app, headers={"X-API-Key": secret}).get("/v1/rules/quality").status_code == 200


def test_an_analyst_is_refused_the_page(app: Any) -> None:
    refused = signed_in(app, "ana").get("/rules/quality")
    assert refused.status_code == 403 and "analyst" in refused.text
