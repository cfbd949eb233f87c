"""Each kind of domain refusal (warden.errors) and its HTTP status, stated once for both faces; and every 422 of
the API in the shape of a validation error.

Routes refuse a well-formed request that breaks a domain rule (an unknown case state, a ruleset that does not
check) with `HTTPException(422, message)`. The OpenAPI document promises `HTTPValidationError` for 422s, an array
of `{loc, msg, type}`, so such a refusal is answered in that shape: `loc` is `["body"]`, `msg` the message, and a
structured detail (a dict with `message` and more) keeps its extra keys under `ctx`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import HTTPException
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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


API_PREFIX = "/v1/"


def validation_detail(detail: Any) -> list[dict[str, Any]]:
    """A 422 detail in the array shape of validation errors."""
    if isinstance(detail, list):
        return detail
    if isinstance(detail, dict):
        extra = {k: v for k, v in detail.items() if k != "message"}
        entry: dict[str, Any] = {"loc": ["body"], "msg": str(detail.get("message", "invalid")), "type": "value_error"}
        return [entry | {"ctx": extra}] if extra else [entry]
    return [{"loc": ["body"], "msg": str(detail), "type": "value_error"}]


async def api_http_exception_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 422 and request.url.path.startswith(API_PREFIX):
        return JSONResponse({"detail": validation_detail(exc.detail)}, status_code=422, headers=exc.headers)
    return await http_exception_handler(request, exc)
