"""API-key authentication for the machine-to-machine API (`X-API-Key` header or `Authorization: Bearer`), for
the API's routes and for /v1 routes that also admit signed-in people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from fastapi import HTTPException, status
from starlette.requests import HTTPConnection, Request
from starlette.types import Scope

from warden.access.api_keys import ApiKey, ApiKeyVerifier


def presented_key(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The key in `X-API-Key`, else in `Authorization: Bearer`, from the raw ASGI headers (lower-case names;
    the first of a repeated header counts, as Starlette's `Headers.get` has it). Read raw because building
    Starlette's `Headers` cost more than the rest of the check on the decisions hot path."""
    key = auth = None
    for name, value in headers:
        if name == b"x-api-key" and key is None:
            key = value.decode("latin-1")
        elif name == b"authorization" and auth is None:
            auth = value.decode("latin-1")
    if key:
        return key
    return auth[7:].strip() if auth and auth.lower().startswith("bearer ") else None


def presented(request: HTTPConnection) -> str | None:
    return presented_key(request.scope["headers"])


def authorise(request: HTTPConnection, scope: str) -> ApiKey:
    """The caller's key if it carries `scope`; HTTP 401 without a valid key, 403 without the scope."""
    return authorise_scope(request.scope, scope)


def authorise_scope(asgi_scope: Scope, scope: str) -> ApiKey:
    """`authorise` for a plain ASGI route: the same answers from the ASGI scope."""
    verifier: ApiKeyVerifier = asgi_scope["app"].state.api_keys
    key = verifier.verify(presented_key(asgi_scope["headers"]))
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
