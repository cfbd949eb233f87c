"""Importer and evaluation for the Elliptic Bitcoin data set (Weber et al. 2019).

Files: `elliptic_txs_features.csv` (no header: txId, time step, 165 features), `elliptic_txs_classes.csv`
(`txId,class` with class `1` illicit, `2` licit, `unknown`), `elliptic_txs_edgelist.csv` (`txId1,txId2`).
Protocol as published: labelled transactions only, train on time steps 1-34, test on 35-49, illicit is
the positive class; the threshold is chosen on the training steps only (inner out-of-fold scores).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from warden.monitoring import graph
from warden.monitoring.account_model import MODEL_VERSION, ModelParams, _oof_scores, binary_metrics, pick_threshold
from warden.monitoring.errors import InputError

TRAIN_LAST_STEP = 34


@dataclass(frozen=True)
class EllipticData:
    features: pl.DataFrame  # txId, step, f0..fN
    labels: pl.DataFrame  # txId, label (1 illicit, 0 licit, null unknown)
    edges: pl.DataFrame  # src, dst (txIds)


def _numeric_csv(path: Path, has_header: bool, min_cols: int) -> pl.DataFrame:
    if not path.exists():
        raise InputError(path, None, "no such file")
    raw = pl.read_csv(path, has_header=has_header, infer_schema=False)
    if raw.width < min_cols:
        raise InputError(path, 1, f"expected at least {min_cols} columns, found {raw.width}")
    first_line = 2 if has_header else 1
    out = raw.with_row_index("_line", offset=first_line)
    for column in raw.columns:
        cast = out[column].cast(pl.Float64, strict=False)
        bad = out.filter(cast.is_null())
        if bad.height:
            row = bad.row(0, named=True)
            raise InputError(path, int(row["_line"]), f"column {column}: {row[column]!r} is not a number")
    return raw.with_columns(pl.all().cast(pl.Float64))


def load_elliptic(directory: Path | str) -> EllipticData:
    directory = Path(directory)
    feats = _numeric_csv(directory / "elliptic_txs_features.csv", has_header=False, min_cols=3)
    feats = feats.rename({c: n for c, n in zip(feats.columns[:2], ["txId", "step"], strict=True)})
    feats = feats.with_columns(pl.col("txId").cast(pl.Int64), pl.col("step").cast(pl.Int64))
    classes_path = directory / "elliptic_txs_classes.csv"
    if not classes_path.exists():
        raise InputError(classes_path, None, "no such file")
    classes = pl.read_csv(classes_path, infer_schema=False)
    if classes.columns != ["txId", "class"]:
        raise InputError(classes_path, 1, "header must be txId,class")
    bad = classes.with_row_index("_line", offset=2).filter(~pl.col("class").is_in(["1", "2", "unknown"]))
    if bad.height:
        raise InputError(classes_path, int(bad["_line"][0]), f"class {bad['class'][0]!r} is not 1, 2 or unknown")
    labels = classes.select(
        pl.col("txId").cast(pl.Int64),
        pl.when(pl.col("class") == "1").then(1).when(pl.col("class") == "2").then(0).otherwise(None).alias("label"),
    )
    edges = _numeric_csv(directory / "elliptic_txs_edgelist.csv", has_header=True, min_cols=2)
    edges = edges.select(
        pl.col(edges.columns[0]).cast(pl.Int64).alias("src"), pl.col(edges.columns[1]).cast(pl.Int64).alias("dst")
    )
    return EllipticData(features=feats, labels=labels, edges=edges)


def _graph_columns(data: EllipticData) -> pl.DataFrame:
    """PageRank and degrees on the transaction graph, added to the provided features."""
    ids = data.features["txId"].to_numpy()
    index = {int(t): i for i, t in enumerate(ids)}
    e = data.edges.filter(pl.col("src").is_in(list(index)) & pl.col("dst").is_in(list(index)))
    src = np.array([index[int(s)] for s in e["src"]], dtype=np.int64)
    dst = np.array([index[int(d)] for d in e["dst"]], dtype=np.int64)
    a = graph.adjacency(src, dst, len(ids))
    return pl.DataFrame(
        {
            "txId": ids,
            "g_pagerank": graph.pagerank(a) * len(ids),
            "g_in": np.asarray(a.sum(axis=0)).ravel(),
            "g_out": np.asarray(a.sum(axis=1)).ravel(),
        }
    )


def evaluate_elliptic(
    data: EllipticData, params: ModelParams | None = None, min_precision: float = 0.0
) -> dict[str, Any]:
    params = params or ModelParams()
    started = time.perf_counter()
    table = data.features.join(_graph_columns(data), on="txId").join(data.labels, on="txId").drop_nulls("label")
    cols = [c for c in table.columns if c not in ("txId", "step", "label")]
    train = table.filter(pl.col("step") <= TRAIN_LAST_STEP)
    test = table.filter(pl.col("step") > TRAIN_LAST_STEP)
    if train.height == 0 or test.height == 0 or train["label"].n_unique() < 2:
        raise InputError("elliptic", None, "need labelled transactions of both classes before and after step 34")
    x_train, y_train = train.select(cols).to_numpy(), train["label"].to_numpy().astype(np.int8)
    folds = int(min(3, y_train.sum(), (1 - y_train).sum()))
    inner = _oof_scores(x_train, y_train, params, max(folds, 2))
    threshold = pick_threshold(y_train, inner, min_precision)
    model = params.estimator().fit(x_train, y_train)
    scores = np.asarray(model.predict_proba(test.select(cols).to_numpy()))[:, 1]
    y_test = test["label"].to_numpy().astype(np.int8)
    metrics = binary_metrics(y_test, scores >= threshold, scores)
    return {
        "dataset": "elliptic",
        "train_transactions": train.height,
        "test_transactions": test.height,
        **{k: metrics[k] for k in ("precision", "recall", "f1", "pr_auc")},
        "protocol": f"temporal split: train steps <= {TRAIN_LAST_STEP}, test after; threshold from inner CV on train",
        "threshold": round(threshold, 4),
        "versions": {"model": MODEL_VERSION},
        "seconds": round(time.perf_counter() - started, 2),
    }
