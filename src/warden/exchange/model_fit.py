"""The fraud model fitted to an exchange's labelled history, with honest scores to set its operating points.

`warden train fraud` keeps 30 % of the history as a test period and stops early on 14 %; with the few
hundred labelled frauds an exchange has in a month that throws most positives away, and scores on the
rows the trees were fitted on flatter the model. Here the history is cut into time blocks; each block is
scored by a model fitted on the others (out-of-fold scores), and the model that is kept is fitted on all of
it. Operating points (review at 5 %, hold at 0.8 % of normal withdrawals, as train.py) and the calibration
of the ruleset's `model_policy` read the out-of-fold scores.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import lightgbm as lgb
import numpy as np

from warden.features.catalog import CATALOG_VERSION
from warden.models.dataset import Withdrawals
from warden.models.fraud import MODEL_FEATURES, FraudModel
from warden.models.metrics import evaluate_scores
from warden.models.train import HOLD_NORMAL_RATE, REVIEW_NORMAL_RATE, TrainingError, _params, feature_matrix

FOLDS = 4
ROUNDS = 150  # fixed: no rows are spared for early stopping; a small learning rate and leaves keep it tame
# A few dozen labelled frauds: smaller trees, each on half of the features, so that no single feature that
# happened to separate this exchange's frauds carries the model to the next exchange.
FEW_LABELS = {"num_leaves": 7, "feature_fraction": 0.5}


def fit_out_of_fold(data: Withdrawals, seed: int = 7, source: str = "") -> tuple[FraudModel, np.ndarray]:
    """The model fitted on every row, and each row's probability from the model that did not see its block."""
    frame = data.frame
    n = frame.height
    x, y = feature_matrix(frame), frame["y"].to_numpy()
    if y.sum() < FOLDS or (y == 0).sum() < FOLDS:
        raise TrainingError(f"{int(y.sum())} labelled frauds in {n} withdrawals: too few to learn from")
    params = {**_params(seed), **FEW_LABELS}
    oof = np.zeros(n)
    edges = np.linspace(0, n, FOLDS + 1).astype(int)
    for k in range(FOLDS):
        held = np.zeros(n, dtype=bool)
        held[edges[k] : edges[k + 1]] = True
        if y[~held].sum() == 0:
            oof[held] = 0.0
            continue
        booster = lgb.train(params, lgb.Dataset(x[~held], y[~held], feature_name=list(MODEL_FEATURES)), ROUNDS)
        oof[held] = booster.predict(x[held])
    booster = lgb.train(params, lgb.Dataset(x, y, feature_name=list(MODEL_FEATURES)), ROUNDS)
    normal = oof[y == 0]
    thresholds = {
        "hold": float(np.nextafter(np.quantile(normal, 1 - HOLD_NORMAL_RATE, method="higher"), 1.0)),
        "review": float(np.nextafter(np.quantile(normal, 1 - REVIEW_NORMAL_RATE, method="higher"), 1.0)),
    }
    typology = frame["typology"].to_numpy()
    model_text = booster.model_to_string()
    trained_at = datetime.now(UTC)
    version = f"fraud-{trained_at:%Y%m%dT%H%M%SZ}-{hashlib.sha256(model_text.encode()).hexdigest()[:8]}"
    meta: dict[str, Any] = {
        "kind": "fraud",
        "version": version,
        "trained_at": trained_at.isoformat().replace("+00:00", "Z"),
        "features": list(MODEL_FEATURES),
        "feature_catalog_version": CATALOG_VERSION,
        "lightgbm_version": lgb.__version__,
        "params": params,
        "best_iteration": ROUNDS,
        "training_data": {
            "source": source,
            "withdrawals": n,
            "positives": int(y.sum()),
            "split": {
                "method": f"{FOLDS} time blocks, out-of-fold scores; the kept model is fitted on all of them",
                "train": {"rows": n, "from": str(frame["occurred_at"][0]), "to": str(frame["occurred_at"][n - 1])},
            },
        },
        "thresholds": thresholds,
        "threshold_rule": {
            "hold": f"{HOLD_NORMAL_RATE:.1%} of normal withdrawals, out-of-fold scores",
            "review": f"{REVIEW_NORMAL_RATE:.0%}",
        },
        # out-of-fold figures: each row scored by a model that did not see its time block
        "metrics": {"test": evaluate_scores(oof, y, typology, thresholds)},
    }
    return FraudModel(lgb.Booster(model_str=model_text), meta), oof
