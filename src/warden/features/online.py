"""Online, point-in-time features: `features_for(event)` from state strictly before the event, then
`update(event)` to fold it in.

Ties: events with the same timestamp must not see each other, so `update` stages events until time moves
on and only then folds them. Events must arrive in non-decreasing `occurred_at` order; a late event is
folded at once and may blur window edges (documented in docs/features.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from warden.features.facts import US_PER_DAY, US_PER_HOUR, EventFacts
from warden.features.state import CustomerState, entity_window
from warden.features.windows import DistinctWindow

# A customer seen for the first time: _compute only reads state, so one shared empty state serves them all.
_NO_HISTORY = CustomerState()

FeatureValue = int | float | bool | str | None
Features = dict[str, FeatureValue]


class OnlineFeatureStore(Protocol):
    def features_for(self, event: Any) -> Features: ...

    def update(self, event: Any) -> None: ...

    def fold_once(self, event: Any, digest: str) -> str: ...

    def settled(self, event_id: str) -> None: ...

    def flush(self) -> None: ...


# What `fold_once` did: folded the event now, found it folded before (the same body), or found another body
# folded under its event_id (nothing folded: the caller refuses the event).
FOLDED, KNOWN, CONFLICT = "folded", "known", "conflict"
# Events folded whose records are not (yet) known stored, remembered so that a retry does not fold again.
# Their records normally commit within milliseconds (`settled`); only failed commits stay, up to this many.
MAX_UNSETTLED = 100_000


def _hours(t: int, since: int | None) -> float | None:
    return None if since is None else (t - since) / US_PER_HOUR


def _others(window: DistinctWindow | None, t: int, customer: str) -> int:
    """Customers other than `customer` in the window at t."""
    if window is None:
        return 0
    counts = window.expire(t)
    return len(counts) - (customer in counts)


class FeatureEngine(ABC):
    """The feature semantics; subclasses decide where state lives."""

    def __init__(self) -> None:
        self._staged: list[EventFacts] = []
        self._staged_ts = -(2**63)
        self._last: tuple[Any, EventFacts] | None = None  # features_for's facts, reused by update
        self._unsettled: dict[str, str] = {}  # event_id -> body digest, folded but not known stored

    def fold_once(self, event: Any, digest: str) -> str:
        """Fold the event unless its event_id was folded before; FOLDED, KNOWN or CONFLICT (another body).

        Exactly once for this process's state, while the caller tells which records are stored (`settled`):
        the stored ones it never folds again (it answers them from the store)."""
        known = self._unsettled.get(event.event_id)
        if known is not None:
            return KNOWN if known == digest else CONFLICT
        self.update(event)
        unsettled = self._unsettled
        unsettled[event.event_id] = digest
        if len(unsettled) > MAX_UNSETTLED:
            del unsettled[next(iter(unsettled))]
        return FOLDED

    def settled(self, event_id: str) -> None:
        """The event's record is stored: the store answers its repeats from now on."""
        self._unsettled.pop(event_id, None)

    def _facts(self, event: Any) -> EventFacts:
        last = self._last
        if last is not None and last[0] is event:
            return last[1]
        facts = EventFacts(event)
        self._last = (event, facts)
        return facts

    @abstractmethod
    def _customer(self, customer: str, create: bool) -> CustomerState | None: ...

    @abstractmethod
    def _entity(self, kind: str, key: str, create: bool) -> DistinctWindow | None: ...

    @abstractmethod
    def _commit(self) -> None:
        """Persist state touched by the last fold."""

    @abstractmethod
    def _prefetch(self, facts: list[EventFacts]) -> None:
        """Load the state these events touch in one round trip (remote stores)."""

    def features_for(self, event: Any) -> Features:
        facts = self._facts(event)
        if self._staged and self._staged_ts < facts.ts:
            self.flush()
        self._prefetch([facts])
        return self._compute(facts)

    def update(self, event: Any) -> None:
        facts = self._facts(event)
        if facts.ts != self._staged_ts and self._staged:
            self.flush()
        self._staged_ts = facts.ts
        self._staged.append(facts)

    def flush(self) -> None:
        staged = self._staged
        if staged:
            self._prefetch(staged)
            fold = self._fold
            for facts in staged:
                fold(facts)
            staged.clear()
            self._commit()

    def _compute(self, f: EventFacts) -> Features:
        t = f.ts
        state = self._customer(f.customer, False) or _NO_HISTORY
        w_counts, w_sums = state.withdrawals.query(t)
        d_counts, d_sums = state.deposits.query(t)
        cents = f.cents
        out: Features = {
            "customer_withdrawal_count_1h": w_counts[0],
            "customer_withdrawal_count_24h": w_counts[1],
            "customer_withdrawal_count_7d": w_counts[2],
            "customer_withdrawal_count_30d": w_counts[3],
            "customer_withdrawal_sum_usd_1h": w_sums[0] / 100,
            "customer_withdrawal_sum_usd_24h": w_sums[1] / 100,
            "customer_withdrawal_sum_usd_7d": w_sums[2] / 100,
            "customer_withdrawal_sum_usd_30d": w_sums[3] / 100,
            "customer_deposit_count_1h": d_counts[0],
            "customer_deposit_count_24h": d_counts[1],
            "customer_deposit_count_7d": d_counts[2],
            "customer_deposit_count_30d": d_counts[3],
            "customer_deposit_sum_usd_1h": d_sums[0] / 100,
            "customer_deposit_sum_usd_24h": d_sums[1] / 100,
            "customer_deposit_sum_usd_7d": d_sums[2] / 100,
            "customer_deposit_sum_usd_30d": d_sums[3] / 100,
            "customer_transfer_out_count_24h": state.transfers_out.count(t),
            "customer_transfer_in_count_24h": state.transfers_in.count(t),
            "customer_login_count_24h": state.logins.count(t),
            "customer_failed_login_count_1h": state.failed_logins.count(t, 0),
            "customer_failed_login_count_24h": state.failed_logins.count(t, 1),
            "customer_distinct_devices_30d": len(state.devices.expire(t)),
            "customer_distinct_ips_24h": len(state.ips.expire(t)),
            "customer_distinct_countries_30d": len(state.countries.expire(t)),
            "customer_distinct_withdrawal_addresses_7d": len(state.withdrawal_addresses.expire(t)),
        }
        top = state.max_withdrawal.query(t)
        out["customer_max_withdrawal_usd_30d"] = None if top is None else top / 100

        device = f.device
        first = state.device_first.get(device) if device is not None else None
        out["is_new_device"] = device is not None and first is None
        out["device_age_hours"] = _hours(t, first)
        if f.is_login:
            out["is_new_country"] = f.country is not None and f.country not in state.country_first
        else:
            out["is_new_country"] = state.last_login is not None and state.last_login[2]
        out["hours_since_new_device_login"] = _hours(t, state.last_new_device_login)

        address = f.to_address
        if address is not None:
            added = state.address_first.get(address)
            out["is_new_address"] = added is None
            out["address_age_hours"] = _hours(t, added)
            out["address_in_address_book"] = state.address_book.get(address, False)
            key = f.dest_key or address
            out["address_distinct_customers_30d"] = _others(self._entity("address", key, False), t, f.customer)
            out["destination_customers_30d"] = _others(self._entity("payee", key, False), t, f.customer)
        else:
            out["is_new_address"] = False
            out["address_age_hours"] = None
            out["address_in_address_book"] = False
            out["address_distinct_customers_30d"] = 0
            out["destination_customers_30d"] = 0
        out["device_distinct_customers_30d"] = (
            0 if device is None else _others(self._entity("device", device, False), t, f.customer)
        )
        out["ip_distinct_customers_24h"] = (
            0 if f.ip is None else _others(self._entity("ip", f.ip, False), t, f.customer)
        )

        out["hours_since_credential_change"] = _hours(t, state.last_credential)
        out["hours_since_whitelist_change"] = _hours(t, state.last_whitelist)
        out["hours_since_last_activity"] = _hours(t, state.last_activity)
        out["account_age_days"] = 0.0 if state.first_ts is None else (t - state.first_ts) / US_PER_DAY
        out["hours_since_last_deposit"] = _hours(t, state.last_deposit)
        w_count30, w_sum30 = w_counts[3], w_sums[3]
        out["amount_usd_to_avg_withdrawal_30d"] = (
            None if cents is None or w_count30 == 0 or w_sum30 == 0 else cents * w_count30 / w_sum30
        )
        own = cents if f.type == "withdrawal" and cents is not None else 0
        out["withdrawal_share_of_deposits_24h"] = None if d_sums[1] == 0 else (w_sums[1] + own) / d_sums[1]
        out["hour_utc"] = (t // US_PER_HOUR) % 24
        return out

    def _fold(self, f: EventFacts) -> None:
        t = f.ts
        state = self._customer(f.customer, True)
        assert state is not None
        if state.first_ts is None:
            state.first_ts = t
        state.last_activity = t
        kind = f.type
        cents = f.cents
        if kind == "withdrawal" and cents is not None:
            state.own("withdrawals").add(t, cents)
            state.own("max_withdrawal").add(t, cents)
        elif kind == "deposit" and cents is not None:
            state.own("deposits").add(t, cents)
            state.last_deposit = t
        elif kind == "transfer" and f.counterparty is not None:
            state.own("transfers_out").add(t)
            receiver = self._customer(f.counterparty, True)
            assert receiver is not None
            receiver.own("transfers_in").add(t)
        elif f.is_login:
            if f.success:
                state.own("logins").add(t)
            else:
                state.own("failed_logins").add(t)
        if f.credential_change:
            state.last_credential = t
        if f.whitelist_change:
            state.last_whitelist = t
        if f.book_address is not None:
            state.address_first.setdefault(f.book_address, t)
            state.address_book[f.book_address] = f.book_action == "add"
        if f.to_address is not None:
            state.address_first.setdefault(f.to_address, t)
            state.own("withdrawal_addresses").add(t, f.to_address)
            self._entity("address", f.dest_key or f.to_address, True).add(t, f.customer)  # type: ignore[union-attr]
        for key in f.deposit_keys:
            self._entity("payee", key, True).add(t, f.customer)  # type: ignore[union-attr]
        device = f.seen_device
        if device is not None:
            # "first seen at t" also holds for a second event of the same instant, as offline computes it
            new_device = state.device_first.setdefault(device, t) == t
            state.own("devices").add(t, device)
            self._entity("device", device, True).add(t, f.customer)  # type: ignore[union-attr]
            if f.is_login and new_device:
                state.last_new_device_login = t
        if f.ip is not None:
            state.own("ips").add(t, f.ip)
            self._entity("ip", f.ip, True).add(t, f.customer)  # type: ignore[union-attr]
        country = f.login_country
        if country is not None:
            new_country = state.country_first.setdefault(country, t) == t
            state.own("countries").add(t, country)
            state.last_login = (t, country, new_country)


class InProcessFeatureStore(FeatureEngine):
    """State in this process's memory: the default, and the fast path."""

    def __init__(self) -> None:
        super().__init__()
        self.customers: dict[str, CustomerState] = {}
        self.entities: dict[str, dict[str, DistinctWindow]] = {"address": {}, "payee": {}, "device": {}, "ip": {}}

    def _customer(self, customer: str, create: bool) -> CustomerState | None:
        state = self.customers.get(customer)
        if state is None and create:
            state = self.customers[customer] = CustomerState()
        return state

    def _entity(self, kind: str, key: str, create: bool) -> DistinctWindow | None:
        windows = self.entities[kind]
        window = windows.get(key)
        if window is None and create:
            window = windows[key] = entity_window(kind)
        return window

    def _commit(self) -> None:
        """Nothing to persist: the dicts are the state."""

    def _prefetch(self, facts: list[EventFacts]) -> None:
        """Nothing to load: the dicts are the state."""
