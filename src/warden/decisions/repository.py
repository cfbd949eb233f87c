"""Decision records in the store."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from warden.decisions.tables import decisions
from warden.store.group_commit import CommitListener, GroupCommitWriter, sqlite_time

# PostgreSQL allows at most 65,535 bound parameters in one statement; the IN (...) look-up binds one per row.
INSERT_CHUNK = 10_000


def decision_writer(engine: sa.Engine, listeners: Sequence[CommitListener] = ()) -> GroupCommitWriter:
    """The API's group-commit writer of decision records (idempotent on event_id)."""
    return GroupCommitWriter(engine, decisions, "event_id", listeners)


def insert_decisions(
    conn: sa.Connection, rows: list[dict[str, Any]], listeners: Sequence[CommitListener] = ()
) -> list[bool]:
    """Insert each row unless its event already has a decision; returns which rows were new.

    The listeners (what is kept beside the decisions, like the customer score rollup) hear of the new rows in
    the same transaction, as they do from the API's group-commit writer."""
    inserted = [
        new
        for start in range(0, len(rows), INSERT_CHUNK)
        for new in _insert_chunk(conn, rows[start : start + INSERT_CHUNK])
    ]
    if listeners:
        new_rows = [
            _driver_row(row, conn.dialect.name == "sqlite") for row, new in zip(rows, inserted, strict=True) if new
        ]
        for listener in listeners:
            listener.stored(conn.connection, new_rows)
    return inserted


_COLUMNS = [c.name for c in decisions.columns]
_DATETIMES = {c.name for c in decisions.columns if isinstance(c.type, sa.DateTime)}


def _driver_row(row: dict[str, Any], sqlite: bool) -> tuple[Any, ...]:
    """A row as the group-commit writer hands it to listeners: column order, SQLite's times as its text."""
    return tuple(sqlite_time(row[c]) if sqlite and c in _DATETIMES else row.get(c) for c in _COLUMNS)


def _insert_chunk(conn: sa.Connection, rows: list[dict[str, Any]]) -> list[bool]:
    ids = [row["event_id"] for row in rows]
    known = set(conn.execute(sa.select(decisions.c.event_id).where(decisions.c.event_id.in_(ids))).scalars())
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["event_id"] not in known:
            fresh.setdefault(row["event_id"], row)
    if fresh:
        # DO NOTHING covers another process inserting the same event between the SELECT and here.
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(
            dialect.insert(decisions).on_conflict_do_nothing(index_elements=["event_id"]), list(fresh.values())
        )
    return [fresh.get(row["event_id"]) is row for row in rows]


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


class DecisionLookup:
    """Fast reads of stored decisions for the API's hot path: one raw driver connection per thread.

    Through SQLAlchemy a primary-key read cost about 160 µs (pool checkout, reset, compilation); on the
    driver's own connection it costs a few µs, and it is done on every request for idempotency. A connection
    that fails (the database restarted, the backend was terminated) is dropped and the read tried once more on a
    new one, so a dropped database costs one failed read per thread at most, not every read after it.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._local = threading.local()
        placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._sql = f"SELECT record, event_sha256, event FROM decisions WHERE event_id = {placeholder}"

    def _cursor(self) -> Any:
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            conn = self.engine.raw_connection()
            if self.engine.dialect.name == "postgresql":
                conn.driver_connection.autocommit = True  # type: ignore[union-attr]  # reads hold no transaction
            # The driver's own cursor, kept: SQLAlchemy's pool proxy cost more than the read itself.
            cursor = conn.driver_connection.cursor()  # type: ignore[union-attr]
            self._local.conn, self._local.cursor = conn, cursor
        return cursor

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = self._local.cursor = None
        if conn is not None:
            with contextlib.suppress(Exception):  # it is broken already; nothing more to release
                conn.invalidate()  # a broken connection must not go back to the pool

    def get_row(self, event_id: str) -> tuple[bytes, str | None, str | None] | None:
        """The stored record (JSON bytes), the body's digest and the body, or None."""
        for attempt in (1, 2):
            try:
                cursor = self._cursor()
                cursor.execute(self._sql, (event_id,))
                rows = cursor.fetchall()  # to the end: a statement left open would pin SQLite's WAL snapshot
                break
            except Exception:
                self._drop()
                if attempt == 2:
                    raise
        if not rows:
            return None
        record, digest, body = rows[0]
        return record.encode(), digest, body

    def get_json(self, event_id: str) -> bytes | None:
        row = self.get_row(event_id)
        return None if row is None else row[0]
