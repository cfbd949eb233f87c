"""KYC sessions a person must look at, as cases: a session the checks send to review becomes a `kyc` case
alert, which the queue rules route to the `kyc` queue. This stage sits above `kyc` (the layers forbid `kyc`
from opening cases itself), so the faces call `submit_session` here rather than the KYC repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.cases.alerts import CaseAlert, add_alert
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
    """Decide a session (`kyc.repository.submit`) and open its review case when a person must look at it."""
    return repository.submit(conn, data_dir, session_id, checks, actor=actor, alert_sink=open_review_case, ocr=ocr)
