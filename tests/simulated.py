"""Small labelled exchanges from Warden's simulator (`warden simulate`), parsed for tests that need events in
memory: the same generator the demo, the benchmarks and the shipped model use."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from warden.events.models import EVENT_ADAPTER, AnyEvent
from warden.sim import SimConfig, simulate

LABEL_COLUMNS = ("entity_type", "entity_id", "label", "typology", "scenario_id")


@dataclass(frozen=True)
class Simulated:
    events: list[AnyEvent] = field(default_factory=list)
    labels: list[dict[str, str]] = field(default_factory=list)


@lru_cache(maxsize=8)
def simulated(seed: int, days: int = 30, customers: int = 150, start: date = date(2026, 1, 1)) -> Simulated:
    """The simulated exchange of `seed` (150 customers at least, as the simulator needs for every scenario)."""
    result = simulate(SimConfig(customers=customers, days=days, seed=seed, start=start))
    events = [EVENT_ADAPTER.validate_json(line) for line in result.lines]
    labels = [dict(zip(LABEL_COLUMNS, (str(v) for v in row), strict=True)) for row in result.labels]
    return Simulated(events, labels)
