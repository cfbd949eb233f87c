"""Scheduled monitoring inside `warden serve`: every N seconds, the detectors over the recent Parquet history.

Off unless `WARDEN_MONITOR_EVERY_S` is set. Each run reads the history's last `WARDEN_MONITOR_LOOKBACK_DAYS`
(default 35: the longest detector window plus margin, so a ring spread over a few days is seen whole), merges
the alerts into the store (the same ring updates its alert, `times_seen + 1`, it is not repeated) and writes
`DATA_DIR/monitoring/alerts.jsonl` and `last_run.json`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.monitoring.configured import facts_in_force, run_monitoring
from warden.monitoring.errors import InputError
from warden.monitoring.model_registry import active_customer_model
from warden.monitoring.pipeline import write_outputs
from warden.monitoring.repository import save_alerts


@dataclass(frozen=True)
class Schedule:
    every_s: float
    lookback: timedelta

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Schedule | None:
        """The schedule from WARDEN_MONITOR_EVERY_S / WARDEN_MONITOR_LOOKBACK_DAYS; None when off."""
        env = dict(os.environ) if env is None else env
        every = env.get("WARDEN_MONITOR_EVERY_S", "").strip()
        if not every:
            return None
        try:
            every_s = float(every)
            days = float(env.get("WARDEN_MONITOR_LOOKBACK_DAYS", "35"))
        except ValueError as exc:
            raise ValueError(f"WARDEN_MONITOR_EVERY_S / WARDEN_MONITOR_LOOKBACK_DAYS: {exc}") from None
        if every_s < 1 or days <= 0:
            raise ValueError("WARDEN_MONITOR_EVERY_S must be >= 1 and WARDEN_MONITOR_LOOKBACK_DAYS > 0")
        return cls(every_s=every_s, lookback=timedelta(days=days))


def run_once(
    events_dir: Path,
    out_dir: Path,
    engine: sa.Engine,
    lookback: timedelta,
    now: datetime | None = None,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    """One scheduled run with the facts in force and the active customer model of `data_dir` (read each
    run, so a newly trained model is used without a restart); returns (and writes to
    out_dir/last_run.json) its summary."""
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    since = now - lookback
    summary: dict[str, Any] = {"started_at": f"{now:%Y-%m-%dT%H:%M:%SZ}", "since": f"{since:%Y-%m-%dT%H:%M:%SZ}"}
    if not events_dir.exists() or not any(events_dir.glob("date=*/*.parquet")):
        summary["skipped"] = f"no event history under {events_dir}"
    else:
        try:
            active = active_customer_model(data_dir) if data_dir is not None else None
            summary["customer_model"] = active[0] if active else None
            model = active[1] if active else None
            result = run_monitoring(events_dir, facts_in_force(engine), model, since=since, until=now)
        except (InputError, ValueError) as exc:
            summary["error"] = str(exc)
        else:
            summary |= result.summary()
            summary["alerts_path"] = str(write_outputs(result, out_dir))
            summary["store"] = save_alerts(engine, result.alerts)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "last_run.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return summary
