"""The events repository: idempotent inserts and the counts the console shows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from warden.events.search_terms import index_event_rows
from warden.events.tables import events

_IN_CHUNK = 500


def existing_ids(conn: sa.Connection, event_ids: Iterable[str]) -> set[str]:
    ids = list(event_ids)
    found: set[str] = set()
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        found.update(conn.execute(sa.select(events.c.event_id).where(events.c.event_id.in_(chunk))).scalars())
    return found


def stored_payloads(conn: sa.Connection, event_ids: Iterable[str]) -> dict[str, str]:
    """The stored payload of each of these events that is stored (to tell a re-sent event from a conflict)."""
    ids = list(event_ids)
    found: dict[str, str] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        query = sa.select(events.c.event_id, events.c.payload).where(events.c.event_id.in_(chunk))
        found.update((str(event_id), str(payload)) for event_id, payload in conn.execute(query))
    return found


EVENT_COLUMNS = ("event_id", "type", "customer_id", "occurred_at", "amount_usd", "payload", "ingest_run_id")
_INSERT = f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(EVENT_COLUMNS))})"


def insert_events(conn: sa.Connection, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows (tuples in EVENT_COLUMNS order) already known to be new (see `existing_ids`).

    Goes straight to the driver's executemany: on bulk ingest SQLAlchemy's per-row parameter
    processing costs more than the insert itself.
    """
    if not rows:
        return
    placeholder = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    conn.exec_driver_sql(_INSERT.replace("%s", placeholder), rows)
    index_event_rows(conn, rows)  # the search box's terms, in the same transaction


def count_by_type(conn: sa.Connection) -> dict[str, int]:
    rows = conn.execute(sa.select(events.c.type, sa.func.count()).group_by(events.c.type))
    return {row[0]: int(row[1]) for row in rows}
