"""`warden bench take-next`: parallel reviewers draining a queue; latency, throughput and double hand-outs.

Reference, measured in the same run on the same store and threads: a bare claim by primary key (one-row
UPDATE + commit), i.e. the cost of a write transaction without choosing the case, timeline or audit.
"""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.assignment import take_next
from warden.cases.staffing import add_user
from warden.cases.tables import cases
from warden.settings import Settings
from warden.store.db import Store, open_store
from warden.store.scratch import scratch_database

TARGET_P99_MS = 50.0
SEVERITIES = ("low", "medium", "high", "critical")


def _seed(store: Store, n_cases: int, reviewers: int) -> list[str]:
    names = [f"bench{i}" for i in range(reviewers)]
    with store.engine.begin() as conn:
        for name in names:
            add_user(conn, name, "analyst", "bench-password-0", capacity=n_cases + 1, actor="bench")
        for i in range(n_cases):
            alert = CaseAlert(
                alert_id=f"bench:{i}",
                source="decision",
                typology="account_takeover",
                customer_ids=[f"cust{i}"],
                score=(i % 97) / 97,
                severity=SEVERITIES[i % 4],
                amount_usd=Decimal(100 + (i * 37) % 50_000),
            )
            add_alert(conn, alert, actor="bench")
    return names


def _run_parallel(names: list[str], step: Callable[[str], bool]) -> tuple[list[float], float]:
    """Each thread calls step(name) until it returns False; returns per-call latencies (s) and wall time."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(names))

    errors: list[BaseException] = []

    def work(name: str) -> None:
        mine: list[float] = []
        start.wait()
        try:
            while True:
                began = time.perf_counter()
                more = step(name)
                mine.append(time.perf_counter() - began)
                if not more:
                    break
        except BaseException as exc:  # reported below: a bench must not hide a failure in a thread
            errors.append(exc)
        with lock:
            latencies.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return latencies, time.perf_counter() - began


def _summary(latencies: list[float], wall: float, ops: int) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "ops": ops,
        "seconds": round(wall, 3),
        "ops_per_second": round(ops / wall, 1),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
    }


def run_take_next_bench(n_cases: int = 2000, reviewers: int = 4, server_url: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="warden-bench-cases-") as tmp, scratch_database(server_url) as url:
        store = open_store(Settings(data_dir=Path(tmp)), url=url)
        try:
            names = _seed(store, n_cases, reviewers)
            taken: dict[str, list[str]] = {name: [] for name in names}

            def take(name: str) -> bool:
                case_id = take_next(store.engine, name)
                if case_id is not None:
                    taken[name].append(case_id)
                return case_id is not None

            latencies, wall = _run_parallel(names, take)
            handed = [c for ids in taken.values() for c in ids]
            queue = {name: list(ids) for name, ids in taken.items()}

            def claim(name: str) -> bool:
                if not queue[name]:
                    return False
                with store.engine.begin() as conn:
                    conn.execute(sa.update(cases).where(cases.c.case_id == queue[name].pop()).values(assignee=name))
                return True

            ref_latencies, ref_wall = _run_parallel(names, claim)
        finally:
            store.dispose()
    result = _summary(latencies, wall, len(handed))
    reference = _summary(ref_latencies, ref_wall, len(handed))
    duplicates = len(handed) - len(set(handed))
    return {
        "benchmark": "take-next",
        "database": store.dialect,
        "cases": n_cases,
        "reviewers": reviewers,
        "handed_out": len(handed),
        "duplicates": duplicates,
        "take_next": result,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": result["p99_ms"] <= TARGET_P99_MS and duplicates == 0 and len(handed) == n_cases,
        "reference": {"what": "bare one-row UPDATE by primary key + commit, same threads", **reference},
        "ratio_to_reference": round(result["p50_ms"] / max(reference["p50_ms"], 1e-6), 2),
    }
