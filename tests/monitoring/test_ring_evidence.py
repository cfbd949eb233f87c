"""A window's ring evidence in one scan equals the plain query per ring."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import duckdb
from tests.monitoring.builders import Events

from warden.monitoring.movements import load_movements
from warden.monitoring.ring_evidence import NONE, ring_evidence, ring_evidence_one

DAY = 24.0


def test_one_scan_gives_each_ring_what_its_own_query_gives(tmp_path: Path) -> None:
    rnd = random.Random(5)
    ev = Events()
    for i in range(60):
        ev.deposit(f"c{i}", rnd.uniform(0, 10 * DAY), rnd.uniform(10, 5_000))
        ev.withdraw(f"c{i}", rnd.uniform(0, 10 * DAY), rnd.uniform(10, 2_000))
        ev.transfer(f"c{i}", f"c{rnd.randrange(60)}", rnd.uniform(0, 10 * DAY), rnd.uniform(10, 900))
    ev.transfer("c1", "c2", 3 * DAY, 100.0)  # inside a ring: one event, named once
    con = duckdb.connect()
    load_movements(con, ev.write(tmp_path / "events.jsonl"))
    start = con.execute("SELECT min(ts) FROM mv").fetchall()[0][0]
    t0, t1 = start + timedelta(days=2), start + timedelta(days=7)
    # rings that share a customer, pay each other, a lone customer, and one with no movement in the window
    rings = [["c1", "c2", "c3"], ["c3", "c4"], ["c10"], [f"c{i}" for i in range(20, 32)], ["nobody"]]
    batched = ring_evidence(con, rings, t0, t1)
    assert batched == [ring_evidence_one(con, ring, t0, t1) for ring in rings]
    assert batched[-1] == NONE and all(b.event_ids for b in batched[:-1])
    assert all(t0 <= b.first_at <= b.last_at < t1 for b in batched[:-1] if b.first_at and b.last_at)
    assert ring_evidence(con, [], t0, t1) == []
