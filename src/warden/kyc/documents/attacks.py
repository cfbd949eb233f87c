"""Attacks made from the rendered documents, one function per species (ISO/IEC 30107-3 'attack species').

Digital edits work on the genuine photo the way a forger with an image editor would: the new content is
drawn in the document's perspective, composited, and the photo saved again as JPEG with its camera EXIF kept
(so the metadata alone does not give it away). Physical forgeries (a zone printed with the wrong check digit,
a printed copy) are drawn into the document and then photographed like a genuine one.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import replace

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from warden.kyc.documents.photo import EXIF_SOFTWARE, Photo, camera_exif, jpeg
from warden.kyc.documents.render import (
    SURNAMES,
    Identity,
    RenderedDocument,
    draw_portrait,
    font,
    render_document,
)
from warden.kyc.mrz_compose import compose_td1, compose_td3

SPECIES = (
    "viz_tamper",
    "mrz_tamper",
    "wrong_check_digit",
    "portrait_swap",
    "screen_recapture",
    "printed_copy",
    "editing_software",
    "copy_move",
)
EDITORS = (
    "Adobe Photoshop 25.3 (Windows)",
    "GIMP 2.10.36",
    "Adobe Photoshop Lightroom Classic 13.1",
    "Pixelmator Pro 3.5",
)


def _decode(data: bytes) -> tuple[Image.Image, bytes]:
    img = Image.open(io.BytesIO(data))
    exif = img.info.get("exif", b"")
    return img.convert("RGB"), exif


def _resave(img: Image.Image, exif: bytes, rng: random.Random) -> bytes:
    return jpeg(img, rng.randint(86, 96), exif)


def _overlay(photo_img: Image.Image, photo: Photo, layer: Image.Image) -> Image.Image:
    """Composite a page-sized RGBA layer onto the photo through the photo's perspective."""
    inv = np.linalg.inv(photo.homography)
    inv = inv / inv[2, 2]
    coeffs = tuple(float(c) for c in inv.flatten()[:8])
    warped = layer.transform(photo_img.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BILINEAR)
    out = photo_img.convert("RGBA")
    out.alpha_composite(warped)
    return out.convert("RGB")


def _page_tint(page: Image.Image, box: tuple[int, int, int, int]) -> tuple[int, int, int]:
    x0, y0, x1, _ = box
    strip = np.asarray(page.crop((x0, max(0, y0 - 6), x1, y0)).convert("RGB")).reshape(-1, 3)
    return tuple(int(v) for v in np.median(strip, axis=0))  # type: ignore[return-value]


def viz_tamper(doc: RenderedDocument, photo: Photo, rng: random.Random) -> tuple[bytes, Identity]:
    """The surname in the visual zone overwritten with another; the attacker declares the new name."""
    page = doc.pages["front"]
    box = doc.field_boxes["surname"]
    new = rng.choice([s for s in SURNAMES if s != doc.identity.surname])
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    pad = 3
    d.rectangle((box[0] - pad, box[1] - pad, box[2] + 40, box[3] + pad), fill=(*_page_tint(page, box), 255))
    d.text((box[0], box[1] - 2), new, font=font(24 if doc.kind == "TD3" else 22), fill=(25, 25, 35, 255))
    img, exif = _decode(photo.jpeg)
    return _resave(_overlay(img, photo, layer), exif, rng), replace(doc.identity, surname=new)


def mrz_tamper(doc: RenderedDocument, rng: random.Random) -> tuple[RenderedDocument, Identity]:
    """A document printed with a birth date in its zone (check digits recomputed) that differs from the
    visual zone; the attacker declares the zone's date."""
    idn = doc.identity
    forged = replace(idn, birth_date=idn.birth_date - dt.timedelta(days=rng.randint(400, 4000)))
    zone = _zone(doc.kind, forged)
    return render_document(idn, kind=doc.kind, mrz=zone), forged


def wrong_check_digit(doc: RenderedDocument, rng: random.Random) -> RenderedDocument:
    """A zone printed with one check digit wrong (a careless forgery, or a field altered without its digit)."""
    lines = list(doc.mrz)
    positions = [(1, 9), (1, 19), (1, 27)] if doc.kind == "TD3" else [(0, 14), (1, 6), (1, 14)]
    ln, col = rng.choice(positions)
    old = lines[ln][col]
    new = str((int(old) + rng.randint(1, 9)) % 10)
    lines[ln] = lines[ln][:col] + new + lines[ln][col + 1 :]
    return render_document(doc.identity, kind=doc.kind, mrz=tuple(lines))


def portrait_swap(doc: RenderedDocument, photo: Photo, rng: random.Random) -> bytes:
    """Another face pasted over the portrait, in perspective."""
    page = doc.pages["front"]
    x0, y0, x1, y1 = doc.portrait_box
    layer = Image.new("RGBA", page.size, (0, 0, 0, 0))
    layer.paste(draw_portrait(rng.randrange(2**31), (x1 - x0, y1 - y0)).convert("RGBA"), (x0, y0))
    img, exif = _decode(photo.jpeg)
    return _resave(_overlay(img, photo, layer), exif, rng)


def copy_move(doc: RenderedDocument, photo: Photo, rng: random.Random) -> bytes:
    """A region of the photo copied over another place of the same photo (a date copied over the birth date)."""
    img, exif = _decode(photo.jpeg)
    src_field = rng.choice(("issue_date", "expiry_date"))
    (sx, sy), (dx, dy) = photo.map_points([doc.field_boxes[src_field][:2], doc.field_boxes["birth_date"][:2]])
    bx = doc.field_boxes[src_field]
    (ax, ay), (bx2, by2) = photo.map_points([(bx[0] - 4, bx[1] - 4), (bx[2] + 4, bx[3] + 4)])
    w, h = int(abs(bx2 - ax)), int(abs(by2 - ay))
    patch = img.crop((int(sx) - 4, int(sy) - 4, int(sx) - 4 + w, int(sy) - 4 + h))
    img.paste(patch, (int(dx) - 4, int(dy) - 4))
    return _resave(img, exif, rng)


def editing_software(photo_jpeg: bytes, rng: random.Random) -> bytes:
    """The genuine photo opened and saved again by an image editor, which writes its name into the EXIF."""
    img, exif_bytes = _decode(photo_jpeg)
    exif = Image.Exif()
    exif.load(exif_bytes)
    exif[EXIF_SOFTWARE] = rng.choice(EDITORS)
    return jpeg(img, rng.randint(88, 96), exif.tobytes())


def screen_recapture(photo_jpeg: bytes, rng: random.Random) -> bytes:
    """The genuine photo shown on a screen and photographed: the screen's sub-pixel grid, sampled by a camera
    whose pixels are a little finer and turned against it, beats into moiré."""
    img, _ = _decode(photo_jpeg)
    w, h = img.size
    arr = np.asarray(img.filter(ImageFilter.GaussianBlur(0.6)), float)
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    a = np.deg2rad(rng.uniform(-4, 4))
    pitch = rng.uniform(1.08, 1.45)  # one screen pixel in camera pixels
    u = (xx * np.cos(a) + yy * np.sin(a)) / pitch
    v = (-xx * np.sin(a) + yy * np.cos(a)) / pitch
    fu, fv = u - np.floor(u), v - np.floor(v)
    rows = np.where(fv < 0.8, 1.0, 0.45)
    mask = np.stack([np.where((fu >= c / 3) & (fu < (c + 1) / 3), 1.0, 0.3) for c in range(3)], axis=-1)
    screen = arr * (0.35 + 0.9 * mask * rows[..., None]) * rng.uniform(1.0, 1.2)
    screen += np.random.default_rng(rng.randrange(2**32)).normal(0, 2.0, screen.shape)
    out = Image.fromarray(np.clip(screen, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.5))
    return jpeg(out, rng.randint(80, 92), camera_exif(rng))


def printed_copy(page: Image.Image, rng: random.Random) -> Image.Image:
    """The page printed on an office printer (CMY halftone screens at different angles, paper white)."""
    arr = np.asarray(page.convert("RGB"), float) / 255.0
    h, w = arr.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(float)
    period = rng.uniform(4.0, 5.5)
    out = np.ones_like(arr)
    for c, angle in enumerate((15.0, 75.0, 0.0)):
        t = np.deg2rad(angle)
        u = (xx * np.cos(t) + yy * np.sin(t)) / period
        v = (-xx * np.sin(t) + yy * np.cos(t)) / period
        screen = (np.cos(2 * np.pi * u) + np.cos(2 * np.pi * v) + 2) / 4  # 0..1 dot profile
        ink = 1 - arr[..., c]  # cyan, magenta, yellow coverage
        out[..., c] = np.where(screen < ink, 0.15, 0.97)
    img = Image.fromarray((out * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    return img


def _zone(kind: str, idn: Identity) -> tuple[str, ...]:
    kw = dict(
        issuing_state=idn.issuing_state, surname=idn.surname, given_names=idn.given_names,
        document_number=idn.document_number, nationality=idn.nationality, birth_date=idn.birth_date,
        sex=idn.sex, expiry_date=idn.expiry_date,
    )  # fmt: skip
    return compose_td3(**kw) if kind == "TD3" else compose_td1(**kw)  # type: ignore[arg-type]
