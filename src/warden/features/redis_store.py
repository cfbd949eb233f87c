"""The online feature store with its state in Redis, so several deciding processes share one view.

Same semantics as the in-process store (it runs the same `FeatureEngine` code): each customer's state is
one JSON value, each device/IP/address window another. Values are JSON, never pickle, because Redis content
is not trusted code.

Nothing another worker must see stays in this process. Events of one instant must not see each other, so
they are staged until time moves on, and the stage lives in Redis (`stage`: the instant and its events'
facts): an event decided by one worker is seen by the next event of a later instant on any worker. Every
change of state goes through one optimistic transaction that also writes the stage (WATCH on it, MULTI/EXEC,
retried when another worker wrote it first), so concurrent folds of any customers by any workers are
serialised, none is lost, and a kill -9 loses nothing that a transaction committed.

Exactly once per event_id: `fold_once` folds in the same transaction that sets a mark `folded:<event_id>`
holding the body's digest; a repeat (another request, another worker, a retry after a failed commit) finds
the mark and folds nothing, and another body under the id is told apart. Marks expire after
`FOLD_MARK_SECONDS`: the store answers repeats of a stored decision; the mark covers the moments before the
record is committed and retries of a request whose record was never stored.

Every call has a socket timeout: a Redis that hangs (paused, a dead peer) fails the call within it instead of
holding a thread (and the engine's lock) forever.
"""

from __future__ import annotations

from typing import Any

import orjson
import redis

from warden.features.facts import EventFacts
from warden.features.online import CONFLICT, FOLDED, KNOWN, FeatureEngine, Features
from warden.features.state import CustomerState, dumps_window, entity_window, loads_window
from warden.features.windows import DistinctWindow

FOLD_MARK_SECONDS = 24 * 3600
SOCKET_TIMEOUT_SECONDS = 0.5
CONNECT_TIMEOUT_SECONDS = 0.5
_FACT_SLOTS = EventFacts.__slots__
_NO_STAGE: tuple[int, list[EventFacts]] = (-(2**63), [])


def _dump_facts(facts: EventFacts) -> list[Any]:
    return [getattr(facts, name) for name in _FACT_SLOTS]


def _load_facts(values: list[Any]) -> EventFacts:
    facts = EventFacts.__new__(EventFacts)
    for name, value in zip(_FACT_SLOTS, values, strict=True):
        setattr(facts, name, value)
    return facts


class RedisFeatureStore(FeatureEngine):
    def __init__(
        self,
        url: str,
        prefix: str = "warden:features:",
        socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> None:
        super().__init__()
        self.client: redis.Redis = redis.Redis.from_url(
            url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout
        )
        self.prefix = prefix
        self._stage_key = f"{prefix}stage"
        self._customers: dict[str, CustomerState | None] = {}
        self._entities: dict[tuple[str, str], DistinctWindow | None] = {}
        self._dirty_customers: set[str] = set()
        self._dirty_entities: set[tuple[str, str]] = set()

    # -- state, loaded per call ------------------------------------------------------------------------------

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
        """Unused: state is written by `_transaction`, with the stage."""

    def _write_dirty(self, pipe: Any) -> None:
        for customer in self._dirty_customers:
            state = self._customers[customer]
            assert state is not None
            pipe.set(f"{self.prefix}c:{customer}", state.dumps())
        for kind, key in self._dirty_entities:
            window = self._entities[(kind, key)]
            assert window is not None
            pipe.set(f"{self.prefix}{kind}:{key}", dumps_window(window))

    def _forget(self) -> None:
        """Drop the local copies: Redis is the state, and another process may have written since."""
        self._customers.clear()
        self._entities.clear()
        self._dirty_customers.clear()
        self._dirty_entities.clear()

    # -- the stage in Redis ----------------------------------------------------------------------------------

    def _read_stage(self, reader: Any) -> tuple[int, list[EventFacts]]:
        raw = reader.get(self._stage_key)
        if raw is None:
            return _NO_STAGE
        ts, staged = orjson.loads(raw)
        return int(ts), [_load_facts(values) for values in staged]

    def _fold_staged(self, staged: list[EventFacts]) -> None:
        self._prefetch(staged)
        for facts in staged:
            self._fold(facts)

    def _transaction(
        self,
        facts: EventFacts | None,
        event_id: str | None = None,
        digest: str | None = None,
        settle_before: int = 2**63,
    ) -> str:
        """One change of state, serialised with every other by WATCH on the stage.

        With `facts`: stage the event (folding the stage first when it holds another instant); with `event_id`,
        only when no mark says it was folded before. Without: fold the stage if it holds an instant before
        `settle_before`. Returns FOLDED, KNOWN or CONFLICT."""
        mark = None if event_id is None else f"{self.prefix}folded:{event_id}"
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(self._stage_key, *([mark] if mark else []))
                    if mark is not None:
                        known = pipe.get(mark)
                        if known is not None:
                            seen = known.decode() if isinstance(known, bytes) else str(known)
                            return KNOWN if seen == digest else CONFLICT
                    stage_ts, staged = self._read_stage(pipe)
                    if facts is None:
                        if not staged or stage_ts >= settle_before:  # settled meanwhile, or by a later instant
                            pipe.unwatch()
                            return FOLDED
                        new_stage: list[EventFacts] = []
                    elif staged and stage_ts == facts.ts:
                        new_stage = [*staged, facts]
                        staged = []
                    else:
                        new_stage = [facts]
                    self._fold_staged(staged)
                    pipe.multi()
                    self._write_dirty(pipe)
                    if new_stage:
                        stage_value = [new_stage[0].ts, [_dump_facts(f) for f in new_stage]]
                        pipe.set(self._stage_key, orjson.dumps(stage_value))
                    else:
                        pipe.delete(self._stage_key)
                    if mark is not None:
                        pipe.set(mark, digest or "", ex=FOLD_MARK_SECONDS)
                    pipe.execute()
                    return FOLDED
                except redis.WatchError:  # another worker changed the state first: read it again
                    continue
                finally:
                    self._forget()

    def _settle(self, ts: int) -> None:
        """Fold the stage if it holds an instant before `ts` (so an event at ts sees it)."""
        stage_ts, staged = self._read_stage(self.client)
        if staged and stage_ts < ts:
            self._transaction(None, settle_before=ts)

    # -- the engine's interface ------------------------------------------------------------------------------

    def features_for(self, event: Any, names: frozenset[str] | None = None) -> Features:
        facts = self._facts(event)
        try:
            self._settle(facts.ts)
            self._prefetch([facts])
            return self._compute(facts, names)
        finally:
            self._forget()

    def update(self, event: Any) -> None:
        self._transaction(self._facts(event))

    def fold_once(self, event: Any, digest: str) -> str:
        return self._transaction(self._facts(event), event.event_id, digest)

    def settled(self, event_id: str) -> None:
        """Nothing to do: the mark expires by itself (removing it would race another worker's look-up)."""

    def flush(self) -> None:
        """Fold whatever is staged (at the end of a replay)."""
        self._transaction(None)

    def ping(self) -> bool:
        return bool(self.client.ping())

    def clear(self) -> int:
        """Delete every key under this store's prefix; returns how many."""
        keys = list(self.client.scan_iter(match=f"{self.prefix}*", count=1000))
        return int(self.client.delete(*keys)) if keys else 0
