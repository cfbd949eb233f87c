"""Errors of access: people, roles, sessions and API keys."""

from __future__ import annotations

from warden import errors


class AccessError(errors.DomainError):
    """A request about people or keys that is refused (bad name, role or password)."""


class UnknownUser(AccessError, errors.NotFound):
    """No such user."""


class UserExists(AccessError, errors.Conflict):
    """The username is taken."""
