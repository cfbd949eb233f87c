"""Case priority: the transparent, rule-based score, and the `Prioritiser` protocol.

The triage model (`warden.triage.model`, LightGBM learning from reviewers' dispositions) plugs in through the
protocol, so take-next and routing do not change with it; it falls back to `rule_priority` without a model.

Either way a case that cannot wait sits above every routine one (`with_urgency_floor`): critical severity (a
frozen withdrawal, a sanctions hit of 0.95 or more, the largest monitoring rings: `cases.sources`) or a
breached SLA. Within each tier the score orders the queue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

import sqlalchemy as sa

PRIORITY_VERSION = "rules-1"

SEVERITY_POINTS = {"low": 10.0, "medium": 25.0, "high": 45.0, "critical": 70.0}
AMOUNT_POINTS_MAX = 20.0  # 20 points at 1M USD and above, log-scaled
SCORE_POINTS_MAX = 15.0
AGE_POINTS_PER_HOUR = 0.5
AGE_POINTS_MAX = 24.0  # two days of waiting lifts a case about one severity step
URGENT_FLOOR = 1000.0  # above any routine priority: the rules give at most 129, the triage model at most 100


@dataclass(frozen=True)
class PriorityInput:
    severity: str
    amount_usd: Decimal
    max_alert_score: float
    created_at: datetime
    case_id: str | None = None
    features: Mapping[str, float] | None = None  # triage features, for prioritisers that use them
    overdue: bool = False  # its SLA is breached


@dataclass(frozen=True)
class Priority:
    value: float
    reasons: dict[str, float | str]


class Prioritiser(Protocol):
    def __call__(self, case: PriorityInput, now: datetime) -> Priority: ...


@runtime_checkable
class ScoresCaseFeatures(Protocol):
    """A prioritiser that scores cases on their features, which it computes for many cases at once."""

    def case_features(self, conn: sa.Connection, case_ids: list[str]) -> dict[str, dict[str, float]]: ...


def urgency(case: PriorityInput) -> list[str]:
    """Why the case cannot wait behind routine ones (empty: it can)."""
    why = []
    if case.severity == "critical":
        why.append("critical: a freeze, a strong sanctions hit or a large ring")
    if case.overdue:
        why.append("SLA breached")
    return why


def with_urgency_floor(case: PriorityInput, priority: Priority) -> Priority:
    """The priority lifted above every routine case when the case is urgent; the reasons say why."""
    why = urgency(case)
    if not why:
        return priority
    return Priority(round(URGENT_FLOOR + priority.value, 3), {**priority.reasons, "floor": "; ".join(why)})


def without_urgency_floor(priority: Priority) -> Priority:
    """A stored priority's own score, to be floored again against the case's urgency now."""
    if "floor" not in priority.reasons:
        return priority
    reasons = {k: v for k, v in priority.reasons.items() if k != "floor"}
    return Priority(round(priority.value - URGENT_FLOOR, 3), reasons)


def rule_priority(case: PriorityInput, now: datetime) -> Priority:
    """Severity + amount + strongest alert score + age, each capped, so no one term swamps the rest."""
    severity = SEVERITY_POINTS[case.severity]
    amount = float(case.amount_usd) if case.amount_usd > 0 else 0.0
    amount_points = min(AMOUNT_POINTS_MAX, AMOUNT_POINTS_MAX * math.log10(1.0 + amount) / 6.0)
    score_points = SCORE_POINTS_MAX * min(1.0, max(0.0, case.max_alert_score))
    hours = max(0.0, (now - case.created_at).total_seconds() / 3600.0)
    age_points = min(AGE_POINTS_MAX, AGE_POINTS_PER_HOUR * hours)
    value = round(severity + amount_points + score_points + age_points, 3)
    return with_urgency_floor(
        case,
        Priority(
            value=value,
            reasons={
                "version": PRIORITY_VERSION,
                "severity": severity,
                "amount": round(amount_points, 3),
                "alert_score": round(score_points, 3),
                "age": round(age_points, 3),
            },
        ),
    )
