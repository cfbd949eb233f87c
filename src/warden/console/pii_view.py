"""The case page as someone who does not investigate sees it: personal data masked (see access/pii.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from warden.access.pii import mask_payload, mask_text
from warden.cases.evidence import CaseEvidence
from warden.console.case_extras import Aid


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
