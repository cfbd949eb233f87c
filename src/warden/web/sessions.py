"""People's sessions in both faces: the signed `warden_session` cookie, set, cleared and read in one place."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.requests import HTTPConnection

from warden.access.sessions import SESSION_TTL, session_secret, sign_session, verify_session
from warden.access.users import User, get_user
from warden.errors import NotFound

SESSION_COOKIE = "warden_session"


def server_secret(request: HTTPConnection) -> bytes:
    """The key that signs sessions and CSRF tokens, read once per app (see access.sessions.session_secret)."""
    state = request.app.state
    secret: bytes | None = getattr(state, "session_secret", None)
    if secret is None:
        secret = state.session_secret = session_secret(state.settings)
    return secret


def session_user(request: HTTPConnection) -> User | None:
    """The active user behind the request's session cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    session = verify_session(server_secret(request), token)
    if session is None:
        return None
    with request.app.state.store.engine.connect() as conn:
        try:
            user = get_user(conn, session.username)
        except NotFound:
            return None
    return user if user.active else None


def start_session(request: Request, response: Response, user: User) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        sign_session(server_secret(request), user.username),
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,  # scripts never see it
        samesite="lax",  # other sites cannot post with it
        secure=request.url.scheme == "https",
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
