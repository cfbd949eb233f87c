"""People's sessions: login with a password, a signed cookie, and `require_role(...)` for routes and pages.

Machine callers keep using API keys (warden.web.api_keys); a route that also admits them names the key scope.
Anonymous requests get 401, people with the wrong role 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field

from warden.access.roles import ROLES, Actor
from warden.access.users import list_users, record_sign_out, sign_in
from warden.cases.staffing import add_user
from warden.web.api_keys import presented
from warden.web.errors import domain_errors
from warden.web.roles import known_roles, refusal
from warden.web.sessions import end_session, session_user, start_session

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


class NewUser(BaseModel):
    username: str
    role: str
    password: str
    skills: list[str] | None = None
    capacity: int = 20


@router.post("/login", summary="Sign in; sets the session cookie")
def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    with request.app.state.store.engine.begin() as conn:
        user = sign_in(conn, body.username, body.password, channel="api")
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown user or wrong password")
    start_session(request, response, user)
    return user.as_dict()


@router.post("/logout", summary="Sign out; clears the session cookie")
def logout(request: Request, response: Response) -> dict[str, bool]:
    user = session_user(request)
    if user is not None:
        with request.app.state.store.engine.begin() as conn:
            record_sign_out(conn, user.username, channel="api")
    end_session(response)
    return {"signed_out": True}


@router.get("/me", summary="The signed-in user")
def me(request: Request, _: Actor = Depends(require_role(*ROLES))) -> dict[str, Any]:
    user = session_user(request)
    assert user is not None  # require_role admitted a person
    return user.as_dict()


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
