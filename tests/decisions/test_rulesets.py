"""Change management: immutable published versions, audited publishing, shadow mode and its report."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.audit.log import verify_chain
from warden.decisions.engine import ModelPolicy
from warden.decisions.factory import build_engine
from warden.decisions.repository import insert_decisions
from warden.decisions.rulesets import PublishError, current, publish_ruleset, shadow_report
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER
from warden.rules.errors import RulesetError
from warden.rules.loader import load_ruleset
from warden.rules.outcome import Outcome
from warden.settings import Settings
from warden.store.db import Store

STRICT = """
name: strict
version: "1"
rules:
  - id: every_withdrawal_held
    version: 1
    description: hold all withdrawals
    event_types: [withdrawal]
    condition: amount_usd > 0
    outcome: hold
    score: 10
    reason: "{amount_usd} USD withdrawal held"
"""


def test_published_versions_are_immutable_and_audited(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        first = publish_ruleset(conn, STRICT, actor="alice")
    assert first.status == "live" and first.published_by == "alice"
    changed = STRICT.replace("amount_usd > 0", "amount_usd > 1")
    with pytest.raises(PublishError, match="immutable"), sqlite_store.engine.begin() as conn:
        publish_ruleset(conn, changed, actor="mallory")
    with sqlite_store.engine.connect() as conn:
        live = current(conn, "live")
        actions = conn.execute(sa.text("SELECT actor, action, subject FROM audit_log")).all()
        assert verify_chain(conn).ok
    assert live is not None and live.fingerprint == first.fingerprint
    assert [tuple(a) for a in actions] == [("alice", "ruleset.publish.live", "strict@1")]


def test_the_live_ruleset_decides_and_the_shadow_one_is_only_recorded(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        publish_ruleset(conn, STRICT, actor="alice", status="shadow")
    engine = build_engine(settings, store=sqlite_store)
    assert engine.ruleset.name == "starter" and engine.shadow is not None
    event = EVENT_ADAPTER.validate_python(EXAMPLES["withdrawal"])
    decision = engine.decide(event)
    assert decision.shadow == {"ruleset": "strict@1", "outcome": "hold", "rules": ["every_withdrawal_held"]}
    without_shadow = build_engine(settings).decide(event)  # fresh state, the same live ruleset
    assert decision.outcome == without_shadow.outcome  # the shadow never decides
    assert decision.outcome != "hold"
    with sqlite_store.engine.begin() as conn:
        insert_decisions(conn, [decision.to_row(True)])
        report = shadow_report(conn)
    assert report["shadow_rulesets"] == ["strict@1"] and report["decisions"] == 1
    assert report["changed"] == (0 if decision.outcome == "hold" else 1)


def test_api_publish_refuses_a_malformed_ruleset_with_positions(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _, author = create_api_key(conn, "rule-author", {"rules"}, actor="test")
        _, backend = create_api_key(conn, "backend", {"decisions"}, actor="test")
    client = TestClient(create_app(settings, sqlite_store))
    bad = STRICT.replace("amount_usd > 0", "amount_usd > 'lots'")
    response = client.post("/v1/rulesets", content=bad, headers={"X-API-Key": author})
    assert response.status_code == 422
    problem = response.json()["detail"][0]["ctx"]["problems"][0]  # the shape of every 422 (web/errors.py)
    assert problem["rule_id"] == "every_withdrawal_held" and problem["line"] == 9  # the condition line of the YAML
    assert client.post("/v1/rulesets", content=STRICT, headers={"X-API-Key": backend}).status_code == 403
    ok = client.post("/v1/rulesets", content=STRICT, headers={"X-API-Key": author})
    assert ok.status_code == 201 and ok.json()["status"] == "live"
    # A decision made after publishing uses the new live ruleset.
    decided = client.post("/v1/decisions", json=EXAMPLES["withdrawal"], headers={"X-API-Key": backend}).json()
    assert decided["outcome"] == "hold" and decided["ruleset"]["name"] == "strict"


def test_the_model_policy_is_part_of_the_ruleset_version() -> None:
    plain = load_ruleset(STRICT)
    strict_model = load_ruleset(STRICT + "model_policy: {hold: 0.5}\n")
    assert plain.fingerprint != strict_model.fingerprint
    assert ModelPolicy.from_ruleset(strict_model).outcome_for(0.55) == Outcome.HOLD
    assert ModelPolicy.from_ruleset(plain).outcome_for(0.55) == Outcome.CHALLENGE
    with pytest.raises(RulesetError, match="outside"):
        load_ruleset(STRICT + "model_policy: {hold: 1.5}\n")
