"""Group commit for decision records: many requests share one transaction, none is answered before its
record is committed, so a crash cannot lose an answered decision."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import sqlalchemy as sa

Row = dict[str, Any]
InsertMany = Callable[[sa.Connection, list[Row]], list[bool]]


class GroupCommitWriter:
    def __init__(self, engine: sa.Engine, insert_many: InsertMany, max_batch: int = 512) -> None:
        self.engine = engine
        self.insert_many = insert_many
        self.max_batch = max_batch
        self._queue: queue.Queue[tuple[Row, Future[bool]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="decision-writer", daemon=True)
        self._thread.start()

    def submit(self, row: Row) -> Future[bool]:
        """The future completes once the row is committed: True if it was new, False if already stored."""
        done: Future[bool] = Future()
        self._queue.put((row, done))
        return done

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            # Take whatever queued up while the last commit ran: the batch grows with the load.
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._commit(batch)
                    return
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[tuple[Row, Future[bool]]]) -> None:
        try:
            with self.engine.begin() as conn:
                inserted = self.insert_many(conn, [row for row, _ in batch])
        except Exception as exc:  # every waiting request learns that its record was not stored
            for _, done in batch:
                done.set_exception(exc)
            return
        for (_, done), new in zip(batch, inserted, strict=True):
            done.set_result(new)
