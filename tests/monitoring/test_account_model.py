import numpy as np

from warden.monitoring.account_model import ModelParams, binary_metrics, cross_validate, pick_threshold


def test_threshold_meets_precision_floor() -> None:
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1], dtype=np.int8)
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    t = pick_threshold(y, s, 0.99)
    predicted = s >= t
    assert (y[predicted] == 1).all() and t == 0.6


def test_cross_validation_learns_a_separable_signal() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.1).astype(np.int8)
    x = np.column_stack([y + rng.normal(0, 0.1, 600), rng.normal(size=600)])
    result = cross_validate(x, y, ModelParams(n_estimators=30, n_jobs=1), folds=3, inner_folds=2)
    metrics = binary_metrics(y, result.predicted[0.95], result.scores)
    assert metrics["f1"] > 0.9
    assert len(result.thresholds[0.95]) == 3
