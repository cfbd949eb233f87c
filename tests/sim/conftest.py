"""One small simulation shared by the simulator's tests (300 customers x 10 days, about a second)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest

from warden.sim import SimConfig, simulate, write


@dataclass
class Run:
    events: list[dict[str, Any]]
    labels: list[dict[str, str]]
    events_path: Path
    labels_path: Path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("sim")
    events_path, labels_path = write(simulate(SimConfig(customers=300, days=10, seed=11)), out)
    events = [orjson.loads(line) for line in events_path.read_bytes().splitlines()]
    with open(labels_path, newline="", encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle))
    return Run(events, labels, events_path, labels_path)
