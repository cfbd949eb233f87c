"""The /v1/cases and /v1/session API: sign-in, roles (401/403), four eyes over HTTP, API keys for machines."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"
ALERT = {
    "source": "monitoring",
    "typology": "structuring",
    "score": 0.7,
    "severity": "high",
    "amount_usd": "9500.00",
    "evidence": {"deposits": 12},
}


@pytest.fixture
def app_store(settings: Settings, sqlite_store: Store) -> tuple[Any, Store]:
    with sqlite_store.engine.begin() as conn:
        for name, role in [("ana", "analyst"), ("bob", "analyst"), ("sam", "senior_analyst"), ("ada", "admin")]:
            add_user(conn, name, role, PASSWORD)
    return create_app(settings.model_copy(update={"secret_key": "test-secret"}), sqlite_store), sqlite_store


def _client(app: Any, user: str | None = None) -> TestClient:
    client = TestClient(app)
    if user is not None:
        response = client.post("/v1/session/login", json={"username": user, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]  # a signed-in write carries it
    return client


def _machine(app: Any, store: Store, scopes: set[str]) -> TestClient:
    with store.engine.begin() as conn:
        _, secret = create_api_key(conn, "backend", scopes, actor="test")
    return TestClient(app, headers={"X-API-Key": secret})


def _open_cases(app: Any, store: Store, n: int) -> list[str]:
    machine = _machine(app, store, {"cases"})
    ids = []
    for i in range(n):
        response = machine.post("/v1/cases/alerts", json={**ALERT, "alert_id": f"m:{i}", "customer_ids": [f"c{i}"]})
        assert response.status_code == 201, response.text
        ids.append(response.json()["case_id"])
    return ids


def test_anonymous_gets_401_and_wrong_password_is_refused(app_store: tuple[Any, Store]) -> None:
    app, _ = app_store
    anon = TestClient(app)
    assert anon.get("/v1/cases").status_code == 401
    assert anon.post("/v1/cases/take-next").status_code == 401
    assert anon.get("/v1/session/users").status_code == 401
    bad = anon.post("/v1/session/login", json={"username": "ana", "password": "wrong password!"})
    assert bad.status_code == 401 and "warden_session" not in bad.cookies
    forged = TestClient(app, cookies={"warden_session": "eyJ1IjoiYWRhIiwiZXhwIjo5OTk5OTk5OTk5fQ.00"})
    assert forged.get("/v1/session/users").status_code == 401


def test_analyst_cannot_reach_an_admin_route(app_store: tuple[Any, Store]) -> None:
    app, _ = app_store
    ana = _client(app, "ana")
    assert ana.get("/v1/session/me").json()["role"] == "analyst"
    refused = ana.get("/v1/session/users")
    assert refused.status_code == 403 and "needs admin" in refused.json()["detail"]
    assert _client(app, "ada").get("/v1/session/users").status_code == 200


def test_review_flow_over_http_with_four_eyes(app_store: tuple[Any, Store]) -> None:
    app, store = app_store
    (case_id,) = _open_cases(app, store, 1)
    ana, sam = _client(app, "ana"), _client(app, "sam")
    taken = ana.post("/v1/cases/take-next")
    assert taken.status_code == 200 and taken.json()["case_id"] == case_id
    assert ana.post("/v1/cases/take-next").status_code == 204  # nothing left
    assert ana.post(f"/v1/cases/{case_id}/notes", json={"text": "12 deposits under 10k"}).status_code == 201
    direct = ana.post(
        f"/v1/cases/{case_id}/transitions",
        json={"to": "closed", "disposition": "true_positive_action_taken", "action": "exit"},
    )
    assert direct.status_code == 403 and "four eyes" in direct.json()["detail"]
    proposal = ana.post(
        f"/v1/cases/{case_id}/proposals", json={"action": "close_with_action", "customer_action": "exit"}
    )
    assert proposal.status_code == 201
    pid = proposal.json()["proposal_id"]
    own = ana.post(f"/v1/cases/proposals/{pid}/approve", json={})
    assert own.status_code == 403 and "cannot approve" in own.json()["detail"]
    assert sam.post(f"/v1/cases/proposals/{pid}/approve", json={"reason": "agreed"}).status_code == 200
    case = ana.get(f"/v1/cases/{case_id}").json()
    assert case["state"] == "closed" and case["disposition"] == "true_positive_action_taken"
    kinds = [t["kind"] for t in case["timeline"]]
    assert kinds == ["opened", "assigned", "note", "proposed", "transition", "proposal_approved"]
    again = ana.post(f"/v1/cases/{case_id}/transitions", json={"to": "in_review"})
    assert again.status_code == 409 and "closed is final" in again.json()["detail"]


def test_filters_and_bad_filters(app_store: tuple[Any, Store]) -> None:
    app, store = app_store
    _open_cases(app, store, 3)
    ana = _client(app, "ana")
    assert len(ana.get("/v1/cases", params={"queue": "aml", "state": "new"}).json()) == 3
    assert ana.get("/v1/cases", params={"queue": "fraud"}).json() == []
    bad = ana.get("/v1/cases", params={"state": "open"})
    assert bad.status_code == 422 and "unknown state 'open'" in bad.json()["detail"][0]["msg"]
    assert ana.get("/v1/cases/case_nope").status_code == 404


def test_machines_push_alerts_but_cannot_take_or_approve(app_store: tuple[Any, Store]) -> None:
    app, store = app_store
    (case_id,) = _open_cases(app, store, 1)
    machine = _machine(app, store, {"cases"})
    assert machine.get(f"/v1/cases/{case_id}").status_code == 200
    assert machine.post("/v1/cases/take-next").status_code == 401  # people only
    wrong_scope = _machine(app, store, {"decisions"})
    assert wrong_scope.get("/v1/cases").status_code == 403
    bad = machine.post("/v1/cases/alerts", json={**ALERT, "alert_id": "x", "customer_ids": ["c"], "severity": "huge"})
    assert bad.status_code == 422 and "unknown severity 'huge'" in bad.json()["detail"][0]["msg"]


def test_assign_needs_a_senior(app_store: tuple[Any, Store]) -> None:
    app, store = app_store
    (case_id,) = _open_cases(app, store, 1)
    assert _client(app, "ana").post(f"/v1/cases/{case_id}/assign", json={"assignee": "bob"}).status_code == 403
    assert _client(app, "sam").post(f"/v1/cases/{case_id}/assign", json={"assignee": "bob"}).status_code == 200
    assert _client(app, "bob").get(f"/v1/cases/{case_id}").json()["assignee"] == "bob"


def test_two_reviewers_taking_next_over_http_get_different_cases(app_store: tuple[Any, Store]) -> None:
    app, store = app_store
    _open_cases(app, store, 2)
    clients = {"ana": _client(app, "ana"), "bob": _client(app, "bob")}
    start = threading.Barrier(2)
    got: dict[str, str] = {}

    def take(name: str) -> None:
        start.wait()
        got[name] = clients[name].post("/v1/cases/take-next").json()["case_id"]

    threads = [threading.Thread(target=take, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert set(got) == {"ana", "bob"} and got["ana"] != got["bob"]
