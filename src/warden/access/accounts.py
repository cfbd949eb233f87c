"""Changing a person's password, role or status: audited, and every session of theirs ends with it."""

from __future__ import annotations

import sqlalchemy as sa

from warden.access.errors import AccessError
from warden.access.roles import ROLES
from warden.access.sessions import revoke_user_sessions
from warden.access.tables import users
from warden.access.users import User, authenticate, get_user, password_hash
from warden.audit.log import append_audit


def change_password(conn: sa.Connection, username: str, current: str, new: str) -> int:
    """A person changes their own password (the current one is checked); returns how many sessions ended."""
    if authenticate(conn, username, current) is None:
        raise AccessError("the current password is wrong")
    return set_password(conn, username, new, actor=username)


def set_password(conn: sa.Connection, username: str, new: str, actor: str) -> int:
    get_user(conn, username)  # NotFound for nobody
    conn.execute(sa.update(users).where(users.c.username == username).values(password_hash=password_hash(new)))
    ended = revoke_user_sessions(conn, username, "password")
    append_audit(conn, actor=actor, action="user.password", subject=f"user:{username}", after={"sessions_ended": ended})
    return ended


def update_user(
    conn: sa.Connection, username: str, actor: str, role: str | None = None, active: bool | None = None
) -> User:
    """A new role and/or status; any change ends the person's sessions."""
    before = get_user(conn, username)
    if role is not None and role not in ROLES:
        raise AccessError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    values = {k: v for k, v in (("role", role), ("active", active)) if v is not None}
    if not values:
        return before
    conn.execute(sa.update(users).where(users.c.username == username).values(**values))
    after = get_user(conn, username)
    why = "deactivated" if active is False else "role"
    ended = revoke_user_sessions(conn, username, why) if after != before else 0
    append_audit(
        conn,
        actor=actor,
        action="user.update",
        subject=f"user:{username}",
        before=before.as_dict(),
        after=dict(after.as_dict(), sessions_ended=ended),
    )
    return after
