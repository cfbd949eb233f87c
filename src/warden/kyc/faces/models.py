"""The face models, loaded from installed packages only (never downloaded): dlib's HOG frontal detector
(inside dlib), the 5-point landmark model and the ResNet embedding model from `face_recognition_models`.

The 68-point model in the same package is trained on iBUG 300-W (no commercial use) and is never loaded.
Each model's sha256 goes into the version string, so every decision names the exact weights.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


class FaceModelsMissing(RuntimeError):
    """dlib or the model package is not installed."""


@dataclass(frozen=True)
class ModelFile:
    name: str
    path: Path
    sha256: str
    licence: str


@dataclass
class FaceModels:
    detector: Any  # dlib.fhog_object_detector
    landmarks: Any  # dlib.shape_predictor (5 points)
    embedder: Any  # dlib.face_recognition_model_v1
    files: tuple[ModelFile, ...]
    lock: threading.Lock  # dlib objects are not documented as thread-safe

    @property
    def version(self) -> str:
        return "dlib-resnet-v1+5pt/" + "+".join(f.sha256[:12] for f in self.files)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def load_models() -> FaceModels:
    try:
        import dlib
        import face_recognition_models as frm
    except ImportError as exc:  # pragma: no cover - both are in the lock file
        raise FaceModelsMissing(f"face models need dlib-bin and face_recognition_models installed ({exc})") from None
    five = Path(frm.pose_predictor_five_point_model_location())
    resnet = Path(frm.face_recognition_model_location())
    files = (
        ModelFile("shape_predictor_5_face_landmarks", five, _sha256(five), "CC0-1.0 (dlib-models)"),
        ModelFile("dlib_face_recognition_resnet_model_v1", resnet, _sha256(resnet), "CC0-1.0 (dlib-models)"),
    )
    return FaceModels(
        detector=dlib.get_frontal_face_detector(),
        landmarks=dlib.shape_predictor(str(five)),
        embedder=dlib.face_recognition_model_v1(str(resnet)),
        files=files,
        lock=threading.Lock(),
    )
