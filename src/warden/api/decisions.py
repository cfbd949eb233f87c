"""`/v1/decisions`: an event in, an explained decision out; idempotent on event_id.

POST is the hot path of the product, so it is served by `serve_decision`, plain ASGI that the app
(`api/app.py` `WardenApp`) calls before its middleware and routes: FastAPI's per-request machinery
(dependency solving, endpoint wrapping) cost about 35 µs a request, its middleware stack another ~25 µs, more
than validating the event. It behaves exactly as the documented FastAPI route below, which stays for the
OpenAPI schema and shares `decide_bytes` with it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from starlette.requests import ClientDisconnect
from starlette.types import Message, Receive, Scope, Send

from warden.api.openapi_events import KEY_RESPONSES, decision_responses, event_body_schema
from warden.decisions.inflight import EventConflict
from warden.decisions.repository import recent_decisions
from warden.decisions.service import DecisionService
from warden.events.examples import EXAMPLES
from warden.events.ingest import error_path
from warden.events.models import EVENT_ADAPTER
from warden.web.api_keys import authorise_scope, require_scope

PATH = "/v1/decisions"
SCOPE = "decisions"
router = APIRouter(
    prefix=PATH, tags=["decisions"], dependencies=[Depends(require_scope(SCOPE))], responses=KEY_RESPONSES
)


def _service(app: Any) -> DecisionService:
    service: DecisionService | None = getattr(app.state, "decisions", None)
    if service is None:
        from warden.decisions.factory import build_service  # built on first use: loads rules, model, state

        service = app.state.decisions = build_service(app.state.settings, app.state.store)
    return service


def _validation_response(exc: ValidationError) -> JSONResponse:
    detail = [
        {"loc": ["body", *error_path(err["loc"])], "msg": err["msg"].removeprefix("Value error, "), "type": err["type"]}
        for err in exc.errors(include_url=False)
    ]
    return JSONResponse({"detail": detail}, status_code=422)


def _conflict_response(exc: EventConflict) -> JSONResponse:
    return JSONResponse({"detail": str(exc), "event_id": exc.event_id}, status_code=409)


async def decide_bytes(app: Any, body: bytes) -> tuple[int, bytes]:
    """201 with the new decision record, 200 with the stored one; ValidationError for a bad event."""
    event = EVENT_ADAPTER.validate_json(body)  # straight from the bytes, no dict in between
    record, new = await _service(app).decide_json(event, body)
    return (201 if new else 200), record


async def decide_response(request: Request) -> Response:
    """`decide_bytes` as a Response, 422 with the field path for a bad event, 409 for another body under a known
    event_id."""
    try:
        status, record = await decide_bytes(request.app, await request.body())
    except ValidationError as exc:
        return _validation_response(exc)
    except EventConflict as exc:
        return _conflict_response(exc)
    return Response(record, status_code=status, media_type="application/json")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _with_headers(send: Send, app: Any) -> Send:
    """`send` with the security headers added to the response start (the error answers)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *app.decision_headers]
        await send(message)

    return sending


async def serve_decision(scope: Scope, receive: Receive, send: Send) -> None:
    """POST /v1/decisions as plain ASGI, which `WardenApp` calls ahead of FastAPI's middleware: the key check,
    then `decide_bytes`, written straight to ASGI (Starlette's Request and Response objects cost more than the
    key check and the idempotency read together).

    Outside the middleware, it answers errors as the middleware would, so callers cannot tell it from the
    documented route below: a refused key as FastAPI's HTTPException handler does (401 with WWW-Authenticate,
    403), a bad event 422 with the field paths, anything else 500 "Internal Server Error" with the exception
    passed on to the server's log.
    """
    app = scope["app"]
    try:
        authorise_scope(scope, SCOPE)
        status, record = await decide_bytes(app, await _read_body(receive))
    except HTTPException as exc:
        await (await http_exception_handler(Request(scope), exc))(scope, receive, _with_headers(send, app))
        return
    except ValidationError as exc:
        await _validation_response(exc)(scope, receive, _with_headers(send, app))
        return
    except EventConflict as exc:
        await _conflict_response(exc)(scope, receive, send)
        return
    except ClientDisconnect:
        return  # the caller is gone: nobody to answer
    except Exception:
        await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, _with_headers(send, app))
        raise
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(record)).encode())]
    headers.extend(app.decision_headers)  # the security headers, as the middleware adds them elsewhere
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": record})


_BODY_SCHEMA, EVENT_COMPONENTS = event_body_schema()  # EVENT_COMPONENTS: merged into the document by api/app.py


@router.post(
    "",
    summary="Decide on an event",
    status_code=201,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BODY_SCHEMA, "example": EXAMPLES["withdrawal"]}},
        }
    },
    responses=decision_responses(),
)
async def decide(request: Request) -> Any:
    return await decide_response(request)


@router.get(
    "/{event_id}",
    summary="The stored decision of an event",
    responses={404: {"description": "no decision for this event_id"}},
)
def get_decision(event_id: str, request: Request) -> Any:
    body = _service(request.app).stored_json(event_id)
    if body is None:
        raise HTTPException(404, f"no decision for event {event_id!r}")
    return Response(body, media_type="application/json")


@router.get("", summary="Recent decisions, newest first")
def list_decisions(
    request: Request, limit: int = Query(50, ge=1, le=500), outcome: str | None = None
) -> list[dict[str, Any]]:
    with request.app.state.store.engine.connect() as conn:
        return recent_decisions(conn, limit, outcome)
