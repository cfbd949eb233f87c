"""Make a rendered document look photographed: on a table, rotated, in perspective, blurred, lit unevenly,
with glare and sensor noise, saved once as a camera JPEG with camera EXIF. Seeded and reproducible."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

PHOTO_SIZE = (1120, 840)
CAMERAS = (("Apple", "iPhone 13", "17.5.1"), ("samsung", "SM-A536B", "A536BXXU9EXE1"), ("Google", "Pixel 7", None))

EXIF_MAKE, EXIF_MODEL, EXIF_SOFTWARE, EXIF_DATETIME = 0x010F, 0x0110, 0x0131, 0x0132


@dataclass(frozen=True)
class Photo:
    jpeg: bytes
    homography: np.ndarray  # 3x3: document page pixel -> photo pixel
    quality: int

    def map_points(self, pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
        arr = np.c_[np.asarray(pts, float), np.ones(len(pts))] @ self.homography.T
        return [(float(x / z), float(y / z)) for x, y, z in arr]


def homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> np.ndarray:
    """The 3x3 projective map taking the four `src` points to the four `dst` points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.asarray(rows, float), np.asarray(rhs, float))
    return np.append(h, 1.0).reshape(3, 3)


def warp(img: Image.Image, h: np.ndarray, size: tuple[int, int], background: Image.Image | None = None) -> Image.Image:
    """Draw `img` through the homography `h` onto `background` (or black) of `size`."""
    inv = np.linalg.inv(h)
    inv = np.asarray(inv / inv[2, 2], float)
    coeffs = tuple(float(c) for c in inv.flatten()[:8])
    rgba = img.convert("RGBA")
    out = rgba.transform(size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)
    base = background.convert("RGBA") if background is not None else Image.new("RGBA", size, (0, 0, 0, 255))
    base.alpha_composite(out)
    return base.convert("RGB")


def table(size: tuple[int, int], rng: random.Random) -> Image.Image:
    w, h = size
    base = np.array([rng.randint(60, 170) for _ in range(3)], float)
    yy, xx = np.mgrid[0:h, 0:w]
    grad = 1 + 0.25 * ((xx / w) - 0.5) * rng.uniform(-1, 1) + 0.25 * ((yy / h) - 0.5) * rng.uniform(-1, 1)
    coarse = np.random.default_rng(rng.randrange(2**32)).normal(0, 6, (h // 8 + 1, w // 8 + 1))
    grain = np.kron(coarse, np.ones((8, 8)))[:h, :w]
    arr = base[None, None, :] * grad[..., None] + grain[..., None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))


def camera_exif(rng: random.Random, *, software: str | None = None) -> bytes:
    make, model, sw = rng.choice(CAMERAS)
    exif = Image.Exif()
    exif[EXIF_MAKE] = make
    exif[EXIF_MODEL] = model
    if software or sw:
        exif[EXIF_SOFTWARE] = software or sw
    exif[EXIF_DATETIME] = (
        f"2026:0{rng.randint(1, 9)}:{rng.randint(10, 28)} {rng.randint(10, 20)}:{rng.randint(10, 59)}:00"
    )
    return exif.tobytes()


def jpeg(img: Image.Image, quality: int, exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, exif=exif or b"")
    return buf.getvalue()


def photograph(page: Image.Image, rng: random.Random, *, size: tuple[int, int] = PHOTO_SIZE) -> Photo:
    """The page held flat-ish in front of a phone camera."""
    w, h = page.size
    cw, ch = size
    scale = rng.uniform(0.78, 0.9) * min(cw / w, ch / h)
    angle = np.deg2rad(rng.uniform(-7, 7))
    cx, cy = cw / 2 + rng.uniform(-0.04, 0.04) * cw, ch / 2 + rng.uniform(-0.04, 0.04) * ch
    corners = [(0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h))]
    dst = []
    for x, y in corners:
        px, py = (x - w / 2) * scale, (y - h / 2) * scale
        rx = px * np.cos(angle) - py * np.sin(angle)
        ry = px * np.sin(angle) + py * np.cos(angle)
        jitter = 0.035 * scale * max(w, h)
        dst.append((cx + rx + rng.uniform(-jitter, jitter), cy + ry + rng.uniform(-jitter, jitter)))
    hom = homography(corners, dst)
    img = warp(page, hom, size, table(size, rng))
    arr = np.asarray(img, float)
    yy, xx = np.mgrid[0:ch, 0:cw]
    # uneven light and a glare spot
    light = 1 + rng.uniform(-0.12, 0.12) * (xx / cw - 0.5) + rng.uniform(-0.12, 0.12) * (yy / ch - 0.5)
    arr *= light[..., None] * rng.uniform(0.9, 1.05)
    gx, gy, gr = rng.uniform(0.2, 0.8) * cw, rng.uniform(0.15, 0.85) * ch, rng.uniform(0.05, 0.14) * cw
    glare = rng.uniform(0.15, 0.45) * np.exp(-((xx - gx) ** 2 + (yy - gy) ** 2) / (2 * gr**2))
    arr = arr * (1 - glare[..., None]) + 255 * glare[..., None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.1)))
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, rng.uniform(1.5, 4.0), (ch, cw, 1))
    arr = np.asarray(img, float) + noise
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    quality = rng.randint(78, 93)
    return Photo(jpeg(img, quality, camera_exif(rng)), hom, quality)
