"""People: usernames, roles, argon2 password hashes, skills (queues they may work) and capacity."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from warden.audit.log import append_audit
from warden.cases.errors import CaseError, Conflict, NotFound
from warden.cases.model import ROLES, SENIOR_ROLES, Actor
from warden.cases.queues import QueueConfig, default_queue_config
from warden.cases.records import dumps, utcnow
from warden.cases.tables import users

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
# A hash of a throwaway password: unknown users cost as much time as known ones, so timing tells nothing.
_DUMMY_HASH = _HASHER.hash("warden-dummy-password")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    skills: tuple[str, ...]
    capacity: int
    active: bool

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role)

    def as_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "skills": list(self.skills),
            "capacity": self.capacity,
            "active": self.active,
        }


def _user(row: sa.Row[Any]) -> User:
    return User(row.username, row.role, tuple(json.loads(row.skills)), int(row.capacity), bool(row.active))


def default_skills(role: str, config: QueueConfig) -> list[str]:
    """Seniors work every queue; analysts every queue that is not senior-only; other roles none."""
    if role in SENIOR_ROLES:
        return sorted(config.queues)
    if role == "analyst":
        return sorted(q.name for q in config.queues.values() if not q.senior_only)
    return []


def add_user(
    conn: sa.Connection,
    username: str,
    role: str,
    password: str,
    *,
    skills: list[str] | None = None,
    capacity: int = 20,
    actor: str = "cli",
    config: QueueConfig | None = None,
    now: datetime | None = None,
) -> User:
    config = config or default_queue_config()
    if not _NAME.match(username):
        raise CaseError(f"username {username!r}: 2-64 characters of a-z, 0-9, '.', '_', '-', starting alphanumeric")
    if role not in ROLES:
        raise CaseError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise CaseError(f"the password needs at least {MIN_PASSWORD} characters")
    if capacity < 1:
        raise CaseError("capacity must be at least 1")
    chosen = sorted(set(skills)) if skills else default_skills(role, config)
    unknown = [s for s in chosen if s not in config.queues]
    if unknown:
        raise CaseError(f"unknown queue(s) {', '.join(unknown)}; queues are {', '.join(sorted(config.queues))}")
    senior_only = [s for s in chosen if config.queues[s].senior_only and role not in SENIOR_ROLES]
    if senior_only:
        raise CaseError(f"queue(s) {', '.join(senior_only)} are for senior analysts; {role} cannot work them")
    if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first() is not None:
        raise Conflict(f"user {username} already exists")
    user = User(username, role, tuple(chosen), capacity, True)
    conn.execute(
        sa.insert(users).values(
            username=username,
            role=role,
            password_hash=_HASHER.hash(password),
            skills=dumps(list(chosen)),
            capacity=capacity,
            active=True,
            created_at=now or utcnow(),
        )
    )
    append_audit(conn, actor=actor, action="user.add", subject=f"user:{username}", after=user.as_dict())
    return user


def get_user(conn: sa.Connection, username: str) -> User:
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFound(f"no user {username!r}")
    return _user(row)


def list_users(conn: sa.Connection) -> list[User]:
    return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def authenticate(conn: sa.Connection, username: str, password: str) -> User | None:
    """The active user with this password, or None (the same answer whichever part was wrong)."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    try:
        _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return _user(row)


def sign_in(conn: sa.Connection, username: str, password: str, channel: str) -> User | None:
    """`authenticate`, with the attempt on the audit log either way (who, through the console or the API).

    Run it in a transaction: the audit record commits with the caller's."""
    user = authenticate(conn, username, password)
    action = "session.sign_in" if user is not None else "session.sign_in_refused"
    append_audit(conn, actor=username, action=action, subject=f"user:{username}", after={"channel": channel})
    return user


def record_sign_out(conn: sa.Connection, username: str, channel: str) -> None:
    append_audit(
        conn, actor=username, action="session.sign_out", subject=f"user:{username}", after={"channel": channel}
    )
