"""Whole verification sessions through /v1/kyc: document check, face match of the capture's selfie against the
document portrait, and liveness against the challenge the session issued, decided, audited and routed."""

from __future__ import annotations

import dataclasses
import os
import secrets
import time
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import service_unavailable
from tests.kyc.session_client import Backend, kyc_app

from warden.api.app import create_app
from warden.audit.log import recent_records
from warden.cases.tables import cases
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.kyc.session_checks import build_session_checks
from warden.settings import Settings
from warden.store.db import Store


@pytest.fixture(scope="module")
def passport() -> dataset.Sample:
    return dataset.genuine_with_face(7, 0)  # a TD3 passport photo whose portrait is the sample face


def _verify(
    backend: Backend, sample: dataset.Sample, make_capture: Any = synth.genuine_capture, seed: int = 3
) -> dict[str, Any]:
    """One session; each capture needs its own seed (frames seen before are refused as replayed)."""
    opened = backend.open(sample)
    sid = opened["session_id"]
    backend.upload_document(sid, sample)
    backend.upload_capture(sid, make_capture(opened["challenge"], seed=seed))
    return backend.submit(sid)


def test_genuine_session_is_approved_with_every_check(settings: Settings, store: Store, passport: Any) -> None:
    app, key = kyc_app(settings, store)
    backend = Backend(app, key)
    opened = backend.open(passport)
    challenge = opened["challenge"]
    # one challenge format, the liveness verifier's: signed, a neutral hold first, then three actions
    assert challenge["steps"][0] == "neutral" and len(challenge["steps"]) == 4 and challenge["signature"]
    assert challenge["expires_at"] > time.time()
    sid = opened["session_id"]
    backend.upload_document(sid, passport)
    backend.upload_capture(sid, synth.genuine_capture(challenge, seed=3))
    body = backend.submit(sid)
    assert body["outcome"] == "approve", body["reasons"]
    assert body["reasons"] == [] and body["case_id"] is None
    evidence = body["evidence"]
    assert evidence["not_performed"] == {}
    assert evidence["document"]["outcome"] == "approve"
    assert evidence["face_match"]["matched"] and evidence["face_match"]["score"] >= evidence["face_match"]["threshold"]
    assert evidence["liveness"]["passed"] and evidence["liveness"]["signals"]["face_share"] >= 0.8
    assert {"decision", "document_check", "face_match", "liveness"} <= set(body["versions"])
    assert body["versions"]["liveness"].startswith("liveness-server")
    with store.engine.connect() as conn:
        decided = [r for r in recent_records(conn, 10) if r.action == "kyc.session.decide"]
    assert decided and decided[0].subject == sid


def test_refused_sessions(settings: Settings, sqlite_store: Store, passport: Any) -> None:
    app, key = kyc_app(settings, sqlite_store)
    backend = Backend(app, key)
    # a still photo held to the camera: no step performed -> reject
    photo = _verify(backend, passport, synth.photo_capture)
    assert photo["outcome"] == "reject" and "liveness_failed" in photo["reasons"]
    assert any(r.startswith("challenge_step_not_seen") for r in photo["reasons"])
    # frames of an earlier capture sent again under a new session's nonce -> reject
    first = backend.open(passport)
    capture = synth.genuine_capture(first["challenge"], seed=5)
    backend.upload_document(first["session_id"], passport)
    backend.upload_capture(first["session_id"], capture)
    assert backend.submit(first["session_id"])["outcome"] == "approve"
    second = backend.open(passport)
    backend.upload_document(second["session_id"], passport)
    backend.upload_capture(second["session_id"], {**capture, "nonce": second["challenge"]["nonce"]})
    replayed = backend.submit(second["session_id"])
    assert replayed["outcome"] == "reject" and any(r.startswith("frames_replayed") for r in replayed["reasons"])
    # a capture made for another session's challenge -> reject
    third = backend.open(passport)
    backend.upload_capture(third["session_id"], synth.genuine_capture(first["challenge"], seed=6))
    assert "nonce_mismatch" in backend.submit(third["session_id"])["reasons"]


def test_heuristic_and_uncomparable_faces_go_to_review(settings: Settings, sqlite_store: Store, passport: Any) -> None:
    app, key = kyc_app(settings, sqlite_store)
    backend = Backend(app, key)
    virtual = _verify(backend, passport, synth.virtual_camera_capture)
    assert virtual["outcome"] == "review" and any(r.startswith("heuristic_virtual_camera") for r in virtual["reasons"])
    # the drawn avatar carries no face: the selfie cannot be compared with it, a person looks
    avatar = _verify(backend, dataset.genuine(7, 0), seed=4)
    assert avatar["outcome"] == "review" and "face_not_comparable" in avatar["reasons"]
    assert "portrait_no_face" in avatar["reasons"]
    with sqlite_store.engine.connect() as conn:
        queues = conn.execute(
            sa.select(cases.c.queue).where(cases.c.case_id.in_([virtual["case_id"], avatar["case_id"]]))
        ).scalars()
        assert set(queues) == {"kyc"}


def test_stale_challenge_is_refused(settings: Settings, sqlite_store: Store, passport: Any) -> None:
    app, key = kyc_app(settings, sqlite_store)
    app.state.kyc_checks = dataclasses.replace(build_session_checks(app.state.settings), challenge_ttl_s=1)
    backend = Backend(app, key)
    opened = backend.open(passport)
    backend.upload_capture(opened["session_id"], synth.genuine_capture(opened["challenge"], seed=3))
    time.sleep(1.2)
    stale = backend.submit(opened["session_id"])
    assert stale["outcome"] == "reject" and "challenge_expired" in stale["reasons"]


def test_step_up_selfie_releases_the_hold(settings: Settings, sqlite_store: Store, passport: Any) -> None:
    app, key = kyc_app(settings, sqlite_store)
    backend = Backend(app, key)
    refused = backend.client.post(
        "/v1/kyc/sessions", json={"customer_id": "c1", "kind": "step_up"}, headers=backend.headers
    )
    assert refused.status_code == 422 and "hold_ref" in refused.text

    def step_up(make_capture: Any, seed: int) -> dict[str, Any]:
        r = backend.client.post(
            "/v1/kyc/sessions",
            json={"customer_id": "c1", "kind": "step_up", "hold_ref": "evt-held"},
            headers=backend.headers,
        )
        assert r.status_code == 201, r.text
        opened = r.json()
        backend.upload_capture(opened["session_id"], make_capture(opened["challenge"], seed=seed))
        return backend.submit(opened["session_id"])

    # no verified document yet: nothing to match the selfie against, a person looks
    early = step_up(synth.genuine_capture, 20)
    assert early["outcome"] == "review" and "face_match_not_performed" in early["reasons"]
    assert not early["hold_released"]
    assert _verify(backend, passport, seed=21)["outcome"] == "approve"  # onboarding, verified
    passed = step_up(synth.genuine_capture, 22)
    assert passed["kind"] == "step_up" and passed["outcome"] == "approve", passed["reasons"]
    assert passed["hold_released"] and passed["hold_ref"] == "evt-held"
    assert "document_not_performed" not in passed["reasons"] and passed["evidence"]["face_match"]["matched"]
    photo = step_up(synth.photo_capture, 23)
    assert photo["outcome"] == "reject" and not photo["hold_released"]
    with sqlite_store.engine.connect() as conn:
        released = [r for r in recent_records(conn, 30) if r.action == "kyc.step_up.release"]
    assert [r.subject for r in released] == ["evt-held"]


def test_two_workers_share_the_replay_guard_through_redis(
    settings: Settings, sqlite_store: Store, passport: Any
) -> None:
    url = os.environ.get("WARDEN_TEST_REDIS_URL")
    if not url:
        service_unavailable("WARDEN_TEST_REDIS_URL is not set")
    first_app, key = kyc_app(settings, sqlite_store, redis_url=url)
    second_app = create_app(first_app.state.settings, sqlite_store)  # another worker: its own memory, same Redis
    first, second = Backend(first_app, key), Backend(second_app, key)
    opened = first.open(passport)
    # frames are remembered for 90 days in Redis: fresh sensor noise each run, or a rerun would be a replay
    capture = synth.genuine_capture(opened["challenge"], seed=secrets.randbelow(2**31))
    first.upload_document(opened["session_id"], passport)
    first.upload_capture(opened["session_id"], capture)
    assert first.submit(opened["session_id"])["outcome"] == "approve"
    again = second.open(passport)
    second.upload_document(again["session_id"], passport)
    second.upload_capture(again["session_id"], {**capture, "nonce": again["challenge"]["nonce"]})
    replayed = second.submit(again["session_id"])
    assert replayed["outcome"] == "reject" and any(r.startswith("frames_replayed") for r in replayed["reasons"])
