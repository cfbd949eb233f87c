"""Online, point-in-time features: `features_for(event)` from state strictly before the event, then
`update(event)` to fold it in.

Ties: events with the same timestamp must not see each other, so `update` stages events until time moves
on and only then folds them. Events must arrive in non-decreasing `occurred_at` order; a late event is
folded at once and may blur window edges (documented in docs/features.md).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Protocol

from warden.features.facts import EventFacts
from warden.features.snapshot import ALL_PARTS, Compute, parts_for
from warden.features.state import CustomerState, entity_window
from warden.features.windows import DistinctWindow

# A customer seen for the first time: _compute only reads state, so one shared empty state serves them all.
_NO_HISTORY = CustomerState()

FeatureValue = int | float | bool | str | None
Features = dict[str, FeatureValue]


class OnlineFeatureStore(Protocol):
    def features_for(self, event: Any, names: frozenset[str] | None = None) -> Features: ...

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


class FeatureEngine(ABC):
    """The feature semantics; subclasses decide where state lives."""

    def __init__(self) -> None:
        self._staged: list[EventFacts] = []
        self._staged_ts = -(2**63)
        self._last: tuple[Any, EventFacts] | None = None  # features_for's facts, reused by update
        self._unsettled: dict[str, str] = {}  # event_id -> body digest, folded but not known stored
        self._plans: dict[frozenset[str] | None, tuple[Compute, ...]] = {}  # the parts computing some names

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

    def features_for(self, event: Any, names: frozenset[str] | None = None) -> Features:
        """The features at the event's time, before it; with `names`, only the parts holding those."""
        facts = self._facts(event)
        if self._staged and self._staged_ts < facts.ts:
            self.flush()
        self._prefetch([facts])
        return self._compute(facts, names)

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

    def _compute(self, f: EventFacts, names: frozenset[str] | None = None) -> Features:
        """The snapshot: every feature, or the parts of it holding `names` (see snapshot.py)."""
        state = self._customer(f.customer, False) or _NO_HISTORY
        entity = self._lookup_entity
        out: Features = {}
        for compute in self._plan(names):
            compute(f, state, entity, out)
        return out

    def _plan(self, names: frozenset[str] | None) -> tuple[Compute, ...]:
        plan = self._plans.get(names)
        if plan is None:
            parts = ALL_PARTS if names is None else parts_for(names)
            plan = self._plans[names] = tuple(part.compute for part in parts)
        return plan

    def _lookup_entity(self, kind: str, key: str) -> DistinctWindow | None:
        return self._entity(kind, key, False)

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

    def _lookup_entity(self, kind: str, key: str) -> DistinctWindow | None:
        return self.entities[kind].get(key)  # what _entity(kind, key, False) gives, a call fewer

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
