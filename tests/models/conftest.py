"""A small labelled data set on disk (events.jsonl + labels.csv), generated once per test session."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.simulated import simulated


def write_dataset(folder: Path, seed: int, customers: int = 400, bad: bool = False, days: int = 60) -> Path:
    data = simulated(seed, days=days, customers=customers)
    folder.mkdir(parents=True, exist_ok=True)
    events = folder / "events.jsonl"
    with open(events, "w", encoding="utf-8") as handle:
        for i, event in enumerate(data.events):
            handle.write(event.model_dump_json(exclude_none=True) + "\n")
            if bad and i == 9:
                handle.write('{"event_id": "x", "type": "withdrawal", "occurred_at": "2026-01-01T00:00:00Z"}\n')
    with open(folder / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["entity_type", "entity_id", "label", "typology", "scenario_id"])
        writer.writeheader()
        writer.writerows(data.labels)
    return events


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("fraud-data"), seed=31)


@pytest.fixture(scope="session")
def fresh_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("fraud-fresh"), seed=32)
