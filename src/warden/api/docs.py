"""/docs and /openapi.json: for signed-in people (and API-key holders) unless WARDEN_PUBLIC_API_DOCS=true.

The API's shape tells an attacker which routes and fields exist; a deployment that publishes it says so.
The page's Swagger UI comes from the console's own static files (vendored from the swagger-ui-dist npm package,
version in the folder name), so it works on a network that blocks CDNs.
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


SWAGGER = "/static/vendor/swagger-ui-5.36.0"


def _page(title: str) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=title,
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
    )


def add_docs(app: FastAPI, public: bool) -> None:
    """Serve /docs; unless `public`, both it and /openapi.json need sign-in or an API key (the app was then made
    with openapi_url=None)."""
    if public:

        @app.get("/docs", include_in_schema=False)
        async def public_docs() -> Response:
            return _page(f"{app.title} - API")

        return

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
        return _page(f"{app.title} - API")
