"""The numba TreeSHAP equals LightGBM's pred_contrib; what it does not reproduce falls back to LightGBM."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from warden.models.dataset import load_withdrawals
from warden.models.fraud import FraudModel
from warden.models.registry import load_fraud_model
from warden.models.train import feature_matrix, train_fraud
from warden.models.treeshap import build_tree_shap

TOLERANCE = 1e-9
TINY = float(np.float32(1e-35))  # LightGBM's kZeroThreshold


def _lightgbm(booster: lgb.Booster, matrix: np.ndarray) -> np.ndarray:
    return np.asarray(booster.predict(matrix, pred_contrib=True, num_iteration=-1))


def _numba(booster: lgb.Booster, matrix: np.ndarray) -> np.ndarray:
    shap = build_tree_shap(booster)
    assert shap is not None
    return np.array([shap.explain(np.ascontiguousarray(row)) for row in matrix])


def _awkward_rows(features: tuple[str, ...], base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Copies of real rows with NaNs, zeros, near-zeros (either side of kZeroThreshold), -0.0 and infinities."""
    rows = base[rng.integers(0, len(base), 300)].copy()
    cells = rng.random(rows.shape)
    rows[cells < 0.15] = np.nan
    rows[(cells >= 0.15) & (cells < 0.3)] = 0.0
    specials = np.array([TINY, -TINY, TINY * 10, -TINY * 10, 1e-300, -0.0, np.inf, -np.inf, 1.0, -1.0])
    picks = (cells >= 0.3) & (cells < 0.36)
    rows[picks] = rng.choice(specials, int(picks.sum()))
    rows[0] = np.nan
    rows[1] = 0.0
    return rows


@pytest.fixture(scope="module")
def model(dataset: Path) -> FraudModel:
    return train_fraud(load_withdrawals(dataset), rounds=60)


def test_default_model_matches_lightgbm(dataset: Path) -> None:
    model = load_fraud_model()
    assert model._shap is not None  # the shipped model takes the numba path
    frame = load_withdrawals(dataset).frame
    matrix = feature_matrix(frame, model.features)
    rng = np.random.default_rng(3)
    for rows in (matrix[:300], _awkward_rows(model.features, matrix, rng)):
        want = _lightgbm(model.booster, rows)
        np.testing.assert_allclose(_numba(model.booster, rows), want, rtol=0, atol=TOLERANCE)


def test_trained_model_matches_lightgbm_through_fraud_model(model: FraudModel, dataset: Path) -> None:
    assert model._shap is not None
    frame = load_withdrawals(dataset).frame
    records = frame.to_dicts()
    rng = np.random.default_rng(4)
    rows: list[dict[str, Any]] = []
    for record in records[:400]:  # the engine's dicts: None for missing, bools, ints and floats
        row = dict(record)
        for name in model.features:
            draw = rng.random()
            if draw < 0.1:
                row[name] = None
            elif draw < 0.2:
                row[name] = 0
            elif draw < 0.25:
                row[name] = bool(rng.integers(0, 2))
        rows.append(row)
    assert any(v is None for row in rows for v in row.values())
    assert any(isinstance(row[name], bool) for row in rows for name in model.features)
    matrix = np.array([[np.nan if row[n] is None else float(row[n]) for n in model.features] for row in rows])
    want = _lightgbm(model.booster, matrix)
    got = np.array([model.contributions(row) for row in rows])
    np.testing.assert_allclose(got, want, rtol=0, atol=TOLERANCE)
    np.testing.assert_allclose(_numba(model.booster, feature_matrix(frame, model.features)),
                               _lightgbm(model.booster, feature_matrix(frame, model.features)), rtol=0, atol=TOLERANCE)  # fmt: skip
    # each call returns a fresh array: a caller's slice survives the next explanation
    first = model.contributions(rows[0])
    kept = first[:-1]
    model.contributions(rows[1])
    np.testing.assert_allclose(kept, want[0, :-1], rtol=0, atol=TOLERANCE)
    assert model.contributions(rows[0]) is not first


@pytest.mark.parametrize(
    ("params", "missing"),
    [
        ({}, "NaN"),  # NaN in the data
        ({"zero_as_missing": True}, "Zero"),
        ({"use_missing": False}, "None"),  # NaN reads as 0.0
        ({"max_depth": 12, "num_leaves": 40, "min_data_in_leaf": 2}, "NaN"),  # deep paths, features split again
    ],
)
def test_missing_types_and_deep_trees_match_lightgbm(params: dict[str, Any], missing: str) -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(3000, 6))
    x[:, 3] = rng.integers(0, 2, len(x))  # a boolean
    x[:, 4] = np.where(rng.random(len(x)) < 0.3, 0.0, x[:, 4])
    y = ((x[:, 0] > 0.2) ^ (x[:, 3] > 0) | (np.nan_to_num(x[:, 1]) > 1.0) | (x[:, 4] == 0)).astype(int)
    x[rng.random(x.shape) < 0.1] = np.nan
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "num_leaves": 15, "min_data_in_leaf": 5, "seed": 1, **params},
        lgb.Dataset(x, y),
        30,
    )
    dump = booster.dump_model()
    kinds = {node["missing_type"] for tree in dump["tree_info"] for node in _splits(tree["tree_structure"])}
    assert missing in kinds
    rows = _awkward_rows(("f",) * 6, x, rng)
    np.testing.assert_allclose(_numba(booster, rows), _lightgbm(booster, rows), rtol=0, atol=TOLERANCE)


def _splits(node: dict[str, Any]) -> list[dict[str, Any]]:
    if "split_index" not in node:
        return []
    return [node, *_splits(node["left_child"]), *_splits(node["right_child"])]


def _tiny_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(600, 3))
    x[:, 2] = rng.integers(0, 5, len(x))
    y = ((x[:, 0] > 0) | (x[:, 2] >= 3)).astype(int)
    return x, y


def test_unsupported_models_fall_back_to_lightgbm(model: FraudModel) -> None:
    x, y = _tiny_data()
    base = {"objective": "binary", "verbose": -1, "num_leaves": 4, "min_data_in_leaf": 5, "min_data_per_group": 5}
    categorical = lgb.train({**base, "cat_smooth": 1.0}, lgb.Dataset(x, y, categorical_feature=[2]), 10)
    assert any(node["decision_type"] == "==" for t in categorical.dump_model()["tree_info"] for node in _splits(t["tree_structure"]))  # fmt: skip
    assert build_tree_shap(categorical) is None
    assert build_tree_shap(lgb.train({**base, "linear_tree": True}, lgb.Dataset(x, y), 5)) is None
    multiclass = {**base, "objective": "multiclass", "num_class": 3}
    assert build_tree_shap(lgb.train(multiclass, lgb.Dataset(x, (x[:, 2] % 3).astype(int)), 5)) is None
    assert build_tree_shap(model.booster, table_budget=10) is None  # deep trees: tables over the budget

    # a FraudModel over such a booster explains with LightGBM, and the values are LightGBM's
    names = [f"f{i}" for i in range(3)]
    booster = lgb.train({**base, "cat_smooth": 1.0}, lgb.Dataset(x, y, feature_name=names, categorical_feature=[2]), 10)
    fallback = FraudModel(booster, {"features": names, "version": "cat", "thresholds": {"review": 0.5}})
    assert fallback._shap is None
    row = {"f0": 0.3, "f1": None, "f2": 3}
    want = _lightgbm(booster, np.array([[0.3, np.nan, 3.0]]))[0]
    np.testing.assert_allclose(fallback.contributions(row), want, rtol=0, atol=1e-12)


def test_single_leaf_trees_are_bias_only() -> None:
    x, y = _tiny_data()
    # no split leaves 400 rows on both sides: every tree is a single leaf (the first holds the average)
    booster = lgb.train({"objective": "binary", "verbose": -1, "min_data_in_leaf": 400}, lgb.Dataset(x, y), 3)
    assert {tree["num_leaves"] for tree in booster.dump_model()["tree_info"]} == {1}
    rows = x[:20]
    np.testing.assert_allclose(_numba(booster, rows), _lightgbm(booster, rows), rtol=0, atol=TOLERANCE)
