"""The private LightGBM fast path is used only where it was tested, and says so when it is not."""

from __future__ import annotations

import lightgbm as lgb
from lightgbm.basic import _LIB

from warden.models.lightgbm_fast import FALLBACK, check_fast_path, fast_path_problem, problem_with
from warden.models.lightgbm_fast import tested_range as declared_range


def test_the_installed_lightgbm_is_inside_the_declared_range() -> None:
    declared = declared_range()
    assert declared.startswith(">=") or "<" in declared
    assert problem_with(lgb.__version__, declared, _LIB) is None
    assert fast_path_problem() is None and check_fast_path() is True


def test_a_version_outside_the_range_is_named() -> None:
    assert problem_with("9.0.0", ">=4.5,<4.8", _LIB) == "lightgbm 9.0.0 is outside the tested range >=4.5,<4.8"
    assert problem_with("4.7.0", "", _LIB) == "no tested lightgbm version range is declared"


def test_missing_symbols_are_named() -> None:
    problem = problem_with("4.7.0", ">=4.5,<4.8", object())
    assert problem is not None and "LGBM_BoosterPredictForMatSingleRowFast" in problem
    assert "Booster.predict" in FALLBACK
