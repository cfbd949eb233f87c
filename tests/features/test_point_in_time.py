"""Hand-checked values: window edges, ties, first-seen, cross-customer counts."""

from datetime import timedelta

import pytest

from warden.events.models import EVENT_ADAPTER
from warden.features.online import Features, InProcessFeatureStore
from warden.features.state import SHARED_EMPTY_WINDOWS, CustomerState
from warden.sim import SimConfig, simulate

from .helpers import ev, login

H = timedelta(hours=1)


def replay(events: list) -> list[Features]:
    store = InProcessFeatureStore()
    out = []
    for event in events:
        out.append(store.features_for(event))
        store.update(event)
    return out


def test_window_is_half_open_and_excludes_same_instant() -> None:
    events = [
        ev("withdrawal", "a", timedelta(0), amount_usd="10.005", to_address="x"),  # rounds half-even to 10.00
        ev("withdrawal", "a", H, amount_usd="5", to_address="x"),  # exactly t - 1h for the next one
        ev("withdrawal", "a", 2 * H, amount_usd="7", to_address="x"),
        ev("withdrawal", "a", 2 * H, amount_usd="9", to_address="x"),  # same instant: must not see the previous one
        ev("login", "a", 2 * H + timedelta(microseconds=1), device_id="d", ip="1.1.1.1", country="DE", success=True),
    ]
    f = replay(events)
    assert f[0]["customer_withdrawal_count_1h"] == 0
    assert f[2]["customer_withdrawal_count_1h"] == 1  # the one at exactly t - 1h is in, the one at t - 2h is out
    assert f[2]["customer_withdrawal_sum_usd_1h"] == 5.0
    assert f[2]["customer_withdrawal_sum_usd_24h"] == 15.0
    assert f[3]["customer_withdrawal_count_24h"] == 2
    assert f[4]["customer_withdrawal_count_24h"] == 4
    assert f[4]["customer_max_withdrawal_usd_30d"] == 10.0
    assert f[4]["customer_withdrawal_count_1h"] == 2  # t - 1h is 1h00m00.000001 > H: the one at H is out


def test_takeover_signals() -> None:
    events = [
        login("a", timedelta(0), device="home"),
        ev("deposit", "a", H, amount_usd="1000"),
        ev("withdrawal", "a", 2 * H, amount_usd="100", to_address="own", device_id="home", ip="10.0.0.1"),
        login("a", timedelta(days=10), device="evil", country="RU", ok=False),
        login("a", timedelta(days=10, minutes=1), device="evil", country="RU"),
        ev("profile_change", "a", timedelta(days=10, minutes=2), field="password", device_id="evil", ip="6.6.6.6"),
        ev("withdrawal", "a", timedelta(days=10, minutes=5), amount_usd="900", to_address="thief", device_id="evil", ip="6.6.6.6"),
    ]  # fmt: skip
    f = replay(events)
    failed, ok, drain = f[3], f[4], f[6]
    assert failed["is_new_device"] is True and failed["is_new_country"] is True
    assert ok["is_new_device"] is True  # a failed attempt does not make a device known
    assert ok["customer_failed_login_count_1h"] == 1
    assert drain["is_new_device"] is False and drain["device_age_hours"] == pytest.approx(4 / 60)
    assert drain["is_new_country"] is True  # the session's country (last login) was new then
    assert drain["hours_since_new_device_login"] == pytest.approx(4 / 60)
    assert drain["hours_since_credential_change"] == pytest.approx(3 / 60)
    assert drain["is_new_address"] is True and drain["address_age_hours"] is None
    assert drain["amount_usd_to_avg_withdrawal_30d"] == 9.0
    assert drain["hours_since_last_deposit"] == pytest.approx(24 * 10 - 1 + 5 / 60)
    assert drain["account_age_days"] == pytest.approx(10 + 5 / 1440)
    assert f[2]["withdrawal_share_of_deposits_24h"] == 0.1  # includes the withdrawal being decided


def test_shared_collection_address_counts_other_customers_only() -> None:
    events = [
        ev("withdrawal", "v1", timedelta(0), amount_usd="10", to_address="scam"),
        ev("withdrawal", "v1", H, amount_usd="10", to_address="scam"),
        ev("withdrawal", "v2", 2 * H, amount_usd="10", to_address="scam"),
        ev("withdrawal", "v3", timedelta(days=29), amount_usd="10", to_address="scam"),
        ev("withdrawal", "v1", timedelta(days=30, hours=2, seconds=1), amount_usd="10", to_address="scam"),
        ev("transfer", "v2", timedelta(days=31), amount_usd="5", counterparty_id="v3"),
        ev("login", "v3", timedelta(days=31, minutes=1), device_id="d", ip="1.1.1.1", country="DE", success=True),
    ]
    f = replay(events)
    assert f[1]["address_distinct_customers_30d"] == 0  # only v1 itself
    assert f[2]["address_distinct_customers_30d"] == 1
    assert f[3]["address_distinct_customers_30d"] == 2
    assert f[4]["address_distinct_customers_30d"] == 1  # v2's expired (30d + 1s ago); v3 remains
    assert f[6]["customer_transfer_in_count_24h"] == 1


def test_address_book_membership() -> None:
    events = [
        ev("address_book_change", "a", timedelta(0), action="add", address="x", network="ethereum"),
        ev("withdrawal", "a", H, amount_usd="1", to_address="x"),
        ev("address_book_change", "a", 2 * H, action="remove", address="x", network="ethereum"),
        ev("withdrawal", "a", 3 * H, amount_usd="1", to_address="x"),
    ]
    f = replay(events)
    assert f[1]["address_in_address_book"] is True and f[1]["is_new_address"] is False
    assert f[1]["address_age_hours"] == 1.0 and f[1]["hours_since_whitelist_change"] == 1.0
    assert f[3]["address_in_address_book"] is False and f[3]["is_new_address"] is False


def test_new_customers_share_empty_windows_until_they_add_to_them() -> None:
    store = InProcessFeatureStore()
    simulated = simulate(SimConfig(customers=150, days=5, seed=3))
    for line in simulated.lines:
        event = EVENT_ADAPTER.validate_json(line)
        store.features_for(event)
        store.update(event)
    store.flush()
    # every add went to a customer's own window: the shared ones are still empty
    assert all(w.to_json() in ([[], [], [0, 0, 0, 0], [0, 0, 0, 0]], [[], [0, 0]], [[]]) for w in SHARED_EMPTY_WINDOWS)
    states = list(store.customers.values())
    assert any(s.withdrawals not in SHARED_EMPTY_WINDOWS for s in states)
    assert any(s.transfers_in in SHARED_EMPTY_WINDOWS for s in states)  # some never received a transfer
    fresh = CustomerState()
    assert fresh.own("logins") is fresh.logins and fresh.logins not in SHARED_EMPTY_WINDOWS
    restored = CustomerState.loads(states[0].dumps())
    assert restored.dumps() == states[0].dumps()
