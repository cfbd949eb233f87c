"""Step-up verification: when a withdrawal is held or sent to review by an account-takeover rule (a rule tagged
`account_takeover`: a new device, then a credential or whitelist change, then money out), the decision demands
a new selfie. The reason `step_up_selfie_required` tells the exchange to run a KYC session of kind `step_up`
for the customer with `hold_ref` set to the withdrawal's event id; that session, when passed (a live face that
matches the customer's verified document portrait), releases the hold (see `warden.cases.kyc_review`).

The person who took the account over has the password and the device, not the customer's face."""

from __future__ import annotations

from collections.abc import Iterable

from warden.rules.outcome import Outcome
from warden.rules.ruleset import RuleHit, Ruleset

STEP_UP_TAG = "account_takeover"
STEP_UP_REASON = "step_up_selfie_required"
STEP_UP_EVENTS = frozenset({"withdrawal"})


def step_up_reason(event_id: str) -> str:
    return (
        f"{STEP_UP_REASON}: a new selfie releases this withdrawal "
        f"(POST /v1/kyc/sessions with kind step_up and hold_ref {event_id})"
    )


def step_up_demanded(ruleset: Ruleset, event_type: str, outcome: Outcome, hits: Iterable[RuleHit]) -> bool:
    """A withdrawal stopped (review or stronger) with an account-takeover rule among the rules that fired."""
    if event_type not in STEP_UP_EVENTS or outcome < Outcome.REVIEW:
        return False
    fired = {h.rule_id for h in hits}
    return bool(fired) and any(r.id in fired and STEP_UP_TAG in r.tags for r in ruleset.rules)
