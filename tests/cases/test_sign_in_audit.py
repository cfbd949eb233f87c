"""Signing in and out, through the API and the console, is on the audit log, refused attempts too."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from fastapi.testclient import TestClient

from warden.api.app import create_app
from warden.audit.log import verify_chain
from warden.audit.tables import audit_log
from warden.cases.staffing import add_user
from warden.settings import Settings
from warden.store.db import Store

PASSWORD = "correct horse battery"


def _session_records(store: Store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.actor, audit_log.c.action, audit_log.c.after)
            .where(audit_log.c.action.like("session.%"))
            .order_by(audit_log.c.seq)
        ).all()
    return [(actor, action, json.loads(after)["channel"]) for actor, action, after in rows]


def test_sign_in_and_out_are_audited_on_both_channels(settings: Settings, store: Store) -> None:
    with store.engine.begin() as conn:
        add_user(conn, "ana", "analyst", PASSWORD)
    app = create_app(settings.model_copy(update={"secret_key": "test-secret"}), store)

    api = TestClient(app)
    assert api.post("/v1/session/login", json={"username": "ana", "password": "wrong password!"}).status_code == 401
    assert api.post("/v1/session/login", json={"username": "ana", "password": PASSWORD}).status_code == 200
    assert api.post("/v1/session/logout").status_code == 200
    console = TestClient(app, follow_redirects=False)
    signed_in = console.post("/login", data={"username": "ana", "password": PASSWORD, "next": "/queues"})
    assert signed_in.status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', console.get("/queues").text)
    assert token is not None
    assert console.post("/logout", data={"csrf_token": token.group(1)}).status_code == 303

    assert _session_records(store) == [
        ("ana", "session.sign_in_refused", "api"),
        ("ana", "session.sign_in", "api"),
        ("ana", "session.sign_out", "api"),
        ("ana", "session.sign_in", "console"),
        ("ana", "session.sign_out", "console"),
    ]
    with store.engine.connect() as conn:
        assert verify_chain(conn).ok
