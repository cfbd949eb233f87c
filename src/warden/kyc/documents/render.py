"""Identity documents the project draws itself: TD3 passport data pages and TD1 identity cards (front and
back) with a known machine-readable zone, a drawn synthetic portrait and the visual-zone fields.

Nothing here is a real document design or a real person: names come from a short invented list, the portrait
is an avatar drawn from shapes, and every document is seeded and reproducible. The zone is written by
`warden.kyc.mrz_compose`, so its check digits follow the same rules the reader checks.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

from warden.kyc.formats import FORMATS
from warden.kyc.mrz_compose import compose_td1, compose_td3

RENDER_VERSION = "kyc-render-1"

SURNAMES = (
    "ANDERSEN", "BERGMAN", "CARVALHO", "DUBOIS", "ESPOSITO", "FISCHER", "GARCIA", "HOLM", "IVANOVA", "JANSEN",
    "KOWALSKI", "LAMBERT", "MORENO", "NOVAK", "OKAFOR", "PETERSEN", "QUINTERO", "ROSSI", "SILVA", "TANAKA",
    "UNGER", "VARGA", "WEBER", "XAVIER", "YILMAZ", "ZIMMER", "MACLEOD", "OCONNOR", "VAN DER BERG", "DE LUCA",
)  # fmt: skip
GIVEN = (
    "ANNA", "BRUNO", "CLARA", "DAVID", "ELENA", "FELIX", "GRETA", "HUGO", "IRIS", "JONAS", "KARIN", "LUCAS",
    "MARIA", "NILS", "OLGA", "PAUL", "ROSA", "SVEN", "TERESA", "VIKTOR", "ZOE", "JEAN PAUL", "ANNA MARIA",
)  # fmt: skip
STATE_NAMES = {
    "D": "BUNDESREPUBLIK DEUTSCHLAND", "FRA": "REPUBLIQUE FRANCAISE", "GBR": "UNITED KINGDOM", "ITA": "REPUBBLICA ITALIANA",
    "ESP": "REINO DE ESPANA", "NLD": "KONINKRIJK DER NEDERLANDEN", "UTO": "UTOPIA",
}  # fmt: skip

TD3_SIZE = (880, 620)
TD1_SIZE = (856, 540)
INK = (25, 25, 35)
LABEL = (70, 70, 110)

Box = tuple[int, int, int, int]  # left, top, right, bottom


@dataclass(frozen=True)
class Identity:
    surname: str
    given_names: str
    birth_date: dt.date
    sex: str
    nationality: str
    issuing_state: str
    document_number: str
    issue_date: dt.date
    expiry_date: dt.date
    portrait_seed: int


@dataclass
class RenderedDocument:
    """One document: its pages ('front', and 'back' for TD1), the zone printed on it and where things are."""

    kind: str  # "TD3" or "TD1"
    identity: Identity
    mrz: tuple[str, ...]
    pages: dict[str, Image.Image]
    mrz_page: str
    portrait_box: Box  # on the front page
    field_boxes: dict[str, Box] = field(default_factory=dict)  # visual-zone values on the front page
    mrz_box: Box = (0, 0, 0, 0)


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    path = resources.files("warden.kyc.documents") / "fonts" / "DejaVuSansMono.ttf"
    with resources.as_file(path) as p:
        return ImageFont.truetype(str(p), size)


def make_identity(rng: random.Random, *, kind: str = "TD3", today: dt.date | None = None) -> Identity:
    today = today or dt.date(2026, 6, 1)
    doc_kind = "P" if kind == "TD3" else "I"
    states = sorted({s for s, k in FORMATS if k == doc_kind})
    state = rng.choice(states)
    birth = today - dt.timedelta(days=rng.randint(18 * 365, 80 * 365))
    years = 10 if kind == "TD3" else rng.choice((5, 10))
    # issued so that the document is still valid today: a genuine sample must not be an expired one
    issue = today - dt.timedelta(days=rng.randint(30, years * 365 - 60))
    expiry = (
        issue.replace(year=issue.year + years)
        if not (issue.month == 2 and issue.day == 29)
        else issue.replace(year=issue.year + years, day=28)
    )
    return Identity(
        surname=rng.choice(SURNAMES),
        given_names=rng.choice(GIVEN),
        birth_date=birth,
        sex=rng.choice("MF"),
        nationality=state,
        issuing_state=state,
        document_number=FORMATS[(state, doc_kind)].sample(rng),
        issue_date=issue,
        expiry_date=expiry,
        portrait_seed=rng.randrange(2**31),
    )


def viz_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def draw_portrait(seed: int, size: tuple[int, int]) -> Image.Image:
    """A drawn avatar (not a face of anyone): head, hair, eyes, mouth and shoulders from seeded shapes."""
    rng = random.Random(seed)
    w, h = size
    bg = tuple(rng.randint(200, 235) for _ in range(3))
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    skin = rng.choice(((236, 200, 170), (210, 160, 120), (160, 110, 75), (110, 75, 50), (245, 215, 190)))
    hair = rng.choice(((30, 25, 20), (90, 60, 30), (160, 120, 60), (200, 190, 170), (60, 40, 30)))
    cloth = tuple(rng.randint(20, 160) for _ in range(3))
    cx = w // 2 + rng.randint(-w // 20, w // 20)
    d.ellipse((cx - w * 0.48, h * 0.78, cx + w * 0.48, h * 1.3), fill=cloth)
    d.rectangle((cx - w * 0.09, h * 0.6, cx + w * 0.09, h * 0.82), fill=skin)
    fw, fh = w * rng.uniform(0.27, 0.33), h * rng.uniform(0.26, 0.31)
    fy = h * 0.42
    d.ellipse((cx - fw - 6, fy - fh - 14, cx + fw + 6, fy + fh * 0.2), fill=hair)
    d.ellipse((cx - fw, fy - fh, cx + fw, fy + fh), fill=skin)
    d.chord((cx - fw - 2, fy - fh - 12, cx + fw + 2, fy + fh * 0.1), 180, 360, fill=hair)
    ey = fy - fh * 0.05
    for side in (-1, 1):
        ex = cx + side * fw * 0.42
        d.ellipse((ex - fw * 0.16, ey - fh * 0.07, ex + fw * 0.16, ey + fh * 0.07), fill=(250, 250, 250))
        d.ellipse((ex - fw * 0.07, ey - fh * 0.07, ex + fw * 0.07, ey + fh * 0.07), fill=(50, 40, 30))
        d.line((ex - fw * 0.2, ey - fh * 0.22, ex + fw * 0.2, ey - fh * 0.2), fill=hair, width=max(2, w // 60))
    d.line((cx, ey + fh * 0.05, cx - fw * 0.08, fy + fh * 0.35), fill=tuple(int(c * 0.8) for c in skin), width=3)
    mouth_w = fw * rng.uniform(0.3, 0.45)
    d.arc((cx - mouth_w, fy + fh * 0.4, cx + mouth_w, fy + fh * 0.65), 20, 160, fill=(140, 60, 60), width=3)
    return img


def _background(size: tuple[int, int], rng: random.Random, tint: tuple[int, int, int]) -> Image.Image:
    """A pale security-print-like background: smooth curves, not a regular grid (a grid would look like moiré)."""
    img = Image.new("RGB", size, tint)
    d = ImageDraw.Draw(img)
    w, h = size
    for _ in range(14):
        amp, freq, phase = rng.uniform(8, 40), rng.uniform(0.004, 0.02), rng.uniform(0, 6.3)
        y0 = rng.uniform(0, h)
        color = tuple(max(0, c - rng.randint(12, 30)) for c in tint)
        pts = [
            (x, y0 + amp * math.sin(freq * x + phase) + 0.2 * amp * math.sin(3.1 * freq * x)) for x in range(0, w, 6)
        ]
        d.line(pts, fill=color, width=1)
    return img


def _text(d: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, size: int, fill=INK) -> Box:
    d.text(xy, text, font=font(size), fill=fill)
    box = d.textbbox(xy, text, font=font(size))
    return (int(box[0]), int(box[1]), int(box[2]), int(box[3]))


def _mrz_block(d: ImageDraw.ImageDraw, lines: tuple[str, ...], left: int, top: int, width: int) -> Box:
    size = 40
    while font(size).getlength("<" * len(lines[0])) > width:
        size -= 1
    pitch = int(size * 1.45)
    for i, ln in enumerate(lines):
        d.text((left, top + i * pitch), ln, font=font(size), fill=(10, 10, 10))
    return (left, top, left + width, top + pitch * len(lines))


def render_document(identity: Identity, *, kind: str = "TD3", mrz: tuple[str, ...] | None = None) -> RenderedDocument:
    """Draw the document; `mrz` overrides the zone (an attack printing a zone that differs from the fields)."""
    rng = random.Random(identity.portrait_seed ^ 0x5EED)
    if kind == "TD3":
        zone = mrz or compose_td3(
            issuing_state=identity.issuing_state, surname=identity.surname, given_names=identity.given_names,
            document_number=identity.document_number, nationality=identity.nationality,
            birth_date=identity.birth_date, sex=identity.sex, expiry_date=identity.expiry_date,
        )  # fmt: skip
        return _render_td3(identity, tuple(zone), rng)
    zone = mrz or compose_td1(
        issuing_state=identity.issuing_state, surname=identity.surname, given_names=identity.given_names,
        document_number=identity.document_number, nationality=identity.nationality,
        birth_date=identity.birth_date, sex=identity.sex, expiry_date=identity.expiry_date,
    )  # fmt: skip
    return _render_td1(identity, tuple(zone), rng)


def _fields(identity: Identity, code: str) -> list[tuple[str, str, str]]:
    return [
        ("document_number", "Document No.", identity.document_number),
        ("surname", "Surname", identity.surname),
        ("given_names", "Given names", identity.given_names),
        ("nationality", "Nationality", identity.nationality),
        ("birth_date", "Date of birth", viz_date(identity.birth_date)),
        ("sex", "Sex", identity.sex),
        ("issue_date", "Date of issue", viz_date(identity.issue_date)),
        ("expiry_date", "Date of expiry", viz_date(identity.expiry_date)),
    ]


def _render_td3(identity: Identity, zone: tuple[str, ...], rng: random.Random) -> RenderedDocument:
    w = TD3_SIZE[0]
    tint = (rng.randint(222, 240), rng.randint(228, 244), rng.randint(215, 238))
    img = _background(TD3_SIZE, rng, tint)
    d = ImageDraw.Draw(img)
    _text(d, (30, 18), "PASSPORT", 30, (60, 40, 90))
    _text(d, (260, 26), STATE_NAMES.get(identity.issuing_state, identity.issuing_state), 20, (60, 40, 90))
    portrait_box = (36, 96, 276, 406)
    img.paste(draw_portrait(identity.portrait_seed, (240, 310)), portrait_box[:2])
    boxes: dict[str, Box] = {}
    y = 84
    for name, label, value in _fields(identity, "P"):
        _text(d, (304, y), label, 14, LABEL)
        boxes[name] = _text(d, (304, y + 16), value, 24)
        y += 47
    d.line((20, 452, w - 20, 452), fill=(150, 150, 170), width=1)
    mrz_box = _mrz_block(d, zone, 30, 474, w - 60)
    return RenderedDocument("TD3", identity, zone, {"front": img}, "front", portrait_box, boxes, mrz_box)


def _render_td1(identity: Identity, zone: tuple[str, ...], rng: random.Random) -> RenderedDocument:
    w = TD1_SIZE[0]
    tint = (rng.randint(215, 235), rng.randint(225, 242), rng.randint(228, 246))
    front = _background(TD1_SIZE, rng, tint)
    d = ImageDraw.Draw(front)
    _text(d, (28, 16), "IDENTITY CARD", 28, (30, 60, 100))
    _text(d, (330, 24), STATE_NAMES.get(identity.issuing_state, identity.issuing_state)[:30], 18, (30, 60, 100))
    portrait_box = (30, 90, 250, 374)
    front.paste(draw_portrait(identity.portrait_seed, (220, 284)), portrait_box[:2])
    boxes: dict[str, Box] = {}
    y = 70
    for name, label, value in _fields(identity, "I"):
        _text(d, (280, y), label, 13, LABEL)
        boxes[name] = _text(d, (280, y + 15), value, 22)
        y += 44
    back = _background(TD1_SIZE, rng, tint)
    db = ImageDraw.Draw(back)
    _text(db, (30, 30), "Authority", 13, LABEL)
    _text(db, (30, 46), f"REGISTRY OFFICE {rng.randint(1, 99):02d}", 22)
    _text(db, (30, 90), "Height", 13, LABEL)
    _text(db, (30, 106), f"{rng.randint(150, 200)} cm", 22)
    mrz_box = _mrz_block(db, zone, 34, 330, w - 68)
    return RenderedDocument("TD1", identity, zone, {"front": front, "back": back}, "back", portrait_box, boxes, mrz_box)


def with_identity(identity: Identity, **changes: object) -> Identity:
    return replace(identity, **changes)  # type: ignore[arg-type]
