"""Server-side liveness verification (`LivenessVerifier`): everything the server can check itself.

Hard checks (a failure refuses the capture): the challenge's signature and expiry, the capture's nonce,
the session and its frames never seen before, enough frames with a face, timestamps that move forward at a
human pace, the same face from first to last frame, and each challenge step seen in the server's own pose
estimates (`pose.frame_pose`), against the neutral frames as baseline.
Heuristics (reported as `heuristic_*`, also failing the capture so it goes to review): virtual-camera
names, frame timing too regular, resolution changing mid-stream, duplicate frames, a screen or print
pattern over the face (`passive`).
A certified vendor (`vendor.PADVendor`) can be plugged in; none is by default.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from warden.kyc.faces.embed import BadImage, decode, embed_image
from warden.kyc.faces.index import DEFAULT_MAX_DISTANCE
from warden.kyc.faces.models import FaceModels, load_models
from warden.kyc.liveness import signals
from warden.kyc.liveness.challenge import ChallengeError, check_challenge
from warden.kyc.liveness.passive import PEAK_RATIO, pattern_score
from warden.kyc.liveness.pose import FramePose, frame_pose
from warden.kyc.liveness.replay import ReplayGuard
from warden.kyc.liveness.vendor import PADVendor
from warden.kyc.ports import LivenessResult

VERIFIER_VERSION = "liveness-server-1"
TURN = 0.08  # yaw change, inter-eye distances (a real 20-degree turn moves it ~0.3)
NOD = 0.10  # pitch range inside the step
CLOSER = 1.2  # inter-eye distance growth
BLINK = 0.75  # eye-patch spread relative to the neutral frames
MIN_FRAMES_PER_STEP = 3
MIN_STEP_MS = 300  # a human needs this long to see a prompt and act
MAX_FRAMES = 200
MIN_FACE_SHARE = 0.8
FRAME_TTL_S = 90 * 24 * 3600  # frames are remembered this long for replay detection


@dataclass
class ServerLivenessVerifier:
    """Implements `warden.kyc.ports.LivenessVerifier`."""

    secret: bytes
    guard: ReplayGuard
    models: FaceModels | None = None
    vendor: PADVendor | None = None
    clock: Callable[[], float] = time.time
    version: str = field(default=VERIFIER_VERSION)

    def verify(self, challenge: dict[str, object], capture: dict[str, object]) -> LivenessResult:
        reasons: list[str] = []
        sig: dict[str, float] = {}
        try:
            body = check_challenge(dict(challenge), self.secret, self.clock())
        except ChallengeError as exc:
            return self._result([str(exc)], sig)
        if capture.get("nonce") != body["nonce"]:
            return self._result(["nonce_mismatch"], sig)
        ttl = max(1, int(float(body["expires_at"]) - float(body["issued_at"])))
        if not self.guard.first_use(f"nonce:{body['nonce']}", ttl):
            return self._result(["session_replayed"], sig)
        frames, bad = self._frames(capture)
        if bad:
            return self._result(bad, sig)
        sig["frames"] = len(frames)
        reasons += self._replay_and_timing(frames, capture, sig)
        reasons += self._faces(frames, list(body["steps"]), sig)
        if self.vendor is not None:
            verdict = self.vendor.assess(capture)
            sig["vendor_score"] = verdict.score
            if not verdict.passed:
                reasons += [f"vendor_{r}" for r in verdict.reasons] or ["vendor_refused"]
        return self._result(reasons, sig)

    def _result(self, reasons: list[str], sig: dict[str, float]) -> LivenessResult:
        models = self.models or load_models()
        version = f"{self.version}/{models.version}" + (f"/vendor:{self.vendor.name}" if self.vendor else "")
        return LivenessResult(not reasons, tuple(reasons), sig, version)

    def _frames(self, capture: dict[str, object]) -> tuple[list[dict[str, Any]], list[str]]:
        raw = capture.get("frames")
        if not isinstance(raw, list) or not raw:
            return [], ["no_frames"]
        if len(raw) > MAX_FRAMES:
            return [], [f"too_many_frames: {len(raw)} > {MAX_FRAMES}"]
        frames = []
        for i, f in enumerate(raw):
            if not isinstance(f, dict):
                return [], [f"frames[{i}]: not an object"]
            try:
                data = base64.b64decode(str(f["image"]), validate=True)
                t_ms = float(f["t_ms"])
                step = str(f["step"])
                rgb = decode(data)
            except (KeyError, TypeError, ValueError, binascii.Error, BadImage) as exc:
                return [], [f"frames[{i}]: {exc}"]
            frames.append({"t_ms": t_ms, "step": step, "sha": hashlib.sha256(data).hexdigest(), "rgb": rgb})
        return frames, []

    def _replay_and_timing(
        self, frames: list[dict[str, Any]], capture: dict[str, object], sig: dict[str, float]
    ) -> list[str]:
        reasons: list[str] = []
        shas = [f["sha"] for f in frames]
        seen_before = sum(not self.guard.first_use(f"frame:{s}", FRAME_TTL_S) for s in set(shas))
        if seen_before:
            reasons.append(f"frames_replayed: {seen_before} frames seen in an earlier capture")
        if len(set(shas)) < len(shas):
            reasons.append(f"heuristic_duplicate_frames: {len(shas) - len(set(shas))}")
        times = [f["t_ms"] for f in frames]
        sig["duration_ms"] = round(times[-1] - times[0], 1)
        if not signals.monotonic(times):
            reasons.append("timing_not_monotonic")
        cv = signals.interval_cv(times)
        if cv is not None:
            sig["interval_cv"] = round(cv, 4)
            if cv < signals.MIN_JITTER_CV:
                reasons.append(f"heuristic_timing_too_regular: interval cv {cv:.4f}")
        sizes = {f["rgb"].shape[:2] for f in frames}
        if len(sizes) > 1:
            reasons.append(f"heuristic_resolution_changed: {len(sizes)} frame sizes")
        device = capture.get("device")
        label = device.get("camera_label") if isinstance(device, dict) else None
        name = signals.virtual_camera(str(label) if label is not None else None)
        if name:
            reasons.append(f"heuristic_virtual_camera: {name!r} in camera label")
        return reasons

    def _faces(self, frames: list[dict[str, Any]], steps: list[str], sig: dict[str, float]) -> list[str]:
        models = self.models or load_models()
        reasons: list[str] = []
        poses: list[FramePose | None] = [frame_pose(models, f["rgb"]) for f in frames]
        share = sum(p is not None for p in poses) / len(poses)
        sig["face_share"] = round(share, 3)
        if share < MIN_FACE_SHARE:
            return [f"face_lost: a face in {share:.0%} of frames"]
        reasons += self._same_face(models, frames, poses, sig)
        reasons += self._steps(frames, poses, steps, sig)
        return reasons

    def _same_face(
        self, models: FaceModels, frames: list[dict[str, Any]], poses: list[FramePose | None], sig: dict[str, float]
    ) -> list[str]:
        with_face = [i for i, p in enumerate(poses) if p is not None]
        picks = sorted({with_face[0], with_face[len(with_face) // 2], with_face[-1]})
        vectors = [embed_image(frames[i]["rgb"], models).vector for i in picks]
        kept = [v for v in vectors if v is not None]
        reasons = self._pattern([frames[i]["rgb"] for i in picks], [poses[i] for i in picks], sig)
        if len(kept) < 2:
            return [*reasons, "face_not_embeddable"]
        worst = max(float(np.linalg.norm(kept[0] - v)) for v in kept[1:])
        sig["same_face_max_distance"] = round(worst, 4)
        return reasons + ([f"face_changed: distance {worst:.3f}"] if worst > DEFAULT_MAX_DISTANCE else [])

    def _pattern(self, images: list[Any], poses: list[FramePose | None], sig: dict[str, float]) -> list[str]:
        scores = [pattern_score(img, p.box) for img, p in zip(images, poses, strict=True) if p is not None]
        if not scores:
            return []
        score = statistics.median(scores)
        sig["pattern_score"] = round(score, 1)
        return [f"heuristic_screen_or_print_pattern: peak ratio {score:.0f}"] if score > PEAK_RATIO else []

    def _steps(
        self, frames: list[dict[str, Any]], poses: list[FramePose | None], steps: list[str], sig: dict[str, float]
    ) -> list[str]:
        reasons: list[str] = []
        by_step: dict[str, list[tuple[float, FramePose]]] = {s: [] for s in steps}
        order: list[str] = []
        for f, p in zip(frames, poses, strict=True):
            if f["step"] not in by_step:
                return [f"unknown_step: {f['step']}"]
            if not order or order[-1] != f["step"]:
                order.append(f["step"])
            if p is not None:
                by_step[f["step"]].append((f["t_ms"], p))
        if order != steps:
            return [f"steps_out_of_order: {order} != {steps}"]
        neutral = [p for _, p in by_step.get("neutral", [])]
        if len(neutral) < 2:
            return ["no_neutral_baseline"]
        base_yaw = statistics.median(p.yaw for p in neutral)
        base_scale = statistics.median(p.scale for p in neutral)
        base_eyes = statistics.median(p.eye_openness for p in neutral) or 1.0
        for step in steps[1:]:
            seen = by_step[step]
            if len(seen) < MIN_FRAMES_PER_STEP:
                reasons.append(f"too_few_frames: {step}")
                continue
            span = seen[-1][0] - seen[0][0]
            if span < MIN_STEP_MS:
                reasons.append(f"too_fast: {step} in {span:.0f} ms")
            ps = [p for _, p in seen]
            value, ok = _measure(step, ps, base_yaw, base_scale, base_eyes)
            sig[f"{step}_measure"] = round(value, 4)
            if not ok:
                reasons.append(f"challenge_step_not_seen: {step} (measured {value:.3f})")
        return reasons


def _measure(
    step: str, ps: list[FramePose], base_yaw: float, base_scale: float, base_eyes: float
) -> tuple[float, bool]:
    if step == "turn_left":
        v = max(p.yaw for p in ps) - base_yaw
        return v, v >= TURN
    if step == "turn_right":
        v = base_yaw - min(p.yaw for p in ps)
        return v, v >= TURN
    if step == "nod":
        v = max(p.pitch for p in ps) - min(p.pitch for p in ps)
        return v, v >= NOD
    if step == "move_closer":
        v = max(p.scale for p in ps) / base_scale
        return v, v >= CLOSER
    v = min(p.eye_openness for p in ps) / base_eyes  # blink
    return v, v <= BLINK
