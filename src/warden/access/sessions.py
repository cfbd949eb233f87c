"""Server-side sessions for people: a random token per sign-in, kept only as its SHA-256, revocable.

The cookie carries the token; the store keeps its hash (a stolen database yields no usable cookie), who it
belongs to, when it expires, and whether and why it was revoked. Signing out revokes the one session; changing a
password, a role or deactivating a person revokes all of theirs (`access/accounts.py`). The role is read from the
store with the session on every request, so a change applies at once even without revocation.

`session_secret` keys what is derived from a token (the console's CSRF token), not the sessions themselves.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from warden.access.tables import sessions, users
from warden.access.users import User, user_from_row
from warden.settings import Settings
from warden.store.keys import read_or_create_key

SESSION_TTL = timedelta(hours=8)


def session_secret(settings: Settings) -> bytes:
    """WARDEN_SECRET_KEY, or a random key generated once and kept in data_dir/secret.key (mode 0600)."""
    if settings.secret_key:
        return settings.secret_key.encode()
    return read_or_create_key(settings.data_dir / "secret.key")


def token_hash(token: str) -> str:
    # 256 random bits need no salt or slow hash: the hash only keeps the store's copy from being a cookie.
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    conn: sa.Connection, username: str, channel: str, client: str | None, now: datetime | None = None
) -> str:
    """A new session for `username`; returns its token (shown to the browser once, never stored)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    # The person's expired sessions go now, so the table holds about one row per live session.
    conn.execute(sa.delete(sessions).where(sessions.c.username == username, sessions.c.expires_at <= now))
    conn.execute(
        sa.insert(sessions).values(
            token_hash=token_hash(token),
            username=username,
            channel=channel,
            client=(client or "")[:64] or None,
            created_at=now,
            expires_at=now + SESSION_TTL,
        )
    )
    return token


def session_user(conn: sa.Connection, token: str, now: datetime | None = None) -> User | None:
    """The active person behind a live (unrevoked, unexpired) session token, or None. One indexed read."""
    row = conn.execute(
        sa.select(users)
        .join(sessions, sessions.c.username == users.c.username)
        .where(
            sessions.c.token_hash == token_hash(token),
            sessions.c.revoked_at.is_(None),
            sessions.c.expires_at > (now or datetime.now(UTC)),
            users.c.active.is_(True),
        )
    ).first()
    return user_from_row(row) if row is not None else None


def revoke_session(conn: sa.Connection, token: str, why: str = "sign_out", now: datetime | None = None) -> bool:
    changed = conn.execute(
        sa.update(sessions)
        .where(sessions.c.token_hash == token_hash(token), sessions.c.revoked_at.is_(None))
        .values(revoked_at=now or datetime.now(UTC), revoked_why=why)
    ).rowcount
    return bool(changed)


def revoke_user_sessions(conn: sa.Connection, username: str, why: str, now: datetime | None = None) -> int:
    """Ends every live session of a person (password, role or status changed); how many were live."""
    return int(
        conn.execute(
            sa.update(sessions)
            .where(sessions.c.username == username, sessions.c.revoked_at.is_(None))
            .values(revoked_at=now or datetime.now(UTC), revoked_why=why)
        ).rowcount
    )
