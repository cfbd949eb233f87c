"""The seams the face and liveness checks plug into. Warden's document half calls them; the implementations
(face detection, embedding and 1:1 match; active liveness) live elsewhere and are registered with
`register_face_matcher` / `register_liveness_verifier`. Where none is registered the session's decision says
the check was not performed and routes the session to review: it never approves without them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class FaceMatch:
    score: float
    matched: bool
    threshold: float
    model_version: str
    reasons: tuple[str, ...]
    # the selfie's embedding, for the 1:N search against verified customers (kyc/face_search.py); a matcher
    # that has none (a vendor's) leaves it out and the search says it was not performed
    embedding: tuple[float, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class LivenessResult:
    passed: bool
    reasons: tuple[str, ...]
    signals: dict[str, float]
    version: str


class FaceMatcher(Protocol):
    def match(self, selfie: bytes, portrait: bytes) -> FaceMatch: ...


class LivenessVerifier(Protocol):
    def verify(self, challenge: dict[str, object], capture: dict[str, object]) -> LivenessResult: ...


_face: FaceMatcher | None = None
_liveness: LivenessVerifier | None = None


def register_face_matcher(matcher: FaceMatcher | None) -> None:
    global _face
    _face = matcher


def register_liveness_verifier(verifier: LivenessVerifier | None) -> None:
    global _liveness
    _liveness = verifier


def face_matcher() -> FaceMatcher | None:
    return _face


def liveness_verifier() -> LivenessVerifier | None:
    return _liveness
