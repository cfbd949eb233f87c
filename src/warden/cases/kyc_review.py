"""KYC sessions a person must look at, as cases: a session the checks send to review becomes a `kyc` case
alert, which the queue rules route to the `kyc` queue. This stage sits above `kyc` (the layers forbid `kyc`
from opening cases itself), so the faces call `submit_session` here rather than the KYC repository.

A passed step-up session (kind `step_up`, demanded by a decision: `warden.decisions.step_up`) releases the
held event it names: the release is audited and noted on the case holding that event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.audit.log import append_audit
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.records import record_event, utcnow
from warden.cases.repository import add_note, close_case, load_case_row
from warden.cases.tables import case_alerts, cases
from warden.kyc import repository, reviews
from warden.kyc.decision import SessionDecision
from warden.kyc.session_checks import SessionChecks

ACTOR = "system:kyc"


def open_review_case(conn: sa.Connection, session_id: str, customer_id: str, decision: SessionDecision) -> str:
    """The case a session routed to review joins (the customer's open case) or opens; its id. Customers whose
    verified face is this session's live face (the 1:N search) are on the alert too: the case links them."""
    search = decision.evidence.get("face_search")
    hits = search.get("hits", []) if isinstance(search, dict) else []
    linked = [str(h["customer_id"]) for h in hits if isinstance(h, dict)]
    evidence: dict[str, Any] = {"kyc_session": session_id, "reasons": decision.reasons}
    if hits:
        evidence["same_face_as"] = hits
    result = add_alert(
        conn,
        CaseAlert(
            alert_id=f"kyc:{session_id}",
            source="kyc",
            typology="kyc_verification",
            customer_ids=[customer_id, *linked],
            score=0.5,
            severity="medium",
            evidence=evidence,
        ),
        actor=ACTOR,
    )
    return result.case_id


DISPOSITION = {"approve": "false_positive", "reject": "true_positive_action_taken"}


def record_review(conn: sa.Connection, session_id: str, reviewer: Actor, verdict: str, reason: str) -> dict[str, Any]:
    """A reviewer's verdict on a session (`kyc.reviews.record_verdict`: audited, kept as a label), and the review
    case closed by it with the verdict as its reason: approve closes it as a false positive, reject as a true
    positive whose action is the refused verification. A case that also holds alerts from elsewhere, or other
    sessions still waiting, is not closed: the verdict is noted on it and the rest of it waits for its reviewer."""
    review = reviews.record_verdict(conn, session_id, reviewer.name, verdict, reason)
    case_id = repository.session_row(conn, session_id).case_id
    if case_id is None:
        return review | {"case_id": None, "case_closed": False}
    row = load_case_row(conn, case_id, lock=True)
    if row.state == "closed":
        return review | {"case_id": case_id, "case_closed": False}
    text = f"KYC verdict on {session_id}: {verdict} ({reason.strip()})"
    if not _only_reviewed_kyc(conn, case_id):
        add_note(conn, case_id, reviewer, text)
        return review | {"case_id": case_id, "case_closed": False}
    now = utcnow()
    if row.state == "new":  # new -> in_review -> closed, both steps on the case's timeline
        conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(state="in_review", updated_at=now))
        detail = {"from": "new", "to": "in_review", "reason": f"KYC review of {session_id}"}
        record_event(conn, case_id, reviewer.name, "transition", detail, now, before={"state": "new"})
        row = load_case_row(conn, case_id, lock=True)
    close_case(conn, row, reviewer.name, DISPOSITION[verdict], None, text, now)
    return review | {"case_id": case_id, "case_closed": True}


def _only_reviewed_kyc(conn: sa.Connection, case_id: str) -> bool:
    """Every alert on the case is a KYC session that has its verdict."""
    alert_ids = conn.execute(sa.select(case_alerts.c.alert_id).where(case_alerts.c.case_id == case_id)).scalars()
    sessions = []
    for alert_id in alert_ids:
        if not alert_id.startswith("kyc:"):
            return False
        sessions.append(alert_id.removeprefix("kyc:"))
    return all(repository.session_row(conn, s).state == "reviewed" for s in sessions)


def submit_session(
    conn: sa.Connection, data_dir: Path, session_id: str, checks: SessionChecks, *, actor: str, ocr: str = "rapidocr"
) -> dict[str, Any]:
    """Decide a session (`kyc.repository.submit`), open its review case when a person must look at it, and, for
    a passed step-up session, release the hold it was opened for."""
    result = repository.submit(conn, data_dir, session_id, checks, actor=actor, alert_sink=open_review_case, ocr=ocr)
    if result["hold_released"]:
        result["released_case"] = release_step_up_hold(conn, session_id, result["customer_id"], result["hold_ref"])
    return result


def release_step_up_hold(conn: sa.Connection, session_id: str, customer_id: str, hold_ref: str) -> str | None:
    """A step-up verification passed: audited as the release of the held event, and noted on the case that holds
    it (if one was opened), so the reviewer sees that the customer proved it was them. Returns that case's id."""
    case_id = conn.execute(
        sa.select(case_alerts.c.case_id).where(case_alerts.c.alert_id == f"decision:{hold_ref}")
    ).scalar()
    append_audit(
        conn,
        actor=ACTOR,
        action="kyc.step_up.release",
        subject=hold_ref,
        after={"customer_id": customer_id, "kyc_session": session_id, "case_id": case_id},
    )
    if case_id is not None and load_case_row(conn, case_id).state != "closed":
        note = f"Step-up verification {session_id} passed (live selfie matches the verified document): hold released."
        add_note(conn, case_id, Actor(ACTOR, "machine"), note)
    return case_id
