"""The shared feature catalogue: every feature's name, type and meaning.

The rule type checker, the online and offline feature code and the fraud model all read this one mapping,
so a name means the same thing everywhere. Point-in-time contract: a window of length w for an event at
time t covers [t - w, t) and sees only events that occurred strictly before t; the event being decided is
never part of its own features (ratios may use the event's own amount, which is known at decision time).
Money features are USD rounded to cents (exact integer sums, so online and offline values are equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FeatureType = Literal["int", "float", "bool", "str", "duration_hours"]
Entity = Literal["customer", "device", "ip", "address", "event"]

CATALOG_VERSION = "1"

WINDOWS: dict[str, int] = {"1h": 3600, "24h": 86_400, "7d": 7 * 86_400, "30d": 30 * 86_400}
"""Window name -> length in seconds."""

CREDENTIAL_FIELDS = frozenset({"password", "2fa", "email", "phone"})


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    type: FeatureType
    nullable: bool
    entity: Entity
    description: str


def _spec(type_: FeatureType, entity: Entity, description: str, nullable: bool = False) -> FeatureSpec:
    return FeatureSpec(type=type_, nullable=nullable, entity=entity, description=description)


def _windowed() -> dict[str, FeatureSpec]:
    specs: dict[str, FeatureSpec] = {}
    for w in WINDOWS:
        specs[f"customer_withdrawal_count_{w}"] = _spec("int", "customer", f"withdrawals in the last {w}")
        specs[f"customer_withdrawal_sum_usd_{w}"] = _spec("float", "customer", f"USD withdrawn in the last {w}")
        specs[f"customer_deposit_count_{w}"] = _spec("int", "customer", f"deposits in the last {w}")
        specs[f"customer_deposit_sum_usd_{w}"] = _spec("float", "customer", f"USD deposited in the last {w}")
    return specs


FEATURES: dict[str, FeatureSpec] = {
    **_windowed(),
    "customer_transfer_out_count_24h": _spec("int", "customer", "internal transfers sent in the last 24h"),
    "customer_transfer_in_count_24h": _spec("int", "customer", "internal transfers received in the last 24h"),
    "customer_login_count_24h": _spec("int", "customer", "successful logins in the last 24h"),
    "customer_failed_login_count_1h": _spec("int", "customer", "failed logins in the last 1h"),
    "customer_failed_login_count_24h": _spec("int", "customer", "failed logins in the last 24h"),
    "customer_distinct_devices_30d": _spec(
        "int", "customer", "distinct device_ids on the customer's events (failed logins excluded) in 30d"
    ),
    "customer_distinct_ips_24h": _spec("int", "customer", "distinct IPs on the customer's events in 24h"),
    "customer_distinct_countries_30d": _spec("int", "customer", "distinct countries of successful logins in 30d"),
    "customer_distinct_withdrawal_addresses_7d": _spec("int", "customer", "distinct withdrawal destinations in 7d"),
    "customer_max_withdrawal_usd_30d": _spec("float", "customer", "largest withdrawal in 30d", nullable=True),
    "is_new_device": _spec(
        "bool", "device", "the event's device_id was never seen for this customer before t (False if none)"
    ),
    "device_age_hours": _spec(
        "duration_hours", "device", "hours since the customer first used the event's device", nullable=True
    ),
    "is_new_country": _spec(
        "bool",
        "customer",
        "the country of the event (a login's own, else the most recent successful login's) had never been "
        "seen in the customer's successful logins before that login",
    ),
    "hours_since_new_device_login": _spec(
        "duration_hours",
        "customer",
        "hours since the most recent successful login from a device first seen at that login",
        nullable=True,
    ),
    "is_new_address": _spec(
        "bool", "address", "the destination was never added to the address book nor withdrawn to before t"
    ),
    "address_age_hours": _spec(
        "duration_hours", "address", "hours since the destination was first added or used", nullable=True
    ),
    "address_in_address_book": _spec("bool", "address", "the destination is in the address book at t"),
    "address_distinct_customers_30d": _spec(
        "int",
        "address",
        "OTHER customers who withdrew to this destination in 30d (shared collection addresses); on an address "
        "credited by memo the destination is the address and the memo, so paying a service's customers apart "
        "is not one address shared by many",
    ),
    "destination_customers_30d": _spec(
        "int",
        "address",
        "OTHER customers of the exchange whose deposits in 30d went to this destination (their deposit address, "
        "with its memo) or came from it: the withdrawal pays another customer",
    ),
    "device_distinct_customers_30d": _spec("int", "device", "OTHER customers seen on the event's device in 30d"),
    "ip_distinct_customers_24h": _spec("int", "ip", "OTHER customers seen on the event's IP in 24h"),
    "hours_since_credential_change": _spec(
        "duration_hours", "customer", "hours since the last password/2fa/email/phone change", nullable=True
    ),
    "hours_since_whitelist_change": _spec(
        "duration_hours",
        "customer",
        "hours since the last address-book change or withdrawal_whitelist change",
        nullable=True,
    ),
    "hours_since_last_activity": _spec(
        "duration_hours", "customer", "hours since the customer's previous event (dormancy)", nullable=True
    ),
    "account_age_days": _spec("float", "customer", "days since the customer's first event (0 for the first)"),
    "hours_since_last_deposit": _spec("duration_hours", "customer", "hours since the last deposit", nullable=True),
    "amount_usd_to_avg_withdrawal_30d": _spec(
        "float", "event", "this event's amount_usd / average withdrawal in 30d", nullable=True
    ),
    "withdrawal_share_of_deposits_24h": _spec(
        "float",
        "customer",
        "(USD withdrawn in 24h + this withdrawal) / USD deposited in 24h; null without deposits",
        nullable=True,
    ),
    "hour_utc": _spec("int", "event", "hour of day of occurred_at, UTC"),
}

# Event fields the rules may also read directly (not computed by the feature store).
EVENT_FIELDS: dict[str, FeatureSpec] = {
    "type": _spec("str", "event", "event type"),
    "amount": _spec("float", "event", "amount in the asset (Decimal in records, float here)", nullable=True),
    "amount_usd": _spec("float", "event", "USD value at occurred_at", nullable=True),
    **{
        name: _spec("str", "event", f"event field {name}", nullable=True)
        for name in (
            "asset",
            "network",
            "to_address",
            "from_address",
            "counterparty_id",
            "device_id",
            "ip",
            "country",
            "field",
            "action",
            "address",
            "channel",
            "memo",
            "side",
            "document_number",
            "nationality",
            "email",
            "phone",
        )
    },
    "success": _spec("bool", "event", "login succeeded", nullable=True),
}

FEATURE_NAMES: tuple[str, ...] = tuple(FEATURES)
