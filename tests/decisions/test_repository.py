"""Decision records in bulk: replay and the demo insert whole files at once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.decisions.repository import INSERT_CHUNK, insert_decisions
from warden.decisions.tables import decisions
from warden.store.db import Store

AT = datetime(2026, 3, 1, tzinfo=UTC)


def _row(n: int) -> dict[str, Any]:
    return {
        "event_id": f"evt-{n}",
        "customer_id": "cus-1",
        "event_type": "withdrawal",
        "occurred_at": AT,
        "decided_at": AT,
        "outcome": "allow",
        "score": 0.0,
        "latency_ms": 1.0,
        "ruleset_version": "test@1",
        "model_version": None,
        "degraded": None,
        "record": "{}",
    }


def test_more_rows_than_one_statement_can_bind_go_in_chunks_and_repeats_stay_out(store: Store) -> None:
    # PostgreSQL refuses statements with over 65,535 parameters; more rows than that must still go in.
    assert INSERT_CHUNK < 65_535
    count = 65_535 + 7
    rows = [_row(n) for n in range(count)]
    rows.append(_row(3))  # the same event again, in a later chunk than its first
    with store.engine.begin() as conn:
        first = insert_decisions(conn, rows)
        stored = conn.execute(sa.select(sa.func.count()).select_from(decisions)).scalar_one()
        again = insert_decisions(conn, rows[:10])
    assert first == [True] * count + [False]
    assert stored == count
    assert again == [False] * 10
