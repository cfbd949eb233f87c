"""What happens when a decision cannot be made in time or a dependency is down: per event type, a deadline
and a failure outcome. Money leaving the exchange fails closed (`hold`); the rest fails open (`allow`, queued
for review where it matters)."""

from __future__ import annotations

from dataclasses import dataclass

from warden.rules.outcome import Outcome


@dataclass(frozen=True)
class FailurePolicy:
    deadline_ms: float
    on_failure: Outcome

    @property
    def mode(self) -> str:
        return "fail-closed" if self.on_failure >= Outcome.HOLD else "fail-open"


DEFAULT_DEADLINE_MS = 50.0

DEFAULT_POLICIES: dict[str, FailurePolicy] = {
    "withdrawal": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.HOLD),
    "transfer": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.HOLD),
    "address_book_change": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.REVIEW),
    "profile_change": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.REVIEW),
    "login": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.ALLOW),
    "deposit": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.ALLOW),
    "trade": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.ALLOW),
    "kyc_submission": FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.REVIEW),
}


UNLISTED_POLICY = FailurePolicy(DEFAULT_DEADLINE_MS, Outcome.REVIEW)  # made once: it was built on every request


def policy_for(event_type: str, policies: dict[str, FailurePolicy] | None = None) -> FailurePolicy:
    return (policies or DEFAULT_POLICIES).get(event_type, UNLISTED_POLICY)
