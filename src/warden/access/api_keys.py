"""API keys for the exchange's backend: created once (only the hash is kept), checked on every call, audited."""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from warden.access.tables import api_keys
from warden.audit.log import append_audit

KEY_PREFIX = "wk_"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    scopes: frozenset[str]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(conn: sa.Connection, name: str, scopes: set[str], actor: str) -> tuple[ApiKey, str]:
    """Returns the key record and the secret, which is shown once and never stored."""
    secret = KEY_PREFIX + secrets.token_urlsafe(30)
    key = ApiKey(key_id=secrets.token_hex(6), name=name, scopes=frozenset(scopes))
    conn.execute(
        sa.insert(api_keys).values(
            key_id=key.key_id,
            name=name,
            key_hash=_digest(secret),
            scopes=" ".join(sorted(scopes)),
            created_at=datetime.now(UTC),
        )
    )
    append_audit(
        conn, actor=actor, action="api_key.create", subject=key.key_id, after={"name": name, "scopes": sorted(scopes)}
    )
    return key, secret


def revoke_api_key(conn: sa.Connection, key_id: str, actor: str) -> bool:
    changed = conn.execute(
        sa.update(api_keys)
        .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    ).rowcount
    if changed:
        append_audit(conn, actor=actor, action="api_key.revoke", subject=key_id)
    return bool(changed)


class ApiKeyVerifier:
    """Checks presented keys; remembers answers so the hot path does not query the store on each call.

    Revocation still applies within about `check_every` seconds on every worker: once per interval the verifier
    reads the keys' generation (how many keys exist, how many are revoked, the latest revocation), one aggregate
    over the small api_keys table, and forgets every remembered answer when it moved. A hit costs a dict lookup
    and two clock comparisons. Under steady traffic the read runs on a short-lived thread, because a round trip to
    PostgreSQL under load took milliseconds, which the event loop (and every request queued on it) would
    otherwise wait for once a second; after an idle spell (no read for two intervals) it is made in line, so no
    remembered answer is ever older than two intervals: a revoked key is refused within 2 s at most, about 1 s
    under traffic.
    """

    MAX_CACHED = 10_000  # keys remembered at once: made-up keys must not grow the cache without end

    def __init__(self, engine: sa.Engine, ttl_seconds: float = 300.0, check_every: float = 1.0) -> None:
        self.engine = engine
        self.ttl = ttl_seconds
        self.check_every = check_every
        # by the presented key itself: hashing it on every request cost more than the look-up
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}
        self._generation: tuple[object, ...] | None = None
        self._checked_at = float("-inf")
        self._refreshing = threading.Lock()

    def _refresh(self, now: float) -> None:
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(sa.func.count(), sa.func.count(api_keys.c.revoked_at), sa.func.max(api_keys.c.revoked_at))
            ).one()
        generation = tuple(row)
        if generation != self._generation:
            self._cache.clear()
            self._generation = generation
        self._checked_at = now

    def _refresh_in_background(self, now: float) -> None:
        if not self._refreshing.acquire(blocking=False):
            return  # one read at a time

        def run() -> None:
            try:
                self._refresh(now)
            except Exception:  # the store is unreachable: answers stay as they were; retried next interval
                self._checked_at = now
                log.warning("api keys: the revocation generation could not be read", exc_info=True)
            finally:
                self._refreshing.release()

        threading.Thread(target=run, name="warden-api-key-generation", daemon=True).start()

    def verify(self, presented: str | None) -> ApiKey | None:
        if not presented or not presented.startswith(KEY_PREFIX):
            return None
        now = time.monotonic()
        stale = now - self._checked_at
        if stale >= self.check_every:
            # In line when the last read is long past (the first call, or a worker that sat idle), so a remembered
            # answer is never more than 2 intervals old; on a thread while traffic keeps it fresh.
            if stale >= 2 * self.check_every:
                self._refresh(now)
            else:
                self._refresh_in_background(now)
        cached = self._cache.get(presented)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        digest = _digest(presented)
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(api_keys.c.key_id, api_keys.c.name, api_keys.c.scopes).where(
                    api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None)
                )
            ).one_or_none()
        key = ApiKey(row.key_id, row.name, frozenset(row.scopes.split())) if row else None
        if len(self._cache) >= self.MAX_CACHED:
            self._cache.clear()
        self._cache[presented] = (now, key)
        return key
