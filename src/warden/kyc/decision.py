"""A session's outcome from its document check and, where plugged in, face match and liveness.

`approve` needs all three: a clean document, a face that matches its portrait and a passed liveness check.
A check that was not performed (no implementation registered, or nothing uploaded for it) is a reason of its
own and sends the session to review: the absence of evidence is never read as evidence."""

from __future__ import annotations

from dataclasses import dataclass, field

from warden.kyc.check import DocumentResult
from warden.kyc.ports import FaceMatch, LivenessResult

DECISION_VERSION = "kyc-decision-1"
OUTCOMES = ("approve", "review", "reject")


@dataclass
class SessionDecision:
    outcome: str
    reasons: list[str]
    evidence: dict[str, object]
    versions: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "reasons": self.reasons, "evidence": self.evidence, "versions": self.versions}


def decide(
    document: DocumentResult | None,
    face: FaceMatch | None,
    liveness: LivenessResult | None,
    *,
    not_performed: dict[str, str] | None = None,
) -> SessionDecision:
    """Combine the checks; `not_performed` says why a missing check is missing (check name -> reason)."""
    not_performed = dict(not_performed or {})
    reasons: list[str] = []
    rejects = False
    review = False
    versions: dict[str, str] = {"decision": DECISION_VERSION}
    evidence: dict[str, object] = {"not_performed": not_performed}
    if document is None:
        reasons.append("document_not_performed")
        not_performed.setdefault("document", "no document uploaded")
        review = True
    else:
        evidence["document"] = document.as_dict()
        versions.update({f"document_{k}": v for k, v in document.versions.items()})
        reasons += document.reasons
        rejects |= document.outcome == "reject"
        review |= document.outcome == "review"
    if face is None:
        reasons.append("face_match_not_performed")
        not_performed.setdefault("face_match", "no face matcher registered")
        review = True
    else:
        evidence["face_match"] = face.__dict__ | {"reasons": list(face.reasons)}
        versions["face_match"] = face.model_version
        if not face.matched:
            reasons += ["face_mismatch", *face.reasons]
            rejects = True
    if liveness is None:
        reasons.append("liveness_not_performed")
        not_performed.setdefault("liveness", "no liveness verifier registered")
        review = True
    else:
        evidence["liveness"] = {
            "passed": liveness.passed,
            "reasons": list(liveness.reasons),
            "signals": liveness.signals,
        }
        versions["liveness"] = liveness.version
        if not liveness.passed:
            reasons += ["liveness_failed", *liveness.reasons]
            rejects = True  # a stale, replayed or unfulfilled challenge is refused
    outcome = "reject" if rejects else "review" if review else "approve"
    return SessionDecision(outcome, sorted(set(reasons)), evidence, versions)
