"""Each kind of domain refusal (warden.errors) and its HTTP status, stated once for both faces."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import HTTPException

from warden import errors

# Most specific first: a stage's error may be several kinds at once (cases' NotFound is a CaseError too).
_STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Forbidden, 403),
    (errors.Conflict, 409),
    (errors.DomainError, 422),
)


def http_status(exc: errors.DomainError) -> int:
    return next(code for kind, code in _STATUS if isinstance(exc, kind))


@contextmanager
def domain_errors() -> Iterator[None]:
    """The domain's refusals as HTTP answers, their messages intact."""
    try:
        yield
    except errors.DomainError as exc:
        raise HTTPException(http_status(exc), str(exc)) from None
