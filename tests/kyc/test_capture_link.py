"""The capture page served by the session API: the session's `capture_url` opens the page for the customer's
browser, which fetches that session's challenge and uploads the liveness capture with the link's token (no API
key); the link opens nothing else, and closes with the session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.kyc.session_client import Backend, kyc_app

from warden.audit.log import recent_records
from warden.kyc.documents import dataset
from warden.kyc.liveness import synth
from warden.settings import Settings
from warden.store.db import Store


def test_capture_link_serves_the_page_and_takes_the_capture(settings: Settings, sqlite_store: Store) -> None:
    app, key = kyc_app(settings, sqlite_store)
    backend = Backend(app, key)
    sample = dataset.genuine_with_face(7, 0)
    opened = backend.open(sample)
    sid, url = opened["session_id"], opened["capture_url"]
    base = url.split("capture.html")[0]
    assert url.startswith(f"/v1/kyc/capture/{sid}/") and url.endswith("capture.html?submit=liveness")
    browser = TestClient(app)  # the customer's browser: no API key, no sign-in
    page = browser.get(url)
    assert page.status_code == 200 and 'src="capture.js"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert browser.get(base + "capture.js").status_code == 200
    assert browser.get(base + "vendor/face-api/model/tiny_face_detector_model-weights_manifest.json").status_code == 200
    assert browser.get(base + "../../../api/kyc.py").status_code == 404
    assert browser.post(f"/v1/kyc/capture/{sid}/{'0' * 40}/challenge").status_code == 404  # another token: nothing
    assert browser.get(f"/v1/kyc/capture/{sid}/{'0' * 40}/capture.html").status_code == 404

    challenge: dict[str, Any] = browser.post(base + "challenge").json()
    assert challenge == opened["challenge"]  # the session's own challenge, as issued
    capture = synth.genuine_capture(challenge, seed=21)
    stored = browser.post(base + "liveness", json=capture)
    assert stored.status_code == 200 and stored.json()["received"] is True
    backend.upload_document(sid, sample)
    decided = backend.submit(sid)
    assert decided["outcome"] == "approve", decided["reasons"]
    assert browser.post(base + "challenge").status_code == 409  # the session is decided: the link is closed
    with sqlite_store.engine.connect() as conn:
        uploads = [r for r in recent_records(conn, 30) if r.action == "kyc.upload"]
    assert any(r.actor == f"capture-link:{sid}" for r in uploads)
