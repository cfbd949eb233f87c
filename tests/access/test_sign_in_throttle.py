"""Sign-in throttling: per person and per address, exponential back-off, 429 with Retry-After in the API, a page
in the console, the right password refused during a lock, every step on the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.access.sign_in import attempt_sign_in
from warden.access.throttle import PER_ADDRESS, PER_USER
from warden.api.app import create_app
from warden.audit.log import verify_chain
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _try(store: Store, password: str, at: datetime, user: str = "ana", client: str | None = "10.0.0.1") -> Any:
    with store.engine.begin() as conn:
        return attempt_sign_in(conn, user, password, channel="api", client=client, now=at)


def test_five_failures_lock_the_person_with_doubling_locks(store: Store) -> None:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    at = T0
    for _ in range(PER_USER.max_failures):
        assert _try(store, "wrong password", at).retry_after is None
        at += timedelta(seconds=1)
    locked = _try(store, PASSWORD, at)  # the right password, during the lock
    assert locked.user is None and locked.token is None and 55 <= locked.retry_after <= 60
    at += timedelta(seconds=61)
    assert _try(store, "wrong password", at).retry_after is None  # lock over: counting again
    for _ in range(PER_USER.max_failures - 1):
        at += timedelta(seconds=1)
        _try(store, "wrong password", at)
    second = _try(store, PASSWORD, at + timedelta(seconds=1))
    assert 115 <= second.retry_after <= 120  # the second lock in a row is twice as long
    assert _try(store, PASSWORD, at + timedelta(seconds=121)).user is not None  # then the right password works
    assert _try(store, "wrong password", at + timedelta(seconds=122)).retry_after is None  # and the count restarted
    with store.engine.connect() as conn:
        actions = conn.execute(sa.text("SELECT action FROM audit_log WHERE action LIKE 'session.%'")).scalars().all()
        assert verify_chain(conn).ok
    assert actions.count("session.locked") == 2 and actions.count("session.sign_in_throttled") == 2


def test_one_address_guessing_many_names_is_locked_too(store: Store) -> None:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    at = T0
    for i in range(PER_ADDRESS.max_failures):
        _try(store, "wrong password", at, user=f"guess{i}")
        at += timedelta(seconds=1)
    assert _try(store, PASSWORD, at).retry_after is not None  # ana from that address: refused
    assert _try(store, PASSWORD, at, client="10.0.0.2").user is not None  # from elsewhere: fine


def test_the_api_answers_429_with_retry_after_and_the_console_a_page(settings: Settings, store: Store) -> None:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    app = create_app(settings, store)
    api = TestClient(app)
    answers = [
        api.post("/v1/session/login", json={"username": "ana", "password": "wrong password"}).status_code
        for _ in range(60)
    ]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    right = api.post("/v1/session/login", json={"username": "ana", "password": PASSWORD})
    assert right.status_code == 429 and 1 <= int(right.headers["Retry-After"]) <= 60
    assert "warden_session" not in right.cookies
    page = TestClient(app).post("/login", data={"username": "ana", "password": PASSWORD, "next": "/"})
    assert page.status_code == 429 and "Too many failed sign-ins" in page.text and page.headers["Retry-After"]
