"""Time the customer view's data (`customer_view()`) query by query on a store, and EXPLAIN ANALYZE each query
on PostgreSQL: `PYTHONPATH=src python scripts/profile_customer_view.py DATABASE_URL [CUSTOMER ...]`.

Without customers it samples 40 of the bench's (`warden bench console` names them c000000...); each is viewed
twice (ten times when named). Prints the median and p95 of the whole, of the SQL, and of each query."""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from warden.console.customer_view import customer_view


def main(url: str, named: list[str]) -> None:
    engine = sa.create_engine(url)
    queries: list[tuple[float, str, Any, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        context.started = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        queries.append(((time.perf_counter() - context.started) * 1000, statement, params, None))

    rng = random.Random(1)
    customers = named or [f"c{rng.randrange(20_000):06d}" for _ in range(40)]
    parts: dict[str, list[float]] = defaultdict(list)
    for customer in customers * (10 if named else 2):
        queries.clear()
        with engine.connect() as conn:
            started = time.perf_counter()
            customer_view(conn, customer)
            parts["total"].append((time.perf_counter() - started) * 1000)
        parts["sql"].append(sum(q[0] for q in queries))
        for ms, statement, *_ in queries:
            parts["q: " + " ".join(statement.split())[:70]].append(ms)
    for name, values in parts.items():
        values.sort()
        p95 = values[max(0, int(len(values) * 0.95) - 1)]
        print(f"{name[:80]:80s} n={len(values):4d} median={statistics.median(values):8.2f} p95={p95:8.2f} ms")
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        queries.clear()
        customer_view(conn, customers[0])
        for _, statement, params, _ in list(queries):
            plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params).scalars().all()
            print("----", " ".join(statement.split())[:200])
            print("\n".join(plan[:14]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
