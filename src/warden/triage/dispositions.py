"""Dispositions to learn from: the ones reviewers recorded, and ones derived from a simulator's labels.

On simulated data nobody has reviewed anything yet, so `simulated_dispositions` stands in for the reviewers:
a case is a true positive when its subject customer, or one of the events its alerts point at, carries a
label of a bad scenario. It reads ground truth and exists for training and evaluation only; nothing that
scores or routes live cases may call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa

from warden.cases.tables import case_alerts, cases
from warden.events.tables import labels
from warden.triage.feedback import FALSE_POSITIVE, TRUE_POSITIVE

# Labels of scenarios a reviewer should act on. `mistaken_deposit` (a customer's own error, handled by the
# recovery appeals flow) and `normal` are not suspicious.
BAD_LABELS = frozenset(
    {"fraud", "laundering", "scam_victim", "mule", "synthetic_identity", "hack_proceeds", "sanctioned"}
)


def recorded_dispositions(conn: sa.Connection) -> dict[str, int]:
    """Closed cases reviewers decided either way: 1 true positive, 0 false positive (inconclusive left out)."""
    query = sa.select(cases.c.case_id, cases.c.disposition).where(
        cases.c.state == "closed", cases.c.disposition.in_([TRUE_POSITIVE, FALSE_POSITIVE])
    )
    return {case_id: int(disposition == TRUE_POSITIVE) for case_id, disposition in conn.execute(query)}


def simulated_dispositions(conn: sa.Connection, case_ids: Iterable[str] | None = None) -> dict[str, int]:
    """1 when the case's customer or one of its alert events is labelled with a bad scenario, else 0.

    Training and evaluation only: this reads the simulator's ground truth from the labels table.
    """
    bad_customers: set[str] = set()
    bad_events: set[str] = set()
    query = sa.select(labels.c.entity_type, labels.c.entity_id).where(labels.c.label.in_(sorted(BAD_LABELS)))
    for entity_type, entity_id in conn.execute(query):
        (bad_customers if entity_type == "customer" else bad_events).add(entity_id)
    wanted = None if case_ids is None else set(case_ids)
    result: dict[str, int] = {}
    for case_id, customer in conn.execute(sa.select(cases.c.case_id, cases.c.subject_customer)):
        if wanted is None or case_id in wanted:
            result[case_id] = int(customer in bad_customers)
    for case_id, customer_ids, event_ids in conn.execute(
        sa.select(case_alerts.c.case_id, case_alerts.c.customer_ids, case_alerts.c.event_ids)
    ):
        if case_id in result and not result[case_id]:
            hit = bad_events.intersection(json.loads(event_ids)) or bad_customers.intersection(json.loads(customer_ids))
            result[case_id] = int(bool(hit))
    return result


def training_dispositions(conn: sa.Connection, simulated: bool) -> tuple[dict[str, int], dict[str, int]]:
    """Labels per case for training: reviewers' dispositions, plus (when asked) simulated ones for the cases
    no reviewer has closed. Returns the labels and how many came from each source."""
    chosen = recorded_dispositions(conn)
    counts = {"recorded": len(chosen), "simulated": 0}
    if simulated:
        for case_id, value in simulated_dispositions(conn).items():
            if case_id not in chosen:
                chosen[case_id] = value
                counts["simulated"] += 1
    return chosen, counts
