"""The simulator's event log: events are collected without ids, then given random ids and sorted once.

Ids are drawn at the end (not counted up while generating) so an id never tells which step made the event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

LabelRow = tuple[str, str, str, str, str]  # entity_type, entity_id, label, typology, scenario_id


@dataclass
class EventLog:
    times: list[int] = field(default_factory=list)  # epoch seconds, UTC
    payloads: list[dict[str, Any]] = field(default_factory=list)
    event_labels: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # (event index, label, typology, scenario)
    entity_labels: list[LabelRow] = field(default_factory=list)  # customers and addresses

    def add(self, ts: int, payload: dict[str, Any]) -> int:
        self.times.append(ts)
        self.payloads.append(payload)
        return len(self.payloads) - 1

    def label_event(self, index: int, label: str, typology: str, scenario: str) -> None:
        self.event_labels.append((index, label, typology, scenario))

    def label_customer(self, customer_id: str, label: str, typology: str, scenario: str) -> None:
        self.entity_labels.append(("customer", customer_id, label, typology, scenario))

    def label_address(self, address: str, label: str, typology: str, scenario: str) -> None:
        self.entity_labels.append(("address", address, label, typology, scenario))

    def __len__(self) -> int:
        return len(self.payloads)


def assign_ids(rng: np.random.Generator, count: int) -> list[str]:
    """Unique random event ids (16 hex digits), drawn from the seeded generator."""
    ids: set[int] = set()
    drawn = np.empty(0, dtype=np.uint64)
    while len(ids) < count:
        drawn = rng.integers(0, 2**63, size=count, dtype=np.int64).astype(np.uint64)
        ids = set(drawn.tolist())
    return [f"ev_{value:016x}" for value in drawn.tolist()]
