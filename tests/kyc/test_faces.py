"""Faces: the shipped models find, align and embed a real (public-domain) face; 1:1 match, 1:N index,
error-rate arithmetic and the operator's pairs file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance
from typer.testing import CliRunner

from warden.cli import app
from warden.kyc.faces.bench import SAMPLE_FACE, run_bench, selfie_jpeg
from warden.kyc.faces.calibrate import fnmr_at_fmr
from warden.kyc.faces.embed import embed_bytes
from warden.kyc.faces.index import FaceIndex
from warden.kyc.faces.matcher import DlibFaceMatcher
from warden.kyc.faces.pairs import PairsError, evaluate_pairs, read_pairs
from warden.kyc.ports import FaceMatcher

DATA = Path(__file__).parent / "data"


def _jpeg(img: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _variants() -> list[bytes]:
    """The same face as a document portrait might show it: smaller, rotated, darker, heavily compressed."""
    img = Image.open(SAMPLE_FACE).convert("RGB")
    return [
        _jpeg(img.resize((img.width // 2, img.height // 2))),
        _jpeg(img.rotate(6, expand=True, fillcolor=(128, 128, 128))),
        _jpeg(ImageEnhance.Brightness(img).enhance(0.7)),
        _jpeg(img, quality=25),
        _jpeg(img.convert("L")),
    ]


def test_sample_face_is_found_and_embedded() -> None:
    face = embed_bytes(selfie_jpeg())
    assert face.vector is not None and face.vector.shape == (128,)
    assert face.faces == 1 and not face.reasons
    assert face.quality["face_px"] > 80


def test_same_face_matches_under_document_like_transforms() -> None:
    matcher: FaceMatcher = DlibFaceMatcher()
    selfie = selfie_jpeg()
    for portrait in _variants():
        result = matcher.match(selfie, portrait)
        assert result.matched, result
        assert result.score >= result.threshold and result.model_version.startswith("dlib-resnet-v1+5pt/")


def test_no_face_and_unreadable_images_never_match() -> None:
    matcher = DlibFaceMatcher()
    side_on = (DATA / "camera_no_frontal_face.jpg").read_bytes()
    result = matcher.match(selfie_jpeg(), side_on)
    assert not result.matched and "portrait_no_face" in result.reasons
    result = matcher.match(b"not an image", selfie_jpeg())
    assert not result.matched and "selfie_unreadable" in result.reasons


def test_index_finds_the_enrolled_face_exact_and_ivf(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    gallery = (rng.standard_normal((3000, 128)) / 16).astype(np.float32)
    ids = [f"cu_{i}" for i in range(3000)]
    query = gallery[42] + (rng.standard_normal(128) * 0.02).astype(np.float32)
    for index in (FaceIndex.build(ids, gallery), FaceIndex.build(ids, gallery, nlist=32)):
        hits = index.search(query, k=3)
        assert hits[0].customer_id == "cu_42" and hits[0].distance < 0.6
        assert all(h.distance <= 0.6 for h in hits)
    index = FaceIndex.build(ids, gallery)
    index.add(["cu_new"], gallery[7:8] + 0.001)
    assert {h.customer_id for h in index.search(gallery[7], k=2)} == {"cu_7", "cu_new"}
    index.save(tmp_path / "faces.faiss")
    again = FaceIndex.load(tmp_path / "faces.faiss")
    assert again.search(query, k=1)[0].customer_id == "cu_42"
    with pytest.raises(ValueError):
        FaceIndex.build(ids[:2], gallery[:3])


def test_fnmr_at_fmr_and_when_it_is_measurable() -> None:
    impostor = [i / 10000 for i in range(5000)]  # scores 0 .. 0.4999
    genuine = [0.45, 0.6, 0.7, 0.8]
    r = fnmr_at_fmr(genuine, impostor, fmr=0.001)
    assert r["measurable"] and r["impostor_pairs"] == 5000
    assert r["fmr"] <= 0.001 and r["fnmr"] == 0.25  # 0.45 falls below the threshold (~0.4995)
    small = fnmr_at_fmr(genuine, impostor[:100], fmr=0.001)
    assert not small["measurable"] and small["impostor_pairs_needed"] == 3000
    assert fnmr_at_fmr(genuine, [], fmr=0.001)["fnmr"] is None


def test_pairs_file_errors_and_counts(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(selfie_jpeg())
    (tmp_path / "b.jpg").write_bytes(_variants()[0])
    good = tmp_path / "pairs.csv"
    good.write_text("image_a,image_b,same\na.jpg,b.jpg,1\n", encoding="utf-8")
    result = evaluate_pairs(good)
    assert result["genuine_pairs"] == 1 and result["impostor_pairs"] == 0 and not result["measurable"]
    bad = tmp_path / "bad.csv"
    bad.write_text("image_a,image_b,same\na.jpg,b.jpg,1\na.jpg,missing.jpg,0\n", encoding="utf-8")
    with pytest.raises(PairsError, match=r"bad\.csv:3: no such image"):
        read_pairs(bad)
    cli = CliRunner().invoke(app, ["kyc", "faces-eval", "--pairs", str(bad)])
    assert cli.exit_code == 2 and "bad.csv:3" in cli.stderr


def test_bench_runs_small() -> None:
    result = run_bench(size=5000, queries=20, repeats=2)
    assert result["face_match"]["per_image"]["p50_ms"] > 0
    assert result["search_1_to_n"]["gallery"] == 5000 and result["search_1_to_n"]["recall_at_1"] > 0.8
    json.dumps(result)
