"""The kinds of refusal every stage raises, so each face maps a kind to its answer once (see warden/web/errors.py).

A stage subclasses these (cases.errors.CaseError, access.errors ...); the message says what was refused and why.
"""

from __future__ import annotations


class DomainError(ValueError):
    """A request the domain refuses: bad input or a rule of the workflow."""


class NotFound(DomainError):
    """What the request names does not exist."""


class Forbidden(DomainError):
    """The actor may not do this (role, skill, four eyes)."""


class Conflict(DomainError):
    """The request clashes with the current state (already assigned, already decided, at capacity)."""
