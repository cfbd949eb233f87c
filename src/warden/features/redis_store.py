"""The online feature store with its state in Redis, so several deciding processes share one view.

Same semantics as the in-process store (it runs the same `FeatureEngine` code): each customer's state is
one JSON value, each device/IP/address window another. Reads load what an event touches; a fold writes back
everything it changed in one pipeline. One writer per customer at a time is assumed (partition the stream
by customer); values are JSON, never pickle, because Redis content is not trusted code.
"""

from __future__ import annotations

from typing import Any

import redis

from warden.features.facts import EventFacts
from warden.features.online import FeatureEngine, Features
from warden.features.state import CustomerState, dumps_window, entity_window, loads_window
from warden.features.windows import DistinctWindow


class RedisFeatureStore(FeatureEngine):
    def __init__(self, url: str, prefix: str = "warden:features:") -> None:
        super().__init__()
        self.client: redis.Redis = redis.Redis.from_url(url)
        self.prefix = prefix
        self._customers: dict[str, CustomerState | None] = {}
        self._entities: dict[tuple[str, str], DistinctWindow | None] = {}
        self._dirty_customers: set[str] = set()
        self._dirty_entities: set[tuple[str, str]] = set()

    def _customer(self, customer: str, create: bool) -> CustomerState | None:
        if customer not in self._customers:
            raw = self.client.get(f"{self.prefix}c:{customer}")
            self._customers[customer] = None if raw is None else CustomerState.loads(raw)
        state = self._customers[customer]
        if create:
            if state is None:
                state = self._customers[customer] = CustomerState()
            self._dirty_customers.add(customer)
        return state

    def _entity(self, kind: str, key: str, create: bool) -> DistinctWindow | None:
        slot = (kind, key)
        if slot not in self._entities:
            raw = self.client.get(f"{self.prefix}{kind}:{key}")
            self._entities[slot] = None if raw is None else loads_window(kind, raw)
        window = self._entities[slot]
        if create:
            if window is None:
                window = self._entities[slot] = entity_window(kind)
            self._dirty_entities.add(slot)
        return window

    def _prefetch(self, facts: list[EventFacts]) -> None:
        customers: set[str] = set()
        entities: set[tuple[str, str]] = set()
        for f in facts:
            customers.add(f.customer)
            if f.counterparty is not None:
                customers.add(f.counterparty)
            destination = f.dest_key or f.to_address
            for kind, key in (("address", destination), ("payee", destination), ("device", f.device), ("ip", f.ip)):
                if key is not None:
                    entities.add((kind, key))
            entities.update(("payee", key) for key in f.deposit_keys)
        wanted_customers = [c for c in customers if c not in self._customers]
        wanted_entities = [e for e in entities if e not in self._entities]
        keys = [f"{self.prefix}c:{c}" for c in wanted_customers] + [f"{self.prefix}{k}:{v}" for k, v in wanted_entities]
        if not keys:
            return
        values = self.client.mget(keys)
        for customer, raw in zip(wanted_customers, values, strict=False):
            self._customers[customer] = None if raw is None else CustomerState.loads(raw)
        for (kind, key), raw in zip(wanted_entities, values[len(wanted_customers) :], strict=True):
            self._entities[(kind, key)] = None if raw is None else loads_window(kind, raw)

    def _commit(self) -> None:
        pipe = self.client.pipeline(transaction=True)
        for customer in self._dirty_customers:
            state = self._customers[customer]
            assert state is not None
            pipe.set(f"{self.prefix}c:{customer}", state.dumps())
        for kind, key in self._dirty_entities:
            window = self._entities[(kind, key)]
            assert window is not None
            pipe.set(f"{self.prefix}{kind}:{key}", dumps_window(window))
        pipe.execute()
        self._forget()

    def _forget(self) -> None:
        """Drop the local copies: Redis is the state, and another process may have written since."""
        self._customers.clear()
        self._entities.clear()
        self._dirty_customers.clear()
        self._dirty_entities.clear()

    def features_for(self, event: Any) -> Features:
        try:
            return super().features_for(event)
        finally:
            self._forget()

    def clear(self) -> int:
        """Delete every key under this store's prefix; returns how many."""
        keys = list(self.client.scan_iter(match=f"{self.prefix}*", count=1000))
        return int(self.client.delete(*keys)) if keys else 0
