"""The fraud model as the decision engine calls it (`warden.decisions.engine.Scorer`).

The engine maps risks to outcomes with the cut-offs of `warden.rules.outcome.MODEL_RISK_CUTOFFS`. A model's
probabilities are not on that scale (fraud is rare, so the calibrated hold threshold is often near 0.01),
so the scorer reports a *risk*: the probability mapped piecewise-linearly through the anchors
0 -> 0, review threshold -> 0.6, hold threshold -> 0.9, 1 -> 1. Monotone, so rankings and the reasons
are unchanged, and each model version carries its own thresholds in its metadata.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from warden.models.fraud import FraudModel
from warden.rules.outcome import CHALLENGE_RISK, HOLD_RISK, REVIEW_RISK


class FraudScorer:
    name = "fraud"
    event_types = frozenset({"withdrawal"})

    def __init__(self, model: FraudModel) -> None:
        self.model = model
        self.version = model.version
        review = model.thresholds.get("review", REVIEW_RISK)
        # equal thresholds (very separable data) would make the anchors collide; hold wins from just above
        hold = max(model.thresholds.get("hold", HOLD_RISK), float(np.nextafter(review, 1.0)))
        self._xs = [0.0, review, hold, 1.0]
        self._ys = [0.0, REVIEW_RISK, HOLD_RISK, 1.0]
        # the probability from which the risk reaches the challenge cut-off (a hair lower: rounding never
        # leaves a challenged withdrawal without its reasons; `score` drops them again below the cut-off)
        self._explain_from = review * CHALLENGE_RISK / REVIEW_RISK * (1 - 1e-9)

    @property
    def features(self) -> tuple[str, ...]:
        """The features the model reads (the engine computes these for the event types it scores)."""
        return self.model.features

    def risk_of(self, probability: float) -> float:
        """Piecewise-linear through the anchors, as np.interp computes it (which costs ten times more per call)."""
        xs, ys = self._xs, self._ys
        if probability <= 0.0:
            return 0.0
        for i in (1, 2, 3):
            if probability < xs[i]:
                slope = (ys[i] - ys[i - 1]) / (xs[i] - xs[i - 1])
                return slope * (probability - xs[i - 1]) + ys[i - 1]
        return 1.0

    def risk(self, features: Mapping[str, Any]) -> tuple[float, list[dict[str, Any]]]:
        """Risk in [0, 1] and, from the engine's lowest non-allow cut-off (challenge) up, the SHAP reasons."""
        probability, reasons = self.model.probability_with_reasons(features, explain_from=self._explain_from)
        risk = self.risk_of(probability)
        if risk < CHALLENGE_RISK:
            return risk, []
        return risk, [r.as_dict() for r in reasons]
