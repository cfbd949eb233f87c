"""The deadline holds when a dependency hangs, and the fallback still applies the rules that need no state.

A Redis of this test's own (redis-server on a free port) is paused with SIGSTOP mid-load: withdrawals are
answered `hold` within twice their deadline (p99), a login from a sanctioned jurisdiction is still blocked, and
decisions are whole again once Redis continues. An error inside the engine is not taken for an outage.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from warden.decisions.engine import DecisionEngine
from warden.decisions.factory import live_ruleset
from warden.decisions.policy import DEFAULT_POLICIES
from warden.decisions.service import DecisionService
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER
from warden.features.online import InProcessFeatureStore
from warden.features.redis_store import RedisFeatureStore
from warden.settings import Settings
from warden.store.db import Store

from .served import free_port

DEADLINE_MS = DEFAULT_POLICIES["withdrawal"].deadline_ms


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while True:
        try:
            redis.Redis.from_url(url).ping()
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    try:
        yield url, process
    finally:
        process.send_signal(signal.SIGCONT)
        process.kill()
        process.wait()


def _event(kind: str, event_id: str, **changes: Any) -> Any:
    return EVENT_ADAPTER.validate_python(dict(EXAMPLES[kind]) | {"event_id": event_id} | changes)


async def _timed(service: DecisionService, event: Any) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    record, _ = await service.decide(event)
    return (time.perf_counter() - started) * 1000, record


@pytest.mark.anyio
async def test_a_paused_redis_gets_holds_within_twice_the_deadline(
    settings: Settings, sqlite_store: Store, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    url, redis_process = own_redis
    engine = DecisionEngine(live_ruleset(settings), RedisFeatureStore(url))
    service = DecisionService(engine, sqlite_store)
    try:
        for i in range(3):  # warm: everything loaded, Redis answering
            await service.decide(_event("withdrawal", f"warm-{i}", occurred_at=f"2026-03-02T08:0{i}:00Z"))
        os.kill(redis_process.pid, signal.SIGSTOP)
        latencies: list[float] = []
        for wave in range(6):  # 60 withdrawals, 10 at a time
            events = [_event("withdrawal", f"w-{wave}-{i}") for i in range(10)]
            results = await asyncio.wait_for(asyncio.gather(*(_timed(service, e) for e in events)), 30)
            for latency, record in results:
                assert record["outcome"] == "hold" and record["degraded"], record
                latencies.append(latency)
        login_ms, login = await _timed(service, _event("login", "l-kp", country="KP"))
        latencies.append(login_ms)
        assert login["outcome"] == "block" and login["degraded"]  # a stateless rule, applied without Redis
        assert [h["rule_id"] for h in login["rule_hits"]] == ["sanctioned_jurisdiction_login"]
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1]
        print(f"Redis paused: {len(latencies)} answers, p50 {latencies[len(latencies) // 2]:.1f} ms, p99 {p99:.1f} ms")
        assert p99 <= 2 * DEADLINE_MS, latencies
        os.kill(redis_process.pid, signal.SIGCONT)
        whole = None
        for i in range(100):  # the engine's threads free themselves within the socket timeout
            record, _ = await service.decide(_event("withdrawal", f"after-{i}", occurred_at="2026-03-02T10:00:00Z"))
            if record["degraded"] is None:
                whole = record
                break
            await asyncio.sleep(0.1)
        assert whole is not None
    finally:
        service.close()


class _Broken(InProcessFeatureStore):
    """State whose arithmetic fails, as a float overflow in a feature sum did."""

    def features_for(self, event: Any, names: frozenset[str] | None = None) -> Any:
        raise OverflowError("int too large to convert to float")


@pytest.mark.anyio
async def test_an_engine_error_is_not_an_outage(settings: Settings, sqlite_store: Store) -> None:
    service = DecisionService(DecisionEngine(live_ruleset(settings), _Broken()), sqlite_store)
    try:
        login, _ = await service.decide(_event("login", "l-1"))
        assert login["outcome"] == "review"  # logins fail open on an outage, never on an engine error
        assert login["degraded"].startswith("engine error: OverflowError")
        sanctioned, _ = await service.decide(_event("login", "l-2", country="KP"))
        assert sanctioned["outcome"] == "block"
    finally:
        service.close()


def test_healthz_reports_the_store_and_redis(settings: Settings, sqlite_store: Store) -> None:
    from fastapi.testclient import TestClient

    from warden.api.app import create_app

    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})  # nothing listens there
    with TestClient(create_app(down, sqlite_store)) as client:
        health = client.get("/healthz")
    assert health.status_code == 200  # decisions go on under their failure policies
    body = health.json()
    assert body["status"] == "degraded" and body["checks"]["store"] == "ok"
    assert body["checks"]["redis"].startswith("error: ConnectionError")
