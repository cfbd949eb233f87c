"""The state machine, notes, escalation, four eyes and the SLA sweep, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from warden.access.roles import Actor
from warden.audit.log import recent_records, verify_chain
from warden.cases.alerts import add_alert
from warden.cases.assignment import assign, sweep, take_next
from warden.cases.errors import Conflict, Forbidden, IllegalTransition
from warden.cases.proposals import decide_proposal, propose
from warden.cases.repository import add_note, get_case, list_cases, transition
from warden.store.db import Store


def test_case_moves_through_the_state_machine_and_everything_is_audited(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    ana = make_user("ana").actor
    case_id = ingest(new_alert(1)).case_id
    assert take_next(store.engine, "ana") == case_id
    with store.engine.begin() as conn:
        add_note(conn, case_id, ana, "looked at the deposits")
        transition(conn, case_id, ana, "closed", disposition="false_positive", reason="salary")
        case = get_case(conn, case_id)
        actions = [r.action for r in recent_records(conn, 10)]
        assert verify_chain(conn).ok
    assert case["state"] == "closed" and case["disposition"] == "false_positive"
    assert [t["kind"] for t in case["timeline"]] == ["opened", "assigned", "note", "transition"]
    assert case["timeline"][2]["actor"] == "ana"
    assert {"case.note", "case.transition", "case.assigned"} <= set(actions)


def test_illegal_transitions_are_refused_with_the_allowed_moves(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    with store.engine.begin() as conn:
        case_id = add_alert(conn, new_alert(1)).case_id
    boss = Actor("boss", "admin")
    with store.engine.begin() as conn:
        with pytest.raises(IllegalTransition, match=r"is new; it cannot move to closed \(allowed: in_review\)"):
            transition(conn, case_id, boss, "closed", disposition="false_positive")
        transition(conn, case_id, boss, "in_review")
        transition(conn, case_id, boss, "closed", disposition="inconclusive")
        with pytest.raises(IllegalTransition, match="closed is final"):
            transition(conn, case_id, boss, "in_review")


def test_analyst_cannot_move_someone_elses_case(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    make_user("ana")
    bob = make_user("bob").actor
    with store.engine.begin() as conn:
        case_id = add_alert(conn, new_alert(1)).case_id
    take_next(store.engine, "ana")
    with store.engine.begin() as conn, pytest.raises(Forbidden, match="it is assigned to ana"):
        transition(conn, case_id, bob, "escalated")


def test_escalation_moves_the_case_to_the_senior_queue_for_a_senior(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    ana = make_user("ana").actor
    make_user("sam", "senior_analyst")
    case_id = ingest(new_alert(1)).case_id
    take_next(store.engine, "ana")
    with store.engine.begin() as conn:
        transition(conn, case_id, ana, "escalated", reason="possible layering ring")
        case = get_case(conn, case_id)
    assert (case["state"], case["queue"], case["assignee"]) == ("escalated", "senior", None)
    assert take_next(store.engine, "ana") is None  # analysts do not work the senior queue
    assert take_next(store.engine, "sam") == case_id


def test_four_eyes_on_closing_with_a_freeze(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    ana = make_user("ana").actor
    sam = make_user("sam", "senior_analyst").actor
    other_analyst = make_user("olga").actor
    case_id = ingest(new_alert(1)).case_id
    take_next(store.engine, "ana")
    with store.engine.begin() as conn:
        with pytest.raises(Forbidden, match="needs four eyes"):
            transition(conn, case_id, ana, "closed", disposition="true_positive_action_taken", action="freeze")
        proposal = propose(conn, case_id, ana, "close_with_action", customer_action="freeze", reason="mule")
    with store.engine.begin() as conn:
        with pytest.raises(Forbidden, match="cannot approve it: four eyes"):
            decide_proposal(conn, proposal, ana, approve=True)
        with pytest.raises(Forbidden, match="senior_analyst or admin"):
            decide_proposal(conn, proposal, other_analyst, approve=True)
        assert get_case(conn, case_id)["state"] == "in_review"  # nothing applied yet
        decide_proposal(conn, proposal, sam, approve=True)
        case = get_case(conn, case_id)
        with pytest.raises(Conflict, match="already approved"):
            decide_proposal(conn, proposal, sam, approve=True)
        audit = [(r.actor, r.action) for r in recent_records(conn, 10)]
    assert case["state"] == "closed" and case["disposition"] == "true_positive_action_taken"
    closing = next(t for t in case["timeline"] if t["detail"].get("to") == "closed")
    assert closing["detail"]["action"] == "freeze" and closing["detail"]["approved_by"] == "sam"
    assert ("ana", "case.proposed") in audit and ("sam", "case.proposal_approved") in audit


def test_report_filing_needs_a_second_senior(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    sam = make_user("sam", "senior_analyst").actor
    ada = make_user("ada", "admin").actor
    with store.engine.begin() as conn:
        case_id = add_alert(conn, new_alert(1)).case_id
        proposal = propose(conn, case_id, sam, "file_report", reason="structuring over 3 weeks")
        with pytest.raises(Forbidden):
            decide_proposal(conn, proposal, sam, approve=False)
        result = decide_proposal(conn, proposal, ada, approve=True)
    assert result["report_filed"] is True


def test_assign_is_for_seniors_and_respects_skills(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    ana = make_user("ana").actor
    sam = make_user("sam", "senior_analyst").actor
    make_user("kim", skills=["kyc"])
    with store.engine.begin() as conn:
        case_id = add_alert(conn, new_alert(1)).case_id  # an AML case
        with pytest.raises(Forbidden, match="cannot assign"):
            assign(conn, case_id, ana, "ana")
        with pytest.raises(Forbidden, match="does not work queue aml"):
            assign(conn, case_id, sam, "kim")
        assign(conn, case_id, sam, "ana", reason="she knows the customer")
        assert get_case(conn, case_id)["assignee"] == "ana"


def test_sweep_flags_cases_past_sla_once(
    store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    critical = ingest(new_alert(1, severity="critical")).case_id
    ingest(new_alert(2, customer="cust-2", severity="low"))
    later = datetime.now(UTC) + timedelta(hours=5)
    with store.engine.begin() as conn:
        first = sweep(conn, now=later)
        second = sweep(conn, now=later)
        overdue = list_cases(conn, overdue=True)
    assert first["flagged_overdue"] == 1 and second["flagged_overdue"] == 0
    assert [c["case_id"] for c in overdue] == [critical]
    assert first["reprioritised"] == 2  # five hours of age raise both priorities


def test_capacity_is_respected(store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]) -> None:
    make_user("ana", capacity=1)
    with store.engine.begin() as conn:
        add_alert(conn, new_alert(1))
        add_alert(conn, new_alert(2, customer="cust-2"))
    assert take_next(store.engine, "ana") is not None
    with pytest.raises(Conflict, match="capacity"):
        take_next(store.engine, "ana")


def test_case_times_are_utc_with_z(store: Store, ingest: Callable[..., Any], new_alert: Callable[..., Any]) -> None:
    case_id = ingest(new_alert(1)).case_id
    with store.engine.begin() as conn:
        propose(conn, case_id, Actor("ada", "admin"), "file_report")
        case = get_case(conn, case_id)
    stamps = [case["created_at"], case["sla_due_at"], case["timeline"][0]["at"], case["proposals"][0]["proposed_at"]]
    assert all(s.endswith("Z") for s in stamps), stamps
