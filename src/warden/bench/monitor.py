"""`warden bench monitor`: N synthetic money movements through every detector, the anomaly score, the
account-model features + scoring and the exchange's customer model (window features, scoring, rings,
across its 30 days as `warden monitor` applies it), against a plain DuckDB scan of the same Parquet in the
same run.

The Parquet is read once (as `warden monitor` does); the model passes take the movements the detectors
loaded. Each phase's wall and CPU seconds are in `phases`; the load average is reported beside them
because the machine is shared.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from warden.monitoring.account_model import ModelParams
from warden.monitoring.customer_features import load_activity, prepare, window_features
from warden.monitoring.customer_model import CustomerModel, CustomerModelParams
from warden.monitoring.features import account_features
from warden.monitoring.learnt import apply_model, customer_count
from warden.monitoring.phases import Phases
from warden.monitoring.pipeline import MonitorResult, monitor
from warden.monitoring.sql import run


def write_movements(path: Path, n: int, seed: int = 7) -> int:
    """N deposits / withdrawals / transfers among n/10 customers over 30 days, as history-shaped Parquet.

    External addresses are drawn from a pool of 2 N, so most are used once, as on a real exchange (on the
    partner sample about 1 % of money movements resolve as hops between customers); a pool of a fixed
    100,000 made every address shared by dozens of customers at 10 M, and a quarter of the withdrawals hops.
    """
    customers = max(n // 10, 100)
    addresses = max(2 * n, 1000)
    con = duckdb.connect()
    run(con, f"SELECT setseed({(seed % 1000) / 1000})")
    run(
        con,
        f"""
        COPY (
          WITH r AS (SELECT i, hash(i, {seed}) AS h, random() AS u, random() AS v FROM range({n}) t(i))
          SELECT 'ev_' || i AS event_id,
                 CASE WHEN h % 20 < 12 THEN 'transfer' WHEN h % 20 < 17 THEN 'deposit' ELSE 'withdrawal' END AS type,
                 'cus_' || ((h >> 8) % {customers}) AS customer_id,
                 TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(CAST(u * 30 * 86400 AS BIGINT)) AS occurred_at,
                 CAST(round(exp(5 + 1.5 * sqrt(-2 * ln(greatest(v, 1e-12))) * cos(6.283185 * u)), 2) AS VARCHAR)
                   AS amount_usd,
                 CASE WHEN h % 20 < 12 THEN 'cus_' || ((h >> 32) % {customers}) END AS counterparty_id,
                 CASE WHEN h % 20 >= 17 THEN 'addr_' || ((h >> 24) % {addresses}) END AS to_address,
                 CASE WHEN h % 20 BETWEEN 12 AND 16 THEN 'addr_' || ((h >> 40) % {addresses}) END AS from_address
          FROM r
        ) TO '{path}' (FORMAT parquet)
        """,
    )
    return customers


def write_activity(path: Path, n: int, customers: int, seed: int = 7) -> None:
    """N trades and logins among the same customers over the same 30 days (the customer model counts them)."""
    con = duckdb.connect()
    run(
        con,
        f"""
        COPY (
          WITH r AS (SELECT i, hash(i, {seed} + 1) AS h FROM range({n}) t(i))
          SELECT 'ac_' || i AS event_id, CASE WHEN h % 3 = 0 THEN 'login' ELSE 'trade' END AS type,
                 'cus_' || ((h >> 8) % {customers}) AS customer_id,
                 TIMESTAMPTZ '2026-01-01 00:00:00+00' + to_seconds(CAST((h >> 24) % (30 * 86400) AS BIGINT))
                   AS occurred_at,
                 'dev_' || ((h >> 8) % {customers}) AS device_id
          FROM r
        ) TO '{path}' (FORMAT parquet)
        """,
    )


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _model_pass(con: duckdb.DuckDBPyConnection, phases: Phases) -> dict[str, Any]:
    """Account-model features and LightGBM scoring over the transfers the detectors loaded (steps = hours)."""
    with phases("model_load_graph"):
        tx = con.sql(
            """
            WITH t AS (SELECT src AS s, dst AS d, usd_f AS amount, CAST(epoch(ts) // 3600 AS BIGINT) AS step
                       FROM tr WHERE src <> dst),
                 ids AS (SELECT x, CAST(row_number() OVER () - 1 AS BIGINT) AS idx
                         FROM (SELECT s AS x FROM t UNION SELECT d FROM t))
            SELECT a.idx AS src, b.idx AS dst, amount, step FROM t JOIN ids a ON a.x = t.s JOIN ids b ON b.x = t.d
            """
        ).pl()
    n = int(max(tx["src"].max(), tx["dst"].max())) + 1
    features = account_features(tx, n, phases=phases)
    with phases("model_fit_and_score"):
        x = features.frame.select(features.columns()).to_numpy()
        rng = np.random.default_rng(0)
        # The model is fitted on a small labelled slice so scoring runs the real booster over every account.
        fit_rows = rng.choice(n, size=min(n, 20_000), replace=False)
        labels = (x[fit_rows, 0] > np.quantile(x[fit_rows, 0], 0.95)).astype(np.int8)
        # One thread for a 20k-row fit: as fast, and OpenMP barriers on a shared, busy machine spin (seen: 1 -> 26 s).
        model = ModelParams(n_estimators=100, n_jobs=1).estimator().fit(x[fit_rows], labels)
        scores = np.asarray(model.booster_.predict(x, num_threads=2))
    return {"accounts": n, "transfers": tx.height, "features": x.shape[1], "scored": len(scores)}


def _customer_model_pass(
    con: duckdb.DuckDBPyConnection, result: MonitorResult, activity: Path, phases: Phases
) -> dict[str, Any]:
    """The exchange's customer model as `warden monitor` applies it: fitted on one window's features with
    stand-in labels (the busiest 1 % of customers), so the run scores, flags and joins rings for real."""
    with phases("customer_model_fit"):
        load_activity(con, activity)
        prepare(con, result.alerts, frozenset())
        t0, t1 = con.execute("SELECT min(ts), max(ts) FROM mv").fetchall()[0]
        params = CustomerModelParams(n_estimators=100)
        wf = window_features(con, t0, t0 + (t1 - t0) / 3)
        rng = np.random.default_rng(0)
        rows = rng.choice(len(wf.customers), size=min(len(wf.customers), 20_000), replace=False)
        x = wf.x[rows]
        labels = (x[:, 0] > np.quantile(x[:, 0], 0.99)).astype(np.int8)
        fitted = params.estimator().fit(x, labels)
        model = CustomerModel(fitted.booster_, 0.5, params, flag_share=0.002, join_share=0.01, alert_budget=9.0)
    with phases("customer_model_apply"):
        alerts = apply_model(con, result, model)
    return {"customers": customer_count(con), "alerts": len(alerts)}


def run_bench(transactions: int, seed: int = 7) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="warden-bench-monitor-") as tmp:
        path = Path(tmp) / "movements.parquet"
        started = time.perf_counter()
        customers = write_movements(path, transactions, seed)
        activity = Path(tmp) / "activity.parquet"
        write_activity(activity, transactions, customers, seed)
        generate_s = time.perf_counter() - started

        started, cpu0 = time.perf_counter(), time.process_time()
        ref = (
            duckdb.connect()
            .execute(
                f"SELECT count(*), sum(CAST(amount_usd AS DECIMAL(38, 8))), count(DISTINCT customer_id) "
                f"FROM read_parquet('{path}')"
            )
            .fetchall()[0]
        )
        scan_s, scan_cpu = time.perf_counter() - started, time.process_time() - cpu0

        phases = Phases()
        con = duckdb.connect()
        started, cpu0 = time.perf_counter(), time.process_time()
        result = monitor(path, phases=phases, con=con)
        detect_s, detect_cpu = time.perf_counter() - started, time.process_time() - cpu0
        started, cpu0 = time.perf_counter(), time.process_time()
        model = _model_pass(con, phases)
        model_s, model_cpu = time.perf_counter() - started, time.process_time() - cpu0
        started, cpu0 = time.perf_counter(), time.process_time()
        customer_model = _customer_model_pass(con, result, activity, phases)
        customer_s, customer_cpu = time.perf_counter() - started, time.process_time() - cpu0
        con.close()
        total_s = detect_s + model_s + customer_s
    return {
        "transactions": transactions,
        "customers": customers,
        "generate_seconds": round(generate_s, 2),
        "reference_scan_seconds": round(scan_s, 3),
        "reference_scan_cpu_seconds": round(scan_cpu, 2),
        "reference_rows": int(ref[0]),
        "detectors_seconds": round(detect_s, 2),
        "model_seconds": round(model_s, 2),
        "customer_model_seconds": round(customer_s, 2),
        "total_seconds": round(total_s, 2),
        "detectors_cpu_seconds": round(detect_cpu, 2),
        "model_cpu_seconds": round(model_cpu, 2),
        "customer_model_cpu_seconds": round(customer_cpu, 2),
        "total_cpu_seconds": round(detect_cpu + model_cpu + customer_cpu, 2),
        "phases": phases.report(),
        "load_average_1m_before": round(load_before[0], 2),
        "load_average_1m_after": round(os.getloadavg()[0], 2),
        "cpu_cores": os.cpu_count(),
        "ratio_to_scan": round(total_s / scan_s, 1) if scan_s else None,
        "transactions_per_second": round(transactions / total_s),
        "alerts": len(result.alerts),
        "model": model,
        "customer_model": customer_model,
        "activity_events": transactions,
        "peak_rss_mb": _peak_rss_mb(),
        "target": {"transactions": 10_000_000, "seconds": 120, "met": transactions >= 10_000_000 and total_s <= 120},
    }


__all__ = ["run_bench"]
