"""The per-session CSRF token that console forms and htmx requests carry."""

from __future__ import annotations

import hashlib
import hmac

from starlette.requests import HTTPConnection

from warden.web.sessions import SESSION_COOKIE, server_secret

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(request: HTTPConnection) -> str:
    """An HMAC of the session cookie under the server's secret: unguessable elsewhere, new on each sign-in."""
    token = request.cookies.get(SESSION_COOKIE, "")
    return hmac.new(server_secret(request), b"csrf:" + token.encode(), hashlib.sha256).hexdigest()
