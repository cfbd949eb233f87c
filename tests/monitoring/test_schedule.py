import json
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.monitoring.builders import T0, with_rings

from warden.api.monitoring import router
from warden.monitoring.repository import load_alerts
from warden.monitoring.schedule import Schedule, run_once
from warden.settings import Settings
from warden.store.db import Store


def _history(root: Path) -> Path:
    """The rings as a Parquet history (`date=` partitions, as `warden ingest` writes)."""
    events = with_rings().write(root / "events.jsonl")
    part = root / "events" / "date=2026-01-01"
    part.mkdir(parents=True)
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_json('{events}', format = 'newline_delimited')) TO '{part / 'p0.parquet'}' (FORMAT parquet)"
    ).fetchall()
    return root / "events"


def test_schedule_is_off_unless_configured() -> None:
    assert Schedule.from_env({}) is None
    on = Schedule.from_env({"WARDEN_MONITOR_EVERY_S": "600", "WARDEN_MONITOR_LOOKBACK_DAYS": "10"})
    assert on == Schedule(every_s=600.0, lookback=timedelta(days=10))
    with pytest.raises(ValueError, match="WARDEN_MONITOR_EVERY_S"):
        Schedule.from_env({"WARDEN_MONITOR_EVERY_S": "soon"})


def test_repeated_runs_merge_alerts_instead_of_repeating_them(store: Store, tmp_path: Path) -> None:
    events = _history(tmp_path)
    now = T0 + timedelta(days=60)
    first = run_once(events, tmp_path / "out", store.engine, timedelta(days=100), now=now)
    assert first["alerts"] > 0 and first["store"]["inserted"] == first["alerts"]
    second = run_once(events, tmp_path / "out", store.engine, timedelta(days=100), now=now + timedelta(hours=1))
    assert second["store"] == {"inserted": 0, "updated": 0, "unchanged": first["alerts"]}
    assert len(load_alerts(store.engine)) == first["alerts"]
    assert json.loads((tmp_path / "out" / "last_run.json").read_text())["alerts"] == first["alerts"]
    # A window that ends before the rings sees nothing.
    early = run_once(events, tmp_path / "out", store.engine, timedelta(days=1), now=T0)
    assert early["movements"] == 0


def test_serve_runs_the_schedule_in_the_background(
    sqlite_store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(settings.data_dir)
    monkeypatch.setenv("WARDEN_MONITOR_EVERY_S", "3600")
    monkeypatch.setenv("WARDEN_MONITOR_LOOKBACK_DAYS", "100000")  # the rings are in 2026-01
    app = FastAPI()
    app.state.settings, app.state.store = settings, sqlite_store
    app.include_router(router)
    last_run = settings.data_dir / "monitoring" / "last_run.json"
    with TestClient(app):
        deadline = time.monotonic() + 60
        while not last_run.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    summary = json.loads(last_run.read_text())
    assert summary["alerts"] > 0
    assert len(load_alerts(sqlite_store.engine)) == summary["alerts"]
