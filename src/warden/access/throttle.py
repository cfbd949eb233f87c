"""Sign-in throttling per person and per client address, with back-off.

Each failed sign-in counts against `user:<name>` and `address:<ip>`. `max_failures` failures within `window`
lock the subject for `base_lock`, doubled for each lock in a row (capped at `max_lock`); a lock that has
passed without further failures for a whole window is forgotten. While either subject is locked every attempt,
with the right password too, is refused without checking the password (so a lock also stops password guessing
from costing argon2 time). A success clears the person's count, never the address's: a guesser with one valid
account cannot reset the address by signing in between guesses. Counts live in the store, so every worker
sees them.

The price: anyone can lock a person out for a while by failing on purpose. The per-address lock bounds how
much one address can do; the lock is short at first and the audit log shows who tried.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from warden.access.tables import sign_in_throttle


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta = timedelta(minutes=15)
    base_lock: timedelta = timedelta(minutes=1)
    max_lock: timedelta = timedelta(hours=1)

    def lock_for(self, locks: int) -> timedelta:
        return min(self.base_lock * (2 ** (locks - 1)), self.max_lock)


PER_USER = ThrottlePolicy(max_failures=5)
# Looser per address: an office behind one NAT address shares it.
PER_ADDRESS = ThrottlePolicy(max_failures=20)


@dataclass(frozen=True)
class Lock:
    subject: str
    until: datetime

    def retry_after(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


def subjects(username: str, client: str | None) -> list[tuple[str, ThrottlePolicy]]:
    found = [(f"user:{username}"[:200], PER_USER)]
    if client:
        found.append((f"address:{client}"[:200], PER_ADDRESS))
    return found


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were written as UTC.
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _row_for_update(conn: sa.Connection, subject: str, now: datetime) -> Any:
    """The subject's row, created if missing, locked until the transaction ends (PostgreSQL; SQLite's write lock
    is already held by then, or taken by the insert)."""
    values = {"subject": subject, "failures": 0, "window_started_at": now, "locks": 0, "locked_until": None}
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    conn.execute(dialect.insert(sign_in_throttle).values(**values).on_conflict_do_nothing())
    query = sa.select(
        sign_in_throttle.c.failures,
        sign_in_throttle.c.window_started_at,
        sign_in_throttle.c.locks,
        sign_in_throttle.c.locked_until,
    ).where(sign_in_throttle.c.subject == subject)
    return conn.execute(query.with_for_update()).one()


def current_lock(conn: sa.Connection, username: str, client: str | None, now: datetime | None = None) -> Lock | None:
    """The longest lock on the person or the address, if any is on now."""
    now = now or datetime.now(UTC)
    names = [subject for subject, _ in subjects(username, client)]
    rows = conn.execute(
        sa.select(sign_in_throttle.c.subject, sign_in_throttle.c.locked_until).where(
            sign_in_throttle.c.subject.in_(names), sign_in_throttle.c.locked_until.is_not(None)
        )
    ).all()
    locks = [Lock(r.subject, until) for r in rows if (until := _utc(r.locked_until)) is not None and until > now]
    return max(locks, key=lambda lock: lock.until, default=None)


def record_failure(conn: sa.Connection, username: str, client: str | None, now: datetime | None = None) -> Lock | None:
    """Counts a failure on each subject; the lock it brings on, if it brings one."""
    now = now or datetime.now(UTC)
    earned = []
    for subject, policy in subjects(username, client):
        row = _row_for_update(conn, subject, now)
        failures, started, locks = int(row.failures), _utc(row.window_started_at), int(row.locks)
        locked_until = _utc(row.locked_until)
        assert started is not None
        if started + policy.window <= now:
            failures, started = 0, now
        if locked_until is None or locked_until + policy.window <= now:
            locks = 0
        failures += 1
        if failures >= policy.max_failures:
            locks += 1
            locked_until = now + policy.lock_for(locks)
            failures, started = 0, now
            earned.append(Lock(subject, locked_until))
        conn.execute(
            sa.update(sign_in_throttle)
            .where(sign_in_throttle.c.subject == subject)
            .values(failures=failures, window_started_at=started, locks=locks, locked_until=locked_until)
        )
    return max(earned, key=lambda lock: lock.until, default=None)


def record_success(conn: sa.Connection, username: str) -> None:
    conn.execute(
        sa.update(sign_in_throttle)
        .where(sign_in_throttle.c.subject == f"user:{username}"[:200])
        .values(failures=0, locks=0, locked_until=None)
    )
