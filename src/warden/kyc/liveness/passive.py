"""Passive replay cue: a periodic pattern over the face (a screen's pixel grid beating with the camera's,
or a print's halftone) shows as isolated peaks in the high-frequency part of the face crop's spectrum.

Score: the strongest peak in the band 0.2-0.5 cycles/pixel over the band's median power. PEAK_RATIO was
set between what Warden's generated genuine frames reach (270-580: JPEG blocks and upscaling leave some
structure; about 70 for a large face taken as captured) and its generated screen recaptures (4,000 for a
faint 6 % grid on a large face, 27,000-80,000 on selfie frames), so it is calibrated on generated data only
and must be recalibrated on an operator's bona fide captures. A heuristic: a sharp modern screen held far
enough, or a high-quality photo print, shows no peak; error rates are in `liveness.evaluate`."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image

CROP = 128
BAND = (0.2, 0.5)
PEAK_RATIO = 2000.0


def pattern_score(rgb: NDArray[np.uint8], box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = (max(0, v) for v in box)
    crop = rgb[top:bottom, left:right]
    if crop.size == 0:
        return 0.0
    img = Image.fromarray(crop).convert("L")
    if min(img.size) >= CROP:  # large faces: the central window as captured (downscaling would filter the grid out)
        x0, y0 = (img.width - CROP) // 2, (img.height - CROP) // 2
        img = img.crop((x0, y0, x0 + CROP, y0 + CROP))
    else:
        img = img.resize((CROP, CROP))
    gray = np.asarray(img, dtype=np.float64)
    gray -= gray.mean()
    window = np.outer(np.hanning(CROP), np.hanning(CROP))
    power = np.abs(np.fft.fftshift(np.fft.fft2(gray * window))) ** 2
    f = np.fft.fftshift(np.fft.fftfreq(CROP))
    radius = np.hypot(*np.meshgrid(f, f))
    band = power[(radius >= BAND[0]) & (radius <= BAND[1])]
    median = float(np.median(band))
    return float(band.max() / median) if median > 0 else 0.0
