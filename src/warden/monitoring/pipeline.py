"""One monitoring run: load movements, run detectors, attach anomaly scores, write alerts."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from warden.monitoring.alerts import Alert, write_jsonl
from warden.monitoring.anomaly import ANOMALY_VERSION, anomaly_scores
from warden.monitoring.detectors import DetectorParams, run_detectors
from warden.monitoring.hops import HopContext, HopSummary, resolve_hops
from warden.monitoring.phases import Phases


@dataclass
class MonitorResult:
    alerts: list[Alert]
    movements: int
    customers: int
    seconds: float
    hops: HopSummary | None = None

    def summary(self) -> dict[str, Any]:
        by: dict[str, int] = {}
        for a in self.alerts:
            by[a.typology] = by.get(a.typology, 0) + 1
        return {
            "movements": self.movements,
            "customers_with_movements": self.customers,
            "alerts": len(self.alerts),
            "alerts_by_typology": dict(sorted(by.items())),
            "seconds": round(self.seconds, 3),
            "hops": None
            if self.hops is None
            else {"to_deposit_address": self.hops.to_deposit_address, "via_address": self.hops.via_address},
            "versions": {
                "detectors": self.alerts[0].detector_version if self.alerts else None,
                "anomaly": ANOMALY_VERSION,
            },
        }


def monitor(
    events: Path,
    since: datetime | None = None,
    until: datetime | None = None,
    params: DetectorParams | None = None,
    threads: int | None = None,
    phases: Phases | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    context: HopContext | None = None,
    hops: bool = True,
) -> MonitorResult:
    """One run; pass `con` to keep the loaded movements (table `mv`, views `tr`, `dep`, `wd`) afterwards."""
    from warden.monitoring.movements import load_movements

    phases = phases or Phases()
    started = time.perf_counter()
    own = con is None
    con = con or duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}").fetchall()
    with phases("load_movements"):
        movements = load_movements(con, events, since, until)
    hop_summary = None
    if hops:
        with phases("hops"):
            hop_summary = resolve_hops(con, context)
    alerts = run_detectors(con, params, phases)
    with phases("anomaly"):
        scores = anomaly_scores(con)
    for alert in alerts:
        alert.anomaly_score = max((scores.get(c, 0.0) for c in alert.customer_ids), default=0.0)
    if own:
        con.close()
    return MonitorResult(
        alerts=alerts,
        movements=movements,
        customers=len(scores),
        seconds=time.perf_counter() - started,
        hops=hop_summary,
    )


def write_outputs(result: MonitorResult, out_dir: Path) -> Path:
    path = out_dir / "alerts.jsonl"
    write_jsonl(result.alerts, path)
    return path
