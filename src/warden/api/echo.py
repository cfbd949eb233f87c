"""A trivial endpoint on the same server, the reference for `warden bench decisions`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

router = APIRouter(tags=["health"])


@router.post("/v1/echo", summary="Echo the request body (benchmark reference)")
async def echo(request: Request) -> Response:
    return Response(await request.body(), media_type="application/json")
