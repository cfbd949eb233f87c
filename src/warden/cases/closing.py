"""What a person must say to close a case by hand: a reason always, and for a true positive the action taken.

A true positive closes with one of the actions an analyst at an exchange takes: freeze or offboard ("exit")
the customer (four eyes: proposed, then approved by a senior; `proposals.propose`), file a report (proposed
the same way), or no action, which then needs its reason like any close. Automated closes (the demo, the API's
machine callers) keep the domain's own checks in `repository.transition`.
"""

from __future__ import annotations

from warden.cases.errors import CaseError
from warden.cases.model import DISPOSITIONS, FOUR_EYES_ACTIONS

NO_ACTION = "no_action"
REPORT = "report"
TRUE_POSITIVE = "true_positive_action_taken"
# What the close form offers for a true positive, in words.
TRUE_POSITIVE_ACTIONS = {
    "freeze": "freeze the customer (four eyes)",
    "exit": "offboard the customer (four eyes)",
    REPORT: "file a suspicious-activity report (four eyes)",
    NO_ACTION: "no action (say why)",
}


def check_close(disposition: str, action: str, reason: str) -> str:
    """How the close goes: "close" now, "propose" (four eyes) or "report"; refuses what is missing."""
    if disposition not in DISPOSITIONS:
        raise CaseError(f"disposition: {disposition!r} is not one of {', '.join(DISPOSITIONS)}")
    if not reason.strip():
        raise CaseError("reason: closing a case needs a reason")
    if disposition != TRUE_POSITIVE:
        if action:
            raise CaseError(f"action: only a true positive takes an action; {disposition} takes none")
        return "close"
    if action not in TRUE_POSITIVE_ACTIONS:
        raise CaseError(f"action: a true positive needs its action, one of {', '.join(TRUE_POSITIVE_ACTIONS)}")
    if action in FOUR_EYES_ACTIONS:
        return "propose"
    return "report" if action == REPORT else "close"
