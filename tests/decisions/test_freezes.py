"""A frozen customer's withdrawals are held by the engine, whatever the rules say, until the freeze is released;
their other events are decided as usual."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from warden.decisions.factory import build_engine
from warden.decisions.freezes import FreezeGate, customer_holds
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER
from warden.settings import Settings
from warden.store.db import Store


def test_withdrawals_of_a_frozen_customer_are_held_until_released(settings: Settings, store: Store) -> None:
    engine = build_engine(settings, store=store)
    withdrawal = EVENT_ADAPTER.validate_python(EXAMPLES["withdrawal"])
    assert engine.decide(withdrawal).outcome != "hold"  # the example withdrawal is not held by the rules
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(customer_holds).values(
                hold_id="hold_1",
                customer_id=withdrawal.customer_id,
                kind="freeze",
                status="active",
                reason="mule",
                placed_by="ana",
                approved_by="sam",
                placed_at=datetime.now(UTC),
            )
        )
    gate = engine.freezes
    assert isinstance(gate, FreezeGate)
    gate.refresh()  # (the gate re-reads on its own every few seconds)
    again = EVENT_ADAPTER.validate_python({**EXAMPLES["withdrawal"], "event_id": "evt-w2"})
    held = engine.decide(again)
    assert held.outcome == "hold"
    assert held.reasons == ["customer frozen (hold_1): withdrawals held until the freeze is released"]
    login = EVENT_ADAPTER.validate_python(EXAMPLES["login"])
    assert "frozen" not in " ".join(engine.decide(login).reasons)  # only withdrawals are held
    other = EVENT_ADAPTER.validate_python({**EXAMPLES["withdrawal"], "event_id": "evt-w3", "customer_id": "cus-9"})
    assert engine.decide(other).outcome != "hold"
    with store.engine.begin() as conn:
        conn.execute(sa.update(customer_holds).values(status="released"))
    gate.refresh()
    third = EVENT_ADAPTER.validate_python({**EXAMPLES["withdrawal"], "event_id": "evt-w4"})
    assert "frozen" not in " ".join(engine.decide(third).reasons)
