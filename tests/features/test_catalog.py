from datetime import timedelta

from warden.features.catalog import FEATURES
from warden.features.online import InProcessFeatureStore

from .helpers import ev, login

REQUIRED = [
    *(f"customer_{k}_{w}" for k in ("withdrawal_count", "withdrawal_sum_usd", "deposit_count", "deposit_sum_usd") for w in ("1h", "24h", "7d", "30d")),
    "customer_transfer_out_count_24h", "customer_transfer_in_count_24h", "customer_login_count_24h",
    "customer_failed_login_count_1h", "customer_failed_login_count_24h", "customer_distinct_devices_30d",
    "customer_distinct_ips_24h", "customer_distinct_countries_30d", "customer_distinct_withdrawal_addresses_7d",
    "is_new_device", "device_age_hours", "is_new_country", "hours_since_new_device_login", "is_new_address",
    "address_age_hours", "address_in_address_book", "address_distinct_customers_30d",
    "hours_since_credential_change", "hours_since_whitelist_change", "hours_since_last_activity",
    "account_age_days", "amount_usd_to_avg_withdrawal_30d", "hours_since_last_deposit",
    "withdrawal_share_of_deposits_24h", "device_distinct_customers_30d", "ip_distinct_customers_24h",
    "customer_max_withdrawal_usd_30d",
]  # fmt: skip

PY_TYPES = {"int": int, "float": float, "duration_hours": float, "bool": bool, "str": str}


def test_catalogue_has_every_agreed_name() -> None:
    assert set(REQUIRED) <= set(FEATURES)


def test_online_values_match_catalogue_types_and_nullability() -> None:
    store = InProcessFeatureStore()
    events = [
        login("a", timedelta(0)),
        ev("deposit", "a", timedelta(hours=1), amount_usd="100"),
        ev("withdrawal", "a", timedelta(hours=2), amount_usd="40", to_address="0xabc", device_id="d1", ip="10.0.0.1"),
        ev("withdrawal", "a", timedelta(hours=3), amount_usd="50", to_address="0xabc", device_id="d1", ip="10.0.0.1"),
    ]
    seen_null: set[str] = set()
    for event in events:
        features = store.features_for(event)
        store.update(event)
        assert set(features) == set(FEATURES)
        for name, value in features.items():
            spec = FEATURES[name]
            if value is None:
                assert spec.nullable, name
                seen_null.add(name)
            else:
                assert type(value) is PY_TYPES[spec.type], (name, value)
    assert "device_age_hours" in seen_null  # the first login's device is new
