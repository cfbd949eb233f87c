"""Requests for the same event_id in one worker, served one at a time, and the conflict of another body.

The first request for an event_id registers itself before it awaits anything; a repeat that arrives while it
is in flight waits for its answer instead of reading the store (the record is not committed yet) and deciding
a second time. A repeat with another body is refused at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from warden.errors import Conflict
from warden.events.digest import same_event


class EventConflict(Conflict):
    """Another body under a known event_id: an event_id names one event for ever (HTTP 409)."""

    def __init__(self, event_id: str) -> None:
        super().__init__(
            f"event_id {event_id!r} was already received with a different body; "
            "an event_id names one event: send a new event under a new event_id"
        )
        self.event_id = event_id


def check_same_body(event_id: str, body: bytes, digest: str, known_body: bytes | str | None, known: str | None) -> None:
    """EventConflict unless `body` is the event known under `event_id` (equal digests, or equal events).

    A record stored before bodies were kept (no digest) cannot be compared and counts as the same event."""
    if known is None or known == digest:
        return
    if known_body is None or not same_event(body, known_body):
        raise EventConflict(event_id)


@dataclass
class Pending:
    event_id: str
    body: bytes
    digest: str
    answer: asyncio.Future[bytes]


class InFlight:
    """The requests being decided in this worker, by event_id (used on the event loop only)."""

    def __init__(self) -> None:
        self._pending: dict[str, Pending] = {}

    def get(self, event_id: str) -> Pending | None:
        return self._pending.get(event_id)

    def begin(self, event_id: str, body: bytes, digest: str) -> Pending:
        pending = Pending(event_id, body, digest, asyncio.get_running_loop().create_future())
        self._pending[event_id] = pending
        return pending

    def done(self, pending: Pending, record: bytes) -> None:
        self._end(pending)
        pending.answer.set_result(record)

    def fail(self, pending: Pending, exc: BaseException) -> None:
        self._end(pending)
        if isinstance(exc, Exception):
            pending.answer.set_exception(exc)
            pending.answer.exception()  # nobody may be waiting: do not log it as never retrieved
        else:
            pending.answer.cancel()

    def _end(self, pending: Pending) -> None:
        if self._pending.get(pending.event_id) is pending:
            del self._pending[pending.event_id]
