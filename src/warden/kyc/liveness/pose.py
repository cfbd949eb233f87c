"""What the server measures itself in one frame, from dlib's 5-point landmarks (eye corners, nose base):

- yaw: the nose's horizontal offset from the eyes' midpoint, in inter-eye distances (turning moves it);
- pitch: the nose's vertical offset below the eye line, in inter-eye distances (nodding changes it);
- scale: the inter-eye distance in pixels (moving closer grows it);
- eye openness: the grey-level spread in the two eye patches over the face's (a closed lid is flat skin).

The 5-point model has no eyelid points, so blinking is read from pixels: a heuristic, reported as such.
Frames are as the camera sees them, not mirrored: when a person turns to their left, the nose moves to the
image's right and yaw grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from warden.kyc.faces.embed import DETECT_SIDE, _detect
from warden.kyc.faces.models import FaceModels


@dataclass(frozen=True)
class FramePose:
    yaw: float
    pitch: float
    scale: float
    eye_openness: float
    box: tuple[int, int, int, int]


def _patch_spread(gray: NDArray[np.float32], a: tuple[float, float], b: tuple[float, float]) -> float:
    cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    half_w = max(2.0, abs(a[0] - b[0]) * 0.6)
    half_h = max(2.0, half_w * 0.5)
    y0, y1 = int(max(0, cy - half_h)), int(min(gray.shape[0], cy + half_h))
    x0, x1 = int(max(0, cx - half_w)), int(min(gray.shape[1], cx + half_w))
    patch = gray[y0:y1, x0:x1]
    return float(patch.std()) if patch.size else 0.0


def frame_pose(models: FaceModels, rgb: NDArray[np.uint8]) -> FramePose | None:
    """The largest face's pose in one frame; None when no face is found."""
    import dlib

    with models.lock:
        boxes = _detect(models, rgb, DETECT_SIDE)
        if not boxes:
            return None
        box = max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))
        shape = models.landmarks(rgb, dlib.rectangle(*box))
    pts = [(float(shape.part(i).x), float(shape.part(i).y)) for i in range(5)]
    # dlib 5-point order: right eye outer, right eye inner, left eye outer, left eye inner, nose base.
    right = ((pts[0][0] + pts[1][0]) / 2, (pts[0][1] + pts[1][1]) / 2)
    left = ((pts[2][0] + pts[3][0]) / 2, (pts[2][1] + pts[3][1]) / 2)
    mid = ((right[0] + left[0]) / 2, (right[1] + left[1]) / 2)
    eye_dist = max(1.0, float(np.hypot(left[0] - right[0], left[1] - right[1])))
    nose = pts[4]
    gray = rgb.astype(np.float32).mean(axis=2)
    x0, y0, x1, y1 = (max(0, v) for v in box)
    face_spread = float(gray[y0:y1, x0:x1].std()) or 1.0
    eyes = (_patch_spread(gray, pts[0], pts[1]) + _patch_spread(gray, pts[2], pts[3])) / 2
    return FramePose(
        yaw=(nose[0] - mid[0]) / eye_dist,
        pitch=(nose[1] - mid[1]) / eye_dist,
        scale=eye_dist,
        eye_openness=eyes / face_spread,
        box=box,
    )
