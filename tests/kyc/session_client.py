"""Driving /v1/kyc sessions over HTTP in tests: an app with a KYC API key, and one helper per request."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.kyc.documents import dataset
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"
STAFF = [("ana", "analyst"), ("rita", "rule_author"), ("mo", "model_risk_officer"), ("sam", "senior_analyst")]


def kyc_app(settings: Settings, store: Store, **overrides: Any) -> tuple[Any, str]:
    """The app and the secret of an API key with scope `kyc`; staff of several roles can sign in."""
    with store.engine.begin() as conn:
        for name, role in STAFF:
            add_user(conn, name, role, PASSWORD)
        _, secret = create_api_key(conn, "exchange-backend", {"kyc"}, actor="test")
    return create_app(settings.model_copy(update={"secret_key": "test-secret", **overrides}), store), secret


class Backend:
    """The exchange's backend: opens sessions, uploads, submits."""

    def __init__(self, app: Any, key: str) -> None:
        self.client = TestClient(app)
        self.headers = {"X-API-Key": key}

    def open(self, sample: dataset.Sample, customer_id: str = "c1") -> dict[str, Any]:
        r = self.client.post(
            "/v1/kyc/sessions",
            json={"customer_id": customer_id, "declared": sample.declared_fields()},
            headers=self.headers,
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def upload_document(self, sid: str, sample: dataset.Sample) -> None:
        for side, data in sample.pages.items():
            r = self.client.put(
                f"/v1/kyc/sessions/{sid}/document/{side}",
                files={"file": (f"{side}.jpg", data, "image/jpeg")},
                headers=self.headers,
            )
            assert r.status_code == 200, r.text

    def upload_capture(self, sid: str, capture: dict[str, Any]) -> None:
        r = self.client.put(f"/v1/kyc/sessions/{sid}/liveness", json=capture, headers=self.headers)
        assert r.status_code == 200, r.text

    def submit(self, sid: str) -> dict[str, Any]:
        r = self.client.post(f"/v1/kyc/sessions/{sid}/submit", headers=self.headers)
        assert r.status_code == 200, r.text
        return dict(r.json())


def signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(app)
    assert client.post("/v1/session/login", json={"username": user, "password": PASSWORD}).status_code == 200
    return client
