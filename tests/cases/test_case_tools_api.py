"""The /v1/cases tools over HTTP on both databases: roles (401 anonymous, 403 wrong role), related, similar,
narrative (draft, save, rewrite without an LLM), attachments (upload, list, download), stats/rules."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from warden.access.roles import Actor
from warden.api.app import create_app
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.repository import transition
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def app_case(settings: Settings, store: Store) -> tuple[Any, str]:
    with store.engine.begin() as conn:
        for name, role in [("ana", "analyst"), ("rita", "rule_author")]:
            add_user(conn, name, role, PASSWORD)
        ids = [
            add_alert(
                conn,
                CaseAlert(
                    f"decision:e{i}",
                    "decision",
                    "big_withdrawal",
                    [f"c{i}"],
                    0.9,
                    "high",
                    evidence={"rule_hits": [{"rule_id": "big_withdrawal"}], "reasons": ["large"]},
                ),
            ).case_id
            for i in range(3)
        ]
        boss = Actor("boss", "admin")
        transition(conn, ids[1], boss, "in_review")
        transition(conn, ids[1], boss, "closed", disposition="true_positive_action_taken")
    return create_app(settings.model_copy(update={"secret_key": "test-secret"}), store), ids[0]


def _client(app: Any, user: str | None = None) -> TestClient:
    client = TestClient(app)
    if user is not None:
        response = client.post("/v1/session/login", json={"username": user, "password": PASSWORD})
        assert response.status_code == 200
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]  # a signed-in write carries it
    return client


def test_anonymous_requests_get_401(app_case: tuple[Any, str]) -> None:
    app, case_id = app_case
    anonymous = _client(app)
    for method, path in [
        ("get", f"/v1/cases/{case_id}/related"),
        ("get", f"/v1/cases/{case_id}/similar"),
        ("get", f"/v1/cases/{case_id}/narrative"),
        ("put", f"/v1/cases/{case_id}/narrative"),
        ("get", f"/v1/cases/{case_id}/attachments"),
        ("get", "/v1/cases/stats/rules"),
    ]:
        assert getattr(anonymous, method)(path).status_code == 401, path


def test_reviewer_tools_over_http(app_case: tuple[Any, str]) -> None:
    app, case_id = app_case
    ana = _client(app, "ana")
    assert ana.get(f"/v1/cases/{case_id}/related").json() == []
    similar = ana.get(f"/v1/cases/{case_id}/similar?k=3").json()
    assert [s["disposition"] for s in similar] == ["true_positive_action_taken"]
    draft = ana.get(f"/v1/cases/{case_id}/narrative").json()
    assert "Why suspicious" in draft["draft"] and draft["saved"] is None
    assert ana.put(f"/v1/cases/{case_id}/narrative", json={"text": "my words"}).status_code == 200
    assert ana.get(f"/v1/cases/{case_id}/narrative").json()["saved"]["text"] == "my words"
    assert ana.put(f"/v1/cases/{case_id}/narrative", json={"text": " "}).status_code == 422
    rewrite = ana.post(f"/v1/cases/{case_id}/narrative/rewrite", json={}).json()
    assert rewrite["rewritten"] is False and rewrite["text"] == draft["draft"] and "WARDEN_LLM_URL" in rewrite["error"]
    uploaded = ana.post(f"/v1/cases/{case_id}/attachments", files={"file": ("../chat log.txt", b"hello", "text/plain")})
    assert uploaded.status_code == 201, uploaded.text
    digest = uploaded.json()["sha256"]
    assert uploaded.json()["filename"] == "chat log.txt"
    assert [a["sha256"] for a in ana.get(f"/v1/cases/{case_id}/attachments").json()] == [digest]
    download = ana.get(f"/v1/cases/{case_id}/attachments/{digest}")
    assert download.status_code == 200 and download.content == b"hello"
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''chat%20log.txt"
    assert ana.get(f"/v1/cases/{case_id}/attachments/{'0' * 64}").status_code == 404
    assert ana.get("/v1/cases/case_missing/related").status_code == 404
    kinds = [t["kind"] for t in ana.get(f"/v1/cases/{case_id}").json()["timeline"]]
    assert kinds == ["opened", "narrative", "attachment"]


def test_rule_authors_read_precision_but_cannot_write(app_case: tuple[Any, str]) -> None:
    app, case_id = app_case
    rita = _client(app, "rita")
    stats = {r["rule"]: r for r in rita.get("/v1/cases/stats/rules").json()}
    assert stats["big_withdrawal"]["alerts"] == 3 and stats["big_withdrawal"]["precision"] == 1.0
    assert rita.put(f"/v1/cases/{case_id}/narrative", json={"text": "x"}).status_code == 403
    upload = rita.post(f"/v1/cases/{case_id}/attachments", files={"file": ("a.txt", b"x", "text/plain")})
    assert upload.status_code == 403
