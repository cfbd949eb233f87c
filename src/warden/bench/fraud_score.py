"""`warden bench fraud-score`: single-row scoring cost, against LightGBM's own predict in the same run."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from warden.events.models import EVENT_ADAPTER
from warden.features.frame import events_frame
from warden.features.offline import compute_features
from warden.models.registry import load_fraud_model
from warden.sim import SimConfig, simulate


def _us(fn: Any, rows: list[Any], repeat: int) -> float:
    started = time.perf_counter()
    for i in range(repeat):
        fn(rows[i % len(rows)])
    return (time.perf_counter() - started) / repeat * 1e6


def run_score_bench(scores: int = 20000) -> dict[str, Any]:
    model = load_fraud_model()  # the packaged default: the bench needs no data dir
    # the simulator's world, as the packaged model was trained on: rows score like real traffic
    simulated = simulate(SimConfig(customers=400, days=30, seed=99))
    events = [EVENT_ADAPTER.validate_json(line) for line in simulated.lines]
    frame = events_frame(events)
    withdrawals = compute_features(frame).filter(frame["type"] == "withdrawal")  # what the model scores
    dicts = withdrawals.drop("event_id").to_dicts()[:2000]
    matrix = [np.array([np.nan if r[f] is None else float(r[f]) for f in model.features]).reshape(1, -1) for r in dicts]
    probability_us = _us(model.probability, dicts, scores)
    score_us = _us(model.probability_with_reasons, dicts, scores)
    explain_us = _us(lambda d: model.probability_with_reasons(d, explain=True), dicts, max(scores // 4, 100))
    explained_share = sum(model.probability_with_reasons(d)[0] >= model.explain_from for d in dicts) / len(dicts)
    predict_us = _us(lambda m: model.booster.predict(m, num_threads=1), matrix, max(scores // 10, 100))
    contrib_us = _us(
        lambda m: model.booster.predict(m, pred_contrib=True, num_threads=1), matrix, max(scores // 10, 100)
    )
    agree = all(
        abs(model.probability_with_reasons(d, explain=True)[0] - float(model.booster.predict(m)[0])) < 1e-9
        for d, m in zip(dicts[:200], matrix, strict=False)
    )
    return {
        "benchmark": "fraud-score",
        "model_version": model.version,
        "scores": scores,
        "probability_us": round(probability_us, 2),
        "score_us": round(score_us, 2),
        "scores_per_second": round(1e6 / score_us),
        "reference": {
            "what": "lightgbm Booster.predict on a one-row numpy matrix, num_threads=1",
            "predict_us": round(predict_us, 2),
            "predict_with_contrib_us": round(contrib_us, 2),
        },
        "score_with_reasons_us": round(explain_us, 2),
        "share_of_rows_explained_by_default": round(explained_share, 4),
        "speedup_vs_predict": round(predict_us / probability_us, 2),
        "speedup_with_reasons_vs_predict_with_contrib": round(contrib_us / explain_us, 2),
        "agrees_with_booster_predict": agree,
        "note": "probability_us: dict -> row and the fast single-row predict; score_us: dict -> row, probability, and top-5 SHAP reasons only at/above the review threshold "
        "(the default); score_with_reasons_us always explains",
    }
