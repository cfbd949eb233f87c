"""The FastAPI application: API under /v1, the console under /, OpenAPI at /docs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from warden import __version__
from warden.access.api_keys import ApiKeyVerifier
from warden.api import case_tools as api_case_tools
from warden.api import cases as api_cases
from warden.api import collector
from warden.api import decisions as api_decisions
from warden.api import docs as api_docs
from warden.api import echo as api_echo
from warden.api import health as api_health
from warden.api import kyc as api_kyc
from warden.api import monitoring as api_monitoring
from warden.api import rules_quality as api_rules_quality
from warden.api import rulesets as api_rulesets
from warden.api import screening as api_screening
from warden.api import session as api_session
from warden.cases.queues import default_queue_config
from warden.cases.rule_routes import check_rule_queues
from warden.console import admin as console_admin
from warden.console import audit_page as console_audit
from warden.console import auth as console_auth
from warden.console import cases as console_cases
from warden.console import customers as console_customers
from warden.console import dashboard as console_dashboard
from warden.console import decisions as console_decisions
from warden.console import demo_overview as console_demo_overview
from warden.console import error_pages as console_error_pages
from warden.console import home as console_home
from warden.console import kyc_review as console_kyc_review
from warden.console import models_page as console_models
from warden.console import monitoring as console_monitoring
from warden.console import reports as console_reports
from warden.console import rules_quality as console_rules_quality
from warden.console import rules_workbench as console_rules_workbench
from warden.console import screening as console_screening
from warden.customer_scores.rollup import RollupOnCommit
from warden.decisions.factory import build_service
from warden.events.bounds import bounds_from, configure_bounds
from warden.settings import Settings, get_settings
from warden.store.db import Store, open_store
from warden.web.headers import API_HEADERS, API_HEADERS_HSTS, SecurityHeaders

# The routers of both faces, in the order OpenAPI lists them; add yours here.
ROUTERS = [
    api_health.router,
    api_echo.router,
    api_decisions.router,
    api_rulesets.router,
    api_screening.router,
    api_session.router,
    api_cases.router,
    api_case_tools.router,
    api_rules_quality.router,
    api_monitoring.router,
    api_kyc.router,
    console_auth.router,
    console_demo_overview.router,
    console_decisions.router,
    console_screening.router,
    console_cases.router,
    console_admin.router,
    console_dashboard.router,
    console_monitoring.router,
    console_rules_quality.router,
    console_customers.router,
    console_reports.router,
    console_audit.router,
    console_home.router,
    console_rules_workbench.router,
    console_models.router,
    console_kyc_review.router,
]

STATIC_DIR = Path(__file__).resolve().parent.parent / "console" / "static"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Build the decision engine (rules, model, screening index) before the first request, not during it.
    rollup = RollupOnCommit(app.state.store.dialect)  # the fund-flow graph's customer scores, beside the records
    app.state.decisions = await asyncio.to_thread(build_service, app.state.settings, app.state.store, [rollup])
    # The rollup from the start, not from the first decision this server writes: until its first refresh sets
    # the mark, a customer view reads every decision of the flow's customers (no customer index on decisions),
    # 0.2 s a view at 1M decisions, on a server that only serves the console over batch-decided records.
    rollup.open(app.state.store.engine)
    # Every rule's alerts must reach the queue it is tagged for; a routing slip stops the start, not a case later.
    engine = app.state.decisions.engine
    for ruleset in (engine.ruleset, engine.shadow):
        if ruleset is not None:
            check_rule_queues(ruleset, default_queue_config())
    thresholds = collector.settle_for_serving()  # the engine's state is long-lived (see api/collector.py)
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
    configures them, do not cover this route. Nor does the security-headers middleware: the route appends
    `decision_headers` (built once, web/headers.py) itself.
    """

    decision_headers: tuple[tuple[bytes, bytes], ...] = API_HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == api_decisions.PATH and scope["method"] == "POST":
            scope["app"] = self  # as Starlette sets it: the route reads the app's state through it
            await api_decisions.serve_decision(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with the event types the decisions body refers to (api/openapi_events.py)."""
        if self.openapi_schema is None:
            document = super().openapi()
            document.setdefault("components", {}).setdefault("schemas", {}).update(api_decisions.EVENT_COMPONENTS)
            self.openapi_schema = document
        return self.openapi_schema


def create_app(settings: Settings | None = None, store: Store | None = None) -> WardenApp:
    settings = settings or get_settings()
    public_docs = settings.public_api_docs
    app = WardenApp(
        title="Warden",
        version=__version__,
        description="AI-assisted compliance and risk operations for crypto exchanges.",
        lifespan=_lifespan,
        docs_url=None,  # api/docs.py serves /docs with vendored assets, behind sign-in unless public
        redoc_url=None,
        openapi_url="/openapi.json" if public_docs else None,
    )
    api_docs.add_docs(app, public=public_docs)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies)
    app.decision_headers = API_HEADERS_HSTS if settings.secure_cookies else API_HEADERS
    app.state.settings = settings
    configure_bounds(bounds_from(settings.max_amount, settings.event_max_age_days, settings.event_max_future_s))
    app.state.store = store or open_store(settings)
    app.state.api_keys = ApiKeyVerifier(app.state.store.engine)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in ROUTERS:
        app.include_router(router)
    console_error_pages.install(app)  # console 404/422 as pages, the API's JSON (422s in one shape: web/errors.py)
    return app
