"""Liveness, version, and the state of what a decision depends on: the store and (when configured) Redis.

`/healthz` answers 200 when the store answers, 503 when it does not (a load balancer takes the worker out);
a Redis that does not answer makes it `degraded` (decisions go on under their failure policies). Each check
has a time limit, so a hung dependency cannot hang the health check too, and its answer is reused for a
second.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from warden import __version__

router = APIRouter(tags=["health"])

CHECK_SECONDS = 2.0
FRESH_SECONDS = 1.0  # a check's answer is reused this long


def _store_ok(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def _redis(request: Request) -> Any:
    service = getattr(request.app.state, "decisions", None)
    features = getattr(getattr(service, "engine", None), "features", None)
    return features if hasattr(features, "ping") else None


async def _check(work: Any, *args: Any) -> str:
    try:
        await asyncio.wait_for(asyncio.to_thread(work, *args), CHECK_SECONDS)
    except TimeoutError:
        return f"no answer within {CHECK_SECONDS:g} s"
    except Exception as exc:
        return f"error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    return "ok"


async def _checks(request: Request) -> dict[str, str]:
    """The dependencies' state, checked at most once every FRESH_SECONDS per worker: `/healthz` is polled
    often (load balancers; `warden bench screen` uses it as its trivial reference) and must stay cheap."""
    cached = getattr(request.app.state, "health_checks", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < FRESH_SECONDS:
        return dict(cached[1])
    redis = _redis(request)
    checks = {
        "store": await _check(_store_ok, request.app.state.store.engine),
        "redis": "not configured" if redis is None else await _check(redis.ping),
    }
    request.app.state.health_checks = (time.monotonic(), checks)
    return dict(checks)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    # worker_pid says which `warden serve --workers N` process answered: how connections spread over workers
    checks = await _checks(request)
    store = checks["store"]
    status = "ok" if all(v in ("ok", "not configured") for v in checks.values()) else "degraded"
    if store != "ok":
        status = "down"
    body = {"status": status, "version": __version__, "worker_pid": os.getpid(), "checks": checks}
    return JSONResponse(body, status_code=503 if status == "down" else 200)
