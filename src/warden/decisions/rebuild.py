"""The in-process feature state rebuilt on start from the events the store has decided.

In-process state lives in the worker's memory; without this a restart (or a new worker) would start from
nothing, and a customer's 1 h count of 5 would read 0 after it. The decision records keep the event they
decided (`decisions.event`), so the state is folded again from those of the longest feature window before the
newest event, in time order, as the live stream folded them. Reading by `decided_at` uses its index; an event
can only matter if it occurred within the window, and it was decided after it occurred.

Cost (docs/features.md): one validation and one fold per event of the window, at start-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from warden.decisions.tables import decisions
from warden.events.models import EVENT_ADAPTER
from warden.features.catalog import WINDOWS
from warden.features.online import InProcessFeatureStore
from warden.logging import get_logger

log = get_logger(__name__)

LONGEST_WINDOW = timedelta(seconds=max(WINDOWS.values()))
_SLACK = timedelta(days=1)  # events decided a little before they occurred (clocks apart) are still read


@dataclass(frozen=True)
class Rebuilt:
    events: int
    seconds: float


def rebuild_from_decisions(engine: sa.Engine, features: InProcessFeatureStore) -> Rebuilt:
    """Fold the decided events of the longest window before the newest one into `features` (empty before)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(decisions.c.decided_at))).scalar_one_or_none()
        if newest is None:
            return Rebuilt(0, 0.0)
        query = (
            sa.select(decisions.c.occurred_at, decisions.c.event_id, decisions.c.event)
            .where(decisions.c.decided_at >= newest - LONGEST_WINDOW - _SLACK)
            .where(decisions.c.event.is_not(None))
        )
        rows = conn.execute(query).all()
    if not rows:
        return Rebuilt(0, time.perf_counter() - started)
    events = sorted(
        (EVENT_ADAPTER.validate_json(body) for _, _, body in rows), key=lambda e: (e.occurred_at, e.event_id)
    )
    cutoff = events[-1].occurred_at - LONGEST_WINDOW
    count = 0
    for event in events:
        if event.occurred_at >= cutoff:
            features.update(event)
            count += 1
    rebuilt = Rebuilt(count, time.perf_counter() - started)
    log.info("feature state rebuilt from stored decisions", events=rebuilt.events, seconds=round(rebuilt.seconds, 3))
    return rebuilt
