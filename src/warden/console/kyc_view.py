"""What the KYC review page shows for one session, read from the store: the checks' evidence arranged for a
person (document, MRZ parse, consistency findings, tamper signals, face match, liveness, ring links, the verdict),
with personal data masked for roles that do not investigate (access/pii.py)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from warden.access.pii import mask_value
from warden.kyc import repository
from warden.kyc.reviews import get_review, session_declared
from warden.kyc.session_links import SessionLink, linked_sessions

TAMPER_CODES = ("editing_software", "error_level_hotspot", "noise_inconsistency", "copy_move", "screen_recapture")
MRZ_FIELDS = (
    "format", "document_code", "issuing_state", "surname", "given_names", "document_number", "nationality",
    "birth_date", "sex", "expiry_date",
)  # fmt: skip
# MRZ and declared fields that are personal data, and how access/pii.py masks each
_PERSONAL = {
    "document_number": "document_number",
    "birth_date": "date_of_birth",
    "surname": "name",
    "given_names": "name",
}


def _masked(record: dict[str, Any], pii: bool) -> dict[str, Any]:
    if pii:
        return record
    return {k: mask_value(_PERSONAL[k], v) if k in _PERSONAL else v for k, v in record.items()}


def _tamper(document: dict[str, Any]) -> list[dict[str, Any]]:
    signals = document.get("signals") or {}
    return [dict(s, page=page) for page, items in sorted(signals.items()) for s in items]


def _face_links(conn: sa.Connection, evidence: dict[str, Any]) -> list[SessionLink]:
    """Verified customers the 1:N search found with this session's live face."""
    search = evidence.get("face_search") or {}
    out = []
    for hit in search.get("hits") or []:
        other = repository.session_row(conn, hit["session_id"])
        out.append(
            SessionLink(
                hit["session_id"],
                hit["customer_id"],
                other.outcome,
                [("same live face", f"distance {hit['distance']}")],
            )
        )
    return out


def session_page_context(conn: sa.Connection, session_id: str, pii: bool) -> dict[str, Any]:
    session = repository.get_session(conn, session_id)
    declared = session_declared(conn, session_id)
    evidence = session["evidence"] or {}
    document = evidence.get("document") or {}
    mrz = document.get("mrz") or {}
    findings = document.get("findings") or []
    links = _face_links(conn, evidence) + linked_sessions(conn, session_id, session["customer_id"], declared)
    images = [u["part"] for u in session["uploads"] if u["part"].startswith("document_") and not u["purged"]]
    return {
        "session": session,
        "declared": _masked(declared, pii),
        "mrz": _masked({k: mrz[k] for k in MRZ_FIELDS if k in mrz}, pii),
        "mrz_lines": (mrz.get("lines") or []) if pii else [],
        "mrz_corrections": mrz.get("corrections") or [],
        "consistency": [f for f in findings if f["code"] not in TAMPER_CODES],
        "tamper": _tamper(document),
        "document": document,
        "face": evidence.get("face_match"),
        "liveness": evidence.get("liveness"),
        "not_performed": evidence.get("not_performed") or {},
        "links": links,
        "review": get_review(conn, session_id),
        "images": images if pii else [],
        "pii": pii,
    }
