"""The customer score rollup on both databases: exact at every moment (rollup plus the decisions after its
mark), idempotent, and covering decisions that commit after the mark has passed them: the writer's late
batches and batch inserts of decisions made long before."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from warden.customer_scores import rollup as customer_scores
from warden.customer_scores.rollup import RollupOnCommit, ScoreRollup, max_scores, read_mark
from warden.customer_scores.tables import customer_scores as scores_table
from warden.decisions.repository import decision_writer, insert_decisions
from warden.decisions.tables import decisions
from warden.store.db import _alembic_config, create_engine


def _decision(event_id: str, customer: str, score: float, decided_at: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "customer_id": customer,
        "event_type": "withdrawal",
        "occurred_at": decided_at,
        "decided_at": decided_at,
        "outcome": "allow",
        "score": score,
        "latency_ms": 0.5,
        "ruleset_version": "starter@1",
        "model_version": None,
        "degraded": None,
        "record": "{}",
    }


def _batch(conn: sa.Connection) -> RollupOnCommit:
    """What every batch insert passes: the rollup's listener without a thread."""
    return RollupOnCommit(conn.dialect.name, every_seconds=None)


def _truth(conn: sa.Connection) -> dict[str, float]:
    """The highest score per customer straight from every decision: what the rollup must always answer."""
    rows = conn.execute(sa.select(decisions.c.customer_id, sa.func.max(decisions.c.score)).group_by("customer_id"))
    return {c: float(s) for c, s in rows}


def _rolled(conn: sa.Connection) -> dict[str, float]:
    return {c: float(s) for c, s in conn.execute(sa.select(scores_table.c.customer_id, scores_table.c.max_score))}


def test_scores_are_exact_before_during_and_after_the_rollup(store: Any) -> None:
    now = datetime.now(UTC)
    rows = [  # inserted as the API's writer inserts them: without touching the rollup
        _decision("e1", "c1", 12.0, now - timedelta(minutes=3)),
        _decision("e2", "c1", 40.0, now - timedelta(minutes=2)),
        _decision("e3", "c2", 7.5, now - timedelta(seconds=30)),
        _decision("e4", "c2", 55.0, now - timedelta(seconds=1)),  # not settled yet: stays after the mark
        _decision("e5", "c3", 3.0, now - timedelta(seconds=2)),
    ]
    with store.engine.begin() as conn:
        conn.execute(sa.insert(decisions), rows)
    customers = ["c1", "c2", "c3", "nobody"]
    with store.engine.connect() as conn:
        assert read_mark(conn) is None
        assert max_scores(conn, customers) == _truth(conn) == {"c1": 40.0, "c2": 55.0, "c3": 3.0}

    rollup = ScoreRollup(store.engine)
    assert rollup.run_once(now) == 2  # c1 and c2 have settled decisions; c3's is too recent
    with store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 40.0, "c2": 7.5}
        assert max_scores(conn, customers) == _truth(conn)  # the unsettled 55.0 still counts
    assert rollup.run_once(now) == 0  # the mark is fresh: another worker's turn was enough

    with store.engine.begin() as conn:  # a higher score for c1 arrives after the mark
        conn.execute(sa.insert(decisions), [_decision("e6", "c1", 90.0, now)])
    later = now + timedelta(seconds=10)
    assert rollup.run_once(later) == 3
    assert rollup.run_once(later + timedelta(seconds=5)) == 0  # nothing new: the maxima stay
    with store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 90.0, "c2": 55.0, "c3": 3.0} == _truth(conn)
        assert max_scores(conn, customers) == _truth(conn)
        assert max_scores(conn, []) == {}


@pytest.mark.anyio
async def test_a_late_batch_of_the_writer_rolls_itself_up(store: Any) -> None:
    now = datetime.now(UTC)
    with store.engine.begin() as conn:  # the rollup has already read past what the writer is about to commit
        conn.execute(sa.insert(decisions), [_decision("seen", "c9", 1.0, now - timedelta(seconds=30))])
    ScoreRollup(store.engine).run_once(now + timedelta(seconds=60))
    writer = decision_writer(store.engine, [RollupOnCommit(store.dialect, every_seconds=None)])
    try:
        late = _decision("late", "c1", 77.0, now - timedelta(seconds=5))  # waited on a lock, say
        again = _decision("seen", "c9", 99.0, now - timedelta(seconds=5))  # already decided: not its score
        assert await asyncio.gather(writer.submit(late), writer.submit(again)) == [True, False]
    finally:
        writer.close()
    with store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 77.0, "c9": 1.0}
        assert max_scores(conn, ["c1", "c9"]) == _truth(conn) == {"c1": 77.0, "c9": 1.0}


def test_batch_inserts_roll_up_decisions_made_long_before(store: Any) -> None:
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=30)
    with store.engine.begin() as conn:
        insert_decisions(conn, [_decision("r1", "c1", 20.0, now - timedelta(hours=1))], [_batch(conn)])
    with store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 20.0}  # decided an hour before it was stored: rolled up at once
    with store.engine.begin() as conn:  # a replay of last month, stored today, behind the mark
        new = insert_decisions(
            conn,
            [
                _decision("r2", "c2", 65.0, long_ago),
                _decision("r3", "c2", 30.0, long_ago),
                _decision("r1", "c1", 99.0, now),
            ],
            [_batch(conn)],
        )
    assert new == [True, True, False]
    with store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 20.0, "c2": 65.0}
        assert max_scores(conn, ["c1", "c2"]) == _truth(conn)


def test_the_migration_rolls_up_stored_decisions_and_drops_the_customer_index(settings: Any) -> None:
    engine = create_engine(f"sqlite:///{settings.data_dir / 'old.db'}")
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005_cases")
        conn.execute(
            sa.insert(decisions),
            [
                _decision(f"e{i}", f"c{i % 3}", float(i), datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i))
                for i in range(9)
            ],
        )
        command.upgrade(config, "head")
    with engine.connect() as conn:
        assert _rolled(conn) == {"c0": 6.0, "c1": 7.0, "c2": 8.0}
        assert read_mark(conn) == customer_scores.stored_time(datetime(2026, 1, 1, 8, tzinfo=UTC), sqlite=True)
        indexes = {i["name"]: i["column_names"] for i in sa.inspect(conn).get_indexes("decisions")}
        assert indexes == {"ix_decisions_decided_scores": ["decided_at", "customer_id", "score"]}
    engine.dispose()


def test_the_rollup_reads_the_decided_at_index_alone(sqlite_store: Any) -> None:
    with sqlite_store.engine.connect() as conn:
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + customer_scores.pending_sql("sqlite", after_mark=True),
                ("2026-01-01", "2026-01-02"),
            )
        )
    assert "COVERING INDEX ix_decisions_decided_scores" in plan  # not the records' pages


def test_the_rollup_thread_keeps_refreshing_until_closed(sqlite_store: Any) -> None:
    settled = datetime.now(UTC) - timedelta(minutes=1)
    with sqlite_store.engine.begin() as conn:
        conn.execute(sa.insert(decisions), [_decision("t1", "c1", 33.0, settled)])
    rollup = ScoreRollup(sqlite_store.engine, every_seconds=0.02).start()
    try:
        for _ in range(250):
            if rollup.refreshes:
                break
            time.sleep(0.02)
    finally:
        rollup.close()
    assert rollup.refreshes >= 1
    with sqlite_store.engine.connect() as conn:
        assert _rolled(conn) == {"c1": 33.0}
        assert read_mark(conn) is not None


def test_a_server_rolls_up_from_its_start_not_from_its_first_decision(sqlite_store: Any, settings: Any) -> None:
    """A server that only serves the console over batch-decided records still sets the mark, so a customer
    view reads the rollup and the decisions after the mark, never all of a customer's decisions."""
    from fastapi.testclient import TestClient

    from warden.api.app import create_app

    long_ago = datetime.now(UTC) - timedelta(days=3)
    with sqlite_store.engine.begin() as conn:
        rows = [_decision(f"e{i}", f"c{i % 3}", float(i), long_ago + timedelta(seconds=i)) for i in range(30)]
        insert_decisions(conn, rows)  # no listener: as records restored or loaded from elsewhere
        assert read_mark(conn) is None
    with TestClient(create_app(settings, sqlite_store)):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with sqlite_store.engine.connect() as conn:
                if read_mark(conn) is not None:
                    break
            time.sleep(0.1)
        with sqlite_store.engine.connect() as conn:
            assert read_mark(conn) is not None
            rolled = dict(conn.execute(sa.select(scores_table.c.customer_id, scores_table.c.max_score)).all())
            assert rolled == _truth(conn) == {"c0": 27.0, "c1": 28.0, "c2": 29.0}
