"""Personal data shown only to those who investigate.

Rule authors and model-risk officers work on rules and models, not on people: they see a case's evidence with
passport numbers, birth dates, postal addresses, e-mails, phones and MRZ lines masked (the kind and the last
characters of a document number stay, so records can still be told apart). Reviewers, seniors and admins see
everything; so do machines behind API keys (the exchange's own backend).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

INVESTIGATOR_ROLES = frozenset({"analyst", "senior_analyst", "admin", "machine"})
PII_FIELDS = ("date_of_birth", "document_number", "email", "phone", "address", "mrz")
MASK = "•"


def sees_pii(role: str) -> bool:
    return role in INVESTIGATOR_ROLES


def mask_value(field: str, value: Any) -> Any:
    if value is None or value == "":
        return value
    text = str(value)
    if field == "email" and "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}{MASK * 3}@{domain}"
    if field in ("document_number", "phone"):
        return MASK * max(len(text) - 2, 3) + text[-2:]
    if field == "date_of_birth":
        return f"{MASK * 4}-{MASK * 2}-{MASK * 2}"
    return MASK * 6


def mask_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy with the personal fields masked (a KYC submission's; other events have none of these keys, except an
    address-book change's crypto `address`, which is not personal data and stays)."""
    if payload.get("type") not in (None, "kyc_submission"):
        return payload
    return {k: mask_value(k, v) if k in PII_FIELDS else v for k, v in payload.items()}


def mask_text(text: str, payloads: Iterable[dict[str, Any]]) -> str:
    """`text` with every personal value of `payloads` masked where it appears (narratives quote them)."""
    for payload in payloads:
        for field in PII_FIELDS:
            value = payload.get(field)
            if value is not None and len(str(value)) >= 3:
                text = text.replace(str(value), str(mask_value(field, value)))
    return text
