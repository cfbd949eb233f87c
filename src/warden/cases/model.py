"""The case vocabulary: states and their allowed moves, severities and their SLAs, dispositions."""

from __future__ import annotations

from datetime import timedelta

from warden.cases.errors import CaseError, IllegalTransition

STATES = ("new", "in_review", "escalated", "closed")
OPEN_STATES = ("new", "in_review", "escalated")

# Closed is terminal: a new alert on the same customer opens a new case rather than reopening history.
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"in_review"}),
    "in_review": frozenset({"escalated", "closed"}),
    "escalated": frozenset({"in_review", "closed"}),
    "closed": frozenset(),
}

DISPOSITIONS = ("true_positive_action_taken", "false_positive", "inconclusive")

# Actions after a true positive that hurt the customer, so they need a second pair of eyes.
FOUR_EYES_ACTIONS = ("freeze", "exit")

SEVERITIES = ("low", "medium", "high", "critical")
SLA: dict[str, timedelta] = {
    "low": timedelta(days=7),
    "medium": timedelta(days=3),
    "high": timedelta(hours=24),
    "critical": timedelta(hours=4),
}


def check_transition(case_id: str, current: str, target: str) -> None:
    if target not in STATES:
        raise CaseError(f"unknown state {target!r}; use one of {', '.join(STATES)}")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (closed is final)"
        raise IllegalTransition(f"case {case_id} is {current}; it cannot move to {target} (allowed: {allowed})")


def check_severity(value: str) -> str:
    if value not in SEVERITIES:
        raise CaseError(f"unknown severity {value!r}; use one of {', '.join(SEVERITIES)}")
    return value


def stronger_severity(a: str, b: str) -> str:
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def check_disposition(value: str) -> str:
    if value not in DISPOSITIONS:
        raise CaseError(f"unknown disposition {value!r}; use one of {', '.join(DISPOSITIONS)}")
    return value
