"""Liveness: challenges, replay guards, and the server verifier on generated captures of the sample face."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
from tests.conftest import service_unavailable

from warden.kyc.liveness import synth
from warden.kyc.liveness.challenge import ACTIONS, ChallengeError, check_challenge, issue_challenge, sign
from warden.kyc.liveness.replay import MemoryReplayGuard, RedisReplayGuard
from warden.kyc.liveness.vendor import VendorVerdict
from warden.kyc.liveness.verifier import ServerLivenessVerifier
from warden.kyc.ports import LivenessVerifier

SECRET = b"test-secret-0123456789abcdef0123"
ALL_STEPS = ["neutral", "turn_left", "turn_right", "nod", "move_closer", "blink"]


def _challenge(steps: list[str] | None = None, **kw: Any) -> dict[str, Any]:
    ch = issue_challenge(SECRET, "cu_1", **kw)
    if steps is not None:
        body = {k: v for k, v in ch.items() if k != "signature"} | {"steps": steps}
        ch = {**body, "signature": sign(body, SECRET)}
    return ch


def test_challenges_are_random_signed_and_expire() -> None:
    a, b = issue_challenge(SECRET, "cu_1"), issue_challenge(SECRET, "cu_1")
    assert a["nonce"] != b["nonce"] and a["steps"][0] == "neutral"
    assert len(set(a["steps"][1:])) == 3 and set(a["steps"][1:]) <= set(ACTIONS)
    assert check_challenge(a, SECRET)["nonce"] == a["nonce"]
    with pytest.raises(ChallengeError, match="signature"):
        check_challenge({**a, "steps": ["neutral", "blink"]}, SECRET)
    with pytest.raises(ChallengeError, match="signature"):
        check_challenge(a, b"another secret")
    with pytest.raises(ChallengeError, match="expired"):
        check_challenge(a, SECRET, now=time.time() + 10_000)


def test_memory_guard_refuses_a_second_use() -> None:
    guard = MemoryReplayGuard()
    assert guard.first_use("n1", 60) and not guard.first_use("n1", 60) and guard.first_use("n2", 60)


def test_redis_guard_refuses_a_second_use() -> None:
    url = os.environ.get("WARDEN_TEST_REDIS_URL")
    if not url:
        service_unavailable("WARDEN_TEST_REDIS_URL is not set")
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_unavailable(f"redis unreachable: {exc}")
    guard = RedisReplayGuard(client, prefix=f"test:{os.getpid()}:{time.time()}:")
    assert guard.first_use("n", 5) and not guard.first_use("n", 5)


@pytest.fixture(scope="module")
def verifier() -> ServerLivenessVerifier:
    return ServerLivenessVerifier(SECRET, MemoryReplayGuard())


def test_genuine_capture_passes_every_step_and_a_replay_is_refused(verifier: ServerLivenessVerifier) -> None:
    check: LivenessVerifier = verifier
    ch = _challenge(ALL_STEPS)
    capture = synth.genuine_capture(ch, seed=101)
    result = check.verify(ch, capture)
    assert result.passed, result.reasons
    assert result.signals["same_face_max_distance"] < 0.6 and result.signals["face_share"] >= 0.9
    for step in ALL_STEPS[1:]:
        assert f"{step}_measure" in result.signals
    assert verifier.verify(ch, capture).reasons == ("session_replayed",)


def test_stale_tampered_and_mismatched_sessions_are_refused(verifier: ServerLivenessVerifier) -> None:
    old = _challenge(ttl_s=60, now=time.time() - 3600)
    assert verifier.verify(old, synth.genuine_capture(old, seed=102)).reasons == ("challenge_expired",)
    ch = _challenge()
    tampered = {**ch, "steps": ["neutral", "blink"]}
    assert verifier.verify(tampered, {"nonce": ch["nonce"]}).reasons == ("challenge_signature_invalid",)
    assert verifier.verify(_challenge(), {"nonce": "guessed"}).reasons == ("nonce_mismatch",)


def test_bad_frames_are_refused_with_their_position(verifier: ServerLivenessVerifier) -> None:
    ch = _challenge()
    capture = synth.genuine_capture(ch, seed=103)
    capture["frames"][4]["image"] = "not base64!"
    result = verifier.verify(ch, capture)
    assert not result.passed and result.reasons[0].startswith("frames[4]:")


def test_still_photo_fails_the_challenge(verifier: ServerLivenessVerifier) -> None:
    ch = _challenge(["neutral", "turn_left", "blink", "move_closer"])
    result = verifier.verify(ch, synth.photo_capture(ch, seed=104))
    assert not result.passed
    for step in ("turn_left", "blink", "move_closer"):
        assert any(r.startswith(f"challenge_step_not_seen: {step}") for r in result.reasons), result.reasons


def test_frames_recorded_in_another_session_are_refused(verifier: ServerLivenessVerifier) -> None:
    first = _challenge(["neutral", "nod", "move_closer"])
    recorded = synth.genuine_capture(first, seed=105)
    assert verifier.verify(first, recorded).passed
    second = _challenge(["neutral", "nod", "move_closer"])
    replay = {**recorded, "nonce": second["nonce"]}
    result = verifier.verify(second, replay)
    assert any(r.startswith("frames_replayed") for r in result.reasons)


def test_injection_heuristics(verifier: ServerLivenessVerifier) -> None:
    ch = _challenge(["neutral", "nod", "move_closer"])
    cap = synth.genuine_capture(ch, seed=106, regular=True)
    cap["device"]["camera_label"] = "OBS Virtual Camera"
    reasons = verifier.verify(ch, cap).reasons
    assert any(r.startswith("heuristic_timing_too_regular") for r in reasons)
    assert any(r.startswith("heuristic_virtual_camera") for r in reasons)
    ch = _challenge(["neutral", "nod", "move_closer"])
    reasons = verifier.verify(ch, synth.resolution_switch_capture(ch, seed=107)).reasons
    assert any(r.startswith("heuristic_resolution_changed") for r in reasons)


def test_a_vendor_can_refuse() -> None:
    class Refuses:
        name = "test-vendor"

        def assess(self, capture: dict[str, object]) -> VendorVerdict:
            return VendorVerdict(False, 0.1, ("mask_suspected",), self.name, "ISO/IEC 30107-3 (test)")

    v = ServerLivenessVerifier(SECRET, MemoryReplayGuard(), vendor=Refuses())
    ch = _challenge(["neutral", "nod"])
    result = v.verify(ch, synth.genuine_capture(ch, seed=108))
    assert result.reasons == ("vendor_mask_suspected",) and result.version.endswith("/vendor:test-vendor")


def test_camera_labels() -> None:
    from warden.kyc.liveness.signals import virtual_camera

    assert virtual_camera("OBS Virtual Camera") == "obs virtual"
    assert virtual_camera("/tmp/clip.y4m") == "file source"
    assert virtual_camera("FaceTime HD Camera (Built-in)") is None
    assert virtual_camera(None) is None


def test_screen_pattern_score_separates_a_grid_from_the_plain_face() -> None:
    import numpy as np
    from PIL import Image

    from warden.kyc.faces.bench import SAMPLE_FACE
    from warden.kyc.liveness.passive import PEAK_RATIO, pattern_score

    face = np.asarray(Image.open(SAMPLE_FACE).convert("RGB"), dtype=np.float32)
    box = (0, 0, face.shape[1], face.shape[0])
    y, x = np.mgrid[0 : face.shape[0], 0 : face.shape[1]]
    grid = 1 + 0.06 * np.sin(2 * np.pi * (x * 0.8 + y * 0.6) / 3.0)
    screen = np.clip(face * grid[..., None], 0, 255).astype(np.uint8)
    assert pattern_score(face.astype(np.uint8), box) < PEAK_RATIO < pattern_score(screen, box)


def test_screen_replay_is_refused(verifier: ServerLivenessVerifier) -> None:
    ch = _challenge(["neutral", "nod", "move_closer"])
    result = verifier.verify(ch, synth.screen_capture(ch, seed=109))
    assert not result.passed
    assert any(r.startswith(("heuristic_screen_or_print_pattern", "face_lost")) for r in result.reasons)


def test_web_endpoints_issue_and_refuse_with_field_paths() -> None:
    from fastapi.testclient import TestClient

    from warden.kyc.liveness.web import liveness_app

    client = TestClient(liveness_app(ServerLivenessVerifier(SECRET, MemoryReplayGuard())))
    page = client.get("/capture.html")
    assert page.status_code == 200 and "capture.js" in page.text
    assert client.get("/vendor/face-api/model/tiny_face_detector_model-weights_manifest.json").status_code == 200
    ch = client.post("/challenge", params={"customer_id": "cu_9"}).json()
    assert ch["customer_id"] == "cu_9" and ch["steps"][0] == "neutral"
    missing = client.post("/verify", json={"nonce": ch["nonce"]})
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["body", "challenge_id"]
    unknown = client.post("/verify", json={"challenge_id": "lc_nope", "nonce": "x"})
    assert unknown.status_code == 422 and "unknown" in unknown.json()["detail"][0]["msg"]
    refused = client.post("/verify", json={"challenge_id": ch["challenge_id"], "nonce": "guessed"}).json()
    assert refused["passed"] is False and refused["reasons"] == ["nonce_mismatch"]
