"""Domain errors as HTTP answers: every 422 of the API has the shape of a validation error.

Routes refuse a well-formed request that breaks a domain rule (an unknown case state, a ruleset that does not
check) with `HTTPException(422, message)`. The OpenAPI document promises `HTTPValidationError` for 422s, an array
of `{loc, msg, type}`, so such a refusal is answered in that shape: `loc` is `["body"]`, `msg` the message, and a
structured detail (a dict with `message` and more) keeps its extra keys under `ctx`.
"""

from __future__ import annotations

from typing import Any

from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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
    assert isinstance(exc, HTTPException)
    if exc.status_code == 422 and request.url.path.startswith(API_PREFIX):
        return JSONResponse({"detail": validation_detail(exc.detail)}, status_code=422, headers=exc.headers)
    return await http_exception_handler(request, exc)
