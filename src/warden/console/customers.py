"""The customer view (`/customers/{id}`), the header's search (`/search`) and the release of a freeze
(four eyes: one person asks, a senior who did not ask approves)."""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.pii import sees_pii
from warden.access.roles import REVIEWER_ROLES
from warden.access.users import User
from warden.cases.holds import customer_holds, decide_release, request_release
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.customer_view import customer_view, more_timeline
from warden.console.pii_view import masked_customer
from warden.console.search_queries import search
from warden.console.templating import TEMPLATES
from warden.errors import DomainError
from warden.web.errors import http_status

router = console_router()  # every page needs a signed-in user
reviewer = console_user(*REVIEWER_ROLES)


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


def _customer_page(
    request: Request, customer_id: str, user: User, error: str = "", status: int = 200, before: str | None = None
) -> Response:
    try:
        with _engine(request).connect() as conn:
            view = customer_view(conn, customer_id, before)
    except DomainError as exc:  # a bad time line cursor
        raise ConsoleRefusal(http_status(exc), str(exc)) from None
    if view is None:
        raise ConsoleRefusal(404, f"no customer {customer_id!r}: no stored event or case names them")
    if not sees_pii(user.role):
        view = masked_customer(view)
    context = {"v": view, "error": error, "is_senior": user.role in ("senior_analyst", "admin"), "user": user}
    return TEMPLATES.TemplateResponse(request, "customer.html", context, status_code=status)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(
    request: Request,
    customer_id: str,
    before: str | None = Query(None, max_length=400),
    user: User = Depends(console_user()),
) -> Response:
    return _customer_page(request, customer_id, user, before=before)


@router.get("/customers/{customer_id}/timeline", response_class=HTMLResponse)
def timeline_rows(request: Request, customer_id: str, before: str = Query(..., max_length=400)) -> Response:
    """The time line's older rows, for the view's "older events" (htmx swaps them in place of that row)."""
    try:
        with _engine(request).connect() as conn:
            page = more_timeline(conn, customer_id, before)
    except DomainError as exc:
        raise ConsoleRefusal(http_status(exc), str(exc)) from None
    context = {"rows": page.entries, "more": page.more, "customer_id": customer_id}
    return TEMPLATES.TemplateResponse(request, "_customer_timeline_rows.html", context)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=256)) -> Response:
    with _engine(request).connect() as conn:
        result = search(conn, q)
    jump = result.only_customer()
    if jump is not None and request.query_params.get("go") == "1":
        return RedirectResponse(f"/customers/{quote(jump, safe='')}", status_code=303)
    return TEMPLATES.TemplateResponse(request, "search.html", {"r": result})


def _hold_change(request: Request, hold_id: str, user: User, change: str, reason: str = "") -> Response:
    with _engine(request).connect() as conn:
        customer_id = conn.execute(
            sa.select(customer_holds.c.customer_id).where(customer_holds.c.hold_id == hold_id)
        ).scalar()
    if customer_id is None:
        raise ConsoleRefusal(404, f"no hold {hold_id!r}")
    try:
        with _engine(request).begin() as conn:
            if change == "request":
                request_release(conn, hold_id, user.actor, reason)
            else:
                decide_release(conn, hold_id, user.actor, approve=change == "approve")
    except DomainError as exc:
        return _customer_page(request, customer_id, user, error=str(exc), status=http_status(exc))
    return RedirectResponse(f"/customers/{quote(customer_id, safe='')}", status_code=303)


@router.post("/holds/{hold_id}/release")
def hold_release(
    request: Request, hold_id: str, reason: str = Form("", max_length=2000), user: User = Depends(reviewer)
) -> Response:
    return _hold_change(request, hold_id, user, "request", reason)


@router.post("/holds/{hold_id}/release/{verdict}")
def hold_release_decide(request: Request, hold_id: str, verdict: str, user: User = Depends(reviewer)) -> Response:
    if verdict not in ("approve", "reject"):
        raise ConsoleRefusal(404, f"no such verdict {verdict!r}; approve or reject")
    return _hold_change(request, hold_id, user, verdict)
