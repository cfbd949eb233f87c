"""The fraud model at decision time: `FraudModel.score(features) -> (score, top_contributions)`.

Scoring goes through LightGBM's single-row "fast" C API (prediction config prepared once, one thread), which
costs a few microseconds instead of the ~100 µs of `Booster.predict` on a one-row matrix. Contributions are
LightGBM's SHAP values (pred_contrib) in log-odds; their sum plus the bias is the raw score, so one call
gives both the probability and the reasons.
"""

from __future__ import annotations

import ctypes
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from warden.features.catalog import FEATURE_NAMES

# Features only (no raw event fields), so the decision engine can score with `features_for` output alone.
MODEL_FEATURES: tuple[str, ...] = FEATURE_NAMES
MODEL_FILE = "model.txt"
META_FILE = "meta.json"
_PREDICT_CONTRIB = 3  # C_API_PREDICT_CONTRIB
_DTYPE_FLOAT64 = 1  # C_API_DTYPE_FLOAT64


@dataclass(frozen=True, slots=True)
class Contribution:
    feature: str
    value: float | None
    contribution: float  # log-odds pushed towards fraud

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": self.value, "contribution": round(self.contribution, 4)}


class _FastContrib:
    """LightGBM's LGBM_BoosterPredictForMatSingleRowFast with pred_contrib, prepared once."""

    def __init__(self, booster: lgb.Booster, columns: int) -> None:
        from lightgbm.basic import _LIB, _c_str, _safe_call

        self._lib, self._check = _LIB, _safe_call
        self._booster = booster  # keeps the handle alive as long as the config
        self._config = ctypes.c_void_p()
        _safe_call(
            _LIB.LGBM_BoosterPredictForMatSingleRowFastInit(
                booster._handle,
                ctypes.c_int(_PREDICT_CONTRIB),
                ctypes.c_int(0),
                ctypes.c_int(-1),
                ctypes.c_int(_DTYPE_FLOAT64),
                ctypes.c_int32(columns),
                _c_str("num_threads=1"),
                ctypes.byref(self._config),
            )
        )
        self._out = np.zeros(columns + 1, dtype=np.float64)
        self._out_ptr = self._out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        self._len = ctypes.c_int64()

    def __call__(self, row: np.ndarray) -> np.ndarray:
        self._check(
            self._lib.LGBM_BoosterPredictForMatSingleRowFast(
                self._config, row.ctypes.data_as(ctypes.c_void_p), ctypes.byref(self._len), self._out_ptr
            )
        )
        return self._out

    def __del__(self) -> None:
        if getattr(self, "_config", None) is not None and self._config.value:
            self._lib.LGBM_FastConfigFree(self._config)


class FraudModel:
    """A trained fraud model with its metadata (features, version, thresholds, metrics)."""

    def __init__(self, booster: lgb.Booster, meta: dict[str, Any]) -> None:
        self.booster = booster
        self.meta = meta
        self.features: tuple[str, ...] = tuple(meta["features"])
        self.version: str = meta["version"]
        self.thresholds: dict[str, float] = dict(meta.get("thresholds", {}))
        self._fast: _FastContrib | None
        try:
            self._fast = _FastContrib(booster, len(self.features))
        except (AttributeError, OSError, lgb.basic.LightGBMError):
            self._fast = None  # an older LightGBM: fall back to Booster.predict
        self._row = np.empty(len(self.features), dtype=np.float64)

    @classmethod
    def load(cls, folder: Path) -> FraudModel:
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        booster = lgb.Booster(model_file=str(folder / MODEL_FILE))
        if list(booster.feature_name()) != list(meta["features"]):
            raise ValueError(f"{folder}: model features do not match {META_FILE}")
        return cls(booster, meta)

    def _contributions(self, features: Mapping[str, Any]) -> np.ndarray:
        get = features.get
        # numpy turns None into NaN and bools into 0/1 in one C loop, far cheaper than per-item float()
        self._row[:] = [get(name) for name in self.features]
        if self._fast is not None:
            return self._fast(self._row)
        return np.asarray(self.booster.predict(self._row.reshape(1, -1), pred_contrib=True, num_threads=1))[0]

    def score(self, features: Mapping[str, Any], top: int = 5) -> tuple[float, list[Contribution]]:
        """Fraud probability in [0, 1] and the features that pushed it up most (log-odds, largest first)."""
        contrib = self._contributions(features)
        score = 1.0 / (1.0 + math.exp(-float(contrib.sum())))
        values = contrib[:-1]
        order = np.argpartition(values, -top)[-top:] if len(values) > top else np.arange(len(values))
        reasons = []
        for i in sorted(order.tolist(), key=lambda i: -values[i]):
            weight = float(values[i])
            if weight > 0:
                name = self.features[i]
                value = features.get(name)
                reasons.append(Contribution(name, None if value is None else float(value), weight))
        return score, reasons

    def score_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Batch probabilities for backtests and evaluation."""
        return np.asarray(self.booster.predict(matrix))

    def action_for(self, score: float) -> str:
        """`hold` / `review` / `allow` by the thresholds calibrated at training time."""
        if score >= self.thresholds.get("hold", math.inf):
            return "hold"
        if score >= self.thresholds.get("review", math.inf):
            return "review"
        return "allow"
