"""Liveness captures generated from the shipped public-domain sample face, for tests and for measuring the
heuristics: a genuine-looking sequence (each step rendered by a geometric or pixel change the server's
estimators can see) and one generator per attack species. These are Warden's own streams; error rates on
them say nothing about real attacks by skilled people."""

from __future__ import annotations

import base64
import io
import random
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from warden.kyc.faces.bench import SAMPLE_FACE

FRAME_W, FRAME_H = 400, 300
BACKGROUND = (90, 90, 90)


def _face() -> Image.Image:
    return Image.open(SAMPLE_FACE).convert("RGB")


def _frame(
    face: Image.Image, rng: random.Random, scale: float = 1.0, size: tuple[int, int] = (FRAME_W, FRAME_H)
) -> bytes:
    canvas = Image.new("RGB", size, BACKGROUND)
    w = int(180 * scale * size[0] / FRAME_W)
    f = face.resize((w, int(w * face.height / face.width)))
    dx, dy = rng.randint(-3, 3), rng.randint(-3, 3)
    canvas.paste(f, ((size[0] - f.width) // 2 + dx, (size[1] - f.height) // 2 + dy))
    # sensor noise: a real camera never delivers two byte-identical frames
    noise = np.random.default_rng(rng.getrandbits(64)).normal(0.0, 2.0, (size[1], size[0], 3))
    canvas = Image.fromarray(np.clip(np.asarray(canvas, dtype=np.float32) + noise, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=rng.randint(85, 92))
    return out.getvalue()


def _shear(face: Image.Image, k: float) -> Image.Image:
    return face.transform(
        face.size, Image.Transform.AFFINE, (1, k, -k * face.height / 2, 0, 1, 0), fillcolor=BACKGROUND
    )


def _stretch(face: Image.Image, s: float) -> Image.Image:
    return face.resize((face.width, int(face.height * s)))


def _eyes_closed(face: Image.Image) -> Image.Image:
    """Both eyes painted over with the skin tone below them (this sample's eye positions in its own crop)."""
    out = face.copy()
    draw = ImageDraw.Draw(out)
    w, h = face.size
    for cx in (0.41, 0.62):
        x, y = int(cx * w), int(0.39 * h)
        skin = out.getpixel((x, y + int(0.07 * h)))
        draw.ellipse((x - int(0.07 * w), y - int(0.035 * h), x + int(0.07 * w), y + int(0.035 * h)), fill=skin)
    return out


def step_faces(step: str) -> list[tuple[Image.Image, float]]:
    face = _face()
    if step == "turn_left":
        return [(_shear(face, -k), 1.0) for k in (0.05, 0.12, 0.2, 0.2, 0.1)]
    if step == "turn_right":
        return [(_shear(face, k), 1.0) for k in (0.05, 0.12, 0.2, 0.2, 0.1)]
    if step == "nod":
        return [(_stretch(face, s), 1.0) for s in (0.95, 0.85, 0.8, 1.1, 1.2)]
    if step == "move_closer":
        return [(face, s) for s in (1.05, 1.15, 1.25, 1.35, 1.35)]
    if step == "blink":
        return [(face, 1.0), (_eyes_closed(face), 1.0), (_eyes_closed(face), 1.0), (face, 1.0), (face, 1.0)]
    return [(face, 1.0)] * 5  # neutral


def genuine_capture(challenge: dict[str, Any], seed: int = 0, regular: bool = False) -> dict[str, Any]:
    rng = random.Random(seed)
    frames, t = [], 0.0
    for step in challenge["steps"]:
        for face, scale in step_faces(step):
            frames.append(
                {"t_ms": round(t, 1), "step": step, "image": base64.b64encode(_frame(face, rng, scale)).decode()}
            )
            t += 100.0 if regular else max(40.0, rng.gauss(100.0, 12.0))
    return {
        "nonce": challenge["nonce"],
        "frames": frames,
        "device": {"camera_label": "FaceTime HD Camera", "user_agent": "test"},
    }


def photo_capture(challenge: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    """A still photo held to the camera: every step shows the neutral face (hand shake only)."""
    cap = genuine_capture({**challenge, "steps": ["neutral"] * len(challenge["steps"])}, seed)
    steps = challenge["steps"]
    for i, f in enumerate(cap["frames"]):
        f["step"] = steps[i // 5]
    return cap


def resolution_switch_capture(challenge: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    cap = genuine_capture(challenge, seed)
    rng = random.Random(seed)
    half = len(cap["frames"]) // 2
    for f in cap["frames"][half:]:
        raw = base64.b64decode(f["image"])
        img = Image.open(io.BytesIO(raw)).resize((640, 480))
        out = io.BytesIO()
        img.save(out, format="JPEG", quality=rng.randint(85, 92))
        f["image"] = base64.b64encode(out.getvalue()).decode()
    return cap


def virtual_camera_capture(challenge: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    cap = genuine_capture(challenge, seed)
    cap["device"] = {"camera_label": "OBS Virtual Camera", "user_agent": "test"}
    return cap


def looped_capture(challenge: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    """A short clip looped: the second half of the frames repeats the first half byte for byte."""
    cap = genuine_capture(challenge, seed)
    frames = cap["frames"]
    half = len(frames) // 2
    for i in range(half, len(frames)):
        frames[i] = {**frames[i], "image": frames[i - half]["image"]}
    return cap


def write_y4m(
    path: str, steps: list[str], fps: int = 10, size: tuple[int, int] = (320, 240), seconds_per_step: float = 1.6
) -> None:
    """A YUV4MPEG2 clip of the sample face going through `steps` (for chromium's fake camera:
    --use-file-for-fake-video-capture). 4:2:0, `fps` frames a second."""
    rng = random.Random(0)
    w, h = size
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for step in steps:
            faces = step_faces(step)
            count = max(1, round(seconds_per_step * fps))
            for i in range(count):
                face, scale = faces[min(len(faces) - 1, i * len(faces) // count)]
                img = Image.open(io.BytesIO(_frame(face, rng, scale, size))).convert("YCbCr")
                y, cb, cr = img.split()
                out.write(b"FRAME\n")
                out.write(y.tobytes())
                out.write(cb.resize((w // 2, h // 2)).tobytes())
                out.write(cr.resize((w // 2, h // 2)).tobytes())


def screen_capture(challenge: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    """A genuine sequence played on a screen and filmed: a fine periodic grid (the screen's pixels beating
    with the camera's) multiplied over every frame, then re-encoded."""
    cap = genuine_capture(challenge, seed)
    rng = random.Random(seed)
    angle, period, amp = rng.uniform(0, np.pi), rng.uniform(2.5, 4.0), rng.uniform(0.04, 0.08)
    for f in cap["frames"]:
        rgb = np.asarray(Image.open(io.BytesIO(base64.b64decode(f["image"]))).convert("RGB"), dtype=np.float32)
        y, x = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]]
        grid = 1 + amp * np.sin(2 * np.pi * (x * np.cos(angle) + y * np.sin(angle)) / period)
        out = io.BytesIO()
        Image.fromarray(np.clip(rgb * grid[..., None], 0, 255).astype(np.uint8)).save(out, format="JPEG", quality=88)
        f["image"] = base64.b64encode(out.getvalue()).decode()
    return cap
