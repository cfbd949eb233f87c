"""Verification sessions: open one with a liveness challenge, take its uploads, decide it, purge old images.

Every state change is audited (warden.audit) in the same transaction. A session routed to review raises a
`kyc` alert, which the case queues route to the `kyc` queue.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.kyc import face_search, refit, storage
from warden.kyc.consistency import Declared
from warden.kyc.decision import SessionDecision, with_face_search
from warden.kyc.identity.evidence import face_agreement
from warden.kyc.identity.graph import Link
from warden.kyc.session_checks import SessionChecks
from warden.kyc.session_run import run_checks, run_step_up
from warden.kyc.tables import kyc_reviews, kyc_sessions, kyc_uploads

SESSION_TTL = dt.timedelta(hours=24)
PARTS = ("document_front", "document_back", "liveness")
KINDS = ("onboarding", "step_up")


class KycError(ValueError):
    """A request the session cannot take; `field` locates it for a 422."""

    def __init__(self, message: str, field: str | None = None, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite hands back naive datetimes


@dataclass(frozen=True)
class OpenedSession:
    session_id: str
    customer_id: str
    challenge: dict[str, Any]
    expires_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "customer_id": self.customer_id,
            "challenge": self.challenge,
            "expires_at": self.expires_at.isoformat(),
        }


def open_session(
    conn: sa.Connection,
    customer_id: str,
    declared: dict[str, Any],
    challenge: dict[str, Any],
    *,
    actor: str,
    kind: str = "onboarding",
    hold_ref: str | None = None,
    now: dt.datetime | None = None,
) -> OpenedSession:
    """Record a new session with the liveness challenge issued for it (`SessionChecks.new_challenge`). A `step_up`
    session (a new selfie demanded by a decision) names the held event it releases in `hold_ref`."""
    if kind not in KINDS:
        raise KycError(f"kind {kind!r}: one of {', '.join(KINDS)}", "kind")
    if (kind == "step_up") != (hold_ref is not None):
        raise KycError("a step_up session needs hold_ref (the held event's id); onboarding takes none", "hold_ref")
    now = now or _now()
    session_id = "kyc_" + secrets.token_hex(12)
    conn.execute(
        sa.insert(kyc_sessions).values(
            session_id=session_id,
            customer_id=customer_id,
            state="open",
            kind=kind,
            hold_ref=hold_ref,
            declared=json.dumps(declared, sort_keys=True, default=str),
            challenge=json.dumps(challenge, sort_keys=True),
            nonce=str(challenge["nonce"]),
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    append_audit(
        conn,
        actor=actor,
        action="kyc.session.open",
        subject=session_id,
        after={"customer_id": customer_id, "kind": kind, "hold_ref": hold_ref},
    )
    return OpenedSession(session_id, customer_id, challenge, now + SESSION_TTL)


def session_row(conn: sa.Connection, session_id: str, *, lock: bool = False) -> sa.Row[Any]:
    query = sa.select(kyc_sessions).where(kyc_sessions.c.session_id == session_id)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise KycError(f"no KYC session {session_id!r}", status=404)
    return row


def add_upload(
    conn: sa.Connection,
    data_dir: Path,
    session_id: str,
    part: str,
    data: bytes,
    content_type: str,
    *,
    actor: str,
    retention_days: int,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    now = now or _now()
    if part not in PARTS:
        raise KycError(f"unknown part {part!r}: one of {', '.join(PARTS)}", "part")
    row = session_row(conn, session_id, lock=True)
    if row.state != "open":
        raise KycError(f"session {session_id} is {row.state}; uploads are closed", status=409)
    if aware(row.expires_at) < now:
        raise KycError(f"session {session_id} expired at {aware(row.expires_at).isoformat()}", status=409)
    suffix = ".json" if part == "liveness" else ".png" if content_type == "image/png" else ".jpg"
    rel, digest = storage.write_upload(data_dir, session_id, part, data, suffix)
    values = dict(
        path=rel, sha256=digest, content_type=content_type, size=len(data), uploaded_at=now,
        purge_after=now + dt.timedelta(days=retention_days),
    )  # fmt: skip
    exists = conn.execute(
        sa.select(kyc_uploads.c.part).where(kyc_uploads.c.session_id == session_id, kyc_uploads.c.part == part)
    ).first()
    if exists:
        conn.execute(
            sa.update(kyc_uploads)
            .where(kyc_uploads.c.session_id == session_id, kyc_uploads.c.part == part)
            .values(**values)
        )
    else:
        conn.execute(sa.insert(kyc_uploads).values(session_id=session_id, part=part, **values))
    append_audit(
        conn,
        actor=actor,
        action="kyc.upload",
        subject=session_id,
        after={"part": part, "sha256": digest, "size": len(data)},
    )
    return {"session_id": session_id, "part": part, "sha256": digest, "size": len(data)}


def _uploads(conn: sa.Connection, session_id: str) -> dict[str, sa.Row[Any]]:
    rows = conn.execute(sa.select(kyc_uploads).where(kyc_uploads.c.session_id == session_id)).all()
    return {r.part: r for r in rows if r.path}


def declared_from(data: dict[str, Any]) -> Declared:
    birth = data.get("birth_date")
    return Declared(
        surname=str(data.get("surname", "")),
        given_names=str(data.get("given_names", "")),
        birth_date=dt.date.fromisoformat(birth) if isinstance(birth, str) else birth,
        document_number=data.get("document_number"),
        nationality=data.get("nationality"),
    )


AlertSink = Callable[[sa.Connection, str, str, SessionDecision], str | None]


def submit(
    conn: sa.Connection,
    data_dir: Path,
    session_id: str,
    checks: SessionChecks,
    *,
    actor: str,
    alert_sink: AlertSink | None = None,
    ocr: str = "rapidocr",
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Run the checks on what was uploaded and record the outcome (once: a decided session stays decided).
    A session sent to review is handed to `alert_sink`, which returns the review case's id."""
    now = now or _now()
    row = session_row(conn, session_id, lock=True)
    if row.state != "open":
        raise KycError(f"session {session_id} is already {row.state}", status=409)
    uploads = _uploads(conn, session_id)
    pages = {
        side: storage.read_upload(data_dir, uploads[f"document_{side}"].path)
        for side in ("front", "back")
        if f"document_{side}" in uploads
    }
    capture = json.loads(storage.read_upload(data_dir, uploads["liveness"].path)) if "liveness" in uploads else None
    challenge = json.loads(row.challenge)
    if row.kind == "step_up":
        decision = run_step_up(reference_portrait(conn, data_dir, row.customer_id), capture, challenge, checks)
    else:
        declared = declared_from(json.loads(row.declared))
        config, thresholds = refit.active_thresholds(conn)
        decision = run_checks(
            pages, capture, challenge, declared, checks, today=now.date(), ocr=ocr, thresholds=thresholds
        )
        decision.versions["decision_config"] = config
    decision = _search_face(conn, session_id, row.customer_id, decision, now)
    case_id = (
        alert_sink(conn, session_id, row.customer_id, decision) if alert_sink and decision.outcome == "review" else None
    )
    result = decision.as_dict()
    conn.execute(
        sa.update(kyc_sessions)
        .where(kyc_sessions.c.session_id == session_id)
        .values(
            state="decided",
            outcome=decision.outcome,
            reasons=json.dumps(decision.reasons),
            result=json.dumps(result, default=str),
            case_id=case_id,
            decided_at=now,
        )
    )
    append_audit(
        conn,
        actor=actor,
        action="kyc.session.decide",
        subject=session_id,
        after={
            "outcome": decision.outcome,
            "reasons": decision.reasons,
            "versions": decision.versions,
            "case_id": case_id,
        },
    )
    return get_session(conn, session_id)


def _search_face(
    conn: sa.Connection, session_id: str, customer_id: str, decision: SessionDecision, now: dt.datetime
) -> SessionDecision:
    """The live face, if it matched its document, searched 1:N against verified customers and kept (searchable
    once the session is verified). A hit links the two customers with the identity graph's face evidence."""
    embedding = decision.face_embedding
    if embedding is None:
        face = decision.evidence.get("face_match")
        matched = isinstance(face, dict) and face.get("matched")
        why = "the face matcher gives no embedding" if matched else "no live face matched its document"
        return with_face_search(decision, [], 0, why)
    hits, searched = face_search.search_verified(conn, customer_id, embedding)
    shown = []
    for hit in hits:
        other = face_search.stored_embedding(conn, hit.session_id)
        agreement = face_agreement(embedding, other.tolist()) if other is not None else None
        link = None
        if agreement is not None:
            a, b = sorted((customer_id, hit.customer_id))
            link = Link(a, b, agreement.bits, (agreement,)).as_dict()
        shown.append(hit.as_dict() | {"link": link})
    decision = with_face_search(decision, shown, searched)
    version = str(decision.versions.get("face_match", ""))
    face_search.record_face(
        conn, session_id, customer_id, embedding, version, verified=decision.outcome == "approve", now=now
    )
    return decision


def get_session(conn: sa.Connection, session_id: str) -> dict[str, Any]:
    row = session_row(conn, session_id)
    uploads = conn.execute(sa.select(kyc_uploads).where(kyc_uploads.c.session_id == session_id)).all()
    result = json.loads(row.result) if row.result else None
    return {
        "session_id": row.session_id,
        "customer_id": row.customer_id,
        "state": row.state,
        "kind": row.kind,
        "created_at": aware(row.created_at).isoformat(),
        "expires_at": aware(row.expires_at).isoformat(),
        "outcome": row.outcome,
        "hold_ref": row.hold_ref,
        "hold_released": row.kind == "step_up" and row.outcome == "approve",
        "reasons": json.loads(row.reasons) if row.reasons else [],
        "evidence": result["evidence"] if result else None,
        "versions": result["versions"] if result else None,
        "case_id": row.case_id,
        "uploads": [
            {
                "part": u.part,
                "sha256": u.sha256,
                "size": u.size,
                "content_type": u.content_type,
                "purged": u.path is None,
            }
            for u in uploads
        ],
    }


def reference_portrait(conn: sa.Connection, data_dir: Path, customer_id: str) -> bytes | None:
    """The front page of the customer's latest verified document (an onboarding session approved by the checks or
    by a reviewer) still kept under its retention; a step-up selfie is matched against its portrait."""
    reviewed = sa.select(kyc_reviews.c.session_id).where(kyc_reviews.c.verdict == "approve")
    row = conn.execute(
        sa.select(kyc_uploads.c.path)
        .join(kyc_sessions, kyc_sessions.c.session_id == kyc_uploads.c.session_id)
        .where(
            kyc_sessions.c.customer_id == customer_id,
            kyc_sessions.c.kind == "onboarding",
            sa.or_(kyc_sessions.c.outcome == "approve", kyc_sessions.c.session_id.in_(reviewed)),
            kyc_uploads.c.part == "document_front",
            kyc_uploads.c.path.is_not(None),
        )
        .order_by(kyc_sessions.c.decided_at.desc())
        .limit(1)
    ).first()
    return None if row is None else storage.read_upload(data_dir, row.path)


def read_image(conn: sa.Connection, data_dir: Path, session_id: str, part: str, *, actor: str) -> tuple[bytes, str]:
    """An uploaded image, for a reviewer; the read itself is audited (who looked at whose document)."""
    session_row(conn, session_id)
    row = conn.execute(
        sa.select(kyc_uploads).where(kyc_uploads.c.session_id == session_id, kyc_uploads.c.part == part)
    ).first()
    if row is None or row.path is None or part == "liveness":
        raise KycError(f"no stored image {part!r} for session {session_id}", status=404)
    append_audit(conn, actor=actor, action="kyc.image.read", subject=session_id, after={"part": part})
    return storage.read_upload(data_dir, row.path), row.content_type


def purge_expired(
    conn: sa.Connection, data_dir: Path, *, actor: str = "system:kyc", now: dt.datetime | None = None
) -> int:
    """Delete the files whose retention has run out; the digests stay for the record."""
    now = now or _now()
    rows = conn.execute(
        sa.select(kyc_uploads).where(kyc_uploads.c.path.is_not(None), kyc_uploads.c.purge_after < now)
    ).all()
    for r in rows:
        storage.delete_upload(data_dir, r.path)
        conn.execute(
            sa.update(kyc_uploads)
            .where(kyc_uploads.c.session_id == r.session_id, kyc_uploads.c.part == r.part)
            .values(path=None)
        )
        append_audit(conn, actor=actor, action="kyc.upload.purge", subject=r.session_id, after={"part": r.part})
    return len(rows)
