"""Errors of the case domain; each message says what was refused and why, so the API and CLI pass it on."""

from __future__ import annotations

from warden import errors


class CaseError(errors.DomainError):
    """A request the case domain refuses (bad input or a rule of the workflow)."""


class NotFound(CaseError, errors.NotFound):
    """The case, proposal or user does not exist."""


class IllegalTransition(CaseError, errors.Conflict):
    """The case's state machine does not allow this move."""


class Forbidden(CaseError, errors.Forbidden):
    """The actor may not do this (role, skill, four eyes)."""


class Conflict(CaseError, errors.Conflict):
    """The request clashes with the current state (already assigned, already decided, at capacity)."""
