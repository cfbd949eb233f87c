"""One session's checks on what was uploaded: the document check, the face match of the selfie (a frame of
the liveness capture) against the document's front, and the liveness verification against the challenge the
session issued. Each check that could not run says why, and `decision.decide` combines them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from warden.kyc.check import DocumentResult, check_document
from warden.kyc.consistency import Declared
from warden.kyc.decision import SessionDecision, decide
from warden.kyc.ports import FaceMatch, LivenessResult
from warden.kyc.selfie import selfie_from_capture
from warden.kyc.session_checks import SessionChecks


def _face(portrait: bytes | None, capture: dict[str, Any] | None, checks: SessionChecks) -> FaceMatch | str:
    if checks.face_matcher is None:
        return "no face matcher registered"
    if capture is None:
        return "no liveness capture uploaded (the selfie is a frame of it)"
    if portrait is None:
        return "no document portrait to match: no document front uploaded (step-up: none verified and kept)"
    selfie = selfie_from_capture(capture)
    if selfie is None:
        return "the liveness capture has no frame to take the selfie from"
    return checks.face_matcher.match(selfie, portrait)


def _liveness(challenge: dict[str, Any], capture: dict[str, Any] | None, checks: SessionChecks) -> LivenessResult | str:
    if checks.liveness_verifier is None:
        return "no liveness verifier registered"
    if capture is None:
        return "no liveness capture uploaded"
    return checks.liveness_verifier.verify(challenge, capture)


def run_checks(
    pages: dict[str, bytes],
    capture: dict[str, Any] | None,
    challenge: dict[str, Any],
    declared: Declared,
    checks: SessionChecks,
    *,
    today: dt.date,
    ocr: str = "rapidocr",
    thresholds: Mapping[str, float] | None = None,
) -> SessionDecision:
    """An onboarding session: the document, the selfie against its portrait, the liveness capture."""
    document: DocumentResult | None = (
        check_document(pages, declared, today=today, ocr=ocr, thresholds=thresholds) if pages else None
    )
    face, liveness, not_performed = _face_and_liveness(pages.get("front"), capture, challenge, checks)
    return decide(document, face, liveness, not_performed=not_performed)


def run_step_up(
    portrait: bytes | None, capture: dict[str, Any] | None, challenge: dict[str, Any], checks: SessionChecks
) -> SessionDecision:
    """A step-up session: a new live selfie against the portrait of the customer's verified document."""
    face, liveness, not_performed = _face_and_liveness(portrait, capture, challenge, checks)
    return decide(None, face, liveness, not_performed=not_performed, document_required=False)


def _face_and_liveness(
    portrait: bytes | None, capture: dict[str, Any] | None, challenge: dict[str, Any], checks: SessionChecks
) -> tuple[FaceMatch | None, LivenessResult | None, dict[str, str]]:
    """The live selfie against `portrait` and the liveness capture; why either was not performed."""
    not_performed: dict[str, str] = {}
    face = _face(portrait, capture, checks)
    if isinstance(face, str):
        not_performed["face_match"] = face
    liveness = _liveness(challenge, capture, checks)
    if isinstance(liveness, str):
        not_performed["liveness"] = liveness
    return (
        face if isinstance(face, FaceMatch) else None,
        liveness if isinstance(liveness, LivenessResult) else None,
        not_performed,
    )
