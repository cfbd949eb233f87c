"""1:1 match of a selfie with a document portrait: `FaceMatcher` on dlib embeddings.

The score is 1 - L2 distance between the 128-d embeddings (higher is more alike); dlib's published
operating point is distance 0.6 (score 0.4), at 99.38 % on LFW. Selfie-versus-ID-photo is harder than
LFW: the threshold must be calibrated on the operator's own consented pairs (`faces.calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from warden.kyc.faces.embed import DETECT_SIDE, PORTRAIT_DETECT_SIDE, BadImage, FaceEmbedding, embed_bytes
from warden.kyc.faces.models import FaceModels, load_models
from warden.kyc.ports import FaceMatch

DEFAULT_THRESHOLD = 0.4  # score; = dlib's distance 0.6


def score(a: np.ndarray, b: np.ndarray) -> float:
    return float(1.0 - np.linalg.norm(a.astype(np.float64) - b.astype(np.float64)))


@dataclass
class DlibFaceMatcher:
    """Implements `warden.kyc.ports.FaceMatcher`."""

    threshold: float = DEFAULT_THRESHOLD
    models: FaceModels | None = None

    @property
    def version(self) -> str:
        return (self.models or load_models()).version

    def _side(self, data: bytes, side: str, detect_side: int) -> tuple[FaceEmbedding | None, list[str]]:
        try:
            face = embed_bytes(data, self.models, detect_side)
        except BadImage:
            return None, [f"{side}_unreadable"]
        return face, [f"{side}_{r}" for r in face.reasons]

    def match(self, selfie: bytes, portrait: bytes) -> FaceMatch:
        models = self.models or load_models()
        a, reasons_a = self._side(selfie, "selfie", DETECT_SIDE)
        b, reasons_b = self._side(portrait, "portrait", PORTRAIT_DETECT_SIDE)  # the portrait in a document photo
        reasons = [*reasons_a, *reasons_b]
        if a is None or b is None or a.vector is None or b.vector is None:
            return FaceMatch(0.0, False, self.threshold, models.version, tuple(reasons))
        s = score(a.vector, b.vector)
        matched = s >= self.threshold
        reasons.append(f"{'face_match' if matched else 'face_mismatch'}: score {s:.3f} vs threshold {self.threshold}")
        embedding = tuple(float(v) for v in a.vector)
        return FaceMatch(round(s, 4), matched, self.threshold, models.version, tuple(reasons), embedding)
