"""The decisions hot path: the plain POST route answers exactly as the FastAPI routes would, the record's JSON
is the same bytes as before, the group-commit writer on both databases and under another worker's lock."""

from __future__ import annotations

import asyncio
import gc
import os
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from warden.access.api_keys import create_api_key
from warden.api import collector
from warden.api.app import WardenApp, create_app
from warden.decisions.factory import build_engine
from warden.decisions.tables import decisions
from warden.events.examples import EXAMPLES
from warden.events.models import EVENT_ADAPTER
from warden.features.catalog import FEATURES
from warden.rules.loader import load_ruleset
from warden.settings import Settings
from warden.sim import SimConfig, simulate
from warden.store.checkpoint import WalCheckpointer
from warden.store.db import Store
from warden.store.group_commit import GroupCommitWriter
from warden.store.write_turn import WriteTurn


@pytest.fixture
def client(settings: Settings, sqlite_store: Store) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with sqlite_store.engine.begin() as conn:
        _, decide_key = create_api_key(conn, "backend", {"decisions"}, actor="test")
        _, other_key = create_api_key(conn, "screening-only", {"screening"}, actor="test")
    with TestClient(create_app(settings, sqlite_store)) as test_client:
        yield test_client, {"decide": decide_key, "other": other_key}


def test_post_is_served_ahead_of_the_middleware_and_still_documented(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    test_client, keys = client
    seen: list[str] = []

    class Recorder:  # a middleware: it sees every request that goes through the stack
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                seen.append(f"{scope['method']} {scope['path']}")
            await self.app(scope, receive, send)

    app = test_client.app
    assert isinstance(app, WardenApp)
    app.middleware_stack = Recorder(app.build_middleware_stack())
    headers = {"X-API-Key": keys["decide"]}
    decided = test_client.post("/v1/decisions", json=EXAMPLES["login"], headers=headers)
    assert decided.status_code == 201 and decided.headers["content-type"] == "application/json"
    stored = test_client.get(f"/v1/decisions/{decided.json()['event_id']}", headers=headers)
    assert stored.content == decided.content
    assert seen == [f"GET /v1/decisions/{decided.json()['event_id']}"]  # the POST never entered the stack
    post = test_client.get("/openapi.json", headers=headers).json()["paths"]["/v1/decisions"]["post"]
    assert post["requestBody"]["content"]["application/json"]["example"] == EXAMPLES["withdrawal"]


def test_a_failure_on_the_hot_path_is_a_500_as_the_middleware_gives(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _, key = create_api_key(conn, "backend", {"decisions"}, actor="test")
    with TestClient(create_app(settings, sqlite_store), raise_server_exceptions=False) as test_client:
        with sqlite_store.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE decisions"))  # the store breaks under the running service
        response = test_client.post("/v1/decisions", json=EXAMPLES["login"], headers={"X-API-Key": key})
        assert response.status_code == 500 and response.text == "Internal Server Error"
        assert test_client.get("/v1/decisions/x", headers={"X-API-Key": key}).status_code == 500


def test_refusals_match_the_fastapi_routes(client: tuple[TestClient, dict[str, str]]) -> None:
    test_client, keys = client
    for headers in ({}, {"X-API-Key": "wk_not-a-key"}, {"Authorization": "Bearer wk_not-a-key"}):
        plain = test_client.post("/v1/decisions", json=EXAMPLES["login"], headers=headers)
        fastapi = test_client.get("/v1/decisions/x", headers=headers)  # the same check as a FastAPI dependency
        assert plain.status_code == fastapi.status_code == 401
        assert plain.json() == fastapi.json() and plain.headers["www-authenticate"] == "Bearer"
    other = {"X-API-Key": keys["other"]}
    plain = test_client.post("/v1/decisions", json=EXAMPLES["login"], headers=other)
    assert plain.status_code == 403 and plain.json() == test_client.get("/v1/decisions/x", headers=other).json()
    assert plain.json()["detail"] == "this API key lacks the scope 'decisions'"


def test_bad_events_get_every_field_path_and_nothing_is_stored(
    client: tuple[TestClient, dict[str, str]], sqlite_store: Store
) -> None:
    test_client, keys = client
    headers = {"X-API-Key": keys["decide"], "Content-Type": "application/json"}
    bad = EXAMPLES["withdrawal"] | {"amount": 12.5, "to_address": None}
    response = test_client.post("/v1/decisions", json=bad, headers=headers)
    assert response.status_code == 422
    assert sorted(d["loc"] for d in response.json()["detail"]) == [["body", "amount"], ["body", "to_address"]]
    broken = test_client.post("/v1/decisions", content=b'{"type": "login",', headers=headers)
    assert broken.status_code == 422 and broken.json()["detail"][0]["type"] == "json_invalid"
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() == 0


def test_the_lifespan_widens_the_young_generation_and_restores_it(settings: Settings, sqlite_store: Store) -> None:
    before = gc.get_threshold()
    with TestClient(create_app(settings, sqlite_store)):
        assert gc.get_threshold() == (collector.YOUNG, collector.MIDDLE, collector.FULL)
    assert gc.get_threshold() == before


def test_record_json_is_the_same_bytes_as_the_dict_it_describes(settings: Settings) -> None:
    # orjson writes the dataclass directly; the record's bytes must not change (stored records, API answers).
    engine = build_engine(settings)
    sim = simulate(SimConfig(customers=150, days=10, seed=21))
    events = sorted((EVENT_ADAPTER.validate_json(line) for line in sim.lines), key=lambda e: e.occurred_at)
    decided = [engine.decide(event) for event in events]
    assert any(d.rule_hits for d in decided) and any(d.model for d in decided)
    for decision in decided:
        expected = orjson.dumps(decision.to_dict(), option=orjson.OPT_NON_STR_KEYS, default=str).decode()
        assert decision.to_json() == expected


def _row(event_id: str) -> dict[str, object]:
    now = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    return {
        "event_id": event_id,
        "customer_id": "c1",
        "event_type": "login",
        "occurred_at": now,
        "decided_at": now,
        "outcome": "allow",
        "score": 0.0,
        "latency_ms": 0.1,
        "ruleset_version": "starter@1",
        "model_version": None,
        "degraded": None,
        "record": orjson.dumps({"event_id": event_id}).decode(),
    }


@pytest.mark.anyio
async def test_writer_tells_new_from_already_decided(store: Store) -> None:
    writer = GroupCommitWriter(store.engine, decisions, "event_id")
    try:
        first = await asyncio.gather(writer.submit(_row("e1")), writer.submit(_row("e2")), writer.submit(_row("e1")))
        assert first == [True, True, False]
        assert await writer.submit(_row("e2")) is False
    finally:
        writer.close()
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(decisions.c.event_id, decisions.c.occurred_at)).all()
    assert sorted(e for e, _ in stored) == ["e1", "e2"]
    assert stored[0][1].replace(tzinfo=None) == datetime(2026, 3, 1, 12, 0, 0, 123456)


@pytest.mark.anyio
async def test_writer_keeps_the_loop_running_while_another_worker_holds_the_lock(sqlite_store: Store) -> None:
    other_worker = sqlite3.connect(sqlite_store.engine.url.database or "", isolation_level=None)
    other_worker.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock, as the other worker's commit does
    writer = GroupCommitWriter(sqlite_store.engine, decisions, "event_id", linger_seconds=0.001, retry_seconds=0.001)
    try:
        pending = writer.submit(_row("locked-out"))
        ticks = 0
        for _ in range(20):  # the loop goes on serving while the write waits for the lock
            await asyncio.sleep(0.002)
            ticks += 1
        assert ticks == 20 and not pending.done()
        other_worker.execute("COMMIT")
        assert await asyncio.wait_for(pending, 5) is True
        assert writer.busy_retries > 0
    finally:
        writer.close()
        other_worker.close()
    with sqlite_store.engine.connect() as conn:  # the pooled connection got its busy timeout back
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 10000


def test_writers_of_one_file_take_turns_instead_of_meeting_sqlites_lock(sqlite_store: Store) -> None:
    other_writer = WriteTurn(sqlite_store.engine.url.database)
    other_writer.__enter__()  # another worker's writer, between its insert and its commit
    outcome: dict[str, object] = {}

    async def decide_one() -> None:
        writer = GroupCommitWriter(sqlite_store.engine, decisions, "event_id")
        try:
            outcome["new"] = await writer.submit(_row("after-my-turn"))
            outcome["busy_retries"] = writer.busy_retries
        finally:
            writer.close()

    worker = threading.Thread(target=asyncio.run, args=(decide_one(),))
    worker.start()
    try:
        worker.join(0.3)
        assert worker.is_alive() and not outcome  # waiting for its turn, not committing around it
        with sqlite_store.engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() == 0
    finally:
        other_writer.__exit__()
        other_writer.close()
    worker.join(5)
    assert outcome == {"new": True, "busy_retries": 0}  # it never met SQLite's lock: no batch was parked


@pytest.mark.anyio
async def test_writer_gives_up_after_its_timeout_and_stores_nothing(sqlite_store: Store) -> None:
    other_worker = sqlite3.connect(sqlite_store.engine.url.database or "", isolation_level=None)
    other_worker.execute("BEGIN IMMEDIATE")
    writer = GroupCommitWriter(
        sqlite_store.engine, decisions, "event_id", linger_seconds=0.001, busy_timeout_seconds=0.05
    )
    try:
        with pytest.raises(sqlite3.OperationalError):
            await asyncio.wait_for(asyncio.gather(writer.submit(_row("a")), writer.submit(_row("b"))), 5)
    finally:
        other_worker.execute("ROLLBACK")
        other_worker.close()
        writer.close()
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() == 0


@pytest.mark.anyio
async def test_checkpoints_run_on_their_own_thread_not_in_the_writers_commits(sqlite_store: Store) -> None:
    database = sqlite_store.engine.url.database or ""
    writer = GroupCommitWriter(sqlite_store.engine, decisions, "event_id")
    try:
        assert await writer.submit(_row("first")) is True
        checkpointer = writer._checkpointer
        assert checkpointer is not None
        checkpointer.close()  # stopped: from here on nothing copies the log back but this test
        size = os.path.getsize(database)
        assert all(await asyncio.gather(*(writer.submit(_row(f"e{i}")) for i in range(300))))
        assert os.path.getsize(database) == size  # the commits left the log alone (autocheckpoint off)
        restarted = WalCheckpointer(sqlite_store.engine, every_seconds=0.01).start()
        for _ in range(500):
            if restarted.checkpoints:
                break
            await asyncio.sleep(0.01)
        restarted.close()
        assert os.path.getsize(database) > size  # the thread's checkpoint copied the pages back
        log_size = os.path.getsize(f"{database}-wal")
        assert all(await asyncio.gather(*(writer.submit(_row(f"f{i}")) for i in range(300))))
        assert os.path.getsize(f"{database}-wal") == log_size  # the log started over instead of growing
    finally:
        writer.close()
    with sqlite_store.engine.connect() as conn:  # the pooled connection got its automatic checkpoints back
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 10000
        assert conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one() == 601


@pytest.mark.anyio
async def test_a_writer_closed_with_records_waiting_fails_them_and_reopens_nothing(sqlite_store: Store) -> None:
    writer = GroupCommitWriter(sqlite_store.engine, decisions, "event_id")
    waiting = writer.submit(_row("too-late"))
    writer.close()  # before the loop's next turn, when the commit would have run
    with pytest.raises(RuntimeError, match="closed"):
        await asyncio.wait_for(waiting, 5)
    assert writer._conn is None and writer._checkpointer is None


def test_the_features_read_decide_as_the_whole_snapshot(settings: Settings) -> None:
    """The engine computes only the features some rule or the model reads on the event's type, and none where
    nothing is read (the starter pack's trades); a replay through the plain path, every feature for every
    event, decides every event the same, and each record carries every feature read, with the plain values."""
    lines = simulate(SimConfig(customers=150, days=4, seed=4)).lines
    events = sorted((EVENT_ADAPTER.validate_json(line) for line in lines), key=lambda e: e.occurred_at)
    fast, plain = build_engine(settings), build_engine(settings)
    plain.snapshot_every_event = True
    assert fast.model is not None
    skipped = subset = 0
    for event in events:
        a, b = fast.decide(event), plain.decide(event)
        assert (a.outcome, a.score, a.reasons, a.rule_hits) == (b.outcome, b.score, b.reasons, b.rule_hits)
        assert a.model == b.model and a.shadow == b.shadow
        read = fast.ruleset.fields_read(event.type) & FEATURES.keys()
        if event.type in fast.model.event_types:
            read |= set(fast.model.features)  # type: ignore[attr-defined]
        assert read <= a.features.keys()
        assert a.features == {name: b.features[name] for name in a.features}
        skipped += not a.features
        subset += 0 < len(a.features) < len(b.features)
    assert skipped > len(events) / 4  # trades are most of an exchange's events
    assert subset > len(events) / 4  # logins read a few features


def test_a_shadow_rulesets_features_are_computed_and_recorded(settings: Settings) -> None:
    """A feature only the shadow ruleset reads is still computed, so its verdict is the plain path's."""
    shadow_rules = """
name: shadow
version: "1"
rules:
  - id: deposits_in_a_week
    version: 1
    event_types: [login]
    condition: customer_deposit_count_7d >= 1
    outcome: review
    score: 1
    reason: "{customer_deposit_count_7d} deposits in 7 days"
"""
    path = settings.data_dir / "shadow.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(shadow_rules)
    lines = simulate(SimConfig(customers=150, days=3, seed=5)).lines
    events = sorted((EVENT_ADAPTER.validate_json(line) for line in lines), key=lambda e: e.occurred_at)
    fast, plain = build_engine(settings), build_engine(settings)
    fast.shadow = plain.shadow = load_ruleset(path)
    plain.snapshot_every_event = True
    shadow_hits = 0
    for event in events:
        a, b = fast.decide(event), plain.decide(event)
        assert a.shadow == b.shadow and a.outcome == b.outcome
        if event.type == "login":
            assert a.features["customer_deposit_count_7d"] == b.features["customer_deposit_count_7d"]
            shadow_hits += bool(a.shadow and a.shadow["rules"])
    assert shadow_hits > 0
