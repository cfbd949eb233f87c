"""LightGBM's single-row fast prediction through its private C binding (`lightgbm.basic._LIB`).

`Booster.predict` costs tens of µs of Python per row; the C API's `LGBM_BoosterPredictForMatSingleRowFast` a
few. The binding is private, so it is used only with the LightGBM versions Warden declares it was tested with
(the `lightgbm` requirement in pyproject.toml: the one place the range is written) and only when the symbols
are there. `fast_path_problem()` says why not otherwise; `check_fast_path()` logs it at start-up, naming the
fallback (`Booster.predict`, slower but the same answers), instead of a failure at the first decision.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from importlib import metadata
from typing import Any

import lightgbm as lgb
import numpy as np
from packaging.requirements import Requirement
from packaging.version import Version

from warden.logging import get_logger

log = get_logger(__name__)

PREDICT_NORMAL = 0  # C_API_PREDICT_NORMAL: the probability
PREDICT_CONTRIB = 3  # C_API_PREDICT_CONTRIB: SHAP values + bias, in log-odds
DTYPE_FLOAT64 = 1  # C_API_DTYPE_FLOAT64
SYMBOLS = (
    "LGBM_BoosterPredictForMatSingleRowFastInit",
    "LGBM_BoosterPredictForMatSingleRowFast",
    "LGBM_FastConfigFree",
)
FALLBACK = "LightGBM's Booster.predict (the same answers, several times slower per decision)"


def tested_range() -> str:
    """The `lightgbm` version range Warden declares (pyproject.toml), as installed metadata has it."""
    for text in metadata.requires("warden") or []:
        requirement = Requirement(text)
        if requirement.name == "lightgbm" and requirement.marker is None:
            return str(requirement.specifier)
    return ""


def problem_with(version: str, declared: str, lib: Any) -> str | None:
    """Why the fast path cannot be used with this LightGBM, or None when it can."""
    if not declared:
        return "no tested lightgbm version range is declared"
    if not Requirement(f"lightgbm{declared}").specifier.contains(Version(version), prereleases=True):
        return f"lightgbm {version} is outside the tested range {declared}"
    missing = [name for name in SYMBOLS if not hasattr(lib, name)]
    if missing:
        return f"lightgbm {version} lacks {', '.join(missing)} in its C binding"
    return None


@lru_cache(maxsize=1)
def fast_path_problem() -> str | None:
    from lightgbm.basic import _LIB

    return problem_with(lgb.__version__, tested_range(), _LIB)


def check_fast_path() -> bool:
    """At start-up: whether the fast path serves; if not, say so loudly with the fallback in use."""
    problem = fast_path_problem()
    if problem is not None:
        log.error("LightGBM fast prediction path disabled", reason=problem, fallback=FALLBACK)
    return problem is None


class FastPredict:
    """LightGBM's LGBM_BoosterPredictForMatSingleRowFast, prepared once for one prediction type."""

    def __init__(self, booster: lgb.Booster, columns: int, predict_type: int) -> None:
        from lightgbm.basic import _LIB, _c_str, _safe_call  # private: see fast_path_problem

        self._lib, self._check = _LIB, _safe_call
        self._booster = booster  # keeps the handle alive as long as the config
        self._config = ctypes.c_void_p()
        _safe_call(
            _LIB.LGBM_BoosterPredictForMatSingleRowFastInit(
                booster._handle,
                ctypes.c_int(predict_type),
                ctypes.c_int(0),
                ctypes.c_int(-1),
                ctypes.c_int(DTYPE_FLOAT64),
                ctypes.c_int32(columns),
                _c_str("num_threads=1"),
                ctypes.byref(self._config),
            )
        )
        self._out = np.zeros(columns + 1 if predict_type == PREDICT_CONTRIB else 1, dtype=np.float64)
        self._out_ptr = self._out.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        self._len = ctypes.c_int64()
        # ctypes argument objects made once: building them per call cost more than LightGBM's prediction
        self._len_ref = ctypes.byref(self._len)
        self._fn = _LIB.LGBM_BoosterPredictForMatSingleRowFast

    def __call__(self, row: Any) -> np.ndarray:
        """Predict for the row at `row` (a ctypes pointer to `columns` float64s, made once by the caller)."""
        self._check(self._fn(self._config, row, self._len_ref, self._out_ptr))
        return self._out

    def __del__(self) -> None:
        if getattr(self, "_config", None) is not None and self._config.value:
            self._lib.LGBM_FastConfigFree(self._config)
