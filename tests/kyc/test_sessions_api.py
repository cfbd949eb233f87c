"""/v1/kyc sessions over HTTP on both databases: open with a challenge, uploads (422 with positions), submit
with a document and no liveness capture (review, said explicitly), roles on images, audit, retention purge.
Whole sessions (face match and liveness) are in test_session_flow.py."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from PIL import Image

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.audit.log import recent_records
from warden.cases.staffing import add_user
from warden.cases.tables import cases
from warden.kyc import repository
from warden.kyc.documents import dataset
from warden.kyc.tables import kyc_uploads
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def sample() -> dataset.Sample:
    return dataset.genuine(7, 0)  # a TD3 passport photo


@pytest.fixture
def app(settings: Settings, store: Store) -> tuple[Any, str, Settings, Store]:
    with store.engine.begin() as conn:
        for name, role in [("ana", "analyst"), ("rita", "rule_author"), ("mo", "model_risk_officer")]:
            add_user(conn, name, role, PASSWORD)
        _, secret = create_api_key(conn, "exchange-backend", {"kyc"}, actor="test")
    s = settings.model_copy(update={"secret_key": "test-secret"})
    return create_app(s, store), secret, s, store


def _client(app: Any, user: str | None = None) -> TestClient:
    client = TestClient(app)
    if user is not None:
        assert client.post("/v1/session/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return client


def _open(client: TestClient, key: str, sample: dataset.Sample) -> dict[str, Any]:
    r = client.post(
        "/v1/kyc/sessions", json={"customer_id": "c1", "declared": sample.declared_fields()}, headers={"X-API-Key": key}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_session_without_capture_goes_to_review(app: Any, sample: dataset.Sample) -> None:
    application, key, settings, store = app
    backend = TestClient(application)
    opened = _open(backend, key, sample)
    challenge = opened["challenge"]
    assert len(challenge["nonce"]) >= 24 and challenge["steps"][0] == "neutral" and len(challenge["steps"]) == 4
    assert challenge["expires_at"] > dt.datetime.now(dt.UTC).timestamp()
    sid = opened["session_id"]
    h = {"X-API-Key": key}
    up = backend.put(
        f"/v1/kyc/sessions/{sid}/document/front",
        files={"file": ("f.jpg", sample.pages["front"], "image/jpeg")},
        headers=h,
    )
    assert up.status_code == 200, up.text
    r = backend.post(f"/v1/kyc/sessions/{sid}/submit", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    # the document is clean, but with no liveness capture neither face match nor liveness could run: review
    assert body["evidence"]["document"]["outcome"] == "approve"
    assert body["outcome"] == "review"
    assert {"face_match_not_performed", "liveness_not_performed"} <= set(body["reasons"])
    assert body["evidence"]["not_performed"]["face_match"].startswith("no liveness capture uploaded")
    assert body["versions"]["document_check"].startswith("kyc-doc")
    assert body["evidence"]["document"]["mrz"]["document_number"] == sample.declared.document_number
    with store.engine.connect() as conn:
        queue = conn.execute(sa.select(cases.c.queue).where(cases.c.case_id == body["case_id"])).scalar()
        actions = [r.action for r in recent_records(conn, 10)]
    assert queue == "kyc"
    assert {"kyc.session.open", "kyc.upload", "kyc.session.decide"} <= set(actions)
    assert backend.post(f"/v1/kyc/sessions/{sid}/submit", headers=h).status_code == 409  # decided once
    assert (
        backend.put(
            f"/v1/kyc/sessions/{sid}/document/back",
            files={"file": ("b.jpg", sample.pages["front"], "image/jpeg")},
            headers=h,
        ).status_code
        == 409
    )
    # who may see what
    assert _client(application, "mo").get(f"/v1/kyc/sessions/{sid}").status_code == 200
    assert _client(application, "mo").get(f"/v1/kyc/sessions/{sid}/images/document_front").status_code == 403
    assert _client(application, "rita").get(f"/v1/kyc/sessions/{sid}").status_code == 403
    assert backend.get(f"/v1/kyc/sessions/{sid}/images/document_front", headers=h).status_code == 401
    assert TestClient(application).get(f"/v1/kyc/sessions/{sid}").status_code == 401
    img = _client(application, "ana").get(f"/v1/kyc/sessions/{sid}/images/document_front")
    assert img.status_code == 200 and img.content == sample.pages["front"]
    with store.engine.connect() as conn:
        assert recent_records(conn, 1)[0].action == "kyc.image.read"
    stored = Path(settings.data_dir) / "kyc" / sid / "document_front.jpg"
    assert stored.stat().st_mode & 0o077 == 0  # readable by the server's user only


def test_uploads_refused_with_positions(app: Any, sample: dataset.Sample) -> None:
    application, key, _, _ = app
    client = TestClient(application)
    h = {"X-API-Key": key}
    bad = client.post(
        "/v1/kyc/sessions",
        json={"customer_id": "c1", "declared": {"surname": "X", "birth_date": "1990-13-01"}},
        headers=h,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "declared", "birth_date"]
    sid = _open(client, key, sample)["session_id"]
    url = f"/v1/kyc/sessions/{sid}/document/front"
    r = client.put(url, files={"file": ("f.gif", b"GIF89a....", "image/gif")}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "content_type"]
    r = client.put(url, files={"file": ("f.jpg", b"not a jpeg", "image/jpeg")}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "file"]
    r = client.put(url, files={"file": ("f.jpg", b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024), "image/jpeg")}, headers=h)
    assert r.status_code == 422 and "limit" in r.json()["detail"][0]["msg"]
    r = client.put(
        f"/v1/kyc/sessions/{sid}/document/side",
        files={"file": ("f.jpg", sample.pages["front"], "image/jpeg")},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["path", "side"]
    r = client.put(
        f"/v1/kyc/sessions/{sid}/liveness", content=b"[1, 2]", headers={**h, "Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == "the capture must be a JSON object"
    r = client.put(f"/v1/kyc/sessions/{sid}/liveness", content=b"{}", headers={**h, "Content-Type": "text/plain"})
    assert r.status_code == 422
    ok = client.put(f"/v1/kyc/sessions/{sid}/liveness", json={"nonce": "x", "frames": []}, headers=h)
    assert ok.status_code == 200
    assert client.get("/v1/kyc/sessions/kyc_nope", headers=h).status_code == 404


def test_retention_purges_images(app: Any, sample: dataset.Sample) -> None:
    application, key, settings, store = app
    client = TestClient(application)
    sid = _open(client, key, sample)["session_id"]
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    r = client.put(
        f"/v1/kyc/sessions/{sid}/document/back",
        files={"file": ("b.png", png.getvalue(), "image/png")},
        headers={"X-API-Key": key},
    )
    assert r.status_code == 200
    data_dir = Path(settings.data_dir)
    with store.engine.begin() as conn:
        assert repository.purge_expired(conn, data_dir) == 0  # not yet due
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=settings.kyc_retention_days + 1)
        assert repository.purge_expired(conn, data_dir, now=later) == 1
        row = conn.execute(sa.select(kyc_uploads).where(kyc_uploads.c.session_id == sid)).one()
    assert row.path is None and len(row.sha256) == 64
    assert not (data_dir / "kyc" / sid / "document_back.png").exists()
