"""A group commit under faults: one bad row fails alone (its neighbours are stored and answered), and a
connection the database dropped is replaced (nothing waits for ever, the next commits succeed)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from warden.decisions.repository import DecisionLookup, decision_writer
from warden.decisions.tables import decisions
from warden.store.db import Store


def _row(event_id: str, customer: Any = "cus-1") -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "event_id": event_id,
        "customer_id": customer,
        "event_type": "withdrawal",
        "occurred_at": now,
        "decided_at": now,
        "outcome": "allow",
        "score": 1.0,
        "latency_ms": 0.5,
        "ruleset_version": "starter@1",
        "model_version": None,
        "degraded": None,
        "record": f'{{"event_id": "{event_id}"}}',
    }


def _stored(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(decisions.c.event_id)).scalars())


async def _submit_together(store: Store, rows: list[dict[str, Any]]) -> list[Any]:
    writer = decision_writer(store.engine)
    try:  # submitted in one turn of the loop: one batch
        return await asyncio.gather(*(writer.submit(r) for r in rows), return_exceptions=True)
    finally:
        writer.close()


@pytest.mark.anyio
async def test_one_bad_row_fails_alone(store: Store) -> None:
    rows = [_row(f"e{i}") for i in range(15)]
    rows.insert(7, _row("bad", customer=object()))  # a value neither driver can bind
    results = await _submit_together(store, rows)
    assert isinstance(results[7], Exception)
    assert results[:7] + results[8:] == [True] * 15
    assert _stored(store) == {f"e{i}" for i in range(15)}


@pytest.mark.anyio
async def test_a_nul_refused_by_postgresql_fails_alone(postgres_store: Store) -> None:
    rows = [_row(f"e{i}") for i in range(15)] + [_row("nul", customer="cus-\x00")]
    results = await _submit_together(postgres_store, rows)
    assert isinstance(results[-1], Exception) and results[:-1] == [True] * 15
    assert len(_stored(postgres_store)) == 15


def _terminate_others(store: Store) -> int:
    """pg_terminate_backend on every other connection to this database (what a failover or an admin does)."""
    with store.engine.connect() as conn:
        ended = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    return int(ended)


@pytest.mark.anyio
async def test_the_writer_and_the_lookup_reconnect_after_the_backend_is_terminated(postgres_store: Store) -> None:
    writer = decision_writer(postgres_store.engine)
    lookup = DecisionLookup(postgres_store.engine)
    try:
        assert await writer.submit(_row("before")) is True
        assert lookup.get_json("before") is not None
        assert _terminate_others(postgres_store) >= 2
        # every later request succeeds: the dead connections are replaced, none is left waiting
        results = await asyncio.wait_for(asyncio.gather(*(writer.submit(_row(f"after{i}")) for i in range(5))), 10)
        assert results == [True] * 5
        assert lookup.get_json("after0") is not None
        assert writer.reconnects >= 1
    finally:
        writer.close()
