"""The fraud model fitted to an exchange's few labels: small trees, honest out-of-fold scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from warden.exchange.model_fit import FEW_LABELS, fit_out_of_fold
from warden.models.dataset import Withdrawals
from warden.models.fraud import MODEL_FEATURES


def _withdrawals(n: int = 3000, frauds: int = 40, seed: int = 3) -> Withdrawals:
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=np.int64)
    y[rng.choice(n, frauds, replace=False)] = 1
    columns = {name: rng.normal(size=n) for name in MODEL_FEATURES}
    # the frauds come from a device first seen minutes before; everything else is noise
    columns["device_age_hours"] = np.where(y == 1, rng.uniform(0, 0.5, n), rng.uniform(0, 5000, n))
    start = datetime(2025, 3, 1, tzinfo=UTC)
    frame = pl.DataFrame(
        {
            "event_id": [f"ev_{i}" for i in range(n)],
            "customer_id": [f"cu_{i % 500}" for i in range(n)],
            "occurred_at": [start + timedelta(minutes=10 * i) for i in range(n)],
            "amount_usd": rng.uniform(10, 5000, n),
            "y": y,
            "typology": np.where(y == 1, "account_takeover", "normal"),
            **columns,
        }
    )
    return Withdrawals(frame)


def test_trees_stay_small_and_out_of_fold_scores_still_rank_the_frauds_first() -> None:
    data = _withdrawals()
    model, oof = fit_out_of_fold(data)
    trees = model.booster.dump_model()["tree_info"]
    assert max(t["num_leaves"] for t in trees) <= FEW_LABELS["num_leaves"]
    assert model.meta["params"]["feature_fraction"] == FEW_LABELS["feature_fraction"]
    y = data.frame["y"].to_numpy()
    # every fraud scored by a model that did not see its block still outranks almost every normal one
    normal_above = [(oof[y == 0] >= s).mean() for s in oof[y == 1]]
    assert float(np.median(normal_above)) < 0.01
