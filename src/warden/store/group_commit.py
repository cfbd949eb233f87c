"""Group commit on the event loop: the rows submitted in the same turn of the loop share one transaction, and
none is acknowledged before its row is committed, so a crash cannot lose an acknowledged row.

It runs on the event loop rather than a thread on purpose: a writer thread fought the request path for the
GIL and made each request wait milliseconds; a batch commit of SQLite's costs well under a millisecond.

On SQLite the workers of one server take turns at the file's write lock. Waiting for it inside SQLite
(busy_timeout) would stop this worker's event loop for a millisecond or more each time; instead the writer
asks once, and when the other worker holds the lock it keeps the batch and tries again a moment later while
the loop goes on (the batch grows meanwhile, which makes the next commit cheaper per row). Writers of one
file also take turns through a lock file of their own (`store.write_turn.WriteTurn`).

Rows are keyed: a row whose key is already stored is not inserted again, and its submitter learns so.
`CommitListener`s keep something beside the table up to date inside the batch's transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa

from warden.store.checkpoint import WalCheckpointer
from warden.store.write_turn import WriteTurn, sqlite_busy


class CommitListener(Protocol):
    """Kept up to date with the rows a group-commit writer stores (see customer_scores for one)."""

    def open(self, engine: sa.Engine) -> None:
        """The writer opened its connection (start background work here)."""

    def stored(self, conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """The new rows of a batch, in the table's column order as the driver stores them, inside the batch's
        transaction on `conn` (the driver's connection)."""

    def close(self) -> None: ...


def sqlite_time(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite (naive text), for rows written through the driver."""
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds")


def insert_ignoring_sql(table: sa.Table, key: str, dialect: str) -> str:
    """Driver SQL inserting one row of `table` unless its `key` is stored already."""
    columns = [c.name for c in table.columns]
    postgres = dialect == "postgresql"
    mark = "%s" if postgres else "?"
    verb, tail = ("INSERT", f" ON CONFLICT ({key}) DO NOTHING") if postgres else ("INSERT OR IGNORE", "")
    return f"{verb} INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))}){tail}"


class GroupCommitWriter:
    def __init__(
        self,
        engine: sa.Engine,
        table: sa.Table,
        key: str,
        listeners: Sequence[CommitListener] = (),
        max_batch: int = 512,
        linger_seconds: float = 0.0,
        retry_seconds: float = 0.001,
        busy_timeout_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.max_batch = max_batch
        # 0: commit at the loop's next turn. A commit's fixed cost is about one record's (~30 µs on SQLite), and
        # with a few connections per worker the throughput is bound by latency: a 2 ms linger cost more
        # (p50 7-8 ms, fewer decisions/s) than the smaller batches do.
        self.linger = linger_seconds
        self.retry = retry_seconds
        self.busy_timeout = busy_timeout_seconds  # then the waiting requests fail, as SQLite's own timeout would
        self.listeners = list(listeners)
        self._columns = [c.name for c in table.columns]
        self._datetime_columns = [i for i, c in enumerate(table.columns) if isinstance(c.type, sa.DateTime)]
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[bool]]] = []
        self._scheduled = False
        self._closed = False
        self._busy_since: float | None = None
        self._conn: Any = None
        self._restore: dict[str, int] = {}
        self._checkpointer: WalCheckpointer | None = None
        self.busy_retries = 0  # batches parked because another connection held SQLite's lock
        self.isolations = 0  # batches that failed and were tried again row by row
        self.reconnects = 0  # connections thrown away after the database dropped them
        self._listeners_open = False
        self._sqlite = engine.dialect.name == "sqlite"
        self._sql = insert_ignoring_sql(table, key, engine.dialect.name)
        self._turn = WriteTurn(engine.url.database if self._sqlite else None)

    def submit(self, row: dict[str, Any]) -> asyncio.Future[bool]:
        """Completes once the row is committed: True if it was new, False if its key was stored before."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        values: list[Any] = [row.get(c) for c in self._columns]  # a column left out is NULL
        if self._sqlite:  # SQLAlchemy's SQLite datetime format
            for i in self._datetime_columns:
                values[i] = sqlite_time(values[i])
        self._pending.append((tuple(values), done))
        if not self._scheduled:
            self._scheduled = True
            loop.call_later(self.linger, self._flush)
        return done

    def _connection(self) -> Any:
        if self._conn is None:
            self._conn = self.engine.raw_connection()
            if self._sqlite:
                # Never wait on the loop: not for the other worker's lock (see above), nor for a checkpoint,
                # which a thread of its own runs instead (see checkpoint.py).
                cursor = self._conn.cursor()
                for pragma in ("busy_timeout", "wal_autocheckpoint"):
                    self._restore[pragma] = int(cursor.execute(f"PRAGMA {pragma}").fetchone()[0])
                    cursor.execute(f"PRAGMA {pragma}=0")
                cursor.close()
                if self._checkpointer is None:
                    self._checkpointer = WalCheckpointer(self.engine).start()
            if not self._listeners_open:
                self._listeners_open = True
                for listener in self.listeners:
                    listener.open(self.engine)
        return self._conn

    def _rollback(self) -> None:
        """Undo the open transaction; a connection that cannot even do that (the database dropped it) is thrown
        away, and the next commit opens a new one."""
        if self._conn is None:
            return
        try:
            self._conn.rollback()
        except Exception:
            self._discard_connection()

    def _discard_connection(self) -> None:
        conn, self._conn = self._conn, None
        self.reconnects += 1
        with contextlib.suppress(Exception):  # broken already; nothing more to release
            conn.invalidate()  # never back to the pool: it is broken

    def _commit(self, rows: list[tuple[Any, ...]]) -> list[bool]:
        """Insert the rows and commit, in one transaction; per row, whether it was new."""
        conn = self._connection()
        with self._turn:
            inserted = self._insert(conn, rows)
            if self.listeners:
                new_rows = [row for row, new in zip(rows, inserted, strict=True) if new]
                for listener in self.listeners:
                    listener.stored(conn, new_rows)
            conn.commit()
        return inserted

    def _flush(self) -> None:
        self._scheduled = False
        if self._closed:  # a timer that outlived close(): fail the waiting requests, reopen nothing
            for _, done in self._pending:
                if not done.done():
                    done.set_exception(RuntimeError("the writer is closed"))
            self._pending = []
            return
        batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
        if self._pending:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        try:
            inserted = self._commit([values for values, _ in batch])
        except Exception as exc:
            self._rollback()
            if sqlite_busy(exc) and self._wait_for_lock():
                self.busy_retries += 1
                self._pending[:0] = batch
                if not self._scheduled:
                    self._scheduled = True
                    asyncio.get_running_loop().call_later(self.retry, self._flush)
                return
            self._busy_since = None
            self._one_by_one(batch, exc)
            return
        self._busy_since = None
        for (_, done), new in zip(batch, inserted, strict=True):
            if not done.done():
                done.set_result(new)

    def _one_by_one(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[bool]]], error: Exception) -> None:
        """The batch failed: try each row in a transaction of its own, so that one bad row (a NUL that
        PostgreSQL refuses, a value out of range) fails alone, and a connection the database dropped costs no
        row at all (the first row opens a new one). Inserting again is safe: a row committed before the error is
        found stored (not new), and its submitter answers the stored record."""
        self.isolations += 1
        for values, done in batch:
            if done.done():
                continue
            try:
                new = self._commit([values])[0]
            except Exception as exc:
                self._rollback()
                done.set_exception(exc if len(batch) > 1 else error)
            else:
                done.set_result(new)

    def _insert(self, conn: Any, rows: list[tuple[Any, ...]]) -> list[bool]:
        """Insert the rows in the open transaction; per row, whether it was new (its key not stored before)."""
        cursor = conn.cursor()
        try:
            cursor.executemany(self._sql, rows)  # the usual case, every row new, in one call
            if cursor.rowcount == len(rows):
                return [True] * len(rows)
            # Some key was stored before. Which one the batch count cannot say: undo and go row by row.
            conn.rollback()
            inserted = []
            for values in rows:
                cursor.execute(self._sql, values)
                inserted.append(cursor.rowcount == 1)
            return inserted
        finally:
            cursor.close()

    def _wait_for_lock(self) -> bool:
        """Whether to try again (True) or give up, the lock having been busy for longer than the timeout."""
        now = time.monotonic()
        if self._busy_since is None:
            self._busy_since = now
        return now - self._busy_since < self.busy_timeout

    def close(self) -> None:
        self._closed = True
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        for listener in self.listeners:
            listener.close()
        self._turn.close()
        if self._conn is not None:
            try:
                cursor = self._conn.cursor()
                for pragma, value in self._restore.items():  # the connection goes back to the pool as it came
                    cursor.execute(f"PRAGMA {pragma}={value}")
                cursor.close()
                self._conn.close()
            except Exception:
                self._discard_connection()
            self._conn = None
