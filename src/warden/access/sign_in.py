"""Signing in: the throttle, the password, a new session and the audit record, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from warden.access import throttle
from warden.access.sessions import open_session, revoke_session
from warden.access.users import User, authenticate
from warden.audit.log import append_audit


@dataclass(frozen=True)
class SignIn:
    """What an attempt came to: a person and their new session token, or a refusal (with the seconds to wait
    when a lock is on)."""

    user: User | None = None
    token: str | None = None
    retry_after: int | None = None


def attempt_sign_in(
    conn: sa.Connection,
    username: str,
    password: str,
    *,
    channel: str,
    client: str | None,
    now: datetime | None = None,
) -> SignIn:
    """Run it in a transaction: the counts, the session and the audit record commit together."""
    now = now or datetime.now(UTC)
    subject = f"user:{username}"
    lock = throttle.current_lock(conn, username, client, now)
    if lock is not None:
        wait = lock.retry_after(now)
        after = {"channel": channel, "client": client, "locked": lock.subject, "retry_after_s": wait}
        append_audit(conn, actor=username, action="session.sign_in_throttled", subject=subject, after=after, at=now)
        return SignIn(retry_after=wait)
    user = authenticate(conn, username, password)
    if user is None:
        earned = throttle.record_failure(conn, username, client, now)
        after = {"channel": channel, "client": client}
        append_audit(conn, actor=username, action="session.sign_in_refused", subject=subject, after=after, at=now)
        if earned is not None:
            lock_after = {"locked": earned.subject, "until": earned.until.isoformat()}
            append_audit(
                conn, actor="system:throttle", action="session.locked", subject=subject, after=lock_after, at=now
            )
        return SignIn()
    throttle.record_success(conn, username)
    token = open_session(conn, user.username, channel, client, now)
    append_audit(
        conn,
        actor=username,
        action="session.sign_in",
        subject=subject,
        after={"channel": channel, "client": client},
        at=now,
    )
    return SignIn(user=user, token=token)


def sign_out(conn: sa.Connection, token: str, username: str, channel: str) -> None:
    revoke_session(conn, token, "sign_out")
    append_audit(
        conn, actor=username, action="session.sign_out", subject=f"user:{username}", after={"channel": channel}
    )
