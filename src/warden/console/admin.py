"""Console page for admins: the people who may sign in, their roles and queues, and adding one."""

from __future__ import annotations

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.roles import ROLES
from warden.access.users import User, list_users
from warden.cases.staffing import add_user
from warden.console.auth import console_router, console_user
from warden.console.templating import TEMPLATES
from warden.errors import DomainError
from warden.web.errors import http_status

router = console_router("admin")  # admins only; everyone else gets the 403 page


def _page(request: Request, error: str = "", status: int = 200) -> Response:
    with request.app.state.store.engine.connect() as conn:
        users = list_users(conn)
    context = {"users": users, "roles": ROLES, "error": error}
    return TEMPLATES.TemplateResponse(request, "admin_users.html", context, status_code=status)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _page(request)


@router.post("/admin/users", response_class=HTMLResponse)
def user_add(
    request: Request,
    username: str = Form(..., max_length=64),
    role: str = Form(...),
    password: str = Form(..., max_length=1024),
    capacity: int = Form(20, ge=1, le=10_000),
    admin: User = Depends(console_user("admin")),
) -> Response:
    try:
        with request.app.state.store.engine.begin() as conn:
            add_user(conn, username.strip(), role, password, capacity=capacity, actor=admin.username)
    except DomainError as exc:
        return _page(request, str(exc), http_status(exc))
    return RedirectResponse("/admin/users", status_code=303)
