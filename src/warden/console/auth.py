"""Who may see a console page: `console_user(*roles)`, the sign-in and sign-out pages, and CSRF checks.

Pages need a signed-in person (the same `warden_session` cookie as /v1/session). Anonymous visitors are sent
to /login?next=<the page>; people without one of the page's roles get a 403 page. State-changing requests
(POST and friends) must also carry the session's CSRF token, as the form field `csrf_token` or the header
`X-CSRF-Token` (htmx sends it from `hx-headers` on <body>); the cookie itself is SameSite=Lax.

Routers whose pages should answer refusals as HTML use `console_router()`; a plain APIRouter still works
(refusals then come back as the JSON of FastAPI's HTTPException, with the same status and Location).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from warden.access.users import User
from warden.console.templating import TEMPLATES
from warden.web.csrf import CSRF_FIELD, CSRF_HEADER, csrf_token, same_origin
from warden.web.roles import known_roles, refusal
from warden.web.sessions import end_session, session_user, sign_in_request, start_session

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ConsoleRefusal(HTTPException):
    """A console request refused: 303 to the login page, or 403 with the reason."""

    def __init__(self, status_code: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code, detail, headers)


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything pointing off-site becomes '/'."""
    if not target:
        return "/"
    parts = urlsplit(target)
    # Browsers read "/\\host" as "//host"; control characters can hide either.
    odd = "\\" in target or any(ord(c) < 32 for c in target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or odd:
        return "/"
    return target


def _login_redirect(request: Request) -> ConsoleRefusal:
    if request.method in _SAFE_METHODS:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:  # a form posted after the session ended: come back to the page it was on
        here = urlsplit(request.headers.get("HX-Current-URL") or request.headers.get("referer") or "/").path
    location = f"/login?next={quote(safe_next(here), safe='/')}"
    # htmx follows redirects inside its XHR and would swap the login page into a fragment; tell it to navigate.
    headers = {"Location": location, "HX-Redirect": location}
    return ConsoleRefusal(303, "sign in first", headers)


async def _csrf_ok(request: Request) -> bool:
    expected = csrf_token(request)
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # cached by Starlette, so the route's Form(...) fields still read it
            value = form.get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
    return presented is not None and hmac.compare_digest(presented, expected)


def console_user(*roles: str) -> Callable[[Request], Awaitable[User]]:
    """A dependency giving the signed-in User, if they hold one of `roles` (none named: any role)."""
    allowed = known_roles(roles)

    async def check(request: Request) -> User:
        # A page's router and its route may both ask; the store is read once per request.
        # (The lookup reads the store, so it runs in the thread pool, off the event loop.)
        user = getattr(request.state, "user", None) or await run_in_threadpool(session_user, request)
        if user is None:
            raise _login_redirect(request)
        request.state.user = user  # base.html shows who is signed in and puts the CSRF token in hx-headers
        why = refusal(user, allowed)
        if why is not None:
            raise ConsoleRefusal(403, why)
        if request.method not in _SAFE_METHODS and not (same_origin(request) and await _csrf_ok(request)):
            raise ConsoleRefusal(403, "the form's CSRF token is missing or stale; reload the page and try again")
        return user

    return check


def refusal_page(request: Request, exc: ConsoleRefusal) -> Response:
    if exc.status_code == 303:
        return RedirectResponse(exc.headers["Location"] if exc.headers else "/login", 303, headers=exc.headers)
    context = {"status": exc.status_code, "reason": exc.detail}
    return TEMPLATES.TemplateResponse(request, "refused.html", context, status_code=exc.status_code)


class ConsoleRoute(APIRoute):
    """Answers ConsoleRefusal with a redirect or an HTML page instead of JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ConsoleRefusal as exc:
                return refusal_page(request, exc)

        return guarded


def console_router(*roles: str, signed_in: bool = True) -> APIRouter:
    """An APIRouter for console pages: hidden from OpenAPI, refusals rendered as pages, and (unless
    `signed_in=False`) every page behind `console_user(*roles)`."""
    dependencies = [Depends(console_user(*roles))] if signed_in else []
    return APIRouter(include_in_schema=False, route_class=ConsoleRoute, dependencies=dependencies)


router = console_router(signed_in=False)  # the sign-in pages themselves


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return TEMPLATES.TemplateResponse(request, "login.html", {"next": safe_next(next), "error": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=1024),
    next: str = Form("/"),
) -> Response:
    target = safe_next(next)
    if not same_origin(request):
        raise ConsoleRefusal(403, "sign-in from another site is refused")
    attempt = sign_in_request(request, username.strip(), password, channel="console")
    if attempt.retry_after is not None:
        minutes = max(1, round(attempt.retry_after / 60))
        error = f"Too many failed sign-ins. Try again in about {minutes} minute{'s' if minutes > 1 else ''}."
        context = {"next": target, "error": error, "username": username}
        headers = {"Retry-After": str(attempt.retry_after)}
        return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=429, headers=headers)
    if attempt.user is None or attempt.token is None:
        context = {"next": target, "error": "Unknown user or wrong password.", "username": username}
        return TEMPLATES.TemplateResponse(request, "login.html", context, status_code=401)
    response = RedirectResponse(target, status_code=303)
    start_session(request, response, attempt.token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    # Signing out needs the CSRF token too, so another site cannot sign people out.
    await console_user()(request)
    response = RedirectResponse("/login", status_code=303)
    await run_in_threadpool(end_session, request, response, "console")
    return response


@router.get("/logout", response_class=HTMLResponse)
def logout_page(request: Request) -> Response:
    """A GET must not change state; this page offers the sign-out button."""
    user = session_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    request.state.user = user
    return TEMPLATES.TemplateResponse(request, "logout.html", {})
