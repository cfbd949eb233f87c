"""Capture-path signals computed without the face: each is a heuristic, named with a `heuristic_` reason,
with error rates measured only on streams Warden generates (see `liveness.evaluate`).

- virtual camera: the camera label the browser reports names a known virtual-camera driver;
- timing too regular: frame intervals with almost no jitter (a file or a virtual device paced by a timer;
  real cameras under a browser's event loop jitter by milliseconds);
- resolution change: the frame size changes mid-stream (a switched source);
- duplicate frames: byte-identical frames inside one capture (a frozen or looped source).
"""

from __future__ import annotations

import itertools
import statistics

VIRTUAL_CAMERAS = (
    "obs virtual",
    "obs-camera",
    "manycam",
    "v4l2loopback",
    "dummy video",
    "droidcam",
    "splitcam",
    "xsplit",
    "snap camera",
    "e2esoft",
    "vcam",
    "fake",
    "virtual",
    "camtwist",
    "youcam",
    "iriun",
)
MIN_JITTER_CV = 0.01  # coefficient of variation of the frame intervals below which timing is "too regular"
MIN_INTERVALS = 8


VIDEO_FILE_SUFFIXES = (".y4m", ".mjpeg", ".mjpg", ".mp4", ".webm", ".avi", ".mov", ".mkv")


def virtual_camera(label: str | None) -> str | None:
    """The virtual-camera name in a camera label, or 'file source' when the label is a video file's path
    (what a browser reports for a file played as a camera, e.g. chromium's fake capture)."""
    text = (label or "").lower().strip()
    if text.endswith(VIDEO_FILE_SUFFIXES) or text.startswith(("/", "file:")) or ":\\" in text:
        return "file source"
    return next((name for name in VIRTUAL_CAMERAS if name in text), None)


def interval_cv(times_ms: list[float]) -> float | None:
    intervals = [b - a for a, b in itertools.pairwise(times_ms)]
    if len(intervals) < MIN_INTERVALS:
        return None
    mean = statistics.fmean(intervals)
    return statistics.pstdev(intervals) / mean if mean > 0 else 0.0


def monotonic(times_ms: list[float]) -> bool:
    return all(b > a for a, b in itertools.pairwise(times_ms))
