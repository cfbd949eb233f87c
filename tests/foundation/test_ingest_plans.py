"""Ingest on PostgreSQL plans its known-id look-up for each batch, never once for an empty table.

A generic plan, made while a file's first batches went into an empty table, stays a sequential scan for the
rest of the transaction: each batch then scans every row stored before it (1M events: over half an hour).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from warden.events.examples import EXAMPLES
from warden.events.ingest import Ingestor, plan_each_lookup
from warden.events.repository import EVENT_COLUMNS, stored_payloads
from warden.settings import Settings
from warden.store.db import Store


def _generic_plans_of_the_lookup(conn: sa.Connection) -> tuple[int, int]:
    row = conn.execute(
        sa.text(
            "SELECT coalesce(sum(generic_plans), 0), coalesce(sum(custom_plans), 0) FROM pg_prepared_statements "
            "WHERE statement LIKE '%events.payload%'"
        )
    ).one()
    return int(row[0]), int(row[1])


def _batch_like_ingest(conn: sa.Connection) -> None:
    """What a file's first two batches do: look-ups on the empty table, 10k rows stored, look-ups again."""
    for chunk in range(40):
        stored_payloads(conn, [f"x{chunk}-{i}" for i in range(500)])
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    payload = '{"note": "' + "x" * 250 + '"}'
    rows = [(f"e{i:08d}", "login", f"c{i % 100}", stamp, None, payload, None) for i in range(10_000)]
    conn.exec_driver_sql(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join(['%s'] * 7)})", rows)
    for chunk in range(10):
        stored_payloads(conn, [f"y{chunk}-{i}" for i in range(500)])


def test_the_known_id_lookup_gets_a_plan_per_batch(postgres_store: Store) -> None:
    engine = postgres_store.engine
    with engine.connect() as conn:
        _batch_like_ingest(conn)  # control: without the setting the server settles on one generic plan
        generic, _ = _generic_plans_of_the_lookup(conn)
        conn.rollback()
        assert generic > 0
    engine.dispose()  # fresh connections, so no statement prepared above is reused
    with engine.connect() as conn, conn.begin():
        plan_each_lookup(conn)
        _batch_like_ingest(conn)
        generic, custom = _generic_plans_of_the_lookup(conn)
        assert (generic, custom) == (0, 45)  # prepared on its fifth run, planned for itself on every run after
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
    with engine.connect() as conn:  # SET LOCAL: it ends with the ingest's transaction
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"


def test_multi_batch_ingest_on_postgresql_stores_every_event_once(
    postgres_store: Store, settings: Settings, tmp_path: Path, monkeypatch: object
) -> None:
    import warden.events.ingest as ingest

    monkeypatch.setattr(ingest, "BATCH_SIZE", 40)  # type: ignore[attr-defined]
    base = EXAMPLES["login"]
    lines = [json.dumps(dict(base) | {"event_id": f"l{i:04d}"}) for i in range(300)]
    source = tmp_path / "events.jsonl"
    source.write_text("\n".join(lines + lines[:50]) + "\n")  # the re-sent ones land in later batches
    summary = Ingestor(postgres_store, settings.parquet_dir).ingest([source])
    assert (summary.total("stored"), summary.total("duplicates"), summary.total("rejected")) == (300, 50, 0)
    with postgres_store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM events").scalar() == 300
