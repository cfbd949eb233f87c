"""Per-customer laundering features over a time window, stated relative to the population and the
customer's own past (no amounts or counts tuned to one exchange).

Read from the views `tr` (internal transfers and resolved hops), `dep`, `wd` that `movements` and `hops`
build, the table `hops`, and the activity table `act` (non-money events: trades, logins, KYC), plus the
detectors' alerts as evidence. Volumes enter as percentile ranks within the window's population, so a
model learnt on one exchange (or one window length) reads the same on another; behaviour ratios
(pass-through, speed, share of chain hops) are scale-free already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from numpy.typing import NDArray

from warden.monitoring.alerts import Alert
from warden.monitoring.errors import InputError
from warden.monitoring.movements import _source_sql
from warden.monitoring.sql import run

CUSTOMER_FEATURES_VERSION = "customer-window-features-1"
EVIDENCE_TYPOLOGIES = (
    "fan_in",
    "fan_out",
    "cycle",
    "scatter_gather",
    "gather_scatter",
    "bipartite",
    "stack",
    "structuring",
    "pass_through",
    "dormant_reactivation",
)
STRUCTURING_LIMIT_USD = 10_000.0  # the cash-reporting threshold structurers stay under (a rule, not a fit)

# Volumes: ranked within the window's population.
_RANKED = (
    "n_dep",
    "usd_dep",
    "n_wd",
    "usd_wd",
    "n_tin",
    "usd_tin",
    "n_tout",
    "usd_tout",
    "partners_in",
    "partners_out",
    "dep_sources",
    "wd_targets",
    "max_usd",
    "active_days",
    "n_trades",
    "n_logins",
)
_RATIOS = (
    "flow_through",
    "out_within_1d",
    "out_within_6h",
    "hop_share_in",
    "hop_share_out",
    "transfer_share_in",
    "transfer_share_out",
    "band_share",
    "n_band",
    "trade_per_move",
    "age_days",
    "baseline_lift",
    "nb_flow_max",
    "nb_fast_partners",
    "nb_evidence",
    "hack_touch",
    "hack_relay",
)
FEATURES = tuple(f"pr_{c}" for c in _RANKED) + _RATIOS + tuple(f"ev_{t}" for t in EVIDENCE_TYPOLOGIES)


def load_activity(con: duckdb.DuckDBPyConnection, path: Path | str) -> None:
    """Table `act` (customer, type, ts, device) of non-money events: trades, logins, KYC submissions."""
    path = Path(path)
    try:
        source = _source_sql(path)
        if ".jsonl" in [s.lower() for s in path.suffixes] or ".json" in [s.lower() for s in path.suffixes]:
            source = (
                f"read_json('{path}', format = 'newline_delimited', columns = "
                "{customer_id: 'VARCHAR', type: 'VARCHAR', occurred_at: 'VARCHAR', device_id: 'VARCHAR'})"
            )
        run(con, "SET enable_progress_bar = false")
        have = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        device = "CAST(device_id AS VARCHAR)" if "device_id" in have else "CAST(NULL AS VARCHAR)"
        run(
            con,
            f"""
            CREATE OR REPLACE TABLE act AS
            SELECT customer_id AS c, type, CAST(CAST(occurred_at AS TIMESTAMPTZ) AS TIMESTAMP) AS ts,
                   {device} AS device
            FROM {source} WHERE type IN ('trade', 'login', 'kyc_submission')
            """,
        )
    except duckdb.Error as exc:
        raise InputError(path, None, f"cannot read events: {str(exc).splitlines()[0]}") from None


@dataclass
class WindowFeatures:
    customers: list[str]
    x: NDArray[np.float64]
    t0: datetime
    t1: datetime


def _evidence_table(con: duckdb.DuckDBPyConnection, alerts: list[Alert]) -> None:
    import pyarrow as pa

    rows = [
        (c, t, a.first_at, a.last_at) for a in alerts for t in {a.typology, *a.also_matched} for c in a.customer_ids
    ]
    table = pa.table(
        {
            "c": [r[0] for r in rows],
            "typ": [r[1] for r in rows],
            "f0": [r[2] for r in rows],
            "f1": [r[3] for r in rows],
        },
        schema=pa.schema([("c", pa.string()), ("typ", pa.string()), ("f0", pa.string()), ("f1", pa.string())]),
    )
    con.register("evidence_arrow", table)
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE evidence AS SELECT c, typ, CAST(replace(f0, 'Z', '') AS TIMESTAMP) AS t0, "
        "CAST(replace(f1, 'Z', '') AS TIMESTAMP) AS t1 FROM evidence_arrow",
    )
    con.unregister("evidence_arrow")


def _hack_table(con: duckdb.DuckDBPyConnection, hack_addresses: frozenset[str]) -> None:
    import pyarrow as pa

    con.register("hack_arrow", pa.table({"a": sorted(hack_addresses)}, schema=pa.schema([("a", pa.string())])))
    run(con, "CREATE OR REPLACE TEMP TABLE hack_addr AS SELECT DISTINCT a FROM hack_arrow")
    con.unregister("hack_arrow")


def prepare(con: duckdb.DuckDBPyConnection, alerts: list[Alert], hack_addresses: frozenset[str]) -> None:
    """Once per run: detector evidence and hack addresses as tables."""
    _evidence_table(con, alerts)
    _hack_table(con, hack_addresses)
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'act'").fetchall()[0][0]:
        run(con, "CREATE TABLE act (c VARCHAR, type VARCHAR, ts TIMESTAMP, device VARCHAR)")
    if not con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'hops'").fetchall()[0][0]:
        run(con, "CREATE TABLE hops (event_id VARCHAR, src VARCHAR, dst VARCHAR, ts TIMESTAMP)")


def percent_ranks(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """SQL's `percent_rank() OVER (ORDER BY v)`, NULLs (NaN) last: the share of the other rows strictly below.
    Sixteen window sorts in DuckDB were half of a window's features; one NumPy sort per column is a tenth."""
    n = values.size
    if n <= 1:
        return np.zeros(n)
    missing = np.isnan(values)
    known = np.sort(values[~missing])
    below = np.searchsorted(known, np.where(missing, 0.0, values), side="left")
    return np.where(missing, known.size, below) / (n - 1)


def _floats(column: NDArray[Any]) -> NDArray[np.float64]:
    if isinstance(column, np.ma.MaskedArray):  # NULLs, as NaN
        return np.asarray(np.ma.filled(column.astype(np.float64), np.nan))
    return np.asarray(column, dtype=np.float64)


def window_features(
    con: duckdb.DuckDBPyConnection, t0: datetime, t1: datetime, baseline_days: int = 20, ranks_in_sql: bool = False
) -> WindowFeatures:
    """One row per customer with money movements in [t0, t1); `prepare` must have run. Volumes are ranked in
    NumPy (`percent_ranks`); `ranks_in_sql` ranks them in the query instead, the plain version tests compare."""
    first = con.execute("SELECT min(ts) FROM mv").fetchall()[0][0] or t0
    b0 = max(t0 - timedelta(days=baseline_days), first)
    seen_days = max((t0 - b0).total_seconds() / 86400.0, 1.0)
    days = max((t1 - t0).total_seconds() / 86400.0, 1e-6)
    w = f"ts >= TIMESTAMP '{t0:%Y-%m-%d %H:%M:%S}' AND ts < TIMESTAMP '{t1:%Y-%m-%d %H:%M:%S}'"
    hop_ids = "(SELECT event_id FROM hops)"

    def rank(value: str) -> str:  # in the query, or the raw value for `percent_ranks`
        return f"percent_rank() OVER (ORDER BY {value})" if ranks_in_sql else f"CAST({value} AS DOUBLE)"

    ev_cols = ",\n".join(
        f"coalesce(max(CASE WHEN e.typ = '{t}' THEN 1.0 END), 0) AS ev_{t}" for t in EVIDENCE_TYPOLOGIES
    )
    sql = f"""
    WITH legs AS (
      SELECT cust AS c, 'dep' AS k, ts, usd_f, address AS other, false AS hop FROM dep WHERE {w}
      UNION ALL SELECT cust, 'wd', ts, usd_f, address, false FROM wd WHERE {w}
      UNION ALL SELECT dst, 'tin', ts, usd_f, src, event_id IN {hop_ids} FROM tr WHERE {w}
      UNION ALL SELECT src, 'tout', ts, usd_f, dst, event_id IN {hop_ids} FROM tr WHERE {w}
    ),
    agg AS (
      SELECT c,
        count(*) FILTER (k = 'dep') AS n_dep, round(coalesce(sum(usd_f) FILTER (k = 'dep'), 0), 2) AS usd_dep,
        count(*) FILTER (k = 'wd') AS n_wd, round(coalesce(sum(usd_f) FILTER (k = 'wd'), 0), 2) AS usd_wd,
        count(*) FILTER (k = 'tin') AS n_tin, round(coalesce(sum(usd_f) FILTER (k = 'tin'), 0), 2) AS usd_tin,
        count(*) FILTER (k = 'tout') AS n_tout, round(coalesce(sum(usd_f) FILTER (k = 'tout'), 0), 2) AS usd_tout,
        count(DISTINCT other) FILTER (k = 'tin') AS partners_in,
        count(DISTINCT other) FILTER (k = 'tout') AS partners_out,
        count(DISTINCT other) FILTER (k = 'dep') AS dep_sources,
        count(DISTINCT other) FILTER (k = 'wd') AS wd_targets,
        max(usd_f) AS max_usd, count(DISTINCT date_trunc('day', ts)) AS active_days,
        round(coalesce(sum(usd_f) FILTER (k = 'tin' AND hop), 0), 2) AS usd_hop_in,
        round(coalesce(sum(usd_f) FILTER (k = 'tout' AND hop), 0), 2) AS usd_hop_out,
        count(*) FILTER (k = 'dep' AND usd_f >= 0.8 * {STRUCTURING_LIMIT_USD} AND usd_f < {STRUCTURING_LIMIT_USD}) AS n_band
      FROM legs GROUP BY c
    ),
    ins AS (SELECT c, ts, usd_f FROM legs WHERE k IN ('dep', 'tin')),
    outs AS (SELECT c, ts, usd_f FROM legs WHERE k IN ('wd', 'tout')),
    speed AS (
      SELECT o.c,
        round(sum(o.usd_f) FILTER (epoch(o.ts) - epoch(i.ts) <= 86400), 2) AS out_1d,
        round(sum(o.usd_f) FILTER (epoch(o.ts) - epoch(i.ts) <= 21600), 2) AS out_6h
      FROM outs o ASOF JOIN ins i ON o.c = i.c AND o.ts >= i.ts GROUP BY o.c
    ),
    acts AS (
      SELECT c, count(*) FILTER (type = 'trade' AND {w}) AS n_trades, count(*) FILTER (type = 'login' AND {w}) AS n_logins,
             min(ts) AS first_seen
      FROM act WHERE ts < TIMESTAMP '{t1:%Y-%m-%d %H:%M:%S}' GROUP BY c
    ),
    base AS (
      SELECT c, round(sum(usd_f), 2) AS usd_before, min(ts) AS first_move FROM (
        SELECT cust AS c, ts, usd_f FROM dep UNION ALL SELECT dst, ts, usd_f FROM tr
      ) WHERE ts >= TIMESTAMP '{b0:%Y-%m-%d %H:%M:%S}' AND ts < TIMESTAMP '{t0:%Y-%m-%d %H:%M:%S}' GROUP BY c
    ),
    ev AS (
      SELECT e.c, {ev_cols} FROM evidence e
      WHERE e.t1 >= TIMESTAMP '{t0:%Y-%m-%d %H:%M:%S}' AND e.t0 < TIMESTAMP '{t1:%Y-%m-%d %H:%M:%S}' GROUP BY e.c
    ),
    hack AS (
      SELECT cust AS c, 1.0 AS hack_touch FROM dep WHERE {w} AND address IN (SELECT a FROM hack_addr)
      UNION SELECT cust, 1.0 FROM wd WHERE {w} AND address IN (SELECT a FROM hack_addr)
    ),
    relay AS (  -- received money in the window from a customer touched by published hack funds
      SELECT DISTINCT t.dst AS c, 1.0 AS hack_relay FROM tr t JOIN hack h ON h.c = t.src WHERE {w.replace("ts", "t.ts")}
    ),
    base_row AS (
      SELECT a.*,
        least(a.usd_dep + a.usd_tin, a.usd_wd + a.usd_tout) / greatest(a.usd_dep + a.usd_tin, a.usd_wd + a.usd_tout, 1.0)
          AS flow_through
      FROM agg a
    ),
    nb AS (  -- neighbours along transfers and hops in the window
      SELECT l.c, max(b.flow_through) AS nb_flow_max,
             count(DISTINCT l.other) FILTER (b.flow_through >= 0.8) AS nb_fast_partners,
             coalesce(max(coalesce(ev.ev_fan_in, 0) + coalesce(ev.ev_fan_out, 0) + coalesce(ev.ev_cycle, 0)
                 + coalesce(ev.ev_scatter_gather, 0) + coalesce(ev.ev_gather_scatter, 0) + coalesce(ev.ev_stack, 0)
                 + coalesce(ev.ev_bipartite, 0)), 0) AS nb_evidence
      FROM legs l JOIN base_row b ON b.c = l.other LEFT JOIN ev ON ev.c = l.other
      WHERE l.k IN ('tin', 'tout') GROUP BY l.c
    )
    SELECT b.c,
      {", ".join(f"{rank(f'b.{c}')} AS pr_{c}" for c in _RANKED if c not in ("n_trades", "n_logins"))},
      {rank("coalesce(x.n_trades, 0)")} AS pr_n_trades,
      {rank("coalesce(x.n_logins, 0)")} AS pr_n_logins,
      b.flow_through,
      coalesce(s.out_1d, 0) / greatest(b.usd_wd + b.usd_tout, 1.0) AS out_within_1d,
      coalesce(s.out_6h, 0) / greatest(b.usd_wd + b.usd_tout, 1.0) AS out_within_6h,
      b.usd_hop_in / greatest(b.usd_dep + b.usd_tin, 1.0) AS hop_share_in,
      b.usd_hop_out / greatest(b.usd_wd + b.usd_tout, 1.0) AS hop_share_out,
      b.usd_tin / greatest(b.usd_dep + b.usd_tin, 1.0) AS transfer_share_in,
      b.usd_tout / greatest(b.usd_wd + b.usd_tout, 1.0) AS transfer_share_out,
      b.n_band / greatest(b.n_dep, 1) AS band_share,
      b.n_band * 1.0 AS n_band,
      coalesce(x.n_trades, 0) / greatest(b.n_dep + b.n_wd + b.n_tin + b.n_tout, 1) AS trade_per_move,
      coalesce(epoch(TIMESTAMP '{t1:%Y-%m-%d %H:%M:%S}') - epoch(least(x.first_seen, bs.first_move, TIMESTAMP '{t0:%Y-%m-%d %H:%M:%S}')), 0) / 86400.0
        AS age_days,
      ln(1 + (b.usd_dep + b.usd_tin) / {days}) - ln(1 + coalesce(bs.usd_before, 0) / {seen_days}) AS baseline_lift,
      coalesce(n.nb_flow_max, 0) AS nb_flow_max, coalesce(n.nb_fast_partners, 0) * 1.0 AS nb_fast_partners,
      coalesce(n.nb_evidence, 0) * 1.0 AS nb_evidence,
      coalesce(h.hack_touch, 0) AS hack_touch, coalesce(r.hack_relay, 0) AS hack_relay,
      {", ".join(f"coalesce(ev.ev_{t}, 0) AS ev_{t}" for t in EVIDENCE_TYPOLOGIES)}
    FROM base_row b
    LEFT JOIN speed s ON s.c = b.c LEFT JOIN acts x ON x.c = b.c LEFT JOIN base bs ON bs.c = b.c
    LEFT JOIN ev ON ev.c = b.c LEFT JOIN nb n ON n.c = b.c
    LEFT JOIN (SELECT c, max(hack_touch) AS hack_touch FROM hack GROUP BY c) h ON h.c = b.c
    LEFT JOIN relay r ON r.c = b.c
    ORDER BY b.c
    """
    out = con.execute(sql).fetchnumpy()
    customers = [str(c) for c in out["c"]]
    if not ranks_in_sql:
        out |= {f"pr_{c}": percent_ranks(_floats(out[f"pr_{c}"])) for c in _RANKED}
    x = (
        np.column_stack([np.asarray(out[f], dtype=np.float64) for f in FEATURES])
        if customers
        else np.zeros((0, len(FEATURES)))
    )
    # sums are rounded to cents (above) and features here: parallel float sums differ in the last bits
    return WindowFeatures(customers, np.round(np.nan_to_num(x), 9).astype(np.float64), t0, t1)
