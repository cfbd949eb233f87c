"""Liveness and version."""

from __future__ import annotations

import os

from fastapi import APIRouter

from warden import __version__

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str | int]:
    # worker_pid says which `warden serve --workers N` process answered: how connections spread over workers
    return {"status": "ok", "version": __version__, "worker_pid": os.getpid()}
