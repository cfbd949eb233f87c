"""Tamper signals on one document photo, each its own score and reason code. They are heuristics: scores
with thresholds, not verdicts, and each can be fooled by a forger who knows it (docs/kyc.md).

- `editing_software`: an image editor's name in the EXIF Software tag, XMP CreatorTool or a Photoshop block.
- `error_level_hotspot`: error-level analysis. Saving the photo again at its own JPEG quality changes
  regions that were compressed fewer times (pasted or redrawn after the camera's compression) more than
  the rest; a compact cluster of such blocks is the signal of double compression with an edit.
- `noise_inconsistency`: camera sensor noise is everywhere in a photo; content pasted from a clean source
  (a portrait, a retyped field) carries almost none. A compact cluster of textured blocks with far less
  noise than the photo's own level is the signal, covering a portrait pasted over another.
- `copy_move`: blocks of the photo repeated elsewhere in it by one exact shift.
- `screen_recapture`: a screen's pixel grid or a printer's halftone, resampled by the camera, leaves strong
  isolated peaks in the spectrum away from the JPEG 8x8 grid frequencies.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from scipy import ndimage

from warden.kyc import fast_filters

TAMPER_VERSION = "kyc-tamper-1"

EDITOR_PATTERN = re.compile(
    rb"photoshop|lightroom|gimp|pixelmator|affinity|paint\.net|canva|picsart|snapseed|photopea|corel|"
    rb"acdsee|luminar|facetune|fotor|pixlr|inkscape|krita",
    re.IGNORECASE,
)
EXIF_SOFTWARE, EXIF_PROCESSING_SOFTWARE = 0x0131, 0x000B

BLOCK = 16

# thresholds calibrated on genuine rendered photos (docs/kyc.md gives the resulting BPCER and APCER)
COPY_MAX_DIFF = 1.5  # grey levels: the most two copied blocks may differ, whatever the photo's noise
THRESHOLDS = {
    "error_level_hotspot": 40.0,
    "noise_inconsistency": 8,
    "copy_move": 10,
    "screen_recapture": 9.0,
}


@dataclass(frozen=True)
class Signal:
    code: str
    score: float
    threshold: float
    fired: bool
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "fired": self.fired,
            "detail": self.detail,
        }


def editing_software(data: bytes, img: Image.Image) -> Signal:
    names: list[str] = []
    exif = img.getexif()
    for tag in (EXIF_SOFTWARE, EXIF_PROCESSING_SOFTWARE):
        value = exif.get(tag)
        if isinstance(value, bytes):
            value = value.decode("latin-1", "replace")
        if value and EDITOR_PATTERN.search(str(value).encode("latin-1", "replace")):
            names.append(str(value))
    xmp = img.info.get("xmp") or b""
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    m = re.search(rb"CreatorTool[^>]*?[>=\"']+([^<\"']+)", xmp)
    if m and EDITOR_PATTERN.search(m.group(1)):
        names.append(m.group(1).decode("utf-8", "replace"))
    if b"Photoshop 3.0\x008BIM" in data[:65536]:
        names.append("Photoshop image resource block")
    return Signal("editing_software", float(bool(names)), 1.0, bool(names), "; ".join(names))


def _gray(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"), dtype=np.float32)


def _blocks(arr: np.ndarray, size: int = BLOCK) -> np.ndarray:
    h, w = arr.shape[0] // size * size, arr.shape[1] // size * size
    return arr[:h, :w].reshape(h // size, size, w // size, size).swapaxes(1, 2)


def _largest_cluster(mask: np.ndarray) -> int:
    labels, n = ndimage.label(mask)
    if n == 0:
        return 0
    return int(np.bincount(labels.ravel())[1:].max())


def jpeg_quality_estimate(img: Image.Image) -> int:
    """The JPEG quality whose standard luminance table is closest to the file's (libjpeg scaling)."""
    tables = getattr(img, "quantization", None) or {}
    if 0 not in tables:
        return 90
    q0 = np.asarray(tables[0], float)
    base = np.asarray(_STD_LUMA, float)
    best, best_err = 90, float("inf")
    for q in range(30, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        table = np.clip(np.floor((base * scale + 50) / 100), 1, 255)
        err = float(np.abs(np.sort(table) - np.sort(q0)).sum())
        if err < best_err:
            best, best_err = q, err
    return best


def error_level(img: Image.Image) -> Signal:
    rgb = img.convert("RGB")
    buf = io.BytesIO()
    rgb.save(buf, "JPEG", quality=jpeg_quality_estimate(img))
    again = np.asarray(Image.open(buf).convert("L"), np.float32)
    g = _gray(rgb)
    diff = np.abs(g - again)
    grad = np.abs(ndimage.sobel(g, 0)) + np.abs(ndimage.sobel(g, 1))
    ela = _blocks(diff).mean(axis=(2, 3))
    edges = _blocks(grad).mean(axis=(2, 3))
    textured = edges > np.percentile(edges, 40)
    # error per unit of edge energy: text edges everywhere have high error, a recompressed-once edit more so
    ratio = ela / (edges + 1.0)
    ref = float(np.median(ratio[textured])) if textured.any() else float(np.median(ratio))
    mad = float(np.median(np.abs(ratio[textured] - ref))) if textured.any() else 1.0
    z = (ratio - ref) / (1.4826 * mad + 1e-6)
    hot = (z > 3.0) & textured
    cluster = _largest_cluster(hot)
    score = float(cluster)
    return Signal(
        "error_level_hotspot",
        score,
        THRESHOLDS["error_level_hotspot"],
        score >= THRESHOLDS["error_level_hotspot"],
        f"{cluster} adjacent blocks of {BLOCK}px recompress unlike the rest",
    )


Noise = tuple[np.ndarray, np.ndarray, float]


def _noise(g: np.ndarray, fast: bool = False) -> Noise:
    """Per-block sensor-noise level (mean |residual| after a 3x3 median), which blocks are usable (not clipped),
    and the photo's level: the median over usable blocks. `fast`: the same median by `fast_filters.median3`."""
    residual = g - (fast_filters.median3(g) if fast else ndimage.median_filter(g, size=3))
    noise = np.abs(_blocks(residual)).mean(axis=(2, 3))
    means = _blocks(g).mean(axis=(2, 3))
    usable = (means > 20) & (means < 235)  # clipped blocks carry no noise in any photo
    return noise, usable, float(np.median(noise[usable])) if usable.any() else 0.0


def noise_inconsistency(img: Image.Image, noise_levels: Noise | None = None) -> Signal:
    noise, usable, level = noise_levels if noise_levels is not None else _noise(_gray(img))
    # almost noiseless blocks next to each other: clean content pasted into a photo
    quiet = usable & (noise < 0.3 * level)
    cluster = _largest_cluster(quiet)
    return Signal(
        "noise_inconsistency",
        float(cluster),
        THRESHOLDS["noise_inconsistency"],
        cluster >= THRESHOLDS["noise_inconsistency"],
        f"{cluster} adjacent blocks with under 30 % of the photo's noise level {level:.2f}",
    )


def copy_move(img: Image.Image, noise_levels: Noise | None = None) -> Signal:
    g = _gray(img)
    small = g[::2, ::2]
    size, step = 8, 2
    h, w = small.shape
    ys, xs = np.mgrid[0 : h - size : step, 0 : w - size : step]
    ys, xs = ys.ravel(), xs.ravel()
    win = np.lib.stride_tricks.sliding_window_view(small, (size, size))[ys, xs]
    flat = win.reshape(len(ys), -1)
    std = flat.std(axis=1)
    keep = std > 12  # flat background repeats everywhere and says nothing
    if keep.sum() < 2:
        return Signal("copy_move", 0.0, THRESHOLDS["copy_move"], False, "too little texture")
    feats = flat[keep] - flat[keep].mean(axis=1, keepdims=True)
    feats = feats.reshape(-1, 4, 2, 4, 2).mean(axis=(2, 4)).reshape(-1, 16)
    q = np.round(feats / 12).astype(np.int16)
    ys, xs = ys[keep], xs[keep]
    order = np.lexsort(q.T[::-1])
    qs = q[order]
    same = np.all(qs[1:] == qs[:-1], axis=1)
    idx = np.nonzero(same)[0]
    a, b = order[idx], order[idx + 1]
    # the same glyph printed twice differs by the camera's noise; a copied region repeats the noise too
    if len(a):
        pa = np.stack(
            [g[2 * y : 2 * y + 2 * size, 2 * x : 2 * x + 2 * size] for y, x in zip(ys[a], xs[a], strict=True)]
        )
        pb = np.stack(
            [g[2 * y : 2 * y + 2 * size, 2 * x : 2 * x + 2 * size] for y, x in zip(ys[b], xs[b], strict=True)]
        )
        # closer than the photo's own noise level: two captures of one glyph differ by about 1.1-1.4 levels
        # (independent noise), a copied region by its recompression only. A fixed bound (1.5) took low-noise
        # photos' repeated glyphs for copies.
        level = noise_levels[2] if noise_levels is not None else _noise(g)[2]
        close = np.abs(pa - pb).mean(axis=(1, 2)) < min(COPY_MAX_DIFF, level)
        a, b = a[close], b[close]
    dy, dx = ys[b] - ys[a], xs[b] - xs[a]
    sign = np.where((dy < 0) | ((dy == 0) & (dx < 0)), -1, 1)
    dy, dx = dy * sign, dx * sign
    far = np.hypot(dy, dx) > 16  # in half-resolution pixels
    if not len(far) or not far.any():
        return Signal("copy_move", 0.0, THRESHOLDS["copy_move"], False, "no repeated block")
    vecs = np.stack([dy[far], dx[far]], axis=1)
    uniq, counts = np.unique(vecs, axis=0, return_counts=True)
    best = int(counts.max())
    vec = uniq[int(counts.argmax())] * 2
    return Signal(
        "copy_move",
        float(best),
        THRESHOLDS["copy_move"],
        best >= THRESHOLDS["copy_move"],
        f"{best} textured blocks repeat at shift ({int(vec[1])}, {int(vec[0])}) px",
    )


def screen_recapture(img: Image.Image, fast: bool = False) -> Signal:
    g = _gray(img)
    h, w = g.shape
    n = 512
    cy, cx = h // 2, w // 2
    crop = g[max(0, cy - n // 2) : cy + n // 2, max(0, cx - n // 2) : cx + n // 2]
    crop = crop - ndimage.uniform_filter(crop, 9)  # keep the fine texture only
    win = np.outer(np.hanning(crop.shape[0]), np.hanning(crop.shape[1]))
    spec = np.log1p(np.abs(np.fft.fftshift(np.fft.fft2(crop * win))))
    fy = np.fft.fftshift(np.fft.fftfreq(crop.shape[0]))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(crop.shape[1]))[None, :]
    radius = np.hypot(fy, fx)
    band = (radius > 0.08) & (radius < 0.48)
    # JPEG's 8x8 grid puts peaks at multiples of 1/8 in each direction: not evidence of a screen
    grid = (np.abs(fy * 8 - np.round(fy * 8)) < 0.03) | (np.abs(fx * 8 - np.round(fx * 8)) < 0.03)
    if fast:  # the 20 highest peaks without the local median everywhere (`fast_filters`, the same values)
        ys, xs = np.nonzero(band & ~grid)
        top = fast_filters.top_above_median(spec, 9, ys, xs, 20) if ys.size else np.empty(0)
    else:
        local = ndimage.median_filter(spec, size=9)
        peak = (spec - local)[band & ~grid]
        top = np.sort(peak)[-20:]
    score = float(top.mean()) if top.size else 0.0
    score *= 4.0  # scaled so the threshold reads in round numbers
    return Signal(
        "screen_recapture",
        score,
        THRESHOLDS["screen_recapture"],
        score >= THRESHOLDS["screen_recapture"],
        "strongest isolated periodic peaks above the local spectrum",
    )


def tamper_signals(
    data: bytes, *, fast: bool = True, thresholds: Mapping[str, float] | None = None
) -> tuple[Image.Image, list[Signal]]:
    """Decode one uploaded page and run every tamper signal on it. `fast` (the default) computes the photo's
    noise levels once for the two signals that read them and takes the medians from `fast_filters`; `fast=False`
    is the plain version, each signal on its own with scipy's median filter. Both give the same signals
    (tests/kyc/test_fast_paths.py)."""
    img = Image.open(io.BytesIO(data))
    img.load()
    rgb = img.convert("RGB")
    rgb.quantization = getattr(img, "quantization", None)  # type: ignore[attr-defined]
    levels = _noise(_gray(rgb), fast=True) if fast else None
    signals = [
        editing_software(data, img),
        error_level(img),
        noise_inconsistency(rgb, levels),
        copy_move(rgb, levels),
        screen_recapture(rgb, fast=fast),
    ]
    if thresholds:  # a refitted decision configuration (kyc/refit.py) moves where a score fires
        signals = [
            replace(s, threshold=thresholds[s.code], fired=s.score >= thresholds[s.code]) if s.code in thresholds else s
            for s in signals
        ]
    return rgb, signals


_STD_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip
