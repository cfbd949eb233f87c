"""People: usernames, roles, argon2 password hashes, skills (queues they may work) and capacity.

Which queues a role may work is the case workflow's business: `cases.staffing.add_user` checks skills
against the queue configuration and calls `insert_user` here."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from warden.access.errors import AccessError, UnknownUser, UserExists
from warden.access.roles import ROLES, Actor
from warden.access.tables import users
from warden.audit.log import append_audit

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


def user_from_row(row: sa.Row[Any]) -> User:
    return User(row.username, row.role, tuple(json.loads(row.skills)), int(row.capacity), bool(row.active))


def password_hash(password: str) -> str:
    """The argon2id hash of a password long enough to accept."""
    if len(password) < MIN_PASSWORD:
        raise AccessError(f"the password needs at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def insert_user(
    conn: sa.Connection,
    username: str,
    role: str,
    password: str,
    *,
    skills: list[str],
    capacity: int = 20,
    actor: str = "cli",
    now: datetime | None = None,
) -> User:
    """Add a person with checked name, role, password and capacity (skills are checked by the caller)."""
    if not _NAME.match(username):
        raise AccessError(f"username {username!r}: 2-64 characters of a-z, 0-9, '.', '_', '-', starting alphanumeric")
    if role not in ROLES:
        raise AccessError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    hashed = password_hash(password)
    if capacity < 1:
        raise AccessError("capacity must be at least 1")
    if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first() is not None:
        raise UserExists(f"user {username} already exists")
    user = User(username, role, tuple(skills), capacity, True)
    conn.execute(
        sa.insert(users).values(
            username=username,
            role=role,
            password_hash=hashed,
            skills=json.dumps(list(skills)),
            capacity=capacity,
            active=True,
            created_at=now or datetime.now(UTC),
        )
    )
    append_audit(conn, actor=actor, action="user.add", subject=f"user:{username}", after=user.as_dict())
    return user


def get_user(conn: sa.Connection, username: str) -> User:
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise UnknownUser(f"no user {username!r}")
    return user_from_row(row)


def list_users(conn: sa.Connection) -> list[User]:
    return [user_from_row(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def authenticate(conn: sa.Connection, username: str, password: str) -> User | None:
    """The active user with this password, or None (the same answer whichever part was wrong)."""
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    try:
        _HASHER.verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    return user_from_row(row)
