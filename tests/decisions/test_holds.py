"""A hold follows the customer in the engine: the next withdrawals within three days are held too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from warden.decisions.engine import DecisionEngine
from warden.events.models import EVENT_ADAPTER
from warden.features.online import InProcessFeatureStore
from warden.rules.loader import load_ruleset

RULES = """
name: t
version: "1"
rules:
  - id: big
    version: 1
    description: big
    event_types: [withdrawal]
    condition: amount_usd >= 1000
    outcome: hold
    score: 10
    reason: big
"""
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _w(n: int, customer: str, hours: float, usd: str) -> object:
    return EVENT_ADAPTER.validate_python(
        {"event_id": f"w{n}", "type": "withdrawal", "occurred_at": T0 + timedelta(hours=hours), "customer_id": customer,
         "asset": "USDT", "network": "tron", "amount": usd, "amount_usd": usd, "to_address": "T1"}
    )  # fmt: skip


def test_the_next_withdrawals_wait_with_the_held_one() -> None:
    engine = DecisionEngine(load_ruleset(RULES), InProcessFeatureStore())
    outcomes = [
        engine.decide(e)  # type: ignore[arg-type]
        for e in (_w(1, "a", 0, "5000"), _w(2, "a", 2, "10"), _w(3, "b", 3, "10"), _w(4, "a", 100, "10"))
    ]
    assert [d.outcome for d in outcomes] == ["hold", "hold", "allow", "allow"]
    assert outcomes[1].reasons == ["a withdrawal of this customer was held 2.0 h ago and awaits review"]
    plain = DecisionEngine(load_ruleset(RULES), InProcessFeatureStore(), holds=None)
    assert [plain.decide(e).outcome for e in (_w(5, "a", 0, "5000"), _w(6, "a", 2, "10"))] == ["hold", "allow"]  # type: ignore[arg-type]
