"""API keys as the hot path reads them: from the raw headers, verified against the store, remembered briefly."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from warden.access.api_keys import ApiKeyVerifier, create_api_key, revoke_api_key
from warden.api.app import create_app
from warden.settings import Settings
from warden.store.db import Store
from warden.web.api_keys import presented_key


def test_presented_key_prefers_x_api_key_then_bearer() -> None:
    assert presented_key([(b"x-api-key", b"wk_a"), (b"authorization", b"Bearer wk_b")]) == "wk_a"
    assert presented_key([(b"authorization", b"bearer  wk_b ")]) == "wk_b"
    assert presented_key([(b"x-api-key", b""), (b"authorization", b"Bearer wk_b")]) == "wk_b"
    assert presented_key([(b"x-api-key", b"wk_first"), (b"x-api-key", b"wk_second")]) == "wk_first"
    assert presented_key([(b"authorization", b"Basic dXNlcg==")]) is None
    assert presented_key([]) is None


def test_verifier_answers_from_the_store_and_forgets_after_its_ttl(sqlite_store: Store) -> None:
    with sqlite_store.engine.begin() as conn:
        key, secret = create_api_key(conn, "backend", {"decisions"}, actor="test")
    verifier = ApiKeyVerifier(sqlite_store.engine, ttl_seconds=0.0)
    found = verifier.verify(secret)
    assert found is not None and found.key_id == key.key_id and found.scopes == frozenset({"decisions"})
    assert verifier.verify(secret + "x") is None and verifier.verify("not-a-key") is None
    with sqlite_store.engine.begin() as conn:
        assert revoke_api_key(conn, key.key_id, actor="test")
    assert verifier.verify(secret) is None  # a TTL of 0: the revocation is seen at once


def test_made_up_keys_do_not_grow_the_cache_without_end(sqlite_store: Store) -> None:
    verifier = ApiKeyVerifier(sqlite_store.engine)
    verifier.MAX_CACHED = 50
    for i in range(180):
        assert verifier.verify(f"wk_made-up-{i}") is None
    assert 0 < len(verifier._cache) <= 50


def test_a_revoked_key_is_refused_by_every_worker_within_a_second(settings: Settings, store: Store) -> None:
    """Two apps on one store stand for two workers; each has the key remembered when it is revoked elsewhere."""
    with store.engine.begin() as conn:
        key, secret = create_api_key(conn, "backend", {"cases"}, actor="test")
    workers = [TestClient(create_app(settings, store), headers={"X-API-Key": secret}) for _ in range(2)]
    assert [w.get("/v1/cases").status_code for w in workers] == [200, 200]
    with store.engine.begin() as conn:
        assert revoke_api_key(conn, key.key_id, actor="admin")
    revoked_at = time.monotonic()
    while time.monotonic() - revoked_at < 1.5:
        answers = [w.get("/v1/cases").status_code for w in workers]
        if answers == [401, 401]:
            break
        time.sleep(0.05)
    assert answers == [401, 401] and time.monotonic() - revoked_at <= 1.5


def test_after_an_idle_spell_the_first_request_already_sees_the_revocation(store: Store) -> None:
    with store.engine.begin() as conn:
        key, secret = create_api_key(conn, "backend", {"decisions"}, actor="test")
    verifier = ApiKeyVerifier(store.engine, check_every=0.2)
    assert verifier.verify(secret) is not None
    with store.engine.begin() as conn:
        revoke_api_key(conn, key.key_id, actor="admin")
    time.sleep(0.45)  # more than two intervals without a request
    assert verifier.verify(secret) is None
