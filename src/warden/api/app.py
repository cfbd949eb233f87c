"""The FastAPI application: API under /v1, the console under /, OpenAPI at /docs."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from warden import __version__
from warden.api import decisions as decisions_api
from warden.decisions import collector
from warden.decisions.factory import build_service
from warden.events.bounds import bounds_from, configure_bounds
from warden.governance.api_keys import ApiKeyVerifier
from warden.settings import Settings, get_settings
from warden.store.db import Store, open_store
from warden.web.errors import api_http_exception_handler

# Modules under warden.api and warden.console that expose `router`; add yours here.
ROUTER_MODULES = [
    "warden.api.health",
    "warden.api.echo",
    "warden.api.decisions",
    "warden.api.rulesets",
    "warden.api.screening",
    "warden.api.session",
    "warden.api.cases",
    "warden.api.case_tools",
    "warden.api.rules_quality",
    "warden.api.monitoring",
    "warden.console.auth",
    "warden.console.routes",
    "warden.console.decisions",
    "warden.console.screening",
    "warden.console.cases",
    "warden.console.admin",
    "warden.console.dashboard",
    "warden.console.monitoring",
    "warden.console.rules_quality",
]

STATIC_DIR = Path(__file__).resolve().parent.parent / "console" / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Build the decision engine (rules, model, screening index) before the first request, not during it.
    app.state.decisions = await asyncio.to_thread(build_service, app.state.settings, app.state.store)
    thresholds = collector.settle_for_serving()  # the engine's state is long-lived (see decisions/collector.py)
    try:
        yield
    finally:
        collector.restore(thresholds)
        app.state.decisions.close()


class WardenApp(FastAPI):
    """FastAPI, with POST /v1/decisions answered ahead of the middleware stack.

    The decisions route is the product's hot path: FastAPI's middleware (error pages, exception handlers,
    native telemetry, exit stacks) cost ~25 µs of a decision's ~250 µs of server CPU. `serve_decision` answers
    errors as that stack would (see api/decisions.py); FastAPI's OpenTelemetry spans, when a deployment
    configures them, do not cover this route.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == decisions_api.PATH and scope["method"] == "POST":
            scope["app"] = self  # as Starlette sets it: the route reads the app's state through it
            await decisions_api.serve_decision(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with the event types the decisions body refers to (api/openapi_events.py)."""
        if self.openapi_schema is None:
            document = super().openapi()
            document.setdefault("components", {}).setdefault("schemas", {}).update(decisions_api.EVENT_COMPONENTS)
            self.openapi_schema = document
        return self.openapi_schema


def create_app(settings: Settings | None = None, store: Store | None = None) -> WardenApp:
    settings = settings or get_settings()
    app = WardenApp(
        title="Warden",
        version=__version__,
        description="AI-assisted compliance and risk operations for crypto exchanges.",
        lifespan=_lifespan,
    )
    app.state.settings = settings
    configure_bounds(bounds_from(settings.max_amount, settings.event_max_age_days, settings.event_max_future_s))
    app.state.store = store or open_store(settings)
    app.state.api_keys = ApiKeyVerifier(app.state.store.engine)
    app.add_exception_handler(StarletteHTTPException, api_http_exception_handler)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app
