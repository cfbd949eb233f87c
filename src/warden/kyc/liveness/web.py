"""HTTP pieces for liveness: the capture page and its assets (served from the package, never a CDN), and a
minimal challenge/verify pair. The KYC session API mounts `liveness_app` (or uses `issue`/`verify`
itself with the session holding the challenge); on its own it is what the browser test drives.

Challenges issued here are kept in memory for `ttl` seconds: one process. The session API keeps them with
the session instead.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from warden.kyc.liveness.challenge import DEFAULT_TTL_S, issue_challenge
from warden.kyc.liveness.verifier import ServerLivenessVerifier

STATIC = Path(__file__).parent / "static"


class IssuedChallenges:
    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def put(self, challenge: dict[str, Any]) -> None:
        with self._lock:
            now = time.time()
            self._items = {k: v for k, v in self._items.items() if float(v["expires_at"]) > now}
            self._items[challenge["challenge_id"]] = challenge

    def get(self, challenge_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(challenge_id)


def liveness_app(verifier: ServerLivenessVerifier, ttl_s: int = DEFAULT_TTL_S) -> FastAPI:
    app = FastAPI(title="Warden liveness capture", docs_url=None, redoc_url=None, openapi_url=None)
    issued = IssuedChallenges()

    @app.post("/challenge")
    def challenge(customer_id: str = "anonymous") -> dict[str, Any]:
        ch = issue_challenge(verifier.secret, customer_id, ttl_s=ttl_s)
        issued.put(ch)
        return ch

    @app.post("/verify")
    async def verify(request: Request) -> JSONResponse:
        try:
            capture = await request.json()
        except ValueError:
            raise HTTPException(422, detail=[{"loc": ["body"], "msg": "not JSON"}]) from None
        if not isinstance(capture, dict) or not isinstance(capture.get("challenge_id"), str):
            raise HTTPException(422, detail=[{"loc": ["body", "challenge_id"], "msg": "required"}])
        ch = issued.get(capture["challenge_id"])
        if ch is None:
            raise HTTPException(422, detail=[{"loc": ["body", "challenge_id"], "msg": "unknown or expired challenge"}])
        return JSONResponse(asdict(verifier.verify(ch, capture)))

    app.mount("/", StaticFiles(directory=STATIC, html=False), name="liveness-page")
    return app
