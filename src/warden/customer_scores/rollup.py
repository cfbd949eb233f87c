"""Each customer's highest decision score, rolled up beside the decisions instead of indexed inside them.

The fund-flow graph colours customers by the highest score their decisions reached. An index of the decisions
by customer answered that, and cost the hot path dearly on SQLite: every group commit rewrote one random page
of it per decision and every checkpoint copied those pages back (`warden bench decisions`: ~60 µs of server
CPU a decision, 5,600 against 7,100 decisions/s without it). So the scores are rolled up in batches:

- `customer_scores` holds per customer the highest score and the newest decision rolled up so far, and
  `rollup_marks` how far (by `decided_at`) the rollup has read the decisions;
- `refresh` rolls up the decisions after the mark up to `SETTLE_SECONDS` ago and moves the mark there. Each
  API worker runs it every 2 s on a thread (`ScoreRollup`, started by `RollupOnCommit` with the decision
  writer);
- a decision committed after the mark has passed its `decided_at` would be missed, so every path that stores
  decisions (the API's group commit and batch inserts alike) tells `RollupOnCommit` of its new rows, which
  rolls them up in the same transaction whenever the batch commits more than `LATE_SECONDS` after it was
  decided (after waiting on a lock, or a replay of last month);
- `max_scores` reads the rollup and the decisions after the mark, so it is exact at any moment.

Every step keeps maxima, so a step run twice, or by two workers at once, changes nothing.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from warden.decisions.tables import decisions
from warden.logging import get_logger
from warden.store.group_commit import sqlite_time

log = get_logger(__name__)

MARK = "customer_scores"
SETTLE_SECONDS = 5.0  # the mark stays this far behind the clock, so in-flight commits land after it
LATE_SECONDS = 1.0  # a batch decided longer ago than this rolls itself up (well inside SETTLE_SECONDS)
CHUNK = 500  # customers per transaction of the thread's refresh: SQLite's write lock is held briefly

ScoreRow = tuple[str, float, Any]  # customer_id, highest score, newest decided_at (as the driver stores it)


_COLUMNS = [c.name for c in decisions.columns]
_CUSTOMER, _SCORE, _DECIDED = (_COLUMNS.index(name) for name in ("customer_id", "score", "decided_at"))


def stored_time(moment: datetime, sqlite: bool) -> Any:
    """A UTC time as the driver compares it with stored ones: SQLAlchemy's SQLite format is naive text."""
    return sqlite_time(moment) if sqlite else moment


def _words(dialect: str) -> tuple[str, str]:
    """The driver's placeholder and the two-argument maximum, in the dialect's SQL."""
    return ("%s", "GREATEST") if dialect == "postgresql" else ("?", "max")


def merge_sql(dialect: str) -> str:
    """Raise each customer's rollup to the given maxima (driver SQL: the writer runs it on its raw connection)."""
    mark, greatest = _words(dialect)
    return (
        f"INSERT INTO customer_scores (customer_id, max_score, last_decided_at) VALUES ({mark}, {mark}, {mark}) "
        "ON CONFLICT (customer_id) DO UPDATE SET "
        f"max_score = {greatest}(customer_scores.max_score, excluded.max_score), "
        f"last_decided_at = {greatest}(customer_scores.last_decided_at, excluded.last_decided_at)"
    )


def _mark_sql(dialect: str) -> str:
    mark, greatest = _words(dialect)
    return (
        f"INSERT INTO rollup_marks (name, upto) VALUES ({mark}, {mark}) "
        f"ON CONFLICT (name) DO UPDATE SET upto = {greatest}(rollup_marks.upto, excluded.upto)"
    )


def highest(rows: Iterable[tuple[str, float, Any]]) -> list[ScoreRow]:
    """Per customer, the highest score and newest decided_at of the given decision rows."""
    best: dict[str, list[Any]] = {}
    for customer, score, decided in rows:
        seen = best.get(customer)
        if seen is None:
            best[customer] = [score, decided]
        else:
            seen[0], seen[1] = max(seen[0], score), max(seen[1], decided)
    return [(customer, score, decided) for customer, (score, decided) in best.items()]


def merge(conn: sa.Connection, rows: Sequence[ScoreRow]) -> None:
    if rows:
        conn.exec_driver_sql(merge_sql(conn.dialect.name), list(rows))


def read_mark(conn: sa.Connection) -> Any:
    """How far the rollup has read (as stored), None before the first refresh of a store with decisions."""
    mark, _ = _words(conn.dialect.name)
    return conn.exec_driver_sql(f"SELECT upto FROM rollup_marks WHERE name = {mark}", (MARK,)).scalar()


def _settled(conn: sa.Connection, now: datetime | None) -> Any:
    moment = (now or datetime.now(UTC)) - timedelta(seconds=SETTLE_SECONDS)
    return stored_time(moment, conn.dialect.name == "sqlite")


def pending_sql(dialect: str, after_mark: bool) -> str:
    """Per customer, the maxima of the decisions up to a time, after the mark when there is one."""
    mark, _ = _words(dialect)
    after = f"decided_at > {mark} AND " if after_mark else ""
    return (
        "SELECT customer_id, max(score), max(decided_at) FROM decisions "
        f"WHERE {after}decided_at <= {mark} GROUP BY customer_id"
    )


def _pending(conn: sa.Connection, mark: Any, upto: Any) -> list[Any]:
    """Per customer, the maxima of the decisions in (mark, upto] (all up to `upto` before the first mark)."""
    cursor = conn.connection.cursor()  # the driver's rows as they are, passed back to it by `merge`
    try:
        cursor.execute(pending_sql(conn.dialect.name, mark is not None), (upto,) if mark is None else (mark, upto))
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _move_mark(conn: sa.Connection, upto: Any) -> None:
    conn.exec_driver_sql(_mark_sql(conn.dialect.name), (MARK, upto))


def refresh(conn: sa.Connection, now: datetime | None = None) -> int:
    """Roll up the settled decisions after the mark in the caller's transaction; the customers updated."""
    upto = _settled(conn, now)
    rows = _pending(conn, read_mark(conn), upto)
    merge(conn, rows)
    _move_mark(conn, upto)
    return len(rows)


def max_scores(conn: sa.Connection, customer_ids: Sequence[str]) -> dict[str, float]:
    """The highest decision score of each given customer that has decisions: the rollup and what follows it."""
    if not customer_ids:
        return {}
    wanted = list(customer_ids)
    rolled = sa.text("SELECT customer_id, max_score FROM customer_scores WHERE customer_id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True)
    )
    best = {str(c): float(s) for c, s in conn.execute(rolled, {"ids": wanted})}
    mark = read_mark(conn)
    params: dict[str, Any] = {"ids": wanted} | ({} if mark is None else {"mark": mark})
    recent = sa.text(
        "SELECT customer_id, max(score) FROM decisions WHERE customer_id IN :ids"
        + ("" if mark is None else " AND decided_at > :mark")
        + " GROUP BY customer_id"
    ).bindparams(sa.bindparam("ids", expanding=True))
    for customer, score in conn.execute(recent, params):
        best[str(customer)] = max(best.get(str(customer), float(score)), float(score))
    return best


class ScoreRollup:
    """`refresh` every `every_seconds` on a thread of its own: the read outside any transaction, then the merge
    in short ones (see CHUNK).

    Each worker of a server runs one, started at a random point of the interval: a worker that finds the mark
    moved by the other since its last turn skips its own, so one of them does the work.
    """

    def __init__(self, engine: sa.Engine, every_seconds: float = 2.0) -> None:
        self.engine = engine
        self.every = every_seconds
        self.refreshes = 0  # completed refreshes, for tests and curiosity
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warden-score-rollup", daemon=True)

    def start(self) -> ScoreRollup:
        self._thread.start()
        return self

    def run_once(self, now: datetime | None = None) -> int:
        """One refresh; the customers updated (0 as well when another worker had just refreshed)."""
        now = now or datetime.now(UTC)
        with self.engine.connect() as conn:
            mark, upto = read_mark(conn), _settled(conn, now)
            if mark is not None and mark >= _settled(conn, now - timedelta(seconds=self.every / 2)):
                return 0
            rows = _pending(conn, mark, upto)
            conn.rollback()  # the read's snapshot ends here (SQLite's WAL would otherwise be pinned)
        for start in range(0, len(rows), CHUNK):
            with self.engine.begin() as conn:
                merge(conn, rows[start : start + CHUNK])
        with self.engine.begin() as conn:  # last: a refresh cut short is simply done again
            _move_mark(conn, upto)
        self.refreshes += 1
        return len(rows)

    def _run(self) -> None:
        if self._stop.wait(random.uniform(0, self.every)):
            return
        while True:
            try:
                self.run_once()
            except sa.exc.SQLAlchemyError as exc:  # the database is busy or away: next time
                log.warning("customer score rollup skipped", error=str(exc))
            if self._stop.wait(self.every):
                return

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


class RollupOnCommit:
    """What the rollup needs from every path that stores decisions (a `store.group_commit.CommitListener`):
    the rollup thread while a writer is open (`every_seconds`; None for batch inserts, which start none), and
    the late rows of each batch merged in the batch's own transaction."""

    def __init__(self, dialect: str, every_seconds: float | None = 2.0) -> None:
        self.every = every_seconds
        self.rollup: ScoreRollup | None = None
        self._merge_sql = merge_sql(dialect)
        self._sqlite = dialect == "sqlite"

    def open(self, engine: sa.Engine) -> None:
        if self.every is not None and self.rollup is None:
            self.rollup = ScoreRollup(engine, self.every).start()

    def stored(self, conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        """Merge the decision rows (column order, driver values) when the oldest was decided `LATE_SECONDS`
        or more ago: the mark may have passed it."""
        if not rows or not self._late(min(row[_DECIDED] for row in rows)):
            return
        cursor = conn.cursor()
        try:
            cursor.executemany(self._merge_sql, highest((r[_CUSTOMER], r[_SCORE], r[_DECIDED]) for r in rows))
        finally:
            cursor.close()

    def _late(self, decided: Any) -> bool:
        if isinstance(decided, str):  # SQLite's naive UTC text
            decided = datetime.fromisoformat(decided).replace(tzinfo=UTC)
        return bool(datetime.now(UTC) - decided > timedelta(seconds=LATE_SECONDS))

    def close(self) -> None:
        if self.rollup is not None:
            self.rollup.close()
            self.rollup = None
