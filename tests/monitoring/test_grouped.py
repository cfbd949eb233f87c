import warnings

import numpy as np
import polars as pl

from warden.monitoring import grouped


def _rows(seed: int = 5, n: int = 40, m: int = 400) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({"src": rng.integers(0, n, m), "dst": rng.integers(0, n, m), "step": rng.integers(0, 30, m)})


def test_bucket_counts_equal_group_by_n_unique() -> None:
    tx = _rows()
    src, dst, step = (tx[c].to_numpy().astype(np.int64) for c in ("src", "dst", "step"))
    ptr, rows = grouped.group_rows(src, 40)
    rows_max, distinct_max, row_distinct = grouped.bucket_counts(ptr, rows, dst, step // 5, 40)
    per_bucket = tx.group_by("src", pl.col("step") // 5).agg(pl.len().alias("n"), pl.col("dst").n_unique().alias("d"))
    want = per_bucket.group_by("src").agg(pl.col("n").max(), pl.col("d").max()).sort("src")
    assert rows_max[want["src"].to_numpy()].tolist() == want["n"].to_list()
    assert distinct_max[want["src"].to_numpy()].tolist() == want["d"].to_list()
    per_row = tx.with_columns((pl.col("step") // 5).alias("w")).join(
        per_bucket.rename({"step": "w"}), on=["src", "w"], how="left", maintain_order="left"
    )
    assert row_distinct.tolist() == per_row["d"].to_list()


def test_in_out_gaps_equal_an_as_of_join() -> None:
    tx = _rows(seed=6)
    src, dst, step = (tx[c].to_numpy().astype(np.int64) for c in ("src", "dst", "step"))
    out_ptr, out_rows = grouped.group_rows(src, 40)
    in_ptr, in_rows = grouped.group_rows(dst, 40)
    median, minimum, not_forwarded = grouped.in_out_gaps(in_ptr, in_rows, out_ptr, out_rows, step)
    incoming = tx.select(pl.col("dst").alias("account"), "step").sort("step")
    outgoing = tx.select(pl.col("src").alias("account"), pl.col("step").alias("out")).sort("out")
    with warnings.catch_warnings():  # both sides are sorted by step
        warnings.simplefilter("ignore", UserWarning)
        joined = incoming.join_asof(outgoing, left_on="step", right_on="out", by="account", strategy="forward")
    want = (
        joined.with_columns((pl.col("out") - pl.col("step")).alias("gap"))
        .group_by("account")
        .agg(pl.col("gap").median().alias("median"), pl.col("gap").min().alias("min"), pl.col("gap").is_null().mean())
        .sort("account")
    )
    at = want["account"].to_numpy()
    assert np.allclose(median[at], want["median"].fill_null(np.nan).to_numpy(), equal_nan=True)
    assert np.allclose(minimum[at], want["min"].cast(pl.Float64).fill_null(np.nan).to_numpy(), equal_nan=True)
    assert np.allclose(not_forwarded[at], want["gap"].to_numpy())
