"""Per-account features from a transaction list (`src`, `dst`, `amount`, `step` with dense account indexes).

Aggregates are Polars expressions; graph features come from `warden.monitoring.graph` on CSR arrays. Each
feature belongs to one group so that a model can be trained without a group (the guard: a model that only
works because laundering amounts look odd is not a monitoring model).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from warden.monitoring import graph

FEATURES_VERSION = "graph-features-1"
SMALL_AMOUNT = 100.0  # AMLSim's normal transfers are 100..600; smaller ones are laundering-sized


@dataclass(frozen=True)
class FeatureSet:
    """Feature matrix (one row per account index 0..n-1) and the group of each column."""

    frame: pl.DataFrame
    groups: dict[str, str]  # column -> "amount" | "count" | "structure" | "time"

    def columns(self, exclude: tuple[str, ...] = ()) -> list[str]:
        return [c for c, g in self.groups.items() if g not in exclude]


def _side(tx: pl.DataFrame, key: str, other: str, prefix: str, window: int) -> tuple[pl.DataFrame, dict[str, str]]:
    """Aggregates of one direction (out: key=src, in: key=dst)."""
    base = tx.group_by(key).agg(
        pl.len().alias(f"{prefix}_tx"),
        pl.col(other).n_unique().alias(f"{prefix}_degree"),
        pl.col("amount").sum().alias(f"{prefix}_sum"),
        pl.col("amount").mean().alias(f"{prefix}_mean"),
        pl.col("amount").min().alias(f"{prefix}_min"),
        pl.col("amount").max().alias(f"{prefix}_max"),
        pl.col("amount").std().fill_null(0.0).alias(f"{prefix}_std"),
        (pl.col("amount") < SMALL_AMOUNT).sum().alias(f"{prefix}_small_tx"),
        pl.col("step").min().alias(f"{prefix}_first_step"),
        pl.col("step").max().alias(f"{prefix}_last_step"),
        pl.col("step").n_unique().alias(f"{prefix}_active_steps"),
    )
    windowed = (
        tx.with_columns((pl.col("step") // window).alias("_w"))
        .group_by(key, "_w")
        .agg(pl.len().alias("n"), pl.col(other).n_unique().alias("d"))
        .group_by(key)
        .agg(pl.col("n").max().alias(f"{prefix}_tx_max_window"), pl.col("d").max().alias(f"{prefix}_degree_max_window"))
    )
    frame = base.join(windowed, on=key, how="left").rename({key: "account"})
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


def _in_out_gap(tx: pl.DataFrame) -> pl.DataFrame:
    """Steps from each incoming transfer to the account's next outgoing one: pass-through accounts forward fast."""
    incoming = tx.select(pl.col("dst").alias("account"), pl.col("step")).sort("step")
    outgoing = tx.select(pl.col("src").alias("account"), pl.col("step").alias("out_step")).sort("out_step")
    with warnings.catch_warnings():  # both sides are sorted by step, hence within each account too
        warnings.simplefilter("ignore", UserWarning)
        joined = incoming.join_asof(outgoing, left_on="step", right_on="out_step", by="account", strategy="forward")
    joined = joined.with_columns((pl.col("out_step") - pl.col("step")).alias("gap"))
    return joined.group_by("account").agg(
        pl.col("gap").median().alias("gap_in_out_median"),
        pl.col("gap").min().alias("gap_in_out_min"),
        pl.col("gap").is_null().mean().alias("in_not_forwarded_share"),
    )


def _burst_features(tx: pl.DataFrame, n_accounts: int, windows: tuple[int, ...] = (1, 3)) -> pl.DataFrame:
    """Distinct counterparties in short windows, and how many others hit the same receiver at the same time.

    Fan-in and scatter-gather members send to one collector together; a co-sender count per (receiver,
    window) sees that without using amounts or transaction counts.
    """
    out = pl.DataFrame({"account": np.arange(n_accounts, dtype=np.int64)})
    for w in windows:
        tw = tx.select("src", "dst", (pl.col("step") // w).alias("w"))
        senders = tw.group_by("dst", "w").agg(pl.col("src").n_unique().alias("k"))
        receivers = tw.group_by("src", "w").agg(pl.col("dst").n_unique().alias("k"))
        parts = [
            tw.join(senders, on=["dst", "w"])
            .group_by("src")
            .agg(pl.col("k").max().alias(f"co_senders_max_w{w}"), pl.col("k").mean().alias(f"co_senders_mean_w{w}"))
            .rename({"src": "account"}),
            tw.join(receivers, on=["src", "w"])
            .group_by("dst")
            .agg(pl.col("k").max().alias(f"co_receivers_max_w{w}"))
            .rename({"dst": "account"}),
            senders.group_by("dst").agg(pl.col("k").max().alias(f"in_degree_max_w{w}")).rename({"dst": "account"}),
            receivers.group_by("src").agg(pl.col("k").max().alias(f"out_degree_max_w{w}")).rename({"src": "account"}),
        ]
        for part in parts:
            out = out.join(part, on="account", how="left")
    return out.with_columns(pl.exclude("account").cast(pl.Float64).fill_null(0.0))


def account_features(tx: pl.DataFrame, n_accounts: int, window: int = 10) -> FeatureSet:
    """All features for accounts 0..n_accounts-1; accounts without transactions get zeros."""
    out_frame, out_groups = _side(tx, "src", "dst", "out", window)
    in_frame, in_groups = _side(tx, "dst", "src", "in", window)
    gap = _in_out_gap(tx)
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

    src = tx["src"].to_numpy()
    dst = tx["dst"].to_numpy()
    a = graph.adjacency(src, dst, n_accounts)
    structure: dict[str, np.ndarray] = {"pagerank": graph.pagerank(a) * n_accounts}
    structure["pagerank_reverse"] = graph.pagerank(a.T.tocsr()) * n_accounts
    for k, walks in graph.closed_walks(a, 6).items():
        structure[f"closed_walks_{k}"] = walks
    structure["two_hop_out"], structure["two_hop_in"] = graph.two_hop_reach(a)
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

    temporal = _burst_features(tx, n_accounts)
    frame = frame.join(temporal, on="account", how="left")
    groups |= dict.fromkeys(temporal.columns[1:], "structure")

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
