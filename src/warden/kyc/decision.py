"""A session's outcome from its document check, face match and liveness verification.

`approve` needs all three: a clean document, a face that matches its portrait and a passed liveness check.
A check that was not performed (no implementation registered, or nothing uploaded for it) is a reason of its
own and sends the session to review: the absence of evidence is never read as evidence.

Clear evidence rejects: a face compared and found different (`face_mismatch`), a liveness capture refused by a
hard check (stale or replayed challenge, frames seen before, steps not performed, the face changing). What a
person should look at goes to review: a face that could not be compared at all (`face_not_comparable`: no face
found on the selfie or the portrait), and a capture refused only by heuristics (`heuristic_*`), whose error
rates are measured on generated data only."""

from __future__ import annotations

from dataclasses import dataclass, field

from warden.kyc.check import DocumentResult
from warden.kyc.ports import FaceMatch, LivenessResult

DECISION_VERSION = "kyc-decision-2"
OUTCOMES = ("approve", "review", "reject")
NOT_COMPARABLE = ("_no_face", "_unreadable")  # matcher reasons that mean no embedding on one side


@dataclass
class SessionDecision:
    outcome: str
    reasons: list[str]
    evidence: dict[str, object]
    versions: dict[str, str] = field(default_factory=dict)
    # the live face, when it matched its document: searched 1:N and kept (not part of the recorded result)
    face_embedding: tuple[float, ...] | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {"outcome": self.outcome, "reasons": self.reasons, "evidence": self.evidence, "versions": self.versions}


@dataclass
class _Tally:
    reasons: list[str] = field(default_factory=list)
    reject: bool = False
    review: bool = False

    def add(self, severity: str, *reasons: str) -> None:
        self.reasons += reasons
        self.reject |= severity == "reject"
        self.review |= severity == "review"


def _code(reason: str) -> str:
    """A reason's code, without the detail after the colon (`face_changed: distance 0.7` -> `face_changed`)."""
    return reason.split(":", 1)[0]


def _face(face: FaceMatch, tally: _Tally) -> None:
    if face.matched:
        return
    if any(_code(r).endswith(NOT_COMPARABLE) for r in face.reasons):
        tally.add("review", "face_not_comparable", *face.reasons)
    else:
        tally.add("reject", "face_mismatch", *face.reasons)


def _liveness(liveness: LivenessResult, tally: _Tally) -> None:
    if liveness.passed:
        return
    heuristic_only = all(_code(r).startswith("heuristic_") for r in liveness.reasons)
    tally.add("review" if heuristic_only else "reject", "liveness_failed", *liveness.reasons)


def decide(
    document: DocumentResult | None,
    face: FaceMatch | None,
    liveness: LivenessResult | None,
    *,
    not_performed: dict[str, str] | None = None,
    document_required: bool = True,
) -> SessionDecision:
    """Combine the checks; `not_performed` says why a missing check is missing (check name -> reason). A step-up
    session (`document_required=False`) proves only that the live face is the verified customer's."""
    not_performed = dict(not_performed or {})
    tally = _Tally()
    versions: dict[str, str] = {"decision": DECISION_VERSION}
    evidence: dict[str, object] = {"not_performed": not_performed}
    if document is None:
        if document_required:
            not_performed.setdefault("document", "no document uploaded")
            tally.add("review", "document_not_performed")
    else:
        evidence["document"] = document.as_dict()
        versions.update({f"document_{k}": v for k, v in document.versions.items()})
        tally.add(document.outcome, *document.reasons)
    if face is None:
        not_performed.setdefault("face_match", "no face matcher registered")
        tally.add("review", "face_match_not_performed")
    else:
        shown = {k: v for k, v in face.__dict__.items() if k != "embedding"}
        evidence["face_match"] = shown | {"reasons": list(face.reasons), "selfie": "liveness capture"}
        versions["face_match"] = face.model_version
        _face(face, tally)
    if liveness is None:
        not_performed.setdefault("liveness", "no liveness verifier registered")
        tally.add("review", "liveness_not_performed")
    else:
        evidence["liveness"] = {
            "passed": liveness.passed,
            "reasons": list(liveness.reasons),
            "signals": liveness.signals,
        }
        versions["liveness"] = liveness.version
        _liveness(liveness, tally)
    outcome = "reject" if tally.reject else "review" if tally.review else "approve"
    embedding = face.embedding if face is not None and face.matched else None
    return SessionDecision(outcome, sorted(set(tally.reasons)), evidence, versions, embedding)


FACE_ELSEWHERE = "face_on_other_customer"


def with_face_search(
    decision: SessionDecision, hits: list[dict[str, object]], searched: int, detail: str | None = None
) -> SessionDecision:
    """The 1:N search's result joined to the decision: the same face on another verified customer is a ring or
    mule signal for a person to judge (review; a reject stays a reject). `detail` says why it did not run."""
    evidence = dict(decision.evidence)
    evidence["face_search"] = {"searched": searched, "hits": hits, **({"not_performed": detail} if detail else {})}
    if not hits:
        return SessionDecision(decision.outcome, decision.reasons, evidence, decision.versions, decision.face_embedding)
    customers = ", ".join(str(h["customer_id"]) for h in hits)
    reasons = sorted({*decision.reasons, FACE_ELSEWHERE, f"{FACE_ELSEWHERE}: the live face is verified on {customers}"})
    outcome = "reject" if decision.outcome == "reject" else "review"
    return SessionDecision(outcome, reasons, evidence, decision.versions, decision.face_embedding)
