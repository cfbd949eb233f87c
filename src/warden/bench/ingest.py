"""`warden bench ingest`: events/s into the embedded store, with a plain parse of the same file as reference."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

from warden.bench.synthetic import write_jsonl
from warden.events.ingest import Ingestor
from warden.settings import Settings
from warden.store.db import open_store


def _plain_scan(path: Path) -> float:
    """Reference: read and JSON-parse every line, nothing else."""
    started = time.perf_counter()
    with open(path, "rb") as handle:
        for line in handle:
            orjson.loads(line)
    return time.perf_counter() - started


def run_ingest_bench(events: int = 1_000_000, seed: int = 7) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="warden-bench-") as tmp:
        root = Path(tmp)
        source = write_jsonl(root / "events.jsonl", events, seed)
        settings = Settings(data_dir=root / "data")
        store = open_store(settings)
        scan_seconds = _plain_scan(source)
        summary = Ingestor(store, settings.parquet_dir).ingest([source])
        store.dispose()
        stored = summary.total("stored")
        rate = events / summary.seconds
        return {
            "benchmark": "ingest",
            "events": events,
            "stored": stored,
            "seconds": round(summary.seconds, 3),
            "events_per_second": round(rate),
            "target_events_per_second": 50_000,
            "meets_target": rate >= 50_000 and stored == events,
            "reference": {
                "what": "plain read + orjson parse of the same file",
                "seconds": round(scan_seconds, 3),
                "events_per_second": round(events / scan_seconds),
            },
            "ratio_to_reference": round(scan_seconds / summary.seconds, 3),
            "store": "sqlite (embedded) + parquet history",
        }
