"""Replaying event files through the decision engine in time order (`warden decide`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from warden.decisions.engine import DecisionEngine
from warden.decisions.record import Decision
from warden.events.ingest import describe_validation_error
from warden.events.models import EVENT_ADAPTER, AnyEvent
from warden.events.readers import read_records


@dataclass
class LoadedEvents:
    events: list[AnyEvent] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)  # "file:line: reason"


def load_events(paths: list[Path]) -> LoadedEvents:
    """Valid events of the files in time order (ties keep file order); bad records with their positions."""
    loaded = LoadedEvents()
    seen: set[str] = set()
    for path in paths:
        for raw in read_records(path):
            try:
                event = (
                    EVENT_ADAPTER.validate_json(raw.json_bytes)
                    if raw.json_bytes is not None
                    else EVENT_ADAPTER.validate_python(raw.values)
                )
            except ValidationError as exc:
                loaded.rejects.append(f"{path}:{raw.line}: {describe_validation_error(exc)}")
                continue
            if event.event_id not in seen:  # the same event twice is one event
                seen.add(event.event_id)
                loaded.events.append(event)
    loaded.events.sort(key=lambda e: e.occurred_at)
    return loaded


def replay(
    engine: DecisionEngine, events: list[AnyEvent], progress: Callable[[int], None] | None = None
) -> Iterator[Decision]:
    for i, event in enumerate(events, start=1):
        yield engine.decide(event)
        if progress and i % 5000 == 0:
            progress(5000)
