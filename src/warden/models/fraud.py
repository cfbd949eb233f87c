"""The fraud model at decision time: `FraudModel.probability_with_reasons(features) -> (probability, top_contributions)`.

Scoring goes through LightGBM's single-row "fast" C API (prediction config prepared once, one thread), which
costs a few microseconds instead of the ~50 µs of `Booster.predict` on a one-row matrix. Reasons are
LightGBM's SHAP values (pred_contrib) in log-odds, computed only for scores that someone acts on (at or above
the review threshold) unless asked for, because TreeSHAP costs several predictions. They come from
`warden.models.treeshap` (numba, per-leaf tables built at load: ~4.5 µs a row for the default model where
LightGBM's single-row pred_contrib takes ~43 µs), or from LightGBM for a model that module does not support.
"""

from __future__ import annotations

import ctypes
import json
import operator
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from warden.features.catalog import FEATURE_NAMES
from warden.models.lightgbm_fast import PREDICT_CONTRIB, PREDICT_NORMAL, FastPredict, fast_path_problem
from warden.models.treeshap import TreeShap, build_tree_shap

# Features only (no raw event fields), so the decision engine can score with `features_for` output alone.
MODEL_FEATURES: tuple[str, ...] = FEATURE_NAMES
MODEL_FILE = "model.txt"
META_FILE = "meta.json"


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: float | None
    contribution: float  # log-odds pushed towards fraud

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": self.value, "contribution": round(self.contribution, 4)}


class FraudModel:
    """A trained fraud model with its metadata (features, version, thresholds, metrics)."""

    def __init__(self, booster: lgb.Booster, meta: dict[str, Any]) -> None:
        self.booster = booster
        self.meta = meta
        self.features: tuple[str, ...] = tuple(meta["features"])
        self.version: str = meta["version"]
        self.thresholds: dict[str, float] = dict(meta.get("thresholds", {}))
        self._row = np.empty(len(self.features), dtype=np.float64)
        self._row_ptr = self._row.ctypes.data_as(ctypes.c_void_p)
        # SHAP in numba when the model has nothing it does not reproduce (categorical splits, linear trees,
        # multiclass, ...: None, and LightGBM explains); explained once here so numba compiles (or loads
        # its cache) at model load, not in the first challenged withdrawal's decision
        self._shap: TreeShap | None = build_tree_shap(booster)
        if self._shap is not None and self._shap.n_features != len(self.features):
            self._shap = None
        if self._shap is not None:
            self._row.fill(0.0)
            self._shap.explain(self._row)
        self._fast: FastPredict | None = None
        self._fast_contrib: FastPredict | None = None
        if fast_path_problem() is None:  # else Booster.predict, as the start-up check has said (lightgbm_fast.py)
            self._fast = FastPredict(booster, len(self.features), PREDICT_NORMAL)
            if self._shap is None:
                self._fast_contrib = FastPredict(booster, len(self.features), PREDICT_CONTRIB)
        # SHAP reasons cost several times the prediction; below this score nobody acts on them
        self.explain_from: float = self.thresholds.get("review", 0.0)
        self._values = operator.itemgetter(*self.features)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, folder: Path) -> FraudModel:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        booster = lgb.Booster(model_file=str(folder / MODEL_FILE))
        if list(booster.feature_name()) != list(meta["features"]):
            raise ValueError(f"{folder}: model features do not match {META_FILE}")
        return cls(booster, meta)

    def _fill(self, features: Mapping[str, Any]) -> np.ndarray:
        # numpy turns None into NaN and bools into 0/1 in one C loop, far cheaper than per-item float()
        try:
            self._row[:] = self._values(features)  # the engine's features hold every model feature
        except KeyError:
            get = features.get
            self._row[:] = [get(name) for name in self.features]
        return self._row

    def _predict(self) -> float:
        if self._fast is not None:
            return float(self._fast(self._row_ptr)[0])
        return float(self.booster.predict(self._row.reshape(1, -1), num_threads=1)[0])

    def _contributions(self) -> np.ndarray:
        """SHAP values for the filled row, a fresh array (callers slice and keep it)."""
        if self._shap is not None:
            return self._shap.explain(self._row)
        if self._fast_contrib is not None:
            return self._fast_contrib(self._row_ptr).copy()
        return np.asarray(self.booster.predict(self._row.reshape(1, -1), pred_contrib=True, num_threads=1))[0]

    def probability(self, features: Mapping[str, Any]) -> float:
        with self._lock:  # the row buffer and LightGBM's fast config are per model, not per thread
            self._fill(features)
            return self._predict()

    def contributions(self, features: Mapping[str, Any]) -> np.ndarray:
        """SHAP values per feature (log-odds) followed by the bias; they sum to the raw score."""
        with self._lock:
            self._fill(features)
            return self._contributions()

    def probability_with_reasons(
        self,
        features: Mapping[str, Any],
        top: int = 5,
        explain: bool | None = None,
        explain_from: float | None = None,
    ) -> tuple[float, list[Contribution]]:
        """Fraud probability in [0, 1] and the features that pushed it up most (log-odds, largest first).

        Reasons are computed when asked (`explain=True`) or, by default, for probabilities at or above
        `explain_from` (default: the review threshold): an allowed withdrawal needs none, and SHAP costs several
        predictions. The row is filled once for both."""
        with self._lock:
            self._fill(features)
            probability = self._predict()
            wanted = self.explain_from if explain_from is None else explain_from
            if not (explain or (explain is None and probability >= wanted)):
                return probability, []
            values = self._contributions()[:-1]
        order = np.argpartition(values, -top)[-top:] if len(values) > top else np.arange(len(values))
        reasons = []
        for i in sorted(order.tolist(), key=lambda i: -values[i]):
            weight = float(values[i])
            if weight > 0:
                name = self.features[i]
                value = features.get(name)
                reasons.append(Contribution(name, None if value is None else float(value), weight))
        return probability, reasons

    def score_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Batch probabilities for backtests and evaluation."""
        return np.asarray(self.booster.predict(matrix))
