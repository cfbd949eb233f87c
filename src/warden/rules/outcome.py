"""The outcome ladder: allow < challenge < review < hold < block < freeze. The strongest outcome wins."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum


class Outcome(IntEnum):
    ALLOW = 0
    CHALLENGE = 1  # step-up authentication, warning, friction
    REVIEW = 2  # let it through, queue for review
    HOLD = 3  # pause until reviewed
    BLOCK = 4
    FREEZE = 5  # block and freeze the account or asset

    @classmethod
    def parse(cls, text: str) -> Outcome:
        """`"hold"` -> Outcome.HOLD; ValueError naming the allowed values otherwise."""
        try:
            return cls[text.strip().upper()]
        except (KeyError, AttributeError):
            allowed = ", ".join(o.label for o in cls)
            raise ValueError(f"unknown outcome {text!r}; use one of {allowed}") from None

    @property
    def label(self) -> str:
        return _LABELS[self]  # Enum's `name` is a descriptor: slow enough to show in every decision


_LABELS = tuple(o.name.lower() for o in Outcome)


def strongest(outcomes: Iterable[Outcome]) -> Outcome:
    """The strongest outcome of several; `allow` when there are none."""
    return max(outcomes, default=Outcome.ALLOW)


# The model risk scale, in [0, 1]: where each outcome starts unless a ruleset's `model_policy` says otherwise.
# The fraud model's scorer maps its probabilities onto this scale (models/scorer.py), so one set of cut-offs
# serves every model version.
CHALLENGE_RISK, REVIEW_RISK, HOLD_RISK = 0.4, 0.6, 0.9
MODEL_RISK_CUTOFFS: tuple[tuple[float, Outcome], ...] = (
    (HOLD_RISK, Outcome.HOLD),
    (REVIEW_RISK, Outcome.REVIEW),
    (CHALLENGE_RISK, Outcome.CHALLENGE),
)
