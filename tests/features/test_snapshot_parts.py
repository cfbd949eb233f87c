"""The snapshot in parts (features/snapshot.py): the parts cover the catalogue once, and a store asked for some
features gives the whole snapshot's values for them, on a simulated exchange."""

from __future__ import annotations

import random

from warden.events.models import EVENT_ADAPTER
from warden.features.catalog import FEATURE_NAMES
from warden.features.online import InProcessFeatureStore
from warden.features.snapshot import ALL_PARTS, parts_for
from warden.sim import SimConfig, simulate


def test_the_parts_write_every_catalogue_feature_once() -> None:
    names = [name for part in ALL_PARTS for name in part.names]
    assert sorted(names) == sorted(FEATURE_NAMES)


def test_each_part_writes_the_names_it_declares() -> None:
    store = InProcessFeatureStore()
    lines = simulate(SimConfig(customers=150, days=3, seed=3)).lines
    events = sorted((EVENT_ADAPTER.validate_json(line) for line in lines), key=lambda e: e.occurred_at)
    for event in events[:2000]:
        for part in ALL_PARTS:
            assert list(store.features_for(event, frozenset(part.names[:1]))) == list(part.names)
        store.update(event)


def test_parts_for_picks_every_part_holding_a_name_read() -> None:
    wanted = frozenset({"customer_failed_login_count_1h", "is_new_device", "hour_utc"})
    assert [p.names for p in parts_for(wanted)] == [
        ("customer_failed_login_count_1h", "customer_failed_login_count_24h"),
        ("is_new_device", "device_age_hours"),
        ("hour_utc",),
    ]
    assert parts_for(frozenset({"sanctions_name_score"})) == ()  # not the store's: nothing to compute


def test_any_subset_has_the_whole_snapshots_values() -> None:
    """Two stores replay the same events; one is asked for random subsets (the windows it skips expire later,
    at another time), and every value it gives equals the whole snapshot's."""
    lines = simulate(SimConfig(customers=150, days=6, seed=8)).lines
    events = sorted((EVENT_ADAPTER.validate_json(line) for line in lines), key=lambda e: e.occurred_at)
    whole, some = InProcessFeatureStore(), InProcessFeatureStore()
    draw = random.Random(8)
    for event in events:
        expected = whole.features_for(event)
        wanted = frozenset(draw.sample(FEATURE_NAMES, draw.randint(0, 6)))
        got = some.features_for(event, wanted)
        assert wanted <= got.keys()
        assert got == {name: expected[name] for name in got}, event.event_id
        whole.update(event)
        some.update(event)
