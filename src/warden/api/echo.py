"""A trivial endpoint on the same server, the reference for `warden bench decisions`."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from warden.api.openapi_events import VALIDATION_ERROR_RESPONSE

_NOT_JSON = VALIDATION_ERROR_RESPONSE | {"description": "the body is not JSON"}

router = APIRouter(tags=["health"])


@router.post(
    "/v1/echo",
    summary="Echo a JSON body (benchmark reference)",
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {}}}}},
    responses={
        200: {"description": "the body, as sent", "content": {"application/json": {"schema": {}}}},
        422: _NOT_JSON,
    },
)
async def echo(request: Request) -> Response:
    """The body back as sent; it is parsed, as /v1/decisions parses its events, so the answer is always JSON."""
    body = await request.body()
    try:
        orjson.loads(body)
    except orjson.JSONDecodeError:
        raise HTTPException(422, "the body is not JSON") from None
    return Response(body, media_type="application/json")
