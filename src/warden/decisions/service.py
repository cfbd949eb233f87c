"""Deciding for callers that need the answer durable: idempotent on event_id, deadline and failure policy,
records committed (group commit) before the answer is returned.

Each event is folded into the feature state exactly once, however often and however concurrently it is sent:

- requests for one event_id in this worker are served one at a time (`InFlight`): a repeat waits for the
  first and answers its stored record (200);
- a stored event is answered from the store, never decided or folded again;
- the fold itself is once per event_id (`OnlineFeatureStore.fold_once`): in process, events folded whose
  record is not yet stored are remembered, so the retry of a request whose commit failed does not fold again;
  in Redis a mark set in the fold's own transaction covers every worker.

A different body under a known event_id (the store's, a request in flight, or the fold's mark) is refused with
`EventConflict` (409), and nothing of it is folded or stored.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import orjson

from warden.decisions.engine import DecisionEngine, ModelPolicy, Scorer
from warden.decisions.fallback import decide_without_state, is_dependency_failure
from warden.decisions.inflight import EventConflict, InFlight, check_same_body
from warden.decisions.policy import FailurePolicy, policy_for
from warden.decisions.record import Decision
from warden.decisions.repository import DecisionLookup, decision_writer, get_decision
from warden.decisions.rulesets import load_published
from warden.events.digest import body_digest
from warden.events.models import AnyEvent
from warden.features.online import CONFLICT, FOLDED
from warden.logging import get_logger
from warden.rules.outcome import Outcome
from warden.store.db import Store
from warden.store.group_commit import CommitListener

log = get_logger(__name__)

__all__ = ["DecisionService", "EventConflict"]


class ModelSource(Protocol):
    """Where the serving model comes from: a cheap pointer to the approved version, and its loading."""

    def pointer(self) -> str | None: ...

    def load(self) -> Scorer | None: ...


class DecisionService:
    def __init__(
        self,
        engine: DecisionEngine,
        store: Store,
        policies: dict[str, FailurePolicy] | None = None,
        listeners: Sequence[CommitListener] = (),
        models: ModelSource | None = None,
    ) -> None:
        self.engine = engine
        self.models = models
        self._model_pointer = models.pointer() if models is not None else None
        self.store = store
        self.policies = policies
        self.writer = decision_writer(store.engine, listeners)
        self.lookup = DecisionLookup(store.engine)
        self._sqlite = store.dialect == "sqlite"
        self._engine_lock = threading.Lock()  # online feature state is updated in event order, one at a time
        self._checked_rulesets = time.monotonic()
        self._inflight = InFlight()
        # Remote state runs on threads of its own, so that threads left behind by a hung dependency (each ends
        # within the store's socket timeout) never hold up the store look-ups on asyncio's default threads.
        self._engine_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="warden-engine")

    RULESET_CHECK_SECONDS = 10.0

    def refresh_rulesets(self) -> None:
        """Pick up rulesets published since start (by this or another worker)."""
        with self.store.engine.connect() as conn:
            live, shadow = load_published(conn, "live"), load_published(conn, "shadow")
        with self._engine_lock:
            if live is not None and live.fingerprint != self.engine.ruleset.fingerprint:
                self.engine.ruleset = live
                self.engine.model_policy = ModelPolicy.from_ruleset(live)
            self.engine.shadow = shadow
        self.refresh_model()
        self._checked_rulesets = time.monotonic()

    def refresh_model(self) -> None:
        """Serve the model version approved since start (its approval moves the registry's pointer)."""
        if self.models is None:
            return
        pointer = self.models.pointer()
        if pointer == self._model_pointer:
            return
        model = self.models.load()
        with self._engine_lock:
            self.engine.model = model
        self._model_pointer = pointer
        log.info("serving model changed", version=pointer)

    def close(self) -> None:
        self.writer.close()
        self._engine_threads.shutdown(wait=False, cancel_futures=True)

    def stored(self, event_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            return get_decision(conn, event_id)

    def stored_json(self, event_id: str) -> bytes | None:
        return self.lookup.get_json(event_id)

    def _decide_now(self, event: AnyEvent, digest: str, fold: bool, expires: float) -> tuple[Decision, str]:
        """Decide and fold (once) under the engine's lock; TimeoutError if the lock is not free before `expires`
        (time.monotonic(); a thread left behind by a hung dependency holds it until its socket timeout). Work
        that waited past its deadline in the queue is not started: its request was answered by the policy."""
        wait = expires - time.monotonic()
        if wait <= 0 or not self._engine_lock.acquire(timeout=wait):
            raise TimeoutError("the engine is busy")
        try:
            decision = self.engine.decide(event, fold=False)
            folded = self.engine.features.fold_once(event, digest) if fold else FOLDED
            return decision, folded
        finally:
            self._engine_lock.release()

    async def decide(self, event: AnyEvent) -> tuple[dict[str, Any], bool]:
        """The decision record and whether it is new (False: this event was decided before)."""
        body, new = await self.decide_json(event)
        return orjson.loads(body), new

    async def decide_json(self, event: AnyEvent, body: bytes | None = None) -> tuple[bytes, bool]:
        """Like `decide`, as the JSON the store keeps (the API returns these bytes as they are). `body` is the
        event as received (kept with the record, and compared with a repeat's); by default the event's JSON."""
        if time.monotonic() - self._checked_rulesets > self.RULESET_CHECK_SECONDS:
            await asyncio.to_thread(self.refresh_rulesets)
        if body is None:
            body = event.model_dump_json(exclude_none=True).encode()
        digest = body_digest(body)
        event_id = event.event_id
        while (earlier := self._inflight.get(event_id)) is not None:
            check_same_body(event_id, body, digest, earlier.body, earlier.digest)
            try:
                return await asyncio.shield(earlier.answer), False
            except Exception:  # its record was not stored: decide this one (its fold stays once)
                continue
        mine = self._inflight.begin(event_id, body, digest)  # before any await: repeats from now on wait
        try:
            record, new = await self._decide_json(event, body, digest)
        except BaseException as exc:
            self._inflight.fail(mine, exc)
            raise
        self._inflight.done(mine, record)
        return record, new

    async def _decide_json(self, event: AnyEvent, body: bytes, digest: str) -> tuple[bytes, bool]:
        # In-process features cost microseconds and never wait: decide on the event loop. A remote feature
        # store (Redis) can stall, so it runs in a thread under the deadline.
        inline = not self.engine.features_remote
        event_id = event.event_id
        stored = self.lookup.get_row(event_id) if inline else await asyncio.to_thread(self.lookup.get_row, event_id)
        if stored is not None:
            check_same_body(event_id, body, digest, stored[2], stored[1])
            return stored[0], False
        decision, folded = await self._decide_in_time(event, digest)
        if folded == CONFLICT:
            raise EventConflict(event_id)
        row = decision.to_row(self._sqlite, body, digest)
        new = await self.writer.submit(row)
        self.engine.features.settled(event_id)
        if not new:  # another request decided the same event first: its record is the answer
            stored = await asyncio.to_thread(self.lookup.get_row, event_id)
            if stored is not None:
                check_same_body(event_id, body, digest, stored[2], stored[1])
                return stored[0], False
        return row["record"].encode(), True

    async def _decide_in_time(self, event: AnyEvent, digest: str) -> tuple[Decision, str]:
        """The engine's decision under the event type's deadline, or the failure policy's; and what the fold did."""
        policy = policy_for(event.type, self.policies)
        deadline = policy.deadline_ms / 1000
        try:
            expires = time.monotonic() + deadline
            if not self.engine.features_remote:
                decision, folded = self._decide_now(event, digest, True, expires)
                if decision.latency_ms > policy.deadline_ms:
                    raise TimeoutError
                return decision, folded
            loop = asyncio.get_running_loop()
            work = loop.run_in_executor(self._engine_threads, self._decide_now, event, digest, True, expires)
            return await asyncio.wait_for(work, deadline)
        except TimeoutError:
            why, floor = f"deadline of {policy.deadline_ms:g} ms passed", policy.on_failure
        except Exception as exc:
            if is_dependency_failure(exc):  # a dependency (the feature store) failed: the policy decides
                log.warning("decision dependency failed", event_id=event.event_id, error=repr(exc))
                why, floor = f"dependency failed: {type(exc).__name__}", policy.on_failure
            else:  # a fault of the engine is not an outage: never fail open on it
                log.exception("decision engine failed", event_id=event.event_id)
                floor = max(policy.on_failure, Outcome.REVIEW)
                decision = decide_without_state(self.engine, event, floor, f"engine error: {type(exc).__name__}")
                return decision, FOLDED
        decision = decide_without_state(self.engine, event, floor, f"{why} ({policy.mode})")
        return decision, FOLDED
