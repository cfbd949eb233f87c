"""Per-account features from a transaction list (`src`, `dst`, `amount`, `step` with dense account indexes).

Sums and amount statistics are Polars expressions; distinct counts per window and in-to-out waits come
from `grouped` (numba over rows grouped by account); graph features from `graph` on CSR arrays. Each
feature belongs to one group so that a model can be trained without a group (the guard: a model that only
works because laundering amounts look odd is not a monitoring model).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from numpy.typing import NDArray

from warden.monitoring import graph, grouped
from warden.monitoring.phases import Phases

FEATURES_VERSION = "graph-features-1"
SMALL_AMOUNT = 100.0  # AMLSim's normal transfers are 100..600; smaller ones are laundering-sized


@dataclass(frozen=True)
class FeatureSet:
    """Feature matrix (one row per account index 0..n-1) and the group of each column."""

    frame: pl.DataFrame
    groups: dict[str, str]  # column -> "amount" | "count" | "structure" | "time"

    def columns(self, exclude: tuple[str, ...] = ()) -> list[str]:
        return [c for c, g in self.groups.items() if g not in exclude]


@dataclass(frozen=True)
class _Rows:
    """Transaction rows grouped by sender (`out_*`) and by receiver (`in_*`), built once for all counts."""

    src: NDArray[np.int64]
    dst: NDArray[np.int64]
    step: NDArray[np.int64]
    out_ptr: NDArray[np.int64]
    out_rows: NDArray[np.int64]
    in_ptr: NDArray[np.int64]
    in_rows: NDArray[np.int64]
    n: int

    @classmethod
    def of(cls, tx: pl.DataFrame, n: int) -> _Rows:
        src = tx["src"].to_numpy().astype(np.int64)
        dst = tx["dst"].to_numpy().astype(np.int64)
        out_ptr, out_rows = grouped.group_rows(src, n)
        in_ptr, in_rows = grouped.group_rows(dst, n)
        return cls(src, dst, tx["step"].to_numpy().astype(np.int64), out_ptr, out_rows, in_ptr, in_rows, n)

    def side(self, key: str) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """(indptr, rows, the counterparty of each row) for grouping by `key` ("src" or "dst")."""
        return (self.out_ptr, self.out_rows, self.dst) if key == "src" else (self.in_ptr, self.in_rows, self.src)


def _side(tx: pl.DataFrame, rows: _Rows, key: str, prefix: str, window: int) -> tuple[pl.DataFrame, dict[str, str]]:
    """Aggregates of one direction (out: key=src, in: key=dst)."""
    base = tx.group_by(key).agg(
        pl.len().alias(f"{prefix}_tx"),
        pl.col("amount").sum().alias(f"{prefix}_sum"),
        pl.col("amount").mean().alias(f"{prefix}_mean"),
        pl.col("amount").min().alias(f"{prefix}_min"),
        pl.col("amount").max().alias(f"{prefix}_max"),
        pl.col("amount").std().fill_null(0.0).alias(f"{prefix}_std"),
        (pl.col("amount") < SMALL_AMOUNT).sum().alias(f"{prefix}_small_tx"),
        pl.col("step").min().alias(f"{prefix}_first_step"),
        pl.col("step").max().alias(f"{prefix}_last_step"),
    )
    # Distinct counts (counterparties, active steps, per-window maxima) from the grouped rows.
    ptr, order, other = rows.side(key)
    none = np.zeros(len(rows.step), dtype=np.int64)
    _, degree, _ = grouped.bucket_counts(ptr, order, other, none, rows.n)
    low = int(rows.step.min()) if len(rows.step) else 0
    span = int(rows.step.max()) - low + 1 if len(rows.step) else 1
    _, active, _ = grouped.bucket_counts(ptr, order, rows.step - low, none, span)
    tx_max, degree_max, _ = grouped.bucket_counts(ptr, order, other, rows.step // window, rows.n)
    present = base[key].to_numpy()
    frame = base.with_columns(
        pl.Series(f"{prefix}_degree", degree[present]),
        pl.Series(f"{prefix}_active_steps", active[present]),
        pl.Series(f"{prefix}_tx_max_window", tx_max[present]),
        pl.Series(f"{prefix}_degree_max_window", degree_max[present]),
    ).rename({key: "account"})
    groups = {
        f"{prefix}_tx": "count",
        f"{prefix}_degree": "structure",
        f"{prefix}_sum": "amount",
        f"{prefix}_mean": "amount",
        f"{prefix}_min": "amount",
        f"{prefix}_max": "amount",
        f"{prefix}_std": "amount",
        f"{prefix}_small_tx": "amount",
        f"{prefix}_first_step": "time",
        f"{prefix}_last_step": "time",
        f"{prefix}_active_steps": "count",
        f"{prefix}_tx_max_window": "count",
        f"{prefix}_degree_max_window": "structure",
    }
    return frame, groups


def _in_out_gap(rows: _Rows) -> pl.DataFrame:
    """Steps from each incoming transfer to the account's next outgoing one: pass-through accounts forward fast."""
    median, minimum, not_forwarded = grouped.in_out_gaps(
        rows.in_ptr, rows.in_rows, rows.out_ptr, rows.out_rows, rows.step
    )
    return pl.DataFrame(
        {
            "account": np.arange(rows.n, dtype=np.int64),
            "gap_in_out_median": median,
            "gap_in_out_min": minimum,
            "in_not_forwarded_share": not_forwarded,
        }
    )


def _burst_features(rows: _Rows, windows: tuple[int, ...] = (1, 3)) -> pl.DataFrame:
    """Distinct counterparties in short windows, and how many others hit the same receiver at the same time.

    Fan-in and scatter-gather members send to one collector together; a co-sender count per (receiver,
    window) sees that without using amounts or transaction counts.
    """
    out: dict[str, NDArray[np.float64] | NDArray[np.int64]] = {"account": np.arange(rows.n, dtype=np.int64)}
    for w in windows:
        bucket = rows.step // w
        _, in_degree_max, senders = grouped.bucket_counts(rows.in_ptr, rows.in_rows, rows.src, bucket, rows.n)
        _, out_degree_max, receivers = grouped.bucket_counts(rows.out_ptr, rows.out_rows, rows.dst, bucket, rows.n)
        out[f"co_senders_max_w{w}"], out[f"co_senders_mean_w{w}"] = grouped.row_max_mean(
            rows.out_ptr, rows.out_rows, senders
        )
        out[f"co_receivers_max_w{w}"] = grouped.row_max_mean(rows.in_ptr, rows.in_rows, receivers)[0]
        out[f"in_degree_max_w{w}"] = in_degree_max
        out[f"out_degree_max_w{w}"] = out_degree_max
    return pl.DataFrame(out)


def account_features(tx: pl.DataFrame, n_accounts: int, window: int = 10, phases: Phases | None = None) -> FeatureSet:
    """All features for accounts 0..n_accounts-1; accounts without transactions get zeros."""
    phases = phases or Phases()
    with phases("features_aggregates"):
        rows = _Rows.of(tx, n_accounts)
        out_frame, out_groups = _side(tx, rows, "src", "out", window)
        in_frame, in_groups = _side(tx, rows, "dst", "in", window)
    with phases("features_in_out_gap"):
        gap = _in_out_gap(rows)
    groups: dict[str, str] = {**out_groups, **in_groups}
    groups |= {"gap_in_out_median": "time", "gap_in_out_min": "time", "in_not_forwarded_share": "time"}

    frame = (
        pl.DataFrame({"account": np.arange(n_accounts, dtype=np.int64)})
        .join(out_frame, on="account", how="left")
        .join(in_frame, on="account", how="left")
        .join(gap, on="account", how="left")
    )
    frame = frame.with_columns(
        (pl.col("out_sum") / pl.col("in_sum")).alias("out_in_amount_ratio"),
        (pl.col("out_first_step") - pl.col("in_first_step")).alias("first_out_after_first_in"),
        (pl.col("out_degree") / (pl.col("in_degree") + pl.col("out_degree"))).alias("fan_out_share"),
    )
    groups |= {"out_in_amount_ratio": "amount", "first_out_after_first_in": "time", "fan_out_share": "structure"}

    with phases("features_pagerank"):
        a = graph.adjacency(tx["src"].to_numpy(), tx["dst"].to_numpy(), n_accounts)
        structure: dict[str, np.ndarray] = {"pagerank": graph.pagerank(a) * n_accounts}
        structure["pagerank_reverse"] = graph.pagerank(a.T.tocsr()) * n_accounts
    with phases("features_walks"):
        closed, two_hop_out, two_hop_in = graph.walk_counts(a)
    for k, walks in closed.items():
        structure[f"closed_walks_{k}"] = walks
    structure["two_hop_out"], structure["two_hop_in"] = two_hop_out, two_hop_in
    with phases("features_neighbours"):
        reciprocal = a.multiply(a.T)
        structure["reciprocal_partners"] = np.asarray(reciprocal.sum(axis=1)).ravel()
        # Neighbour-label-free aggregates: what kind of accounts an account trades with.
        out_deg = np.asarray(a.sum(axis=1)).ravel()
        in_deg = np.asarray(a.sum(axis=0)).ravel()
        for name, values in (
            ("in_degree", in_deg),
            ("out_degree", out_deg),
            ("closed_walks_3", structure["closed_walks_3"]),
            ("closed_walks_4", structure["closed_walks_4"]),
            ("pagerank", structure["pagerank"]),
        ):
            structure[f"nbr_out_mean_{name}"] = graph.neighbour_mean(a, values, "out")
            structure[f"nbr_in_mean_{name}"] = graph.neighbour_mean(a, values, "in")
        frame = frame.with_columns([pl.Series(k, v) for k, v in structure.items()])
        groups |= dict.fromkeys(structure, "structure")

        # 2-hop flows: money that reaches an account's receivers, from its senders (amount features).
        in_sum = frame["in_sum"].fill_null(0.0).to_numpy()
        out_sum = frame["out_sum"].fill_null(0.0).to_numpy()
        two_hop = {
            "nbr_out_mean_in_sum": graph.neighbour_mean(a, in_sum, "out"),
            "nbr_in_mean_out_sum": graph.neighbour_mean(a, out_sum, "in"),
        }
        frame = frame.with_columns([pl.Series(k, v) for k, v in two_hop.items()])
        groups |= dict.fromkeys(two_hop, "amount")

    with phases("features_bursts"):
        temporal = _burst_features(rows)
        frame = frame.join(temporal, on="account", how="left")
    groups |= dict.fromkeys(temporal.columns[1:], "structure")

    with phases("features_density"):
        dense, dense_groups = _density_features(a, frame)
        frame = frame.with_columns([pl.Series(k, v) for k, v in dense.items()])
    groups |= dense_groups

    frame = frame.with_columns(pl.exclude("account").cast(pl.Float64).fill_null(0.0).fill_nan(0.0))
    return FeatureSet(frame=frame.select(["account", *groups]), groups=groups)


def _density_features(a: sp.csr_matrix, frame: pl.DataFrame) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Local density on the undirected graph, and what an account's neighbours look like (label-free)."""
    u = graph.undirected(a)
    deg = np.asarray(u.sum(axis=1)).ravel()
    dense = graph.local_density(u)
    out: dict[str, np.ndarray] = dict(dense)
    groups = dict.fromkeys(dense, "structure")
    for name in ("triangles", "clustering", "max_common_neighbours"):
        out[f"nbr_mean_{name}"] = graph.neighbour_mean(u, dense[name], "out")
        out[f"nbr_max_{name}"] = graph.neighbour_max(u, dense[name])
        groups[f"nbr_mean_{name}"] = groups[f"nbr_max_{name}"] = "structure"
    out["nbr_mean_degree"] = graph.neighbour_mean(u, deg, "out")
    out["nbr2_mean_degree"] = graph.neighbour_mean(u, out["nbr_mean_degree"], "out")
    out["nbr_max_degree"] = graph.neighbour_max(u, deg)
    out["nbr2_mean_triangles"] = graph.neighbour_mean(u, out["nbr_mean_triangles"], "out")
    groups |= dict.fromkeys(
        ("nbr_mean_degree", "nbr2_mean_degree", "nbr_max_degree", "nbr2_mean_triangles"), "structure"
    )
    # Neighbours that move odd amounts (varying or small): amount features, so the guard model drops them.
    for name in ("out_std", "in_std", "out_small_tx", "in_small_tx", "out_tx", "in_tx"):
        values = frame[name].fill_null(0.0).fill_nan(0.0).to_numpy().astype(np.float64)
        out[f"nbr_mean_{name}"] = graph.neighbour_mean(u, values, "out")
        groups[f"nbr_mean_{name}"] = "amount"
    out["nbr_max_out_std"] = graph.neighbour_max(u, frame["out_std"].fill_null(0.0).to_numpy().astype(np.float64))
    out["nbr2_mean_out_std"] = graph.neighbour_mean(u, out["nbr_mean_out_std"], "out")
    groups["nbr_max_out_std"] = groups["nbr2_mean_out_std"] = "amount"
    return out, groups
