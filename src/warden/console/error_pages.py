"""Console requests that fail before a page handles them (an unknown path, a query that does not validate) get
an HTML page with the status, the reason and a way back, not FastAPI's JSON. The API (/v1, /docs,
/openapi.json, /healthz, /static) keeps its JSON answers."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from warden.console.templating import TEMPLATES
from warden.web.errors import api_http_exception_handler
from warden.web.sessions import session_user

_API_PREFIXES = ("/v1", "/docs", "/openapi.json", "/healthz", "/static", "/redoc")


def _is_console(request: Request) -> bool:
    return not request.url.path.startswith(_API_PREFIXES)


async def _page(request: Request, status: int, reason: str, errors: list[dict[str, str]]) -> Response:
    user = getattr(request.state, "user", None) or await run_in_threadpool(session_user, request)
    request.state.user = user  # the header shows who is signed in (and the search box) when someone is
    context: dict[str, Any] = {"status": status, "reason": reason, "errors": errors}
    return TEMPLATES.TemplateResponse(request, "refused.html", context, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_console(request) or exc.status_code < 400:
        return await api_http_exception_handler(request, exc)  # every /v1 422 in the validation-error shape
    reason = "There is no such page." if exc.status_code == 404 else str(exc.detail)
    return await _page(request, exc.status_code, reason, [])


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_console(request):
        return await request_validation_exception_handler(request, exc)
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body", "path")), "message": e["msg"]}
        for e in exc.errors()
    ]
    return await _page(request, 422, "The request's values do not check:", errors)


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
