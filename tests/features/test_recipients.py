"""A payment's recipient: the address and, on memo-credited addresses, the memo; payments to other customers."""

from datetime import timedelta

from warden.features.catalog import FEATURE_NAMES
from warden.features.frame import events_frame
from warden.features.offline import compute_features
from warden.features.online import InProcessFeatureStore

from .helpers import ev

H = timedelta(hours=1)


def _both(events: list) -> tuple[list[dict], list[dict]]:
    store = InProcessFeatureStore()
    online = []
    for event in events:
        online.append(store.features_for(event))
        store.update(event)
    return online, compute_features(events_frame(events)).to_dicts()


def _xrp(customer: str, at: timedelta, address: str, memo: str | None) -> object:
    return ev("withdrawal", customer, at, asset="XRP", network="xrp", amount_usd="50", to_address=address, memo=memo)


def test_a_service_shared_memo_address_is_many_recipients_and_a_collection_address_is_one() -> None:
    events = [
        *[_xrp(f"c{i}", i * H, "rService", f"{100 + i}") for i in range(4)],  # four different memos
        *[_xrp(f"c{i}", (10 + i) * H, "rCollect", "7") for i in range(4)],  # one recipient memo
        _xrp("c9", 20 * H, "rCollect", None),  # the address without a memo is yet another recipient
    ]
    online, offline = _both(events)
    for features in (online, offline):
        assert features[3]["address_distinct_customers_30d"] == 0
        assert features[7]["address_distinct_customers_30d"] == 3
        assert features[8]["address_distinct_customers_30d"] == 0


def test_paying_another_customers_deposit_address_or_deposit_source() -> None:
    events = [
        ev("deposit", "bob", timedelta(0), amount_usd="100", to_address="bob-dep"),
        ev("deposit", "carol", H, amount_usd="100", to_address="carol-dep", from_address="carol-wallet"),
        ev("deposit", "dan", H, asset="XRP", network="xrp", amount_usd="5", to_address="rShared", memo="55"),
        ev("withdrawal", "alice", 2 * H, amount_usd="90", to_address="bob-dep"),  # bob's deposit address
        ev("withdrawal", "alice", 3 * H, amount_usd="90", to_address="carol-wallet"),  # where carol deposits from
        ev("withdrawal", "bob", 4 * H, amount_usd="90", to_address="bob-dep"),  # his own: not another customer
        ev("withdrawal", "alice", 5 * H, asset="XRP", network="xrp", amount_usd="5", to_address="rShared", memo="55"),
        ev("withdrawal", "alice", 6 * H, asset="XRP", network="xrp", amount_usd="5", to_address="rShared", memo="56"),
        ev("withdrawal", "alice", 31 * 24 * H, amount_usd="90", to_address="bob-dep"),  # out of the 30-day window
    ]
    online, offline = _both(events)
    for features in (online, offline):
        assert [f["destination_customers_30d"] for f in features[3:]] == [1, 1, 0, 1, 0, 0]
    for a, b in zip(online, offline, strict=True):
        assert {n: a[n] for n in FEATURE_NAMES} == {n: b[n] for n in FEATURE_NAMES}
