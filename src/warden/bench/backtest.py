"""`warden bench backtest`: events/s of the vectorised evaluator (starter pack) against a plain Polars scan of
the same frame, and of the row evaluator, on synthetic events with every field the pack reads."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import polars as pl

from warden.rules.fields import FIELDS
from warden.rules.frame import evaluate_frame
from warden.rules.loader import load_ruleset, starter_pack_path
from warden.rules.ruleset import Ruleset

_TYPES = ["login", "deposit", "withdrawal", "transfer", "trade", "address_book_change", "profile_change"]
_TYPE_P = [0.30, 0.15, 0.15, 0.08, 0.27, 0.03, 0.02]


def synthetic_frame(n: int, ruleset: Ruleset, seed: int = 7) -> pl.DataFrame:
    """Random values for every field the ruleset reads, about 10% null; not realistic, only varied."""
    rng = np.random.default_rng(seed)
    hexes = rng.bytes(20 * 1024).hex()
    pool = np.array(["0x" + hexes[i * 40 : (i + 1) * 40] for i in range(1024)])
    columns: dict[str, Any] = {"type": rng.choice(_TYPES, size=n, p=_TYPE_P)}
    for name in sorted(ruleset.fields - {"type"}):
        kind = FIELDS[name].kind
        if kind == "num":
            values = rng.lognormal(3, 2, size=n)
            columns[name] = pl.Series(name, values).set(pl.Series(rng.random(n) < 0.1), None)
        elif kind == "bool":
            columns[name] = pl.Series(name, rng.random(n) < 0.2).set(pl.Series(rng.random(n) < 0.1), None)
        elif kind == "str":
            columns[name] = pl.Series(name, pool[rng.integers(0, len(pool), size=n)])
        else:
            picks = pool[rng.integers(0, len(pool), size=(n, 3))]
            columns[name] = pl.Series(name, picks.tolist(), dtype=pl.List(pl.String))
    return pl.DataFrame(columns)


def _plain_scan(frame: pl.DataFrame) -> pl.DataFrame:
    """Reference: read every value of every column once (sums and lengths)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype == pl.String:
            exprs.append(pl.col(name).str.len_bytes().sum())
        elif isinstance(dtype, pl.List):
            exprs.append(pl.col(name).list.len().sum())
        else:
            exprs.append(pl.col(name).cast(pl.Float64).sum())
    return frame.select(exprs)


def _best_of(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run_backtest_bench(n_events: int = 1_000_000, row_events: int = 20_000, seed: int = 7) -> dict[str, Any]:
    ruleset = load_ruleset(starter_pack_path())
    frame = synthetic_frame(n_events, ruleset, seed)
    scan_s = _best_of(lambda: _plain_scan(frame), 3)
    vector_s = _best_of(lambda: evaluate_frame(ruleset, frame), 3)
    hits = evaluate_frame(ruleset, frame)
    rows = frame.head(row_events).to_dicts()
    started = time.perf_counter()
    row_hits = 0
    for row in rows:
        row_hits += len(ruleset.evaluate(row, row))
    row_s = time.perf_counter() - started
    vector_hits = int(hits.head(row_events).select(pl.sum_horizontal(pl.all())).to_series().sum())
    return {
        "benchmark": "backtest",
        "ruleset": f"{ruleset.name}@{ruleset.version}",
        "rules": len(ruleset.rules),
        "events": n_events,
        "vectorised_events_per_s": round(n_events / vector_s),
        "reference_scan_events_per_s": round(n_events / scan_s),
        "vectorised_vs_scan": round(scan_s / vector_s, 4),
        "vectorised_target_events_per_s": 1_000_000,
        "vectorised_meets_target": n_events / vector_s >= 1_000_000,
        "row_events": len(rows),
        "row_events_per_s": round(len(rows) / row_s),
        "row_us_per_event": round(row_s / len(rows) * 1e6, 2),
        "row_target_events_per_s": 30_000,
        "row_meets_target": len(rows) / row_s >= 30_000,
        "row_and_vector_hits_equal": row_hits == vector_hits,
        "hits_per_event": round(int(hits.select(pl.sum_horizontal(pl.all())).to_series().sum()) / n_events, 4),
    }
