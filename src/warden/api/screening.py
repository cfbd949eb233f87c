"""`/v1/screen/name` and `/v1/screen/address`: graded, explained hits against the active lists."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.web.api_keys import require_scope
from warden.web.screening import screener_for

router = APIRouter(prefix="/v1/screen", tags=["screening"], dependencies=[Depends(require_scope("screening"))])


class NameRequest(BaseModel):
    name: str = Field(min_length=1, max_length=500, examples=["Ayman al-Zawahiri"])
    kind: Literal["person", "entity", "vessel", "aircraft"] | None = None
    birth_year: int | None = Field(None, ge=1850, le=2100)
    country: str | None = Field(None, max_length=100)
    threshold: float = Field(DEFAULT_THRESHOLD, ge=0.0, le=1.0)
    limit: int = Field(10, ge=1, le=100)


class AddressRequest(BaseModel):
    address: str = Field(min_length=1, max_length=200, examples=["0x8589427373D6D84E98730D7795D8f6f8731FDA16"])


@router.post("/name", summary="Screen a person, entity or vessel name", response_model=None)
async def screen_name(body: NameRequest, request: Request) -> Response:
    # async on purpose: a query takes well under a millisecond of CPU, less than a thread-pool hand-off;
    # orjson directly: the hits are plain JSON values, FastAPI's generic encoder would cost more than the query
    query = NameQuery(body.name, body.kind, body.birth_year, body.country)
    return _json(screener_for(request).screen_name(query, body.threshold, body.limit))


@router.post("/address", summary="Screen a crypto address (exact; EVM case-insensitive)", response_model=None)
async def screen_address(body: AddressRequest, request: Request) -> Response:
    return _json(screener_for(request).screen_address(body.address))


def _json(payload: dict[str, Any]) -> Response:
    return Response(orjson.dumps(payload), media_type="application/json")
