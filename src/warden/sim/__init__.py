"""The synthetic exchange: realistic normal behaviour plus labelled, injected scenarios (see docs/simulator.md).

result = simulate(SimConfig(customers=1_000, days=30, seed=7))
events_path, labels_path = write(result, Path("out"))
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from warden.sim.config import SimConfig, SimConfigError
from warden.sim.engine import SIMULATOR_VERSION, Progress, SimulationResult, simulate
from warden.sim.writer import write

__all__ = [
    "SIMULATOR_VERSION", "Progress", "SimConfig", "SimConfigError", "SimulationResult", "simulate",
    "simulate_to_dir", "write",
]  # fmt: skip


def simulate_to_dir(
    customers: int,
    days: int,
    seed: int,
    out_dir: Path,
    start: date = date(2026, 1, 1),
    progress: Progress | None = None,
) -> tuple[Path, Path]:
    """Simulate and write; returns (events.jsonl, labels.csv). The demo and benchmarks call this."""
    result = simulate(SimConfig(customers=customers, days=days, seed=seed, start=start), progress)
    return write(result, Path(out_dir))
