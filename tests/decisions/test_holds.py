"""A hold follows the customer in the engine: the next withdrawals within three days of a hold decided on its own
are held too; the whole-history twin (`follow_holds`) agrees."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from warden.decisions.engine import DecisionEngine
from warden.decisions.holds import follow_holds
from warden.events.models import EVENT_ADAPTER
from warden.features.online import InProcessFeatureStore
from warden.rules.loader import load_ruleset
from warden.rules.outcome import Outcome

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


def test_a_followed_hold_does_not_extend_the_wait() -> None:
    """A customer who withdraws every day: one hold makes the next three days wait, not every day after."""
    engine = DecisionEngine(load_ruleset(RULES), InProcessFeatureStore())
    days = [engine.decide(_w(10 + d, "m", 24.0 * d, "5000" if d == 0 else "10")).outcome for d in range(6)]  # type: ignore[arg-type]
    assert days == ["hold", "hold", "hold", "hold", "allow", "allow"]


def test_the_engine_and_the_whole_history_rule_agree() -> None:
    """`follow_holds` (calibration's and the evaluation's twin of the engine's rule) gives the engine's holds."""
    rng = np.random.default_rng(3)
    rows = sorted(
        (float(rng.uniform(0, 400)), str(rng.choice(["a", "b", "c"])), str(rng.choice(["5000", "10", "10", "10"])))
        for _ in range(120)
    )
    engine = DecisionEngine(load_ruleset(RULES), InProcessFeatureStore())
    decided = [engine.decide(_w(100 + n, c, h, usd)).outcome for n, (h, c, usd) in enumerate(rows)]  # type: ignore[arg-type]
    own = np.array([int(Outcome.HOLD) if usd == "5000" else 0 for _, _, usd in rows], dtype=np.int8)
    ts = np.array([int(h * 3_600_000_000) for h, _, _ in rows])
    followed = follow_holds(np.array([c for _, c, _ in rows]), ts, np.ones(len(rows), dtype=bool), own)
    assert [Outcome(int(o)).label for o in followed] == decided
    assert 0 < sum(o == "hold" for o in decided) - int((own > 0).sum()) < len(rows)  # some followed, not all
