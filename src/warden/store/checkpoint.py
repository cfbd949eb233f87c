"""SQLite WAL checkpoints for the decision writer, on a thread of their own.

SQLite copies the write-ahead log back into the database file (and syncs it) in a checkpoint, which it runs by
itself inside the commit that crosses `wal_autocheckpoint`. On the writer's connection that commit runs on the
event loop: under `warden bench decisions` a checkpoint came every second or so and stopped the worker for
70-120 ms, the run's worst latencies. The writer's connection therefore leaves checkpoints to this thread,
which checkpoints every `every_seconds` (about what the automatic checkpoints did at the bench's rate): first a
passive checkpoint for the bulk, then a RESTART one for the rest, which makes the next write start the log
over. SQLite releases the GIL while it copies, so the event loop goes on deciding meanwhile; writers refused
during the short RESTART try again a millisecond later.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import sqlalchemy as sa

from warden.logging import get_logger

log = get_logger(__name__)


class WalCheckpointer:
    def __init__(self, engine: sa.Engine, every_seconds: float = 1.0) -> None:
        self.engine = engine
        self.every = every_seconds
        self.checkpoints = 0  # completed passive checkpoints, for tests and curiosity
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warden-wal-checkpoint", daemon=True)

    def start(self) -> WalCheckpointer:
        self._thread.start()
        return self

    def _run(self) -> None:
        conn: Any = self.engine.raw_connection()
        try:
            while not self._stop.wait(self.every):
                try:
                    driver = conn.driver_connection
                    driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()  # the bulk, blocking nobody
                    # The rest, holding writers off for a moment (they retry: see writer.py) so the log can start
                    # over: passive checkpoints alone never catch up with a busy writer, and the log grew
                    # without end (460 MB in 15 s).
                    driver.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                    self.checkpoints += 1
                except sqlite3.OperationalError as exc:  # another checkpoint is running: next time
                    log.debug("checkpoint skipped", error=str(exc))
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
