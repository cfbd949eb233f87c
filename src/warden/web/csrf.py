"""Cross-site request checks for people's sessions: the per-session CSRF token and the Origin header.

Both faces use them: console forms and htmx send the token as a form field or `X-CSRF-Token`; cookie-
authenticated /v1 writes must send `X-CSRF-Token` (from the login answer or GET /v1/session/me). API-key callers
are exempt: a browser cannot attach their header to a cross-site request.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from warden.web.sessions import SESSION_COOKIE, server_secret

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_for(secret: bytes, session_token: str) -> str:
    return hmac.new(secret, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: HTTPConnection) -> str:
    """An HMAC of the session cookie under the server's secret: unguessable elsewhere, new on each sign-in."""
    return csrf_for(server_secret(request), request.cookies.get(SESSION_COOKIE, ""))


def same_origin(request: HTTPConnection) -> bool:
    """Browsers send Origin on cross-site POSTs; when it is there it must be this server."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


def header_csrf_ok(request: HTTPConnection) -> bool:
    presented = request.headers.get(CSRF_HEADER)
    return presented is not None and hmac.compare_digest(presented, csrf_token(request))
