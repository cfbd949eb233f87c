"""The demo's worked backlog goes through the real workflow: four eyes for true positives, notes, audit."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from warden.access.users import User
from warden.audit.log import verify_chain
from warden.cases.alerts import AlertResult, CaseAlert
from warden.cases.tables import case_proposals, cases
from warden.demo.backlog import work_backlog
from warden.store.db import Store


def test_worked_backlog_closes_by_disposition_and_leaves_work_in_progress(
    store: Store,
    new_alert: Callable[..., CaseAlert],
    ingest: Callable[[CaseAlert], AlertResult],
    make_user: Callable[..., User],
) -> None:
    case_ids = [ingest(new_alert(n, customer=f"cust-{n}", score=0.1 * n)).case_id for n in range(1, 9)]
    truth = {case_id: int(n % 2 == 0) for n, case_id in enumerate(case_ids)}  # every other case is a true positive
    make_user("ana")
    make_user("lee")
    make_user("sam", "senior_analyst")

    work = work_backlog(
        store.engine,
        truth,
        analysts=("ana", "lee"),
        senior="sam",
        closures_per_analyst=3,
        awaiting_approval=1,
        left_in_review=1,
    )

    with store.engine.connect() as conn:
        rows = {r.case_id: r for r in conn.execute(sa.select(cases))}
        proposals = list(conn.execute(sa.select(case_proposals)))
        audit = verify_chain(conn)
    closed = [r for r in rows.values() if r.state == "closed"]
    assert work.closed_true_positive + work.closed_false_positive == len(closed) == 5
    for row in closed:  # every closure says what the (simulated) reviewer judged
        expected = "true_positive_action_taken" if truth[row.case_id] else "false_positive"
        assert row.disposition == expected
    approved = [p for p in proposals if p.status == "approved"]
    assert len(approved) == work.closed_true_positive and all(p.decided_by == "sam" for p in approved)
    assert all(p.proposed_by in {"ana", "lee"} for p in proposals)
    assert len(work.awaiting_approval) == 1
    waiting = rows[work.awaiting_approval[0]]
    assert waiting.state == "in_review" and truth[waiting.case_id] == 1
    assert [p.status for p in proposals if p.case_id == waiting.case_id] == ["pending"]
    assert len(work.in_review) == 2 and all(rows[c].state == "in_review" and rows[c].assignee for c in work.in_review)
    assert audit.ok
