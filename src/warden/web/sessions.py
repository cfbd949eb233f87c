"""People's sessions in both faces: the `warden_session` cookie, set, cleared and read in one place.

The cookie holds a random token; the session itself is server-side (`access/sessions.py`), so signing out,
changing a password or a role ends it at once. `Secure` is set over https, and always with
WARDEN_SECURE_COOKIES=true (behind a TLS terminator the app itself sees http).
"""

from __future__ import annotations

from fastapi import Request, Response
from starlette.requests import HTTPConnection

from warden.access import sessions
from warden.access.sign_in import SignIn, attempt_sign_in, sign_out
from warden.access.users import User

SESSION_COOKIE = "warden_session"


def server_secret(request: HTTPConnection) -> bytes:
    """The key that derives CSRF tokens, read once per app (see access.sessions.session_secret)."""
    state = request.app.state
    secret: bytes | None = getattr(state, "session_secret", None)
    if secret is None:
        secret = state.session_secret = sessions.session_secret(state.settings)
    return secret


def client_address(request: HTTPConnection) -> str | None:
    """The peer's address (behind a proxy, run uvicorn with --forwarded-allow-ips so it is the client's)."""
    return request.client.host if request.client else None


def session_user(request: HTTPConnection) -> User | None:
    """The active user behind the request's session cookie, or None (no, unknown, revoked or expired session)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    with request.app.state.store.engine.connect() as conn:
        return sessions.session_user(conn, token)


def sign_in_request(request: Request, username: str, password: str, channel: str) -> SignIn:
    """A sign-in attempt from this request's client, committed (throttle counts, session, audit) either way."""
    with request.app.state.store.engine.begin() as conn:
        return attempt_sign_in(conn, username, password, channel=channel, client=client_address(request))


def _secure(request: HTTPConnection) -> bool:
    return bool(request.app.state.settings.secure_cookies) or request.url.scheme == "https"


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.SESSION_TTL.total_seconds()),
        httponly=True,  # scripts never see it
        samesite="lax",  # other sites cannot post with it
        secure=_secure(request),
    )


def end_session(request: Request, response: Response, channel: str) -> bool:
    """Revokes the request's session (audited) and clears the cookie; whether a live session was ended."""
    user = session_user(request)
    token = request.cookies.get(SESSION_COOKIE)
    if user is not None and token:
        with request.app.state.store.engine.begin() as conn:
            sign_out(conn, token, user.username, channel)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax", secure=_secure(request))
    return user is not None
