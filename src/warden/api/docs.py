"""/docs and /openapi.json: for signed-in people (and API-key holders) unless WARDEN_PUBLIC_API_DOCS=true.

The API's shape tells an attacker which routes and fields exist; a deployment that publishes it says so.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from warden.web.api_keys import presented
from warden.web.sessions import session_user


async def _admitted(request: Request) -> bool:
    key = presented(request)
    if key is not None and request.app.state.api_keys.verify(key) is not None:
        return True
    return await run_in_threadpool(session_user, request) is not None


def add_private_docs(app: FastAPI) -> None:
    """Serve the docs behind sign-in; the app was made with docs_url=None and openapi_url=None."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        if not await _admitted(request):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "sign in first (POST /v1/session/login) or present an API key"
            )
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> Response:
        if not await _admitted(request):
            return RedirectResponse("/login?next=/docs", status_code=303)
        page: HTMLResponse = get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title} - API")
        return page
