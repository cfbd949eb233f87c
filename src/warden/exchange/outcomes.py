"""Withdrawal outcomes over a history, vectorised: offline features, the ruleset's hits, the model's risk.

The same semantics as the decision engine (point-in-time features, strongest outcome of rules and model
policy), at backtest speed, so calibration can try many settings and the evaluation can decide a month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from warden.decisions.holds import follow_holds
from warden.models.fraud import FraudModel
from warden.models.train import feature_matrix
from warden.rules.backtest import with_features
from warden.rules.frame import evaluate_frame
from warden.rules.outcome import CHALLENGE_RISK, HOLD_RISK, REVIEW_RISK, Outcome
from warden.rules.ruleset import Ruleset


def featured(history: pl.DataFrame) -> pl.DataFrame:
    """The history with every feature and `known_addresses` (the rules' inputs)."""
    return with_features(history)


def model_risk(model: FraudModel | None, frame: pl.DataFrame) -> np.ndarray:
    """The model's risk per row (0 where it does not score), on the engine's scale (review 0.6, hold 0.9)."""
    if model is None:
        return np.zeros(frame.height)
    return np.where(frame["type"].to_numpy() == "withdrawal", to_risk(model, model_probability(model, frame)), 0.0)


def model_probability(model: FraudModel | None, frame: pl.DataFrame) -> np.ndarray:
    """The model's probability that each withdrawal is a fraud (0 for other rows, and without a model)."""
    if model is None:
        return np.zeros(frame.height)
    probability = np.asarray(model.score_matrix(feature_matrix(frame, model.features)), dtype=np.float64)
    return np.where(frame["type"].to_numpy() == "withdrawal", probability, 0.0)


def to_risk(model: FraudModel, probability: np.ndarray) -> np.ndarray:
    """Probabilities on the engine's risk scale, as FraudScorer.risk maps them."""
    review = model.thresholds.get("review", REVIEW_RISK)
    hold = max(model.thresholds.get("hold", HOLD_RISK), float(np.nextafter(review, 1.0)))
    return np.interp(probability, [0.0, review, hold, 1.0], [0.0, REVIEW_RISK, HOLD_RISK, 1.0])


def policy_outcome(risk: np.ndarray, policy: dict[str, float]) -> np.ndarray:
    """ModelPolicy.outcome_for over an array: the strongest outcome whose threshold the risk reaches."""
    out = np.zeros(risk.shape[0], dtype=np.int8)
    for label, threshold in sorted(policy.items(), key=lambda kv: kv[1]):
        out = np.where(risk >= threshold, np.maximum(out, int(Outcome.parse(label))), out)
    return out


@dataclass(frozen=True)
class Outcomes:
    rules: np.ndarray  # strongest rule outcome per row (int)
    model: np.ndarray  # the model policy's outcome per row
    final: np.ndarray  # the stronger of the two


def decide_frame(ruleset: Ruleset, frame: pl.DataFrame, risk: np.ndarray) -> Outcomes:
    hits = evaluate_frame(ruleset, frame)
    rules = np.zeros(frame.height, dtype=np.int8)
    for rule in ruleset.rules:
        rules = np.where(hits[rule.id].to_numpy(), np.maximum(rules, int(rule.outcome)), rules)
    policy = ruleset.model_policy or {"hold": HOLD_RISK, "review": REVIEW_RISK, "challenge": CHALLENGE_RISK}
    model = policy_outcome(risk, dict(policy))
    return Outcomes(rules, model, follow_frame(frame, np.maximum(rules, model)))


def follow_frame(frame: pl.DataFrame, outcome: np.ndarray) -> np.ndarray:
    """The engine's "a hold follows the customer" over the frame's rows (decisions/holds.py)."""
    return follow_holds(
        frame["customer_id"].to_numpy(),
        frame["occurred_at"].dt.epoch("us").to_numpy(),
        (frame["type"] == "withdrawal").to_numpy(),
        outcome,
    )
