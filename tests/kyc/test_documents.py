"""The rendered set, the document check on genuine photos and on one attack of each species, the session
decision from the ports' results, and the optional tesseract engine."""

from __future__ import annotations

import datetime as dt

import pytest

from warden.kyc.check import check_document
from warden.kyc.consistency import Declared
from warden.kyc.decision import decide
from warden.kyc.documents import dataset
from warden.kyc.documents.attacks import SPECIES
from warden.kyc.formats import FORMATS, number_fits
from warden.kyc.ocr import available, reader
from warden.kyc.ports import FaceMatch, LivenessResult

TODAY = dt.date(2026, 6, 1)


def declared(sample: dataset.Sample) -> Declared:
    i = sample.declared
    return Declared(i.surname, i.given_names, i.birth_date, i.document_number, i.nationality)


def test_rendering_is_reproducible() -> None:
    a, b = dataset.genuine(3, 1), dataset.genuine(3, 1)
    assert a.pages == b.pages and a.kind == "TD1" and set(a.pages) == {"front", "back"}
    assert dataset.genuine(3, 2).pages != a.pages


@pytest.mark.parametrize("index", [0, 1])
def test_genuine_photo_approved_with_its_zone(index: int) -> None:
    sample = dataset.genuine(7, index)
    result = check_document(sample.pages, declared(sample), today=TODAY)
    assert result.outcome == "approve", result.as_dict()["findings"]
    assert result.mrz is not None and tuple(result.mrz["lines"]) == sample.truth.mrz  # type: ignore[arg-type]
    assert result.versions["ocr"].startswith("rapidocr")


EXPECTED = {
    "viz_tamper": "mrz_declared_mismatch",
    "mrz_tamper": "viz_mrz_mismatch",
    "wrong_check_digit": "mrz_check_digit",
    "portrait_swap": "noise_inconsistency",
    "screen_recapture": "screen_recapture",
    "printed_copy": "screen_recapture",
    "editing_software": "editing_software",
    "copy_move": "viz_mrz_mismatch",
}


@pytest.mark.parametrize("species", SPECIES)
def test_attack_never_approved(species: str) -> None:
    sample = dataset.attack(7, 10_000, species)
    result = check_document(sample.pages, declared(sample), today=TODAY)
    assert result.outcome != "approve"
    assert EXPECTED[species] in result.reasons, result.reasons


def test_expired_document_rejected() -> None:
    sample = dataset.genuine(7, 0)
    later = sample.declared.expiry_date + dt.timedelta(days=1)
    result = check_document(sample.pages, declared(sample), today=later)
    assert result.outcome == "reject" and "document_expired" in result.reasons


def test_number_formats() -> None:
    assert number_fits("GBR", "P", "123456789") is True
    assert number_fits("GBR", "P", "12345678A") is False
    assert number_fits("UTO", "P", "L898902C3") is None  # not in the table: not checked
    import random

    rng = random.Random(1)
    for fmt in FORMATS.values():
        assert fmt.matches(fmt.sample(rng))


FACE_OK = FaceMatch(0.9, True, 0.6, "face-test", ())
LIVE_OK = LivenessResult(True, (), {"timing": 1.0}, "live-test")


def test_decision_needs_every_check() -> None:
    doc = check_document(dataset.genuine(7, 0).pages, declared(dataset.genuine(7, 0)), today=TODAY)
    assert decide(doc, FACE_OK, LIVE_OK).outcome == "approve"
    missing = decide(doc, None, LIVE_OK)
    assert missing.outcome == "review" and "face_match_not_performed" in missing.reasons
    assert decide(doc, FACE_OK, None).reasons == ["liveness_not_performed"]
    stale = decide(doc, FACE_OK, LivenessResult(False, ("nonce_expired",), {}, "live-test"))
    assert stale.outcome == "reject" and "nonce_expired" in stale.reasons
    assert decide(doc, FaceMatch(0.2, False, 0.6, "face-test", ()), LIVE_OK).outcome == "reject"
    assert decide(None, FACE_OK, LIVE_OK).outcome == "review"


@pytest.mark.skipif(not available("tesseract"), reason="Debian tesseract-ocr is not installed (optional engine)")
def test_tesseract_reads_text() -> None:
    from PIL import Image, ImageDraw

    from warden.kyc.documents.render import font

    img = Image.new("RGB", (900, 120), "white")
    ImageDraw.Draw(img).text((20, 30), "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", font=font(32), fill="black")
    lines = reader("tesseract").read(img, mrz_only=True)
    assert any("ERIKSSON" in ln.text for ln in lines)
