"""API-key authentication for the machine-to-machine API (`X-API-Key` header or `Authorization: Bearer`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import HTTPException, status
from starlette.requests import HTTPConnection, Request

from warden.governance.api_keys import ApiKey, ApiKeyVerifier


def _presented(request: HTTPConnection) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


def authorise(request: HTTPConnection, scope: str) -> ApiKey:
    """The caller's key if it carries `scope`; HTTP 401 without a valid key, 403 without the scope."""
    verifier: ApiKeyVerifier = request.app.state.api_keys
    key = verifier.verify(_presented(request))
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "a valid API key is required (X-API-Key header)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if scope not in key.scopes and "admin" not in key.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this API key lacks the scope {scope!r}")
    return key


def require_scope(scope: str) -> Callable[[Request], Awaitable[ApiKey]]:
    """A dependency that admits only keys carrying `scope` (see `authorise`)."""

    # async on purpose: FastAPI runs a plain `def` dependency in a thread pool, which cost more per request
    # than the check itself (keys are cached; a miss is one primary-key read).
    async def check(request: Request) -> ApiKey:
        return authorise(request, scope)

    return check
