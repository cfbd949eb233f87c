"""Window features rank volumes in NumPy exactly as the query's percent_rank did."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
from tests.monitoring.builders import Events

from warden.monitoring.customer_features import load_activity, percent_ranks, prepare, window_features
from warden.monitoring.movements import load_movements

DAY = 24.0


def test_percent_ranks_are_sqls_with_ties_and_nulls_last() -> None:
    values = np.array([3.0, 1.0, np.nan, 3.0, 0.0, 7.5, np.nan, 1.0])
    con = duckdb.connect()
    sql = con.execute(
        "SELECT percent_rank() OVER (ORDER BY v) FROM (SELECT unnest(?) AS v, unnest(range(?)) AS i) ORDER BY i",
        [[None if np.isnan(v) else v for v in values], len(values)],
    ).fetchall()
    assert percent_ranks(values).tolist() == [r[0] for r in sql]
    assert percent_ranks(np.array([4.0])).tolist() == [0.0] and percent_ranks(np.zeros(0)).size == 0


def test_window_features_equal_the_plain_query(tmp_path: Path) -> None:
    rnd = random.Random(11)
    ev = Events()
    for i in range(80):
        for _ in range(rnd.randrange(1, 4)):
            ev.deposit(f"c{i}", rnd.uniform(0, 12 * DAY), round(rnd.choice([100.0, 250.0, rnd.uniform(5, 9_000)]), 2))
        ev.withdraw(f"c{i}", rnd.uniform(0, 12 * DAY), rnd.uniform(5, 3_000))
        if i % 3 == 0:
            ev.transfer(f"c{i}", f"c{rnd.randrange(80)}", rnd.uniform(0, 12 * DAY), 100.0)
    events = ev.write(tmp_path / "events.jsonl")
    con = duckdb.connect()
    load_movements(con, events)
    load_activity(con, events)
    prepare(con, [], frozenset())
    start = con.execute("SELECT min(ts) FROM mv").fetchall()[0][0]
    t0, t1 = start + timedelta(days=3), start + timedelta(days=10)
    fast, plain = window_features(con, t0, t1), window_features(con, t0, t1, ranks_in_sql=True)
    assert fast.customers == plain.customers and len(fast.customers) > 50
    assert np.array_equal(fast.x, plain.x)
