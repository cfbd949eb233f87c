"""The rendered evaluation set: genuine document photos and one attack of each species per document, all
seeded from (seed, index) so any sample can be rebuilt on its own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, replace

from PIL import Image

from warden.kyc.documents import attacks
from warden.kyc.documents.photo import photograph
from warden.kyc.documents.render import Identity, RenderedDocument, make_identity, render_document
from warden.kyc.faces.bench import SAMPLE_FACE

GENUINE = "genuine"


@dataclass
class Sample:
    id: str
    species: str  # "genuine" or one of attacks.SPECIES
    kind: str  # TD3 or TD1
    pages: dict[str, bytes]  # page name -> JPEG as uploaded
    declared: Identity  # what the customer typed in
    truth: RenderedDocument  # the genuine document it was made from

    def declared_fields(self) -> dict[str, str]:
        """What the customer typed in, as a verification session's declared data."""
        i = self.declared
        return {
            "surname": i.surname,
            "given_names": i.given_names,
            "birth_date": i.birth_date.isoformat(),
            "document_number": i.document_number,
            "nationality": i.nationality,
        }


def document(seed: int, index: int) -> tuple[random.Random, RenderedDocument]:
    rng = random.Random(f"kyc-{seed}-{index}")
    kind = "TD3" if index % 2 == 0 else "TD1"
    return rng, render_document(make_identity(rng, kind=kind), kind=kind)


def _shoot(doc: RenderedDocument, rng: random.Random) -> dict[str, object]:
    return {name: photograph(page, rng) for name, page in doc.pages.items()}


def with_sample_face(doc: RenderedDocument) -> RenderedDocument:
    """The document with the shipped public-domain sample face as its portrait instead of the drawn avatar:
    the only face Warden may ship, so that a selfie (a liveness capture of the same face) can match it."""
    x0, y0, x1, y1 = doc.portrait_box
    front = doc.pages["front"].copy()
    front.paste(Image.open(SAMPLE_FACE).convert("RGB").resize((x1 - x0, y1 - y0)), (x0, y0))
    return replace(doc, pages={**doc.pages, "front": front})


def genuine_with_face(seed: int, index: int) -> Sample:
    """A genuine document photo whose portrait is the sample face (for whole sessions: document, face, liveness)."""
    rng, doc = document(seed, index)
    doc = with_sample_face(doc)
    pages = {name: shot.jpeg for name, shot in _shoot(doc, rng).items()}  # type: ignore[attr-defined]
    return Sample(f"gf{index}", GENUINE, doc.kind, pages, doc.identity, doc)


def genuine(seed: int, index: int) -> Sample:
    rng, doc = document(seed, index)
    shots = _shoot(doc, rng)
    pages = {name: shot.jpeg for name, shot in shots.items()}  # type: ignore[attr-defined]
    return Sample(f"g{index}", GENUINE, doc.kind, pages, doc.identity, doc)


def attack(seed: int, index: int, species: str, *, with_face: bool = False) -> Sample:
    """The attack `species` made from genuine document `index` (`with_face`: its portrait the sample face)."""
    rng, doc = document(seed, index)
    if with_face:
        doc = with_sample_face(doc)
    arng = random.Random(f"kyc-attack-{seed}-{index}-{species}")
    declared = doc.identity
    if species in ("mrz_tamper", "wrong_check_digit", "printed_copy"):
        if species == "mrz_tamper":
            forged, declared = attacks.mrz_tamper(doc, arng)
        elif species == "wrong_check_digit":
            forged = attacks.wrong_check_digit(doc, arng)
        else:
            forged = RenderedDocument(
                doc.kind, doc.identity, doc.mrz,
                {n: attacks.printed_copy(p, arng) for n, p in doc.pages.items()},
                doc.mrz_page, doc.portrait_box, doc.field_boxes, doc.mrz_box,
            )  # fmt: skip
        pages = {n: s.jpeg for n, s in _shoot(forged, rng).items()}  # type: ignore[attr-defined]
        return Sample(f"a{index}-{species}", species, doc.kind, pages, declared, doc)
    shots = _shoot(doc, rng)
    pages = {n: s.jpeg for n, s in shots.items()}  # type: ignore[attr-defined]
    front = shots["front"]
    if species == "viz_tamper":
        pages["front"], declared = attacks.viz_tamper(doc, front, arng)  # type: ignore[arg-type]
    elif species == "portrait_swap":
        pages["front"] = attacks.portrait_swap(doc, front, arng)  # type: ignore[arg-type]
    elif species == "copy_move":
        pages["front"] = attacks.copy_move(doc, front, arng)  # type: ignore[arg-type]
    elif species == "editing_software":
        pages = {n: attacks.editing_software(j, arng) for n, j in pages.items()}
    elif species == "screen_recapture":
        pages = {n: attacks.screen_recapture(j, arng) for n, j in pages.items()}
    else:
        raise ValueError(f"unknown attack species {species!r}: one of {', '.join(attacks.SPECIES)}")
    return Sample(f"a{index}-{species}", species, doc.kind, pages, declared, doc)


def rendered_set(
    *, seed: int = 7, genuine_count: int = 20, attacks_per_species: int = 10, species: tuple[str, ...] = attacks.SPECIES
) -> Iterator[Sample]:
    for i in range(genuine_count):
        yield genuine(seed, i)
    for sp in species:
        for i in range(attacks_per_species):
            yield attack(seed, 10_000 + i, sp)
