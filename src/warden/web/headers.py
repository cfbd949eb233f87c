"""Security headers on every response, for both faces.

The console serves its own assets only (htmx is vendored, the fund-flow graph's data travels as a JSON
<script type="application/json"> block, behaviours live in static/console.js), so scripts come from this origin
alone; styles allow inline attributes because the server-drawn SVG charts and some templates carry them.
The Swagger page at /docs loads its vendored assets from this origin and starts them with an inline script, so it
gets a policy of its own.
POST /v1/decisions is answered ahead of the middleware (api/app.py); it adds `API_HEADERS` itself.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
# JSON answers load nothing: the shortest policy that still forbids framing, for the bytes of the hot path.
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"

_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")


def security_headers(path: str, hsts: bool, csp: str | None = None) -> list[tuple[bytes, bytes]]:
    csp = csp or (DOCS_CSP if path in DOCS_PATHS else CONSOLE_CSP)
    return [*_COMMON, (b"content-security-policy", csp.encode()), *([HSTS] if hsts else [])]


# What the decisions hot path appends to its own headers: built once.
API_HEADERS = tuple(security_headers("/v1/decisions", hsts=False, csp=JSON_CSP))
API_HEADERS_HSTS = tuple(security_headers("/v1/decisions", hsts=True, csp=JSON_CSP))


class SecurityHeaders:
    """ASGI middleware adding the headers a response does not set itself."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = security_headers(scope["path"], self.hsts)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
