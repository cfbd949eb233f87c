"""Jinja2 templates shared by every console page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from warden.console.demo_mark import demo_running
from warden.console.formatting import dash, no_paths, priority_words, readable_number, usd, when
from warden.web.csrf import csrf_token


def _signed_in(request: Request) -> dict[str, Any]:
    """Every page may show who is signed in; forms and htmx (hx-headers on <body>) carry the CSRF token; the
    header links the demo's page while the demo's store is served."""
    user = getattr(request.state, "user", None)
    if user is None:
        return {"current_user": None, "csrf_token": "", "demo_running": False}
    return {"current_user": user, "csrf_token": csrf_token(request), "demo_running": demo_running(request)}


TEMPLATES = Jinja2Templates(
    directory=str(Path(__file__).resolve().parent / "templates"), context_processors=[_signed_in]
)
TEMPLATES.env.filters["num"] = readable_number
TEMPLATES.env.filters["usd"] = usd
TEMPLATES.env.filters["when"] = when
TEMPLATES.env.filters["dash"] = dash
TEMPLATES.env.filters["no_paths"] = no_paths
TEMPLATES.env.globals["priority_words"] = priority_words
