"""Online replay and offline batch give EQUAL values for every feature and event (not approximately)."""

from datetime import timedelta

import polars as pl
import pytest
from tests.simulated import simulated

from warden.features.catalog import FEATURE_NAMES
from warden.features.frame import events_frame
from warden.features.offline import OfflineInputError, compute_features
from warden.features.online import InProcessFeatureStore


def _online(events: list) -> list[dict]:
    store = InProcessFeatureStore()
    rows = []
    for event in events:
        rows.append(store.features_for(event))
        store.update(event)
    return rows


def _mismatches(events: list) -> list[tuple[str, str, object, object]]:
    offline = compute_features(events_frame(events)).to_dicts()
    bad = []
    for event, online, batch in zip(events, _online(events), offline, strict=True):
        assert batch["event_id"] == event.event_id
        for name in FEATURE_NAMES:
            a, b = online[name], batch[name]
            if a != b or (a is not None and type(a) is not type(b)):
                bad.append((event.event_id, name, a, b))
    return bad


def test_online_equals_offline_on_simulated_history() -> None:
    data = simulated(11, days=45)
    assert len(data.events) > 2000
    assert _mismatches(data.events) == []


def test_online_equals_offline_with_many_same_instant_events() -> None:
    data = simulated(12, days=45)
    # whole minutes make many events share a timestamp: none may see another of the same instant
    events = sorted(
        (e.model_copy(update={"occurred_at": e.occurred_at.replace(second=0, microsecond=0)}) for e in data.events),
        key=lambda e: e.occurred_at,
    )
    assert len({e.occurred_at for e in events}) < len(events)
    assert _mismatches(events) == []


def test_offline_keeps_input_order_and_names() -> None:
    data = simulated(13, days=20)
    frame = events_frame(reversed(data.events))
    out = compute_features(frame)
    assert out.columns == ["event_id", *FEATURE_NAMES]
    assert out["event_id"].to_list() == frame["event_id"].to_list()


def test_offline_rejects_bad_input_with_position() -> None:
    frame = events_frame(simulated(1, days=10).events)
    broken = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(None).otherwise(pl.col("customer_id")).alias("customer_id")
    )
    with pytest.raises(OfflineInputError, match="row 4: column 'customer_id'"):
        compute_features(broken)
    naive = frame.with_columns(pl.col("occurred_at").dt.replace_time_zone(None))
    with pytest.raises(OfflineInputError, match="no time zone"):
        compute_features(naive)


def test_string_timestamps_with_offsets_are_read_as_utc() -> None:
    events = simulated(2, days=5).events
    frame = events_frame(events)
    shifted = frame.with_columns(
        (pl.col("occurred_at") + timedelta(hours=2)).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+02:00").alias("occurred_at")
    )
    assert compute_features(shifted).equals(compute_features(frame))


def test_online_equals_offline_on_the_simulator() -> None:
    from warden.events.models import EVENT_ADAPTER
    from warden.sim import SimConfig, simulate

    result = simulate(SimConfig(customers=150, days=20, seed=5))
    events = [EVENT_ADAPTER.validate_json(line) for line in result.lines]
    kinds = {e.type for e in events}
    assert {"transfer", "trade", "kyc_submission", "address_book_change", "profile_change"} <= kinds
    assert _mismatches(events) == []
