"""Decision records in the store."""

from __future__ import annotations

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from warden.store.tables import decisions


def insert_decisions(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[bool]:
    """Insert each row unless its event already has a decision; returns which rows were new."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(decisions).on_conflict_do_nothing(index_elements=["event_id"])
    return [conn.execute(statement, row).rowcount == 1 for row in rows]


def get_decision(conn: sa.Connection, event_id: str) -> dict[str, Any] | None:
    record = conn.execute(sa.select(decisions.c.record).where(decisions.c.event_id == event_id)).scalar_one_or_none()
    return None if record is None else orjson.loads(record)


def recent_decisions(
    conn: sa.Connection, limit: int = 50, outcome: str | None = None, min_outcome: list[str] | None = None
) -> list[dict[str, Any]]:
    query = sa.select(decisions.c.record).order_by(decisions.c.decided_at.desc()).limit(limit)
    if outcome:
        query = query.where(decisions.c.outcome == outcome)
    if min_outcome:
        query = query.where(decisions.c.outcome.in_(min_outcome))
    return [orjson.loads(r) for r in conn.execute(query).scalars()]


def outcome_counts(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(decisions.c.outcome, sa.func.count()).group_by(decisions.c.outcome))
    return {str(o): int(n) for o, n in rows}
