"""Quality figures for a fraud score on labelled withdrawals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score

REVIEW_RATES = (0.01, 0.05)


def top_k_mask(scores: np.ndarray, rate: float) -> np.ndarray:
    """The `rate` share of rows with the highest scores (ties broken by position, so exactly k rows)."""
    k = max(1, math.ceil(rate * len(scores)))
    mask = np.zeros(len(scores), dtype=bool)
    mask[np.argsort(-scores, kind="stable")[:k]] = True
    return mask


def _recall(flagged: np.ndarray, y: np.ndarray) -> float | None:
    positives = int(y.sum())
    return None if positives == 0 else round(float((flagged & (y == 1)).sum() / positives), 4)


def evaluate_scores(
    scores: np.ndarray, y: np.ndarray, typology: np.ndarray, thresholds: dict[str, float]
) -> dict[str, Any]:
    """PR-AUC, recall at 1%/5% review rates, per-typology recall, and what the calibrated thresholds do."""
    normal = y == 0
    result: dict[str, Any] = {
        "withdrawals": len(y),
        "positives": int(y.sum()),
        "pr_auc": None if y.sum() == 0 or normal.sum() == 0 else round(float(average_precision_score(y, scores)), 4),
    }
    per_typology: dict[str, dict[str, Any]] = {}
    kinds = sorted({str(t) for t in typology[y == 1]})
    for rate in REVIEW_RATES:
        flagged = top_k_mask(scores, rate)
        key = f"{round(rate * 100)}pct"
        result[f"recall_at_{key}_review_rate"] = _recall(flagged, y)
        for kind in kinds:
            sel = typology == kind
            per_typology.setdefault(kind, {"withdrawals": int(sel.sum())})[f"recall_at_{key}_review_rate"] = _recall(
                flagged[sel], y[sel]
            )
    for action in ("hold", "review"):
        if action not in thresholds:
            continue
        flagged = scores >= thresholds[action]
        result[f"{action}_threshold"] = {
            "threshold": thresholds[action],
            "recall": _recall(flagged, y),
            "normal_withdrawals_flagged_share": round(float(flagged[normal].mean()), 4) if normal.any() else None,
        }
        for kind in kinds:
            sel = typology == kind
            per_typology[kind][f"recall_at_{action}_threshold"] = _recall(flagged[sel], y[sel])
    result["per_typology"] = per_typology
    return result
