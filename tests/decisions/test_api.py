"""`/v1/decisions`: keys, validation, idempotency, durability, and the failure policy under a real outage."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.decisions.engine import DecisionEngine
from warden.decisions.factory import live_ruleset
from warden.decisions.policy import FailurePolicy
from warden.decisions.repository import get_decision
from warden.decisions.service import DecisionService
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER, AnyEvent
from warden.features.online import InProcessFeatureStore
from warden.features.redis_store import RedisFeatureStore
from warden.rules.outcome import Outcome
from warden.settings import Settings
from warden.store.db import Store


def _event(data: dict[str, object]) -> AnyEvent:
    return EVENT_ADAPTER.validate_python(data)


@pytest.fixture
def client_and_key(settings: Settings, sqlite_store: Store) -> Iterator[tuple[TestClient, str]]:
    with sqlite_store.engine.begin() as conn:
        _, secret = create_api_key(conn, "backend", {"decisions"}, actor="test")
    app = create_app(settings, sqlite_store)
    with TestClient(app) as client:  # the lifespan builds the decision service and closes it
        yield client, secret


def test_anonymous_and_wrong_keys_get_401(client_and_key: tuple[TestClient, str]) -> None:
    client, _ = client_and_key
    assert client.post("/v1/decisions", json=EXAMPLES["withdrawal"]).status_code == 401
    assert client.get("/v1/decisions/x", headers={"X-API-Key": "wk_not-a-key"}).status_code == 401


def test_a_key_without_the_scope_gets_403(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _, secret = create_api_key(conn, "screening-only", {"screening"}, actor="test")
    client = TestClient(create_app(settings, sqlite_store))
    assert client.post("/v1/decisions", json=EXAMPLES["login"], headers={"X-API-Key": secret}).status_code == 403


def test_bad_event_gets_422_with_the_field_path(client_and_key: tuple[TestClient, str]) -> None:
    client, key = client_and_key
    bad = EXAMPLES["withdrawal"] | {"amount": 12.5}
    response = client.post("/v1/decisions", json=bad, headers={"X-API-Key": key})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "amount"]


def test_decision_is_durable_explained_and_idempotent(
    client_and_key: tuple[TestClient, str], sqlite_store: Store
) -> None:
    client, key = client_and_key
    headers = {"X-API-Key": key}
    big = EXAMPLES["withdrawal"] | {"event_id": "w-big", "amount": "50000", "amount_usd": "50000.00"}
    first = client.post("/v1/decisions", json=big, headers=headers)
    assert first.status_code == 201
    record = first.json()
    assert record["outcome"] in {"review", "hold", "block", "freeze"}
    assert record["reasons"] and record["rule_hits"]
    assert record["rule_hits"][0]["explanation"]["value"] is True
    assert record["ruleset"]["fingerprint"] and record["versions"]["ruleset"]
    assert "customer_withdrawal_count_24h" in record["features"]
    # Stored before the answer: the store has it, byte for byte the same record.
    with sqlite_store.engine.connect() as conn:
        assert get_decision(conn, "w-big") == record
    again = client.post("/v1/decisions", json=big, headers=headers)
    assert again.status_code == 200 and again.json() == record
    assert client.get("/v1/decisions/w-big", headers=headers).json() == record
    assert client.get("/v1/decisions/unknown", headers=headers).status_code == 404


@pytest.mark.anyio
async def test_redis_outage_fails_closed_for_withdrawals_and_open_for_logins(
    settings: Settings, sqlite_store: Store
) -> None:
    down = RedisFeatureStore("redis://127.0.0.1:1/0")  # nothing listens there: a real outage
    # Deadlines long enough that the outage, not a slow test machine, is what the policy answers.
    patient = {
        "withdrawal": FailurePolicy(deadline_ms=5000, on_failure=Outcome.HOLD),
        "login": FailurePolicy(deadline_ms=5000, on_failure=Outcome.ALLOW),
    }
    service = DecisionService(DecisionEngine(live_ruleset(settings), down), sqlite_store, policies=patient)
    try:
        withdrawal = _event(EXAMPLES["withdrawal"] | {"event_id": "w-outage"})
        record, new = await service.decide(withdrawal)
        assert new and record["outcome"] == "hold"
        assert "dependency failed" in record["degraded"] and "fail-closed" in record["degraded"]
        login, _ = await service.decide(_event(EXAMPLES["login"] | {"event_id": "l-outage"}))
        assert login["outcome"] == "allow" and "fail-open" in login["degraded"]
        assert service.stored("w-outage") == record
    finally:
        service.close()


@pytest.mark.anyio
async def test_deadline_passed_uses_the_policy(settings: Settings, sqlite_store: Store) -> None:
    engine = DecisionEngine(live_ruleset(settings), InProcessFeatureStore())
    tight = {"withdrawal": FailurePolicy(deadline_ms=0.0001, on_failure=Outcome.HOLD)}
    service = DecisionService(engine, sqlite_store, policies=tight)
    try:
        record, _ = await service.decide(_event(EXAMPLES["withdrawal"]))
        assert record["outcome"] == "hold" and record["degraded"].startswith("deadline of 0.0001 ms passed")
    finally:
        service.close()
