"""Errors of the case domain; each message says what was refused and why, so the API and CLI pass it on."""

from __future__ import annotations


class CaseError(ValueError):
    """A request the case domain refuses (bad input or a rule of the workflow)."""


class NotFound(CaseError):
    """The case, proposal or user does not exist."""


class IllegalTransition(CaseError):
    """The case's state machine does not allow this move."""


class Forbidden(CaseError):
    """The actor may not do this (role, skill, four eyes)."""


class Conflict(CaseError):
    """The request clashes with the current state (already assigned, already decided, at capacity)."""
