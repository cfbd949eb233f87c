"""The `face_match` block of `warden eval kyc`: FNMR at FMR 0.1 % with its sample size, on the faces Warden
may use offline, and a plain statement of what that sample is.

What exists here, searched for in every installed package: one photograph of a real face under a licence
that allows shipping it (the scikit-image astronaut, NASA, public domain: `faces/data/astronaut_face.jpg`).
The rendered documents' drawn avatars are not faces to the detector (it finds one in sixty), so they give no
impostors either. The sample is therefore:

- genuine pairs: the session's own 1:1 comparison, a selfie (a liveness-capture frame of the sample face
  under one of the transforms below) against the portrait found on a rendered, photographed document that
  carries the same face (`documents.dataset.genuine_with_face`: rotation, perspective, blur, glare, JPEG);
- impostor pairs: none, since there is one face. FNMR at a fixed FMR needs impostors to set the threshold,
  so it is reported as not resolvable, with FNMR at the deployed threshold beside it.

An operator's own consented pairs (`--face-pairs CSV`, the `warden kyc faces-eval` format) replace the sample
and give the figure with its counts. Nothing is downloaded.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from warden.kyc.faces.calibrate import fnmr_at_fmr
from warden.kyc.faces.embed import PORTRAIT_DETECT_SIDE, embed_bytes
from warden.kyc.faces.matcher import DEFAULT_THRESHOLD, score
from warden.kyc.faces.models import FaceModels, load_models
from warden.kyc.faces.pairs import read_pairs

FMR_TARGET = 0.001
SAMPLE_CAVEAT = (
    "One real face: every genuine pair is the public-domain astronaut photograph (the only licensed face "
    "image installed) as a selfie under a transform, against the same face printed on a rendered document "
    "photo. No impostor pair exists, so no threshold holds FMR at 0.1 % and fnmr_at_fmr_0_001 is not "
    "resolvable; fnmr_at_threshold is at the deployed threshold, and says how robust the matcher is to these "
    "transforms for this one face, not how often it fails across people, ages or demographics. Measure on "
    "your own consented pairs: warden eval kyc --face-pairs pairs.csv (or warden kyc faces-eval)."
)


def _rotate(deg: float) -> Callable[[Image.Image], Image.Image]:
    return lambda im: im.rotate(deg, resample=Image.Resampling.BILINEAR, fillcolor=(90, 90, 90))


def _shear(k: float) -> Callable[[Image.Image], Image.Image]:
    return lambda im: im.transform(im.size, Image.Transform.AFFINE, (1, k, -k * im.height / 2, 0, 1, 0))


def _low_res(im: Image.Image) -> Image.Image:
    return im.resize((im.width // 3, im.height // 3)).resize(im.size)


# the selfie's conditions: pose (turn, tilt), light, camera quality
TRANSFORMS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "as_captured": lambda im: im,
    "turned_left": _shear(-0.12),
    "turned_right": _shear(0.12),
    "tilted_8deg": _rotate(8),
    "tilted_-8deg": _rotate(-8),
    "dark": lambda im: ImageEnhance.Brightness(im).enhance(0.55),
    "bright": lambda im: ImageEnhance.Brightness(im).enhance(1.4),
    "low_contrast": lambda im: ImageEnhance.Contrast(im).enhance(0.5),
    "greyscale": lambda im: ImageOps.grayscale(im).convert("RGB"),
    "blurred": lambda im: im.filter(ImageFilter.GaussianBlur(1.5)),
    "low_resolution": _low_res,
    "jpeg_q30": lambda im: im,  # the quality is applied when encoding
}


def selfie_views(seed: int = 0) -> list[tuple[str, bytes]]:
    """The sample face as a liveness frame (400x300, as the capture page sends) under each transform."""
    from warden.kyc.liveness.synth import _face, _frame

    out = []
    for name, transform in TRANSFORMS.items():
        frame = Image.open(io.BytesIO(_frame(_face(), random.Random(f"{seed}-{name}")))).convert("RGB")
        buf = io.BytesIO()
        transform(frame).save(buf, "JPEG", quality=30 if name == "jpeg_q30" else 90)
        out.append((name, buf.getvalue()))
    return out


def document_photos(count: int, seed: int = 7) -> list[tuple[str, bytes]]:
    """Front pages of rendered, photographed documents whose portrait is the sample face (passports and ID
    cards alternately)."""
    from warden.kyc.documents import dataset

    return [(f"{dataset.genuine_with_face(seed, i).kind}-{i}", dataset.genuine_with_face(seed, i).pages["front"])
            for i in range(count)]  # fmt: skip


def _scores(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    a = np.asarray(values)
    return {"min": round(float(a.min()), 4), "median": round(float(np.median(a)), 4), "max": round(float(a.max()), 4)}


def face_match_block(
    *, documents: int = 6, seed: int = 7, pairs: Path | None = None, models: FaceModels | None = None
) -> dict[str, Any]:
    models = models or load_models()
    if pairs is not None:
        return _operator_block(pairs, models)
    selfies = [(n, embed_bytes(b, models).vector) for n, b in selfie_views(seed)]
    portraits = [(n, embed_bytes(b, models, PORTRAIT_DETECT_SIDE).vector) for n, b in document_photos(documents, seed)]
    failed = [n for n, v in selfies + portraits if v is None]
    genuine = [score(s, p) for _, s in selfies for _, p in portraits if s is not None and p is not None]
    return _block(
        genuine,
        [],
        n_distinct_faces=1,
        data=f"sample face: {len(selfies)} selfie conditions x {len(portraits)} rendered document photos (seed {seed})",
        caveat=SAMPLE_CAVEAT,
        failed=failed,
        models=models,
    ) | {"selfie_conditions": list(TRANSFORMS)}


def _operator_block(path: Path, models: FaceModels) -> dict[str, Any]:
    cache: dict[Path, Any] = {}
    genuine: list[float] = []
    impostor: list[float] = []
    failed: list[str] = []
    for a, b, same, line in read_pairs(path):
        for p in (a, b):
            if p not in cache:
                cache[p] = embed_bytes(p.read_bytes(), models).vector
                if cache[p] is None:
                    failed.append(f"{path.name}:{line}: {p.name}")
        if cache[a] is not None and cache[b] is not None:
            (genuine if same else impostor).append(score(cache[a], cache[b]))
    return _block(
        genuine,
        impostor,
        n_distinct_faces=None,
        data=f"operator pairs {path} ({len(cache)} images)",
        caveat="Your own pairs: the figure holds for people, cameras and documents like theirs. The file names "
        "images, not people, so the number of distinct faces is not known here.",
        failed=failed,
        models=models,
    )


def _block(
    genuine: list[float],
    impostor: list[float],
    *,
    n_distinct_faces: int | None,
    data: str,
    caveat: str,
    failed: list[str],
    models: FaceModels,
) -> dict[str, Any]:
    at = fnmr_at_fmr(genuine, impostor, FMR_TARGET)
    g = np.asarray(genuine, dtype=np.float64)
    # a rate of 0.1 % needs 1000 impostor pairs to be seen at all, and 3000 for a 95 % bound (rule of three)
    resolvable = bool(at["measurable"])
    return {
        "data": data,
        "fmr_target": FMR_TARGET,
        "fnmr_at_fmr_0_001": at["fnmr"] if resolvable else None,
        "threshold": at["threshold"] if resolvable else DEFAULT_THRESHOLD,
        "threshold_source": "set by the impostor scores at FMR 0.1 %"
        if resolvable
        else "the deployed threshold (score 0.4 = dlib distance 0.6); no threshold at FMR 0.1 % can be set",
        "fnmr_at_threshold": round(float((g < (at["threshold"] if resolvable else DEFAULT_THRESHOLD)).mean()), 4)
        if g.size
        else None,
        "n_genuine_pairs": len(genuine),
        "n_impostor_pairs": len(impostor),
        "n_distinct_faces": n_distinct_faces,
        "min_resolvable_fmr": round(1 / len(impostor), 6) if impostor else None,
        "impostor_pairs_needed": math.ceil(3 / FMR_TARGET),
        "resolvable": resolvable,
        "genuine_scores": _scores(genuine),
        "impostor_scores": _scores(impostor),
        "failed_to_enrol": len(failed),
        "failed_images": failed[:20],
        "model_version": models.version,
        "caveat": caveat,
    }
