"""A worked backlog for the demo: reviewers have taken, reviewed and closed part of the queue, the way people do.

Everything goes through the same domain calls as the console (take next, notes, four-eyes proposals and
approvals, closures), so the timeline, audit log, dashboard, rule precision and similar-case search all see
ordinary work. What each reviewer decides comes from `dispositions` (on simulated data, the simulator's
labels), standing in for their judgement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.access.users import get_user
from warden.cases.assignment import take_next
from warden.cases.proposals import decide_proposal, propose
from warden.cases.repository import add_note, transition


@dataclass
class BacklogWork:
    closed_true_positive: int = 0
    closed_false_positive: int = 0
    awaiting_approval: list[str] = field(default_factory=list)  # case ids, left for a senior in the console
    in_review: list[str] = field(default_factory=list)  # case ids, still held by their analyst

    def summary(self) -> str:
        return (
            f"{self.closed_true_positive} closed as true positives (four eyes), {self.closed_false_positive} as "
            f"false positives, {len(self.awaiting_approval)} awaiting a senior's approval, "
            f"{len(self.in_review)} in review"
        )


def _actor(conn: sa.Connection, username: str) -> Actor:
    return get_user(conn, username).actor


def _work_one(
    engine: sa.Engine, case_id: str, analyst: str, senior: str | None, true_positive: bool, work: BacklogWork
) -> None:
    """Review one taken case: a note, then a closure; a true positive is proposed and (if `senior`) approved."""
    with engine.begin() as conn:
        reviewer = _actor(conn, analyst)
        if true_positive:
            add_note(conn, case_id, reviewer, "Activity matches the alerts; funds at risk. Proposing a freeze.")
            proposal = propose(
                conn, case_id, reviewer, "close_with_action", customer_action="freeze", reason="confirmed by review"
            )
            if senior is None:
                work.awaiting_approval.append(case_id)
                return
            decide_proposal(conn, proposal, _actor(conn, senior), approve=True, reason="evidence checked")
            work.closed_true_positive += 1
        else:
            add_note(conn, case_id, reviewer, "Customer's own activity, consistent with their history.")
            transition(conn, case_id, reviewer, "closed", disposition="false_positive", reason="explained activity")
            work.closed_false_positive += 1


def work_backlog(
    engine: sa.Engine,
    dispositions: dict[str, int],
    *,
    analysts: tuple[str, ...],
    senior: str,
    closures_per_analyst: int = 40,
    awaiting_approval: int = 2,
    left_in_review: int = 2,
) -> BacklogWork:
    """Each analyst in turn takes the next case and closes it, except that the first true positives' proposals
    wait for the senior and the last cases taken stay in review, so the console opens on work in progress."""
    work = BacklogWork()
    for round_number in range(closures_per_analyst + left_in_review):
        for analyst in analysts:
            case_id = take_next(engine, analyst)
            if case_id is None:
                return work
            if round_number >= closures_per_analyst:
                work.in_review.append(case_id)
                continue
            true_positive = bool(dispositions.get(case_id, 0))
            waits = true_positive and len(work.awaiting_approval) < awaiting_approval
            _work_one(engine, case_id, analyst, None if waits else senior, true_positive, work)
    return work
