"""Group commit for decision records on the event loop: the requests handled in the same turn of the loop share
one transaction, and none is answered before its record is committed, so a crash cannot lose an answered
decision.

It runs on the event loop rather than a thread on purpose: a writer thread fought the request path for the
GIL and made each request wait milliseconds; a batch commit of SQLite's costs well under a millisecond.

On SQLite the workers of one server take turns at the file's write lock. Waiting for it inside SQLite
(busy_timeout) would stop this worker's event loop for a millisecond or more each time; instead the writer
asks once, and when the other worker holds the lock it keeps the batch and tries again a moment later while
the loop goes on deciding (the batch grows meanwhile, which makes the next commit cheaper per record).

Decision writers of one database file also take turns through a lock file of their own (`WriteTurn`): a
writer waits in the kernel for the other's insert and commit (tens of µs, which never wait themselves) instead
of meeting SQLite's lock and parking its batch for a millisecond. Under `warden bench decisions` the lock
parked each worker's batch about 100 times a second, a tenth of the time, and the worker idled meanwhile.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.decisions import customer_scores
from warden.decisions.checkpoint import WalCheckpointer
from warden.store.tables import decisions

_COLUMNS = [c.name for c in decisions.columns]
_DATETIME_COLUMNS = [i for i, c in enumerate(decisions.columns) if isinstance(c.type, sa.DateTime)]
_SCORE_COLUMNS = [_COLUMNS.index(name) for name in ("customer_id", "score", "decided_at")]


class WriteTurn:
    """An advisory lock file beside an SQLite database that its decision writers hold across insert and commit.

    Held only by writers whose commits never wait (busy_timeout 0), so waiting for it is waiting for one
    commit of another process. Other writers of the file (the console, the CLI) do not take it; when they hold
    SQLite's lock the writer's retry below still applies. Does nothing where there is no file (in memory,
    PostgreSQL).
    """

    def __init__(self, database: str | None) -> None:
        self._fd: int | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            self._fd = os.open(f"{Path(database)}.write-turn", os.O_CREAT | os.O_RDWR, 0o600)

    def __enter__(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _busy(exc: Exception) -> bool:
    """SQLite refused the write lock because another connection holds it."""
    return isinstance(exc, sqlite3.OperationalError) and getattr(exc, "sqlite_errorcode", 0) & 0xFF in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


class GroupCommitWriter:
    def __init__(
        self,
        engine: sa.Engine,
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
        self._pending: list[tuple[tuple[Any, ...], asyncio.Future[bool]]] = []
        self._scheduled = False
        self._closed = False
        self._busy_since: float | None = None
        self._conn: Any = None
        self._restore: dict[str, int] = {}
        self._checkpointer: WalCheckpointer | None = None
        self._rollup: customer_scores.ScoreRollup | None = None
        self.busy_retries = 0  # batches parked because another connection held SQLite's lock
        postgres = engine.dialect.name == "postgresql"
        mark = "%s" if postgres else "?"
        verb, tail = ("INSERT", " ON CONFLICT (event_id) DO NOTHING") if postgres else ("INSERT OR IGNORE", "")
        self._sql = f"{verb} INTO decisions ({', '.join(_COLUMNS)}) VALUES ({', '.join([mark] * len(_COLUMNS))}){tail}"
        self._sqlite = not postgres
        self._turn = WriteTurn(engine.url.database if self._sqlite else None)
        self._merge_sql = customer_scores.merge_sql(engine.dialect.name)

    def submit(self, row: dict[str, Any]) -> asyncio.Future[bool]:
        """Completes once the row is committed: True if it was new, False if the event was already decided."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[bool] = loop.create_future()
        values = [row[c] for c in _COLUMNS]
        if self._sqlite:  # SQLAlchemy's SQLite datetime format
            for i in _DATETIME_COLUMNS:
                values[i] = customer_scores.stored_time(values[i], sqlite=True)
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
                self._checkpointer = WalCheckpointer(self.engine).start()
            self._rollup = customer_scores.ScoreRollup(self.engine).start()
        return self._conn

    def _flush(self) -> None:
        self._scheduled = False
        if self._closed:  # a timer that outlived close(): fail the waiting requests, reopen nothing
            for _, done in self._pending:
                if not done.done():
                    done.set_exception(RuntimeError("the decision writer is closed"))
            self._pending = []
            return
        batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch :]
        if self._pending:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        conn = self._connection()
        try:
            with self._turn:
                rows = [values for values, _ in batch]
                inserted = self._insert(conn, rows)
                if self._late(rows[0]):
                    self._merge_scores(conn, [row for row, new in zip(rows, inserted, strict=True) if new])
                conn.commit()
        except Exception as exc:
            conn.rollback()
            if _busy(exc) and self._wait_for_lock():
                self.busy_retries += 1
                self._pending[:0] = batch
                if not self._scheduled:
                    self._scheduled = True
                    asyncio.get_running_loop().call_later(self.retry, self._flush)
                return
            self._busy_since = None
            for _, done in batch:  # every waiting request learns that its record was not stored
                if not done.done():
                    done.set_exception(exc)
            return
        self._busy_since = None
        for (_, done), new in zip(batch, inserted, strict=True):
            if not done.done():
                done.set_result(new)

    def _insert(self, conn: Any, rows: list[tuple[Any, ...]]) -> list[bool]:
        """Insert the rows in the open transaction; per row, whether it was new (not decided before)."""
        cursor = conn.cursor()
        try:
            cursor.executemany(self._sql, rows)  # the usual case, every event new, in one call
            if cursor.rowcount == len(rows):
                return [True] * len(rows)
            # Some event was decided before. Which one the batch count cannot say: undo and go row by row.
            conn.rollback()
            inserted = []
            for values in rows:
                cursor.execute(self._sql, values)
                inserted.append(cursor.rowcount == 1)
            return inserted
        finally:
            cursor.close()

    def _late(self, oldest: tuple[Any, ...]) -> bool:
        """Whether the batch was decided so long ago that the score rollup may have moved past it."""
        decided = oldest[_SCORE_COLUMNS[2]]
        if isinstance(decided, str):  # SQLite's naive UTC text
            decided = datetime.fromisoformat(decided).replace(tzinfo=UTC)
        return bool(datetime.now(UTC) - decided > timedelta(seconds=customer_scores.LATE_SECONDS))

    def _merge_scores(self, conn: Any, rows: list[tuple[Any, ...]]) -> None:
        """Roll the batch's customer scores up in the batch's transaction (see customer_scores.py)."""
        customer, score, decided = _SCORE_COLUMNS
        cursor = conn.cursor()
        try:
            cursor.executemany(
                self._merge_sql, customer_scores.highest((r[customer], r[score], r[decided]) for r in rows)
            )
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
        if self._rollup is not None:
            self._rollup.close()
            self._rollup = None
        self._turn.close()
        if self._conn is not None:
            cursor = self._conn.cursor()
            for pragma, value in self._restore.items():  # the connection goes back to the pool as it came
                cursor.execute(f"PRAGMA {pragma}={value}")
            cursor.close()
            self._conn.close()
            self._conn = None
