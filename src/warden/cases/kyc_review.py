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
from warden.cases.repository import add_note, load_case_row
from warden.cases.tables import case_alerts
from warden.kyc import repository
from warden.kyc.decision import SessionDecision
from warden.kyc.session_checks import SessionChecks

ACTOR = "system:kyc"


def open_review_case(conn: sa.Connection, session_id: str, customer_id: str, decision: SessionDecision) -> str:
    """The case a session routed to review joins (the customer's open case) or opens; its id."""
    result = add_alert(
        conn,
        CaseAlert(
            alert_id=f"kyc:{session_id}",
            source="kyc",
            typology="kyc_verification",
            customer_ids=[customer_id],
            score=0.5,
            severity="medium",
            evidence={"kyc_session": session_id, "reasons": decision.reasons},
        ),
        actor=ACTOR,
    )
    return result.case_id


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
