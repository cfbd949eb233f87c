"""Reviewers' verdicts on KYC sessions the checks sent to review, kept as labels for the next version, and the
sessions waiting for one.

A verdict (approve or reject, with a reason) is recorded once per session, with what the checks had decided,
their reasons and the versions of every check and model involved: `review_labels` hands these to whoever
calibrates the next thresholds (which reasons reviewers overturn, on which versions). Audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.kyc import face_search
from warden.kyc.repository import KycError, aware, session_row
from warden.kyc.tables import kyc_reviews, kyc_sessions

VERDICTS = ("approve", "reject")


def record_verdict(
    conn: sa.Connection, session_id: str, reviewer: str, verdict: str, reason: str, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The reviewer's verdict on a session in review; refused for a session not waiting for one."""
    if verdict not in VERDICTS:
        raise KycError(f"verdict {verdict!r}: one of {', '.join(VERDICTS)}", "verdict")
    if not reason.strip():
        raise KycError("a verdict needs its reason", "reason")
    query = sa.select(kyc_sessions).where(kyc_sessions.c.session_id == session_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise KycError(f"no KYC session {session_id!r}", status=404)
    if row.state != "decided" or row.outcome != "review":
        raise KycError(
            f"session {session_id} is {row.state} ({row.outcome or 'no outcome'}): nothing to review", status=409
        )
    now = now or dt.datetime.now(dt.UTC)
    result = json.loads(row.result or "{}")
    values = {
        "session_id": session_id,
        "reviewer": reviewer,
        "verdict": verdict,
        "reason": reason.strip(),
        "machine_outcome": row.outcome,
        "machine_reasons": row.reasons or "[]",
        "versions": json.dumps(result.get("versions") or {}, sort_keys=True),
        "reviewed_at": now,
    }
    conn.execute(sa.insert(kyc_reviews).values(**values))
    if verdict == "approve":  # a verified customer now: their live face joins the 1:N gallery
        face_search.mark_verified(conn, session_id, now)
    conn.execute(sa.update(kyc_sessions).where(kyc_sessions.c.session_id == session_id).values(state="reviewed"))
    append_audit(
        conn,
        actor=reviewer,
        action="kyc.session.review",
        subject=session_id,
        before={"outcome": row.outcome},
        after={"verdict": verdict, "reason": values["reason"]},
    )
    return get_review(conn, session_id) or {}


def session_declared(conn: sa.Connection, session_id: str) -> dict[str, Any]:
    """The identity the customer declared when the session was opened (personal data: reviewers' pages)."""
    declared: dict[str, Any] = json.loads(session_row(conn, session_id).declared)
    return declared


def sessions_in_review(conn: sa.Connection, limit: int = 100) -> list[dict[str, Any]]:
    """Sessions the checks sent to a person and no reviewer has decided yet, oldest first (the queue's order)."""
    rows = conn.execute(
        sa.select(kyc_sessions)
        .where(kyc_sessions.c.state == "decided", kyc_sessions.c.outcome == "review")
        .order_by(kyc_sessions.c.decided_at)
        .limit(limit)
    )
    return [
        {
            "session_id": r.session_id,
            "customer_id": r.customer_id,
            "kind": r.kind,
            "reasons": json.loads(r.reasons or "[]"),
            "decided_at": aware(r.decided_at).isoformat(),
            "case_id": r.case_id,
        }
        for r in rows
    ]


def get_review(conn: sa.Connection, session_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(kyc_reviews).where(kyc_reviews.c.session_id == session_id)).first()
    return None if row is None else _label(row)


def review_labels(conn: sa.Connection, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Every verdict (oldest first): the labelled sessions for calibrating the next version."""
    query = sa.select(kyc_reviews).order_by(kyc_reviews.c.reviewed_at)
    if since is not None:
        query = query.where(kyc_reviews.c.reviewed_at >= since)
    return [_label(r) for r in conn.execute(query)]


def _label(row: sa.Row[Any]) -> dict[str, Any]:
    reviewed = row.reviewed_at if row.reviewed_at.tzinfo else row.reviewed_at.replace(tzinfo=dt.UTC)
    return {
        "session_id": row.session_id,
        "reviewer": row.reviewer,
        "verdict": row.verdict,
        "reason": row.reason,
        "machine_outcome": row.machine_outcome,
        "machine_reasons": json.loads(row.machine_reasons),
        "versions": json.loads(row.versions),
        "reviewed_at": reviewed.isoformat(),
    }
