"""Sessions end when they should: sign-out, password change, role change and deactivation, expiry; every sign-in
gets its own random token, stored only hashed; signed-in /v1 writes need the CSRF token and a same-site Origin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.access.api_keys import create_api_key
from warden.access.sessions import SESSION_TTL, open_session, session_user, token_hash
from warden.api.app import create_app
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"


@pytest.fixture
def app(settings: Settings, store: Store) -> Any:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
        add_user(conn, "ada", "admin", PASSWORD)
    return create_app(settings, store)


def _signed_in(app: Any, user: str = "ana", password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    response = client.post("/v1/session/login", json={"username": user, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client


def test_two_sign_ins_in_one_second_get_different_tokens_stored_only_hashed(app: Any, store: Store) -> None:
    first, second = _signed_in(app), _signed_in(app)
    a, b = first.cookies["warden_session"], second.cookies["warden_session"]
    assert a != b and len(a) >= 40
    with store.engine.connect() as conn:
        stored = set(conn.execute(sa.text("SELECT token_hash FROM sessions")).scalars())
    assert stored == {token_hash(a), token_hash(b)} and a not in stored
    assert first.get("/v1/session/me").status_code == 200 and second.get("/v1/session/me").status_code == 200


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app: Any) -> None:
    client = _signed_in(app)
    stolen = TestClient(app, cookies={"warden_session": client.cookies["warden_session"]})
    assert stolen.get("/v1/session/me").status_code == 200
    assert client.post("/v1/session/logout").json() == {"signed_out": True}
    assert stolen.get("/v1/session/me").status_code == 401
    other = _signed_in(app)  # another session of the same person lives on
    assert other.get("/v1/session/me").status_code == 200


def test_a_password_change_ends_every_session_and_starts_one(app: Any) -> None:
    laptop, phone = _signed_in(app), _signed_in(app)
    wrong = laptop.post("/v1/session/password", json={"current_password": "nope nope nope", "new_password": "x" * 12})
    assert wrong.status_code == 422 and phone.get("/v1/session/me").status_code == 200
    changed = laptop.post(
        "/v1/session/password", json={"current_password": PASSWORD, "new_password": "a brand new password"}
    )
    assert changed.status_code == 200 and changed.json()["sessions_ended"] == 2
    assert phone.get("/v1/session/me").status_code == 401
    assert laptop.get("/v1/session/me").status_code == 200  # the changer got a fresh session
    assert TestClient(app).post("/v1/session/login", json={"username": "ana", "password": PASSWORD}).status_code == 401
    _signed_in(app, password="a brand new password")


@pytest.mark.parametrize("change", [{"role": "senior_analyst"}, {"active": False}])
def test_a_role_change_or_deactivation_ends_the_persons_sessions(app: Any, change: dict[str, Any]) -> None:
    ana, ada = _signed_in(app), _signed_in(app, "ada")
    cookie = ana.cookies["warden_session"]
    answer = ada.patch("/v1/session/users/ana", json=change)
    assert answer.status_code == 200, answer.text
    assert ana.get("/v1/session/me").status_code == 401
    assert TestClient(app, cookies={"warden_session": cookie}).get("/v1/session/me").status_code == 401
    again = TestClient(app).post("/v1/session/login", json={"username": "ana", "password": PASSWORD})
    if change.get("role"):  # signing in again works, with the new role; and only admins change roles
        assert again.status_code == 200 and again.json()["role"] == "senior_analyst"
        assert _signed_in(app).patch("/v1/session/users/ada", json={"active": False}).status_code == 403
    else:
        assert again.status_code == 401


def test_sessions_expire(store: Store) -> None:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
        now = datetime.now(UTC)
        token = open_session(conn, "ana", "api", "127.0.0.1", now=now)
    with store.engine.connect() as conn:
        assert session_user(conn, token, now=now + SESSION_TTL - timedelta(seconds=1)) is not None
        assert session_user(conn, token, now=now + SESSION_TTL) is None
        assert session_user(conn, "made-up-token", now=now) is None


def test_signed_in_writes_need_the_csrf_token_and_no_foreign_origin(app: Any, store: Store) -> None:
    client = _signed_in(app)
    token = client.headers.pop("X-CSRF-Token")
    alert = {
        "alert_id": "a1",
        "source": "decision",
        "typology": "t",
        "customer_ids": ["c1"],
        "score": 0.5,
        "severity": "high",
        "amount_usd": "10",
        "evidence": {},
    }
    assert client.post("/v1/cases/take-next").status_code == 403  # no token
    assert client.post("/v1/cases/take-next", headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    foreign = {"X-CSRF-Token": token, "Origin": "https://evil.example"}
    assert client.post("/v1/cases/take-next", headers=foreign).status_code == 403
    assert client.post("/v1/cases/take-next", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/v1/session/me").json()["csrf_token"] == token
    # a machine's API key is exempt: browsers cannot attach it to a cross-site request
    with store.engine.begin() as conn:
        _, secret = create_api_key(conn, "backend", {"cases"}, actor="test")
    machine = TestClient(app, headers={"X-API-Key": secret})
    assert machine.post("/v1/cases/alerts", json=alert).status_code == 201
    cross_site_login = TestClient(app).post(
        "/v1/session/login", json={"username": "ana", "password": PASSWORD}, headers={"Origin": "https://evil.example"}
    )
    assert cross_site_login.status_code == 403


def test_an_operator_ends_a_persons_sessions_from_the_command_line(settings: Settings, sqlite_store: Store) -> None:
    from typer.testing import CliRunner

    from warden.cli import app as cli_app

    with sqlite_store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    app = create_app(settings, sqlite_store)
    env = {"WARDEN_DATA_DIR": str(settings.data_dir)}
    runner = CliRunner()
    client = _signed_in(app)
    ended = runner.invoke(cli_app, ["users", "sign-out", "ana"], env=env)
    assert ended.exit_code == 0 and "1 session(s) of ana ended" in ended.output
    assert client.get("/v1/session/me").status_code == 401
    client = _signed_in(app)
    changed = runner.invoke(cli_app, ["users", "set", "ana", "--role", "senior_analyst", "--json"], env=env)
    assert changed.exit_code == 0 and '"senior_analyst"' in changed.output
    assert client.get("/v1/session/me").status_code == 401
    client = _signed_in(app)
    reset = runner.invoke(cli_app, ["users", "passwd", "ana", "--password-stdin"], input="another long one\n", env=env)
    assert reset.exit_code == 0 and client.get("/v1/session/me").status_code == 401
    assert runner.invoke(cli_app, ["users", "sign-out", "nobody"], env=env).exit_code == 2
