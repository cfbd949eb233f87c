"""In-process feature state survives a restart: rebuilt from the stored decisions' events, it equals a state
folded from the same events in one pass (the offline recomputation)."""

from __future__ import annotations

from typing import Any

import pytest

from warden.decisions.factory import build_service
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER
from warden.features.frame import events_frame
from warden.features.offline import compute_features
from warden.features.online import InProcessFeatureStore
from warden.settings import Settings
from warden.store.db import Store


def _events() -> list[Any]:
    kinds = ["login", "deposit", "withdrawal", "withdrawal", "address_book_change", "withdrawal", "login"]
    out = []
    for i, kind in enumerate(kinds * 3):
        data = dict(EXAMPLES[kind]) | {
            "event_id": f"e{i}",
            "customer_id": f"cus-{i % 2}",
            "occurred_at": f"2026-03-02T09:{i:02d}:00Z",
        }
        out.append(EVENT_ADAPTER.validate_python(data))
    return out


@pytest.mark.anyio
async def test_a_restarted_service_sees_the_features_it_saw_before(settings: Settings, store: Store) -> None:
    events = _events()
    probe = EVENT_ADAPTER.validate_python(
        dict(EXAMPLES["withdrawal"])
        | {"event_id": "probe", "customer_id": "cus-0", "occurred_at": "2026-03-02T09:50:00Z"}
    )
    first = build_service(settings, store)
    try:
        for event in events:
            await first.decide(event)
    finally:
        first.close()
    restarted = build_service(settings, store)  # a new process: memory empty, then rebuilt
    try:
        record, new = await restarted.decide(probe)
    finally:
        restarted.close()
    assert new and record["degraded"] is None
    assert record["features"]["customer_withdrawal_count_1h"] == 4  # cus-0 withdrew at minutes 2, 10, 12 and 16
    # the same as one pass over every event (online), and as the offline batch
    fresh = InProcessFeatureStore()
    for event in events:
        fresh.features_for(event)
        fresh.update(event)
    assert record["features"] == fresh.features_for(probe)
    offline = compute_features(events_frame([*events, probe])).row(-1, named=True)
    for name, value in record["features"].items():
        assert offline[name] == pytest.approx(value), name
