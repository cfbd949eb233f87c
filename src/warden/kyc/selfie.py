"""The selfie a session matches against the document portrait: a frame of the liveness capture itself.

It is taken from the neutral hold (the face straight at the camera), so the face that is matched is the face
the liveness verifier followed from first to last frame; a separate selfie upload could be swapped in."""

from __future__ import annotations

import base64
import binascii
from typing import Any


def selfie_from_capture(capture: dict[str, Any]) -> bytes | None:
    """The middle frame of the neutral hold (the first frames when no step is called neutral), or None."""
    frames = capture.get("frames")
    if not isinstance(frames, list):
        return None
    usable = [f for f in frames if isinstance(f, dict) and isinstance(f.get("image"), str)]
    neutral = [f for f in usable if f.get("step") == "neutral"] or usable[:5]
    if not neutral:
        return None
    try:
        return base64.b64decode(neutral[len(neutral) // 2]["image"], validate=True)
    except (binascii.Error, ValueError):
        return None
