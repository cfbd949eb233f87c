"""Writing a simulation to `DIR/events.jsonl` and `DIR/labels.csv` (the event contract's file layout)."""

from __future__ import annotations

import csv
from pathlib import Path

from warden.sim.engine import SimulationResult

LABEL_COLUMNS = ("entity_type", "entity_id", "label", "typology", "scenario_id")


def write(result: SimulationResult, out_dir: Path) -> tuple[Path, Path]:
    """Write both files; returns their paths. Bytes depend only on the result (so on the seed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    events_path, labels_path = out_dir / "events.jsonl", out_dir / "labels.csv"
    with open(events_path, "wb") as handle:
        chunk = 50_000
        for start in range(0, len(result.lines), chunk):
            handle.write(b"\n".join(result.lines[start : start + chunk]) + b"\n")
    with open(labels_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LABEL_COLUMNS)
        writer.writerows(result.labels)
    return events_path, labels_path
