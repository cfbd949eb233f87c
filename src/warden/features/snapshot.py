"""A feature snapshot in parts: each part computes a few features from the same state lookups.

A decision computes only the parts holding the features its rules and model read (`parts_for`); the plain
path, and every caller that asks for no names, computes all of them (`ALL_PARTS`), in the order of before.
Parts only read state: a window query expires old entries, which changes no later value (see windows.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from warden.features.facts import US_PER_DAY, US_PER_HOUR, EventFacts
from warden.features.state import CustomerState
from warden.features.windows import DistinctWindow

if TYPE_CHECKING:
    from warden.features.online import Features

# The entity windows (kind, key) -> the window, or None when nothing was seen there
EntityLookup = Callable[[str, str], DistinctWindow | None]
Compute = Callable[[EventFacts, CustomerState, EntityLookup, "Features"], None]


@dataclass(frozen=True, slots=True)
class Part:
    names: tuple[str, ...]  # what `compute` writes, in this order
    compute: Compute


ALL_PARTS: list[Part] = []


def _part(*names: str) -> Callable[[Compute], Compute]:
    def register(compute: Compute) -> Compute:
        ALL_PARTS.append(Part(names, compute))
        return compute

    return register


def parts_for(wanted: frozenset[str]) -> tuple[Part, ...]:
    """The parts that compute at least one of `wanted`, in catalogue order."""
    return tuple(part for part in ALL_PARTS if not wanted.isdisjoint(part.names))


def _hours(t: int, since: int | None) -> float | None:
    return None if since is None else (t - since) / US_PER_HOUR


def _others(window: DistinctWindow | None, t: int, customer: str) -> int:
    """Customers other than `customer` in the window at t."""
    if window is None:
        return 0
    counts = window.expire(t)
    return len(counts) - (customer in counts)


_SPANS = ("1h", "24h", "7d", "30d")


@_part(*(f"customer_withdrawal_count_{w}" for w in _SPANS), *(f"customer_withdrawal_sum_usd_{w}" for w in _SPANS))
def _withdrawal_windows(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    counts, sums = state.withdrawals.query(f.ts)
    out["customer_withdrawal_count_1h"] = counts[0]
    out["customer_withdrawal_count_24h"] = counts[1]
    out["customer_withdrawal_count_7d"] = counts[2]
    out["customer_withdrawal_count_30d"] = counts[3]
    out["customer_withdrawal_sum_usd_1h"] = sums[0] / 100
    out["customer_withdrawal_sum_usd_24h"] = sums[1] / 100
    out["customer_withdrawal_sum_usd_7d"] = sums[2] / 100
    out["customer_withdrawal_sum_usd_30d"] = sums[3] / 100


@_part(*(f"customer_deposit_count_{w}" for w in _SPANS), *(f"customer_deposit_sum_usd_{w}" for w in _SPANS))
def _deposit_windows(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    counts, sums = state.deposits.query(f.ts)
    out["customer_deposit_count_1h"] = counts[0]
    out["customer_deposit_count_24h"] = counts[1]
    out["customer_deposit_count_7d"] = counts[2]
    out["customer_deposit_count_30d"] = counts[3]
    out["customer_deposit_sum_usd_1h"] = sums[0] / 100
    out["customer_deposit_sum_usd_24h"] = sums[1] / 100
    out["customer_deposit_sum_usd_7d"] = sums[2] / 100
    out["customer_deposit_sum_usd_30d"] = sums[3] / 100


@_part("customer_transfer_out_count_24h")
def _transfers_out(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_transfer_out_count_24h"] = state.transfers_out.count(f.ts)


@_part("customer_transfer_in_count_24h")
def _transfers_in(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_transfer_in_count_24h"] = state.transfers_in.count(f.ts)


@_part("customer_login_count_24h")
def _logins(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_login_count_24h"] = state.logins.count(f.ts)


@_part("customer_failed_login_count_1h", "customer_failed_login_count_24h")
def _failed_logins(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    # both spans together: the window drops its expired entries when its longest span is counted
    out["customer_failed_login_count_1h"] = state.failed_logins.count(f.ts, 0)
    out["customer_failed_login_count_24h"] = state.failed_logins.count(f.ts, 1)


@_part("customer_distinct_devices_30d")
def _distinct_devices(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_distinct_devices_30d"] = len(state.devices.expire(f.ts))


@_part("customer_distinct_ips_24h")
def _distinct_ips(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_distinct_ips_24h"] = len(state.ips.expire(f.ts))


@_part("customer_distinct_countries_30d")
def _distinct_countries(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_distinct_countries_30d"] = len(state.countries.expire(f.ts))


@_part("customer_distinct_withdrawal_addresses_7d")
def _distinct_addresses(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["customer_distinct_withdrawal_addresses_7d"] = len(state.withdrawal_addresses.expire(f.ts))


@_part("customer_max_withdrawal_usd_30d")
def _max_withdrawal(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    top = state.max_withdrawal.query(f.ts)
    out["customer_max_withdrawal_usd_30d"] = None if top is None else top / 100


@_part("is_new_device", "device_age_hours")
def _device(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    device = f.device
    first = state.device_first.get(device) if device is not None else None
    out["is_new_device"] = device is not None and first is None
    out["device_age_hours"] = _hours(f.ts, first)


@_part("is_new_country")
def _new_country(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    if f.is_login:
        out["is_new_country"] = f.country is not None and f.country not in state.country_first
    else:
        out["is_new_country"] = state.last_login is not None and state.last_login[2]


@_part("hours_since_new_device_login")
def _new_device_login(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["hours_since_new_device_login"] = _hours(f.ts, state.last_new_device_login)


@_part(
    "is_new_address",
    "address_age_hours",
    "address_in_address_book",
    "address_distinct_customers_30d",
    "destination_customers_30d",
)
def _destination(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    address = f.to_address
    if address is None:
        out["is_new_address"] = False
        out["address_age_hours"] = None
        out["address_in_address_book"] = False
        out["address_distinct_customers_30d"] = 0
        out["destination_customers_30d"] = 0
        return
    t = f.ts
    added = state.address_first.get(address)
    out["is_new_address"] = added is None
    out["address_age_hours"] = _hours(t, added)
    out["address_in_address_book"] = state.address_book.get(address, False)
    key = f.dest_key or address
    out["address_distinct_customers_30d"] = _others(entity("address", key), t, f.customer)
    out["destination_customers_30d"] = _others(entity("payee", key), t, f.customer)


@_part("device_distinct_customers_30d")
def _device_customers(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    device = f.device
    out["device_distinct_customers_30d"] = 0 if device is None else _others(entity("device", device), f.ts, f.customer)


@_part("ip_distinct_customers_24h")
def _ip_customers(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    ip = f.ip
    out["ip_distinct_customers_24h"] = 0 if ip is None else _others(entity("ip", ip), f.ts, f.customer)


@_part(
    "hours_since_credential_change",
    "hours_since_whitelist_change",
    "hours_since_last_activity",
    "account_age_days",
    "hours_since_last_deposit",
)
def _recency(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    t = f.ts
    out["hours_since_credential_change"] = _hours(t, state.last_credential)
    out["hours_since_whitelist_change"] = _hours(t, state.last_whitelist)
    out["hours_since_last_activity"] = _hours(t, state.last_activity)
    out["account_age_days"] = 0.0 if state.first_ts is None else (t - state.first_ts) / US_PER_DAY
    out["hours_since_last_deposit"] = _hours(t, state.last_deposit)


@_part("amount_usd_to_avg_withdrawal_30d")
def _to_average_withdrawal(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    counts, sums = state.withdrawals.query(f.ts)  # a second query at the same t costs no expiry
    cents, count30, sum30 = f.cents, counts[3], sums[3]
    out["amount_usd_to_avg_withdrawal_30d"] = (
        None if cents is None or count30 == 0 or sum30 == 0 else cents * count30 / sum30
    )


@_part("withdrawal_share_of_deposits_24h")
def _withdrawal_share(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    deposited = state.deposits.query(f.ts)[1][1]
    if deposited == 0:
        out["withdrawal_share_of_deposits_24h"] = None
        return
    withdrawn = state.withdrawals.query(f.ts)[1][1]
    own = f.cents if f.type == "withdrawal" and f.cents is not None else 0
    out["withdrawal_share_of_deposits_24h"] = (withdrawn + own) / deposited


@_part("hour_utc")
def _hour(f: EventFacts, state: CustomerState, entity: EntityLookup, out: Features) -> None:
    out["hour_utc"] = (f.ts // US_PER_HOUR) % 24
