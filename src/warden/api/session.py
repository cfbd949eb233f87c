"""People's sessions: login with a password, a server-side session behind a cookie, and `require_role(...)`.

Machine callers keep using API keys (warden.web.api_keys); a route that also admits them names the key scope.
Anonymous requests get 401, people with the wrong role 403. A person's writes (POST, PUT, PATCH, DELETE) also need
the session's CSRF token in `X-CSRF-Token` and no foreign Origin, as in the console; API keys are exempt.
Sign-in is throttled per person and per address (`access/throttle.py`): 429 with Retry-After while locked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from warden.access.accounts import change_password, update_user
from warden.access.roles import ROLES, Actor
from warden.access.users import list_users
from warden.cases.staffing import add_user
from warden.web.api_keys import presented
from warden.web.csrf import SAFE_METHODS, csrf_for, csrf_token, header_csrf_ok, same_origin
from warden.web.errors import domain_errors
from warden.web.roles import known_roles, refusal
from warden.web.sessions import SESSION_COOKIE, end_session, server_secret, session_user, sign_in_request, start_session

router = APIRouter(prefix="/v1/session", tags=["session"])


def _api_key_actor(request: Request, scope: str) -> Actor | None:
    key_text = presented(request)
    if key_text is None:
        return None
    key = request.app.state.api_keys.verify(key_text)
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "the API key is not valid", headers={"WWW-Authenticate": "Bearer"}
        )
    if scope not in key.scopes and "admin" not in key.scopes:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this API key lacks the scope {scope!r}")
    return Actor(f"apikey:{key.key_id}", "machine")


def require_role(*roles: str, api_key_scope: str | None = None) -> Callable[[Request], Actor]:
    """A dependency admitting signed-in people with one of `roles` (and, if a scope is named, API keys with it)."""
    allowed = known_roles(roles)

    def check(request: Request) -> Actor:
        user = session_user(request)
        if user is not None:
            why = refusal(user, allowed)
            if why is not None:
                raise HTTPException(status.HTTP_403_FORBIDDEN, why)
            if request.method not in SAFE_METHODS and not (same_origin(request) and header_csrf_ok(request)):
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    "a signed-in write needs the session's CSRF token in X-CSRF-Token (see GET /v1/session/me) "
                    "and no foreign Origin",
                )
            return user.actor
        if api_key_scope is not None:
            actor = _api_key_actor(request, api_key_scope)
            if actor is not None:
                return actor
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first (POST /v1/session/login)")

    return check


class Login(BaseModel):
    username: str = Field(..., max_length=64)
    password: str = Field(..., max_length=1024)


class PasswordChange(BaseModel):
    current_password: str = Field(..., max_length=1024)
    new_password: str = Field(..., max_length=1024)


class UserChange(BaseModel):
    role: str | None = None
    active: bool | None = None


class NewUser(BaseModel):
    username: str
    role: str
    password: str
    skills: list[str] | None = None
    capacity: int = 20


@router.post(
    "/login",
    summary="Sign in; sets the session cookie",
    responses={401: {"description": "unknown user or wrong password"}, 429: {"description": "locked; see Retry-After"}},
)
def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    if not same_origin(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "sign-in from another site is refused")
    attempt = sign_in_request(request, body.username, body.password, channel="api")
    if attempt.retry_after is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed sign-ins; try again in {attempt.retry_after} s",
            headers={"Retry-After": str(attempt.retry_after)},
        )
    if attempt.user is None or attempt.token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown user or wrong password")
    start_session(request, response, attempt.token)
    return dict(attempt.user.as_dict(), csrf_token=csrf_for(server_secret(request), attempt.token))


@router.post("/logout", summary="Sign out; ends the session and clears the cookie")
def logout(request: Request, response: Response) -> dict[str, bool]:
    # No CSRF token needed: ending a session is what a forged request would least want.
    return {"signed_out": end_session(request, response, channel="api")}


@router.get("/me", summary="The signed-in user, and the CSRF token their writes carry")
def me(request: Request, _: Actor = Depends(require_role(*ROLES))) -> dict[str, Any]:
    user = session_user(request)
    assert user is not None  # require_role admitted a person
    return dict(user.as_dict(), csrf_token=csrf_token(request))


@router.post("/password", summary="Change your own password; ends all your sessions and starts a new one")
def password(
    body: PasswordChange, request: Request, response: Response, actor: Actor = Depends(require_role(*ROLES))
) -> dict[str, Any]:
    with domain_errors(), request.app.state.store.engine.begin() as conn:
        ended = change_password(conn, actor.name, body.current_password, body.new_password)
    response.delete_cookie(SESSION_COOKIE)
    attempt = sign_in_request(request, actor.name, body.new_password, channel="api")
    if attempt.token is not None:
        start_session(request, response, attempt.token)
    return {"sessions_ended": ended, "csrf_token": csrf_for(server_secret(request), attempt.token or "")}


@router.get("/users", summary="All users (admin)")
def users(request: Request, _: Actor = Depends(require_role("admin"))) -> list[dict[str, Any]]:
    with request.app.state.store.engine.connect() as conn:
        return [u.as_dict() for u in list_users(conn)]


@router.post("/users", status_code=201, summary="Add a user (admin)")
def create_user(body: NewUser, request: Request, actor: Actor = Depends(require_role("admin"))) -> dict[str, Any]:
    with domain_errors(), request.app.state.store.engine.begin() as conn:
        user = add_user(
            conn,
            body.username,
            body.role,
            body.password,
            skills=body.skills,
            capacity=body.capacity,
            actor=actor.name,
        )
    return user.as_dict()


@router.patch("/users/{username}", summary="Change a user's role or status (admin); ends their sessions")
def change_user(
    username: str, body: UserChange, request: Request, actor: Actor = Depends(require_role("admin"))
) -> dict[str, Any]:
    with domain_errors(), request.app.state.store.engine.begin() as conn:
        return update_user(conn, username, actor.name, role=body.role, active=body.active).as_dict()
