"""`warden bench simulate`: wall time for N customers x D days (target: 10,000 x 30 in <= 60 s), with a
reference measured in the same run: building, serialising and writing the same number of flat events."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from warden.sim.config import SimConfig
from warden.sim.engine import simulate
from warden.sim.writer import write

TARGET_SECONDS_10K_30D = 60.0


def _reference(events: int, path: Path) -> float:
    """The floor any generator pays: make `events` flat dicts, dump them with orjson, write them out."""
    started = time.perf_counter()
    with open(path, "wb") as handle:
        for i in range(events):
            record = {"event_id": f"ev_{i:016x}", "occurred_at": "2026-01-01T00:00:00Z", "type": "trade",
                      "customer_id": "cus_0000001", "amount": "0.10000000", "amount_usd": "9400.00"}  # fmt: skip
            handle.write(orjson.dumps(record) + b"\n")
    return time.perf_counter() - started


def run_simulate_bench(customers: int = 10_000, days: int = 30, seed: int = 7) -> dict[str, Any]:
    config = SimConfig(customers=customers, days=days, seed=seed)
    with tempfile.TemporaryDirectory(prefix="warden-bench-sim-") as tmp:
        started = time.perf_counter()
        result = simulate(config)
        generated = time.perf_counter()
        events_path, _ = write(result, Path(tmp))
        finished = time.perf_counter()
        size = events_path.stat().st_size
        reference = _reference(result.events, Path(tmp) / "reference.jsonl")
    seconds = finished - started
    # The target is stated for 10,000 x 30; other sizes are held to it in proportion to customer-days.
    target = TARGET_SECONDS_10K_30D * (customers * days) / (10_000 * 30)
    return {
        "benchmark": "simulate",
        "customers": customers,
        "days": days,
        "seed": seed,
        "events": result.events,
        "labels": len(result.labels),
        "events_bytes": size,
        "seconds": round(seconds, 2),
        "generate_seconds": round(generated - started, 2),
        "write_seconds": round(finished - generated, 2),
        "events_per_second": round(result.events / seconds),
        "target_seconds": round(target, 2),
        "meets_target": seconds <= target,
        "reference": {
            "what": "build + orjson-dump + write the same number of flat events",
            "seconds": round(reference, 4),
        },
        "ratio_to_reference": round(seconds / reference, 2),
    }
