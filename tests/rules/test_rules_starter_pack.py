"""Every starter-pack rule fires on a crafted event with features, and not on a near miss (one value changed)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest

from warden.rules import Outcome, Ruleset, load_ruleset, starter_pack_path

from .helpers import both

KNOWN = "0xA1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
LOOKALIKE = "0xa1b2c3000000000000000000000000000aa45678"  # 6 first + 5 last characters
CLOSE_COPY = "0xa1b2c3d4e5000000000000000000009012345678"  # 10 + 10
TORNADO = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"  # OFAC SDN, Tornado Cash

# rule id -> (event with its features, the near miss: what changes so it must not fire)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "ato_new_device_credential_change_withdrawal": (
        {
            "type": "withdrawal",
            "amount_usd": "800",
            "hours_since_new_device_login": 2.0,
            "hours_since_credential_change": 1.5,
        },
        {"hours_since_credential_change": 30.0},
    ),
    "ato_new_country_whitelist_change_withdrawal": (
        {"type": "withdrawal", "amount_usd": "500", "is_new_country": True, "hours_since_whitelist_change": 3.0},
        {"is_new_country": False},
    ),
    "ato_new_device_whitelist_change_new_address": (
        {
            "type": "withdrawal",
            "hours_since_new_device_login": 5.0,
            "hours_since_whitelist_change": 2.0,
            "is_new_address": False,  # whitelisted six minutes ago, so in the book already
            "address_age_hours": 0.1,
        },
        {"address_age_hours": 30.0},
    ),
    "credential_change_from_new_device": (
        {"type": "profile_change", "field": "2fa", "is_new_device": True, "device_id": "d9"},
        {"field": "api_key"},
    ),
    "whitelist_change_after_credential_change": (
        {"type": "address_book_change", "action": "add", "hours_since_credential_change": 0.5},
        {"action": "remove"},
    ),
    "login_new_device_new_country": (
        {"type": "login", "success": True, "is_new_device": True, "is_new_country": True, "country": "BR"},
        {"success": False},
    ),
    "failed_login_burst": (
        {"type": "login", "customer_failed_login_count_1h": 5},
        {"customer_failed_login_count_1h": 4},
    ),
    "failed_logins_then_new_device_success": (
        {"type": "login", "success": True, "is_new_device": True, "customer_failed_login_count_1h": 3},
        {"is_new_device": False},
    ),
    "many_ips_24h": ({"type": "login", "customer_distinct_ips_24h": 8}, {"customer_distinct_ips_24h": 7}),
    "api_key_then_withdrawal": (
        {"type": "withdrawal", "hours_since_api_key_change": 3.0, "is_new_address": True},
        {"hours_since_api_key_change": 25.0},
    ),
    "api_key_from_new_device": (
        {"type": "profile_change", "field": "api_key", "is_new_device": True},
        {"is_new_device": False},
    ),
    "large_withdrawal_new_address": (
        {"type": "withdrawal", "amount_usd": "10000.00", "is_new_address": True, "to_address": "bc1qnew"},
        {"amount_usd": "9999.99"},
    ),
    "withdrawal_to_fresh_address_book_entry": (
        {"type": "withdrawal", "amount_usd": "2500", "address_age_hours": 0.2},
        {"address_age_hours": 1.0},
    ),
    "new_device_large_withdrawal": (
        {"type": "withdrawal", "amount_usd": "6000", "is_new_device": False, "device_age_hours": 3.0},
        {"device_age_hours": 48.0},
    ),
    "new_account_large_withdrawal": (
        {"type": "withdrawal", "amount_usd": "5000", "account_age_days": 2.0},
        {"account_age_days": 7.0},
    ),
    "withdrawal_spike_vs_average": (
        {"type": "withdrawal", "amount_usd": "3000", "amount_usd_to_avg_withdrawal_30d": 12.0},
        {"amount_usd_to_avg_withdrawal_30d": None},
    ),
    "withdrawal_above_30d_max": (
        {"type": "withdrawal", "amount_usd": "6000", "customer_max_withdrawal_usd_30d": 1000.0},
        {"customer_max_withdrawal_usd_30d": 1200.0},
    ),
    "address_poisoning_lookalike": (
        {"type": "withdrawal", "to_address": LOOKALIKE, "is_new_address": True, "known_addresses": [KNOWN]},
        {"to_address": "0xa1bf" + "0" * 32 + "0978"},  # 3 + 2 characters
    ),
    "address_poisoning_close_copy": (
        {"type": "withdrawal", "to_address": CLOSE_COPY, "is_new_address": True, "known_addresses": [KNOWN]},
        {"to_address": LOOKALIKE},  # 6 + 5 characters: the lookalike rule's, not this one's
    ),
    "poisoning_address_book_add": (
        {"type": "address_book_change", "action": "add", "address": LOOKALIKE, "known_addresses": [KNOWN]},
        {"known_addresses": []},
    ),
    "shared_collection_address": (
        {"type": "withdrawal", "address_distinct_customers_30d": 3, "address_in_address_book": False},
        {"address_in_address_book": True},
    ),
    "shared_collection_address_many": (
        {"type": "withdrawal", "address_distinct_customers_30d": 10},
        {"address_distinct_customers_30d": 9},
    ),
    "withdrawal_velocity_1h": (
        {"type": "withdrawal", "customer_withdrawal_count_1h": 5},
        {"customer_withdrawal_count_1h": 4},
    ),
    "withdrawal_volume_24h": (
        {"type": "withdrawal", "amount_usd": "10000", "customer_withdrawal_sum_usd_24h": 40000.0},
        {"amount_usd": "9999"},
    ),
    "many_destinations_7d": (
        {"type": "withdrawal", "customer_distinct_withdrawal_addresses_7d": 10},
        {"customer_distinct_withdrawal_addresses_7d": 9},
    ),
    "transfer_fan_in": ({"type": "transfer", "customer_transfer_in_count_24h": 5}, {"type": "withdrawal"}),
    "structuring_withdrawals": (
        {"type": "withdrawal", "amount_usd": "9500", "customer_withdrawal_count_24h": 2},
        {"amount_usd": "8999.99"},
    ),
    "structuring_deposits": (
        {"type": "deposit", "amount_usd": "9900", "customer_deposit_count_24h": 3},
        {"customer_deposit_count_24h": 1},
    ),
    "structuring_split_withdrawals": (
        {
            "type": "withdrawal",
            "amount_usd": "3000",
            "customer_withdrawal_count_24h": 3,
            "customer_withdrawal_sum_usd_24h": 8000.0,
        },
        {"customer_withdrawal_sum_usd_24h": 6000.0},
    ),
    "dormant_reactivation_withdrawal": (
        {"type": "withdrawal", "amount_usd": "1500", "hours_since_last_activity": 2200.0},
        {"hours_since_last_activity": 2000.0},
    ),
    "dormant_login_new_device": (
        {"type": "login", "success": True, "is_new_device": True, "hours_since_last_activity": 3000.0},
        {"hours_since_last_activity": None},
    ),
    "pass_through_deposit_withdraw": (
        {
            "type": "withdrawal",
            "amount_usd": "5000",
            "withdrawal_share_of_deposits_24h": 0.95,
            "hours_since_last_deposit": 5.0,
        },
        {"withdrawal_share_of_deposits_24h": 0.5},
    ),
    "rapid_pass_through": (
        {
            "type": "withdrawal",
            "amount_usd": "5000",
            "withdrawal_share_of_deposits_24h": 1.0,
            "hours_since_last_deposit": 0.3,
        },
        {"hours_since_last_deposit": 2.0},
    ),
    "sanctioned_destination": (
        {"type": "withdrawal", "to_address": TORNADO.lower()},
        {"to_address": TORNADO[:-1] + "7"},
    ),
    "sanctioned_source_deposit": (
        {"type": "deposit", "from_address": TORNADO, "amount_usd": "100"},
        {"from_address": "bc1qclean"},
    ),
    "sanctioned_address_book_add": (
        {"type": "address_book_change", "action": "add", "address": TORNADO},
        {"action": "remove"},
    ),
    "sanctioned_jurisdiction_login": ({"type": "login", "country": "KP"}, {"country": "KR"}),
    "high_risk_geography_login": (
        {"type": "login", "country": "NG", "is_new_country": True},
        {"is_new_country": False},  # a resident's everyday login (and IR: the sanctions rule)
    ),
    "kyc_name_on_sanctions_list": (
        {"type": "kyc_submission", "sanctions_name_score": 0.91, "sanctions_name_match": "X (ofac-sdn 1)"},
        {"sanctions_name_score": 0.84},
    ),
    "high_risk_nationality_kyc": ({"type": "kyc_submission", "nationality": "YE"}, {"nationality": "FR"}),
    "shared_device_many_customers": (
        {"type": "login", "device_distinct_customers_30d": 5},
        {"device_distinct_customers_30d": 4},
    ),
    "shared_ip_many_customers": ({"type": "login", "ip_distinct_customers_24h": 10}, {"ip_distinct_customers_24h": 9}),
    "memo_asset_deposit_without_memo": (
        {"type": "deposit", "asset": "XRP", "memo": None, "amount_usd": "250"},
        {"memo": "104233"},
    ),
}


@lru_cache(maxsize=1)
def starter() -> Ruleset:
    return load_ruleset(starter_pack_path())


def test_the_pack_is_large_enough_and_every_rule_has_a_case() -> None:
    ids = [r.id for r in starter().rules]
    assert len(ids) >= 30
    assert sorted(ids) == sorted(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_and_near_miss_does_not(rule_id: str) -> None:
    event, change = CASES[rule_id]
    near = {**event, **change}
    row_hits, vector_hits = both(starter(), [event, near])
    assert row_hits == vector_hits
    assert rule_id in row_hits[0]
    assert rule_id not in row_hits[1]


def test_sanctioned_withdrawal_freezes_and_keeps_every_reason() -> None:
    verdict = starter().verdict_for(
        {"type": "withdrawal", "to_address": TORNADO, "amount_usd": "20000"}, {"is_new_address": True}
    )
    assert verdict.outcome is Outcome.FREEZE
    assert verdict.reasons == [f"destination {TORNADO} is on the OFAC SDN list"]
    assert {h.rule_id for h in verdict.hits} == {"sanctioned_destination", "large_withdrawal_new_address"}
