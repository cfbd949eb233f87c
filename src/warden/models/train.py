"""Train the fraud model on labelled withdrawals with a time-based split.

The first 56% of withdrawals (by time) train the trees, the next 14% stop boosting early and calibrate the
thresholds (hold: 0.8% of normal withdrawals above it, leaving margin under 1%; review: 5%), the last 30% are the untouched test period
whose figures go into the metadata. Splitting by time, not at random, keeps the future out of training.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from warden.features.catalog import CATALOG_VERSION
from warden.models.dataset import Withdrawals
from warden.models.fraud import MODEL_FEATURES, FraudModel
from warden.models.metrics import evaluate_scores

TRAIN_SHARE, VALIDATION_SHARE = 0.56, 0.14
# Hold at 0.8% of normal validation withdrawals, not 1%: a quantile from ~10k rows is noisy, and the
# promise is at most 1% of normal withdrawals held on new data.
HOLD_NORMAL_RATE, REVIEW_NORMAL_RATE = 0.008, 0.05


class TrainingError(ValueError):
    """Not enough labelled data to train."""


def feature_matrix(frame: pl.DataFrame, features: tuple[str, ...] = MODEL_FEATURES) -> np.ndarray:
    """Model inputs as float64 (bools 0/1, nulls NaN), columns in `features` order."""
    return frame.select(pl.col(c).cast(pl.Float64) for c in features).to_numpy().astype(np.float64, copy=False)


def _params(seed: int) -> dict[str, Any]:
    return {
        "objective": "binary",
        "learning_rate": 0.05,
        "num_leaves": 15,
        "min_data_in_leaf": 10,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "metric": "average_precision",
        "seed": seed,
        "deterministic": True,
        "num_threads": 2,
        "verbose": -1,
    }


def train_fraud(data: Withdrawals, seed: int = 7, rounds: int = 400, source: str = "") -> FraudModel:
    frame = data.frame
    n = frame.height
    cut_train, cut_val = int(n * TRAIN_SHARE), int(n * (TRAIN_SHARE + VALIDATION_SHARE))
    x, y = feature_matrix(frame), frame["y"].to_numpy()
    typology = frame["typology"].to_numpy()
    parts = {"train": slice(0, cut_train), "validation": slice(cut_train, cut_val), "test": slice(cut_val, n)}
    for name, part in parts.items():
        if y[part].sum() == 0 or (y[part] == 0).sum() == 0:
            raise TrainingError(f"the {name} period has no positive or no normal withdrawals ({n} withdrawals in all)")
    params = _params(seed)
    train_set = lgb.Dataset(x[parts["train"]], y[parts["train"]], feature_name=list(MODEL_FEATURES))
    valid_set = lgb.Dataset(x[parts["validation"]], y[parts["validation"]], reference=train_set)
    booster = lgb.train(
        params,
        train_set,
        num_boost_round=rounds,
        valid_sets=[valid_set],
        callbacks=[lgb.early_stopping(40, verbose=False)],
    )
    booster.best_iteration = booster.best_iteration or booster.current_iteration()
    booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=booster.best_iteration))
    val_scores = np.asarray(booster.predict(x[parts["validation"]]))
    normal_val = val_scores[y[parts["validation"]] == 0]
    thresholds = {
        "hold": float(np.quantile(normal_val, 1 - HOLD_NORMAL_RATE, method="higher")),
        "review": float(np.quantile(normal_val, 1 - REVIEW_NORMAL_RATE, method="higher")),
    }
    # "at or above" flags: nudge just above the quantile so at most the intended share of normals passes
    thresholds = {k: float(np.nextafter(v, 1.0)) for k, v in thresholds.items()}
    metrics = {
        name: evaluate_scores(np.asarray(booster.predict(x[part])), y[part], typology[part], thresholds)
        for name, part in parts.items()
        if name != "train"
    }
    model_text = booster.model_to_string()
    trained_at = datetime.now(UTC)
    version = f"fraud-{trained_at:%Y%m%dT%H%M%SZ}-{hashlib.sha256(model_text.encode()).hexdigest()[:8]}"
    meta = {
        "kind": "fraud",
        "version": version,
        "trained_at": trained_at.isoformat().replace("+00:00", "Z"),
        "features": list(MODEL_FEATURES),
        "feature_catalog_version": CATALOG_VERSION,
        "lightgbm_version": lgb.__version__,
        "params": params,
        "best_iteration": booster.current_iteration(),
        "training_data": {
            "source": source,
            "withdrawals": n,
            "positives": int(y.sum()),
            "split": {
                name: {
                    "rows": int(y[part].shape[0]),
                    "from": str(frame["occurred_at"][part.start]),
                    "to": str(frame["occurred_at"][part.stop - 1]),
                }
                for name, part in parts.items()
            },
        },
        "thresholds": thresholds,
        "threshold_rule": {
            "hold": f"{HOLD_NORMAL_RATE:.1%} of normal validation withdrawals",
            "review": f"{REVIEW_NORMAL_RATE:.0%}",
        },
        "metrics": metrics,
    }
    return FraudModel(lgb.Booster(model_str=model_text), meta)
