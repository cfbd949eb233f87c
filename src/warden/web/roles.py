"""Role checks shared by the API's `require_role` and the console's `console_user`."""

from __future__ import annotations

from warden.access.roles import ROLES
from warden.access.users import User


def known_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    """The roles a route admits (none named: every role); a typo fails when the route is declared."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown role(s) {sorted(unknown)}")
    return roles or ROLES


def refusal(user: User, allowed: tuple[str, ...]) -> str | None:
    """Why `user` may not pass, or None when their role is allowed."""
    return None if user.role in allowed else f"{user.username} is {user.role}; this needs {' or '.join(allowed)}"
