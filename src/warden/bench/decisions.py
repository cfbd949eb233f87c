"""`warden bench decisions`: the API with 2 workers under concurrent load, against an echo endpoint on the
same server; and `warden bench engine`: in-process replay through the engine, against a plain loop."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa

from warden.bench.loadgen import drive
from warden.bench.synthetic import synthetic_events
from warden.decisions.factory import build_engine
from warden.events.models import EVENT_ADAPTER
from warden.governance.api_keys import create_api_key
from warden.settings import Settings
from warden.sim import SimConfig, simulate
from warden.store.db import open_store
from warden.store.tables import decisions


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {url} did not become healthy in {timeout:.0f} s")


def run_decisions_bench(
    seconds: float = 30, echo_seconds: float = 10, workers: int = 2, connections: int = 16, events: int = 400_000
) -> dict[str, Any]:
    bodies = [orjson.dumps(e) for e in synthetic_events(events, seed=11)]
    with tempfile.TemporaryDirectory(prefix="warden-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data")
        store = open_store(settings)
        with store.engine.begin() as conn:
            _, secret = create_api_key(conn, "bench", {"decisions"}, actor="bench")
        port = _free_port()
        env = os.environ | {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_LOG_LEVEL": "WARNING"}
        env.pop("WARDEN_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "warden.cli", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url)
            headers = {"X-API-Key": secret}
            # Warm-up builds each worker's engine (rules, model) before measuring.
            warm = asyncio.run(
                drive(
                    "127.0.0.1",
                    port,
                    "/v1/decisions",
                    lambda i: bodies[i],
                    seconds=3,
                    connections=connections,
                    headers=headers,
                    max_requests=2000,
                )
            )
            offset = warm.requests
            echo = asyncio.run(
                drive(
                    "127.0.0.1",
                    port,
                    "/v1/echo",
                    lambda i: bodies[i % len(bodies)],
                    seconds=echo_seconds,
                    connections=connections,
                )
            )
            load = asyncio.run(
                drive(
                    "127.0.0.1",
                    port,
                    "/v1/decisions",
                    lambda i: bodies[offset + i],
                    seconds=seconds,
                    connections=connections,
                    headers=headers,
                    max_requests=len(bodies) - offset,
                )
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
        with store.engine.connect() as conn:
            stored = int(conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one())
        store.dispose()
    result = load.summary()
    echo_summary = echo.summary()
    ratio = float(result["throughput_per_s"]) / float(echo_summary["throughput_per_s"] or 1)
    return {
        "benchmark": "decisions",
        "workers": workers,
        "connections": connections,
        "decisions": result,
        "reference_echo": echo_summary,
        "ratio_to_echo": round(ratio, 3),
        "stored_decisions": stored,
        "answered_decisions": warm.requests + load.requests,
        "targets": {"throughput_per_s": 3000, "p99_ms": 20, "ratio_to_echo": 0.5},
        "meets_targets": (
            float(result["throughput_per_s"]) >= 3000
            and float(result["p99_ms"]) <= 20
            and ratio >= 0.5
            and result["errors"] == 0
        ),
    }


def run_engine_bench(customers: int = 2000, days: int = 30, seed: int = 13) -> dict[str, Any]:
    """In-process replay of a simulated exchange on one core: decisions/s, against validating the same events."""
    simulated = simulate(SimConfig(customers=customers, days=days, seed=seed))
    started = time.perf_counter()
    parsed = sorted((EVENT_ADAPTER.validate_json(line) for line in simulated.lines), key=lambda e: e.occurred_at)
    validate_seconds = time.perf_counter() - started
    engine = build_engine(Settings(data_dir=Path(tempfile.gettempdir()) / "warden-bench-engine"))
    started = time.perf_counter()
    for event in parsed:
        engine.decide(event)
    seconds = time.perf_counter() - started
    events = len(parsed)
    rate = events / seconds
    return {
        "benchmark": "engine",
        "events": events,
        "customers": customers,
        "seconds": round(seconds, 3),
        "events_per_second": round(rate),
        "us_per_event": round(seconds / events * 1e6, 2),
        "target_events_per_second": 30_000,
        "meets_target": rate >= 30_000,
        "reference": {"what": "validating the same events only", "events_per_second": round(events / validate_seconds)},
        "versions": engine.versions,
    }
