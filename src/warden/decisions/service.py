"""Deciding for callers that need the answer durable: idempotent on event_id, deadline and failure policy,
records committed (group commit) before the answer is returned."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from typing import Any

import orjson

from warden.decisions.engine import DecisionEngine, ModelPolicy, fallback_decision
from warden.decisions.policy import FailurePolicy, policy_for
from warden.decisions.record import Decision
from warden.decisions.repository import DecisionLookup, decision_writer, get_decision
from warden.decisions.rulesets import load_published
from warden.events.models import AnyEvent
from warden.logging import get_logger
from warden.store.db import Store
from warden.store.group_commit import CommitListener

log = get_logger(__name__)


class DecisionService:
    def __init__(
        self,
        engine: DecisionEngine,
        store: Store,
        policies: dict[str, FailurePolicy] | None = None,
        listeners: Sequence[CommitListener] = (),
    ) -> None:
        self.engine = engine
        self.store = store
        self.policies = policies
        self.writer = decision_writer(store.engine, listeners)
        self.lookup = DecisionLookup(store.engine)
        self._sqlite = store.dialect == "sqlite"
        self._engine_lock = threading.Lock()  # online feature state is updated in event order, one at a time
        self._checked_rulesets = time.monotonic()

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
        self._checked_rulesets = time.monotonic()

    def close(self) -> None:
        self.writer.close()

    def stored(self, event_id: str) -> dict[str, Any] | None:
        with self.store.engine.connect() as conn:
            return get_decision(conn, event_id)

    def stored_json(self, event_id: str) -> bytes | None:
        return self.lookup.get_json(event_id)

    def _decide_now(self, event: AnyEvent) -> Decision:
        with self._engine_lock:
            return self.engine.decide(event)

    async def decide(self, event: AnyEvent) -> tuple[dict[str, Any], bool]:
        """The decision record and whether it is new (False: this event was decided before)."""
        body, new = await self.decide_json(event)
        return orjson.loads(body), new

    async def decide_json(self, event: AnyEvent) -> tuple[bytes, bool]:
        """Like `decide`, as the JSON the store keeps (the API returns these bytes as they are)."""
        # In-process features cost microseconds and never wait: decide on the event loop. A remote feature
        # store (Redis) can stall, so it runs in a thread under the deadline.
        if time.monotonic() - self._checked_rulesets > self.RULESET_CHECK_SECONDS:
            await asyncio.to_thread(self.refresh_rulesets)
        inline = not self.engine.features_remote
        existing = (
            self.stored_json(event.event_id) if inline else await asyncio.to_thread(self.stored_json, event.event_id)
        )
        if existing is not None:
            return existing, False
        policy = policy_for(event.type, self.policies)
        try:
            if inline:
                decision = self._decide_now(event)
                if decision.latency_ms > policy.deadline_ms:
                    raise TimeoutError
            else:
                decision = await asyncio.wait_for(asyncio.to_thread(self._decide_now, event), policy.deadline_ms / 1000)
        except TimeoutError:
            decision = self._fallback(event, policy, f"deadline of {policy.deadline_ms:g} ms passed")
        except Exception as exc:  # a dependency (feature store, model) failed: the policy decides
            log.warning("decision dependency failed", event_id=event.event_id, error=repr(exc))
            decision = self._fallback(event, policy, f"dependency failed: {type(exc).__name__}")
        row = decision.to_row(self._sqlite)
        new = await self.writer.submit(row)
        if not new:  # another request decided the same event first: its record is the answer
            stored = await asyncio.to_thread(self.stored_json, event.event_id)
            if stored is not None:
                return stored, False
        return row["record"].encode(), True

    def _fallback(self, event: AnyEvent, policy: FailurePolicy, why: str) -> Decision:
        return fallback_decision(event, policy.on_failure, f"{why} ({policy.mode})", self.engine.versions)
