"""The case page and the customer view as someone who does not investigate sees them: personal data masked
(see access/pii.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from warden.access.pii import mask_payload, mask_text, mask_value
from warden.cases.evidence import CaseEvidence
from warden.console.case_extras import Aid
from warden.console.customer_view import CustomerView

# Identifier kinds on the customer view (in words, as events/search_terms.py names them) that are personal data.
_PERSONAL_KINDS = {"e-mail": "email", "phone": "phone", "document number": "document_number"}


def _events(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(item, payload=mask_payload(item["payload"])) for item in items]


def masked_case(evidence: CaseEvidence, aids: dict[str, Aid]) -> tuple[CaseEvidence, dict[str, Aid]]:
    payloads = [k["payload"] for k in evidence.kyc] + [e["payload"] for e in evidence.events]
    masked = replace(
        evidence,
        kyc=_events(evidence.kyc),
        events=_events(evidence.events),
        account_events=_events(evidence.account_events),
    )
    aids = dict(aids)
    draft, saved = aids.get("draft"), aids.get("saved")
    if draft is not None and isinstance(draft.value, str):
        aids["draft"] = Aid(mask_text(draft.value, payloads), draft.error)
    if saved is not None and isinstance(saved.value, dict) and isinstance(saved.value.get("text"), str):
        aids["saved"] = Aid(dict(saved.value, text=mask_text(saved.value["text"], payloads)), saved.error)
    return masked, aids


def _identifier(kind: str, value: str) -> str:
    field = _PERSONAL_KINDS.get(kind)
    return value if field is None else str(mask_value(field, value))


def masked_customer(view: CustomerView) -> CustomerView:
    """The KYC submission's personal fields, and e-mails, phones and document numbers among the identifiers and
    the links to other customers, masked."""
    return replace(
        view,
        kyc=None if view.kyc is None else mask_payload(view.kyc),
        identifiers={kind: [_identifier(kind, v) for v in values] for kind, values in view.identifiers.items()},
        linked=[replace(link, how=[(kind, _identifier(kind, v)) for kind, v in link.how]) for link in view.linked],
    )
