"""The KYC ports that face matching and liveness implement; the session flow depends only on these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FaceMatch:
    """A 1:1 comparison of a selfie with a document portrait, with the threshold and model that decided it."""

    score: float
    matched: bool
    threshold: float
    model_version: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class LivenessResult:
    """The server's verdict on a liveness capture, with the signals it measured."""

    passed: bool
    reasons: tuple[str, ...]
    signals: dict[str, float]
    version: str


class FaceMatcher(Protocol):
    """Compares a selfie with a document portrait (encoded images)."""

    def match(self, selfie: bytes, portrait: bytes) -> FaceMatch: ...


class LivenessVerifier(Protocol):
    """Checks a liveness capture against the challenge the server issued."""

    def verify(self, challenge: dict[str, object], capture: dict[str, object]) -> LivenessResult: ...
