"""`warden eval fraud`: the model alone on a labelled data set, with the thresholds it was calibrated with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from warden.models.dataset import Withdrawals, load_withdrawals
from warden.models.fraud import FraudModel
from warden.models.metrics import evaluate_scores
from warden.models.train import feature_matrix


def evaluate_model(model: FraudModel, data: Withdrawals) -> dict[str, Any]:
    frame = data.frame
    scores = model.score_matrix(feature_matrix(frame, model.features))
    result = evaluate_scores(scores, frame["y"].to_numpy(), frame["typology"].to_numpy(), model.thresholds)
    return {"model": {"name": "fraud", "version": model.version, "trained_at": model.meta.get("trained_at")}, **result}


def evaluate_file(model: FraudModel, events: Path, labels: Path | None = None) -> dict[str, Any]:
    result = evaluate_model(model, load_withdrawals(events, labels))
    result["events"] = str(events)
    return result


def scores_for(model: FraudModel, data: Withdrawals) -> np.ndarray:
    return model.score_matrix(feature_matrix(data.frame, model.features))
