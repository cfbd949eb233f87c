"""What every response carries and who sees what: security headers (the decisions hot path too), a CSP the
console's own pages live within, API docs behind sign-in unless published, Secure cookies behind a TLS
terminator, personal data masked for roles that do not investigate."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from console_seed import PASSWORD, seed
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.events.examples import EXAMPLES
from warden.settings import Settings
from warden.store.db import Store

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "warden" / "console" / "templates"
KYC = EXAMPLES["kyc_submission"]
PII = [KYC["document_number"], KYC["date_of_birth"], KYC["email"], KYC["phone"], "C01X00T478D"]


def _assert_hardened(response: Any) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff", response.url
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_every_response_carries_the_security_headers_the_hot_path_too(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        _, key = create_api_key(conn, "backend", {"decisions"}, actor="test")
    with TestClient(create_app(settings, sqlite_store), follow_redirects=False) as client:
        for response in (
            client.get("/login"),
            client.get("/healthz"),
            client.get("/static/warden.css"),
            client.get("/queues"),  # a redirect to sign in
            client.get("/v1/session/me"),  # 401
            client.post("/v1/decisions", json=EXAMPLES["login"], headers={"X-API-Key": key}),
            client.post("/v1/decisions", json=EXAMPLES["login"]),  # 401 on the hot path
            client.post("/v1/decisions", json={"type": "nope"}, headers={"X-API-Key": key}),  # 422 there
        ):
            _assert_hardened(response)
        decided = client.post("/v1/decisions", json=EXAMPLES["withdrawal"], headers={"X-API-Key": key})
        assert decided.status_code == 201 and len(decided.headers.get_list("x-frame-options")) == 1
        csp = client.get("/login").headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp


def test_console_templates_have_no_inline_scripts_or_handlers() -> None:
    """script-src 'self' would block them: behaviours live in static/console.js."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{template.name}: inline script {tag}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name}: inline event handler"
        assert "hx-on" not in text and "js:" not in text, f"{template.name}: htmx would need eval"


def test_api_docs_need_sign_in_unless_published(settings: Settings, sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
        _, key = create_api_key(conn, "backend", {"decisions"}, actor="test")
    client = TestClient(create_app(settings, sqlite_store), follow_redirects=False)
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/docs").status_code == 303 and client.get("/redoc").status_code == 404
    assert client.get("/openapi.json", headers={"X-API-Key": key}).json()["info"]["title"] == "Warden"
    client.post("/v1/session/login", json={"username": "ana", "password": PASSWORD})
    assert client.get("/openapi.json").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200 and "https:" not in docs.headers["content-security-policy"]  # vendored assets only
    public = TestClient(create_app(settings.model_copy(update={"public_api_docs": True}), sqlite_store))
    assert public.get("/openapi.json").status_code == 200 and public.get("/docs").status_code == 200


@pytest.mark.parametrize("secure", [False, True])
def test_secure_cookies_behind_a_tls_terminator(settings: Settings, sqlite_store: Store, secure: bool) -> None:
    with sqlite_store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    app = create_app(settings.model_copy(update={"secure_cookies": secure}), sqlite_store)
    response = TestClient(app).post("/v1/session/login", json={"username": "ana", "password": PASSWORD})
    cookie = response.headers["set-cookie"]
    assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert ("strict-transport-security" in response.headers) is secure


def _signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    response = client.post("/v1/session/login", json={"username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return client


def test_personal_data_is_masked_for_roles_that_do_not_investigate(
    settings: Settings, store: Store, tmp_path: Path
) -> None:
    ids = seed(store, settings, tmp_path)  # rita (rule author) and mo (model-risk officer) among its users
    app = create_app(settings, store)
    page = f"/cases/{ids['main']}"
    narrative = f"/v1/cases/{ids['main']}/narrative"
    seen = _signed_in(app, "ana")
    assert all(value in seen.get(page).text for value in PII[:4])
    assert KYC["document_number"] in seen.get(narrative).json()["draft"]
    for role_user in ("rita", "mo"):
        client = _signed_in(app, role_user)
        html = client.get(page).text
        assert "Anna Maria Schmidt" in html  # who it is stays; the identifiers do not
        leaked = [value for value in PII if value in html]
        assert leaked == [], f"{role_user} sees {leaked}"
        assert "•••••••47" in html and "a•••@example.org" in html
        draft = client.get(narrative).json()["draft"]
        assert KYC["document_number"] not in draft and KYC["date_of_birth"] not in draft
