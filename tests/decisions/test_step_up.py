"""Step-up verification demanded by the engine: a withdrawal stopped by an account-takeover rule asks for a new
selfie; one stopped by another rule does not; a passed step-up lets the customer's next withdrawals through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warden.decisions.engine import DecisionEngine
from warden.decisions.step_up import STEP_UP_REASON, step_up_demanded
from warden.events.models import EVENT_ADAPTER
from warden.features.online import InProcessFeatureStore
from warden.rules import Outcome, load_ruleset, starter_pack_path
from warden.rules.loader import load_ruleset as load_text

RULES = """
name: t
version: "1"
rules:
  - id: takeover
    version: 1
    description: withdrawal right after a 2FA change
    event_types: [withdrawal]
    condition: hours_since_credential_change < 24
    outcome: hold
    score: 60
    reason: withdrawal after a credential change
    tags: [account_takeover]
  - id: big
    version: 1
    description: big
    event_types: [withdrawal]
    condition: amount_usd >= 1000000
    outcome: hold
    score: 10
    reason: big
"""
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)


def _event(n: int, kind: str, hours: float, **fields: object) -> object:
    base = {"event_id": f"e{n}", "type": kind, "occurred_at": T0 + timedelta(hours=hours), "customer_id": "cus-1"}
    if kind == "withdrawal":
        base |= {"asset": "USDT", "network": "tron", "amount": "2500", "amount_usd": "2500", "to_address": "T1"}
    return EVENT_ADAPTER.validate_python(base | fields)


def test_starter_pack_takeover_rules_demand_a_step_up() -> None:
    ruleset = load_ruleset(starter_pack_path())
    takeover = {"type": "withdrawal", "amount_usd": "800", "hours_since_new_device_login": 2.0,
                "hours_since_credential_change": 1.5}  # fmt: skip
    hits = ruleset.evaluate(takeover, takeover)
    outcome, _, _ = ruleset.summarise(hits)
    assert step_up_demanded(ruleset, "withdrawal", outcome, hits)
    large = {"type": "withdrawal", "amount_usd": "10000.00", "is_new_address": True, "to_address": "bc1qnew"}
    hits = ruleset.evaluate(large, large)
    outcome, _, _ = ruleset.summarise(hits)
    assert hits and outcome >= Outcome.REVIEW and not step_up_demanded(ruleset, "withdrawal", outcome, hits)


def test_engine_returns_the_step_up_reason_and_a_release_lifts_the_following_hold() -> None:
    engine = DecisionEngine(load_text(RULES), InProcessFeatureStore())
    engine.decide(_event(1, "profile_change", 0, field="2fa", device_id="d1"))  # type: ignore[arg-type]
    held = engine.decide(_event(2, "withdrawal", 1))  # type: ignore[arg-type]
    assert held.outcome == "hold"
    assert [r.split(":")[0] for r in held.reasons] == ["withdrawal after a credential change", STEP_UP_REASON]
    assert "hold_ref e2" in held.reasons[-1]
    # not a takeover rule: held, no selfie asked
    big = engine.decide(_event(3, "withdrawal", 30, amount="2000000", amount_usd="2000000"))  # type: ignore[arg-type]
    assert big.outcome == "hold" and not any(r.startswith(STEP_UP_REASON) for r in big.reasons)
    # the customer passed a step-up: their next small withdrawal is decided on its own, not held with the last
    assert engine.holds is not None
    engine.holds.forget("cus-1")
    assert engine.decide(_event(4, "withdrawal", 31)).outcome == "allow"  # type: ignore[arg-type]
