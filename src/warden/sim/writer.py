"""Writing a simulation to `DIR/events.jsonl` and `DIR/labels.csv` (the event contract's file layout)."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import orjson

from warden.sim.engine import SimulationResult

LABEL_COLUMNS = ("entity_type", "entity_id", "label", "typology", "scenario_id")


def write(result: SimulationResult, out_dir: Path) -> tuple[Path, Path]:
    """Write both files (and `context.json`, the exchange's facts); returns their paths. Bytes depend only on
    the result (so on the seed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    events_path, labels_path = out_dir / "events.jsonl", out_dir / "labels.csv"
    _write_manifest(result, out_dir / "simulation.json")
    (out_dir / "context.json").write_bytes(orjson.dumps(result.context, option=orjson.OPT_INDENT_2) + b"\n")
    with open(events_path, "wb") as handle:
        chunk = 50_000
        for start in range(0, len(result.lines), chunk):
            handle.write(b"\n".join(result.lines[start : start + chunk]) + b"\n")
    with open(labels_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        writer.writerows(result.labels)
    return events_path, labels_path


def _write_manifest(result: SimulationResult, path: Path) -> None:
    """What produced the files: parameters, simulator version and counts, so a data set can be reproduced."""
    cfg = result.config
    labels = Counter(f"{entity}:{label}:{typology}" for entity, _, label, typology, _ in result.labels)
    manifest = {
        "simulator_version": result.version, "customers": cfg.customers, "days": cfg.days, "seed": cfg.seed,
        "start": cfg.start.isoformat(), "events": result.events, "events_by_type": dict(sorted(result.counts.items())),
        "labels": len(result.labels), "labels_by_kind": dict(sorted(labels.items())),
    }  # fmt: skip
    path.write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n")
