"""kill -9 under load: every acknowledged decision is in the store, on SQLite and on PostgreSQL; and one
SIGTERM stops a loaded server after it drains, again with every acknowledged decision stored.

`warden serve --workers 2` gets decisions on 8 connections; a few seconds in, the whole process group is
killed (SIGKILL: no handler runs, no buffer is flushed). Acknowledged = answered 201 or 200.
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from warden.decisions.tables import decisions
from warden.events.examples import EXAMPLES
from warden.settings import Settings
from warden.store.db import open_store

from .served import Served, start

CONNECTIONS = 8
LOAD_SECONDS = 3.0


def _event(worker: int, n: int) -> dict[str, Any]:
    return dict(EXAMPLES["withdrawal"]) | {
        "event_id": f"crash-{uuid.uuid4().hex}",
        "customer_id": f"cus-{worker}-{n % 50}",
    }


async def _load(
    served: Served,
    stop_after: float,
    stop: Any,
    errors: list[float] | None = None,
    answered: list[float] | None = None,
) -> tuple[set[str], int]:
    """Decisions on CONNECTIONS connections until the server goes away (or `stop` returns, when it leaves the
    server up); (acknowledged ids, requests sent). `errors` gets the time of each answer that is not 2xx."""
    acknowledged: set[str] = set()
    sent = 0
    done = asyncio.Event()
    answered_at: list[float] = [] if answered is None else answered

    async def one_connection(worker: int) -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=served.url, timeout=10) as client:
            n = 0
            while not done.is_set():
                event = _event(worker, n)
                n += 1
                sent += 1
                try:
                    answer = await client.post("/v1/decisions", json=event, headers={"X-API-Key": served.key})
                except httpx.HTTPError:
                    if errors is None:
                        return  # the server is gone
                    errors.append(time.monotonic())  # the server stays up: a hung or dropped request is an error
                    continue
                if answer.status_code in (200, 201):
                    acknowledged.add(event["event_id"])
                    if errors is not None:
                        answered_at.append(time.monotonic())
                elif errors is not None:
                    errors.append(time.monotonic())

    async def stopper() -> None:
        await asyncio.sleep(stop_after)
        await asyncio.to_thread(stop)
        done.set()

    await asyncio.gather(stopper(), *(one_connection(w) for w in range(CONNECTIONS)))
    return acknowledged, sent


def _stored(data_dir: Path, database_url: str | None) -> set[str]:
    store = open_store(Settings(data_dir=data_dir), url=database_url)
    try:
        with store.engine.connect() as conn:
            return set(conn.execute(sa.select(decisions.c.event_id)).scalars())
    finally:
        store.dispose()


def _database(request: pytest.FixtureRequest) -> str | None:
    return None if request.param == "sqlite" else request.getfixturevalue("postgres_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str | None:
    return _database(request)


def test_kill_9_under_load_loses_no_acknowledged_decision(tmp_path: Path, database_url: str | None) -> None:
    data_dir = tmp_path / "data"
    served = start(data_dir, workers=2, database_url=database_url)
    try:
        acknowledged, sent = asyncio.run(_load(served, LOAD_SECONDS, served.kill))
    finally:
        if served.process.poll() is None:
            served.kill()
    assert len(acknowledged) > 50, (len(acknowledged), sent)  # the kill came under load
    missing = acknowledged - _stored(data_dir, database_url)
    print(f"kill -9 ({'postgresql' if database_url else 'sqlite'}): {len(missing)} of {len(acknowledged)} lost")
    assert not missing, f"{len(missing)} of {len(acknowledged)} acknowledged decisions lost"


def test_terminated_postgresql_connections_cost_errors_for_under_5_s(tmp_path: Path, postgres_url: str) -> None:
    """pg_terminate_backend on every connection of the server mid-load: errors stop within 5 s (the writer
    and the lookups reconnect), and nothing acknowledged is lost."""
    data_dir = tmp_path / "data"
    served = start(data_dir, workers=2, database_url=postgres_url)
    errors: list[float] = []
    answered: list[float] = []
    terminated: list[float] = []

    def terminate_then_watch() -> None:
        engine = sa.create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as conn:
            ended = conn.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        engine.dispose()
        terminated.append(time.monotonic())
        assert ended >= 2
        time.sleep(9)  # load goes on

    try:
        acknowledged, _ = asyncio.run(_load(served, 2.0, terminate_then_watch, errors, answered))
    finally:
        served.kill()
    last_error = max(errors, default=terminated[0]) - terminated[0]
    later = sum(t > terminated[0] + 5 for t in answered)
    print(
        f"pg_terminate_backend: {len(errors)} errors, the last {last_error:.2f} s after; "
        f"{len(acknowledged)} acknowledged, {later} of them 5 s or more after"
    )
    assert last_error < 5
    assert later > 20  # the load went on: answered, not hung
    assert not acknowledged - _stored(data_dir, postgres_url)


def test_one_sigterm_stops_a_loaded_server_after_draining(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    served = start(data_dir, workers=2)
    stopped_in: list[float] = []

    def terminate() -> None:
        began = time.monotonic()
        served.process.send_signal(signal.SIGTERM)  # once
        served.process.wait(timeout=30)
        stopped_in.append(time.monotonic() - began)

    try:
        acknowledged, _ = asyncio.run(_load(served, 1.5, terminate))
    finally:
        if served.process.poll() is None:
            served.kill()
    assert stopped_in and stopped_in[0] < 15
    assert served.process.returncode == 0
    assert acknowledged and not acknowledged - _stored(data_dir, None)
