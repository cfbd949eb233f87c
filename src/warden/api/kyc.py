"""`/v1/kyc`: identity-verification sessions.

An exchange's backend (API key with scope "kyc", or an admin) opens a session for a customer with the
declared identity and gets a liveness challenge (server nonce, expiry); it uploads the document pages and the
liveness capture, then submits; the session's `capture_url` is the capture page for the customer's browser,
which fetches that session's challenge and uploads the capture itself (a per-session token, no API key). The result (outcome, reasons, evidence, versions) is readable by reviewers,
the model-risk officer and the backend; the images only by the reviewer roles, and each read is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, File, HTTPException, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, model_validator

from warden.access.roles import REVIEWER_ROLES, Actor
from warden.api.session import require_role
from warden.cases import kyc_review
from warden.kyc import repository, storage
from warden.kyc.liveness.web import STATIC
from warden.kyc.session_checks import SessionChecks, build_session_checks

router = APIRouter(prefix="/v1/kyc", tags=["kyc"])
CAPTURE_STATIC = STATIC.resolve()

writers = require_role("admin", api_key_scope="kyc")
readers = require_role(*REVIEWER_ROLES, "model_risk_officer", api_key_scope="kyc")
image_readers = require_role(*REVIEWER_ROLES)  # people who review documents; no machine key, no rule author


class DeclaredIn(BaseModel):
    surname: str = Field(..., min_length=1, max_length=128)
    given_names: str = Field("", max_length=128)
    birth_date: dt.date
    document_number: str | None = Field(None, min_length=1, max_length=64)
    nationality: str | None = Field(None, pattern=r"^[A-Z]{1,3}$")


class SessionIn(BaseModel):
    customer_id: str = Field(..., min_length=1, max_length=128)
    kind: Literal["onboarding", "step_up"] = "onboarding"
    declared: DeclaredIn | None = None  # onboarding: required
    hold_ref: str | None = Field(None, min_length=1, max_length=128)  # step_up: the held event's id

    @model_validator(mode="after")
    def _fits_kind(self) -> SessionIn:
        if self.kind == "onboarding" and self.declared is None:
            raise ValueError("an onboarding session needs the declared identity")
        if self.kind == "step_up" and self.hold_ref is None:
            raise ValueError("a step_up session needs hold_ref: the id of the held event it releases")
        return self


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


def _data_dir(request: Request) -> Path:
    return Path(request.app.state.settings.data_dir)


def _unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(422, [{"loc": ["body", field], "msg": message, "type": "value_error"}])


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except repository.KycError as exc:
        if exc.status == 422:
            raise _unprocessable(exc.field or "body", str(exc)) from None
        raise HTTPException(exc.status, str(exc)) from None
    except storage.UploadError as exc:
        raise _unprocessable(exc.field, str(exc)) from None


def _checks(request: Request) -> SessionChecks:
    """The app's session checks, built on the first KYC request (the face models load on the first submit)."""
    state = request.app.state
    checks: SessionChecks | None = getattr(state, "kyc_checks", None)
    if checks is None:
        checks = state.kyc_checks = build_session_checks(state.settings)
    return checks


@router.post("/sessions", status_code=201, summary="Open a verification session; returns its liveness challenge")
def session_open(body: SessionIn, request: Request, actor: Actor = Depends(writers)) -> dict[str, Any]:
    with _errors(), _engine(request).begin() as conn:
        challenge = _checks(request).new_challenge(body.customer_id)
        declared = body.declared.model_dump(mode="json") if body.declared else {}
        opened = repository.open_session(
            conn, body.customer_id, declared, challenge, actor=actor.name, kind=body.kind, hold_ref=body.hold_ref
        )
    token = _checks(request).capture_token(opened.session_id)
    # the page the customer's browser opens: it fetches this session's challenge and posts the capture back
    capture_url = f"{router.prefix}/capture/{opened.session_id}/{token}/capture.html?submit=liveness"
    return opened.as_dict() | {"capture_url": capture_url}


async def _read_limited(file: UploadFile, limit: int) -> bytes:
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise _unprocessable("file", f"over the limit of {limit} bytes")
    return data


@router.put("/sessions/{session_id}/document/{side}", summary="Upload the document's front or back (JPEG or PNG)")
async def document_upload(
    session_id: str, side: str, request: Request, file: UploadFile = File(...), actor: Actor = Depends(writers)
) -> dict[str, Any]:
    if side not in ("front", "back"):
        raise HTTPException(422, [{"loc": ["path", "side"], "msg": "front or back", "type": "value_error"}])
    data = await _read_limited(file, storage.MAX_IMAGE_BYTES)
    with _errors():
        ctype = storage.check_image(data, file.content_type)
        with _engine(request).begin() as conn:
            return repository.add_upload(
                conn, _data_dir(request), session_id, f"document_{side}", data, ctype,
                actor=actor.name, retention_days=request.app.state.settings.kyc_retention_days,
            )  # fmt: skip


@router.put("/sessions/{session_id}/liveness", summary="Upload the liveness capture (JSON: frames, timing, nonce)")
async def liveness_upload(session_id: str, request: Request, actor: Actor = Depends(writers)) -> dict[str, Any]:
    return await _store_capture(session_id, request, actor.name)


async def _store_capture(session_id: str, request: Request, actor: str) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype != "application/json":
        raise _unprocessable("content_type", f"{ctype or 'no content type'} is not accepted: application/json")
    declared_size = request.headers.get("content-length")
    if declared_size and declared_size.isdigit() and int(declared_size) > storage.MAX_CAPTURE_BYTES:
        raise _unprocessable("body", f"over the limit of {storage.MAX_CAPTURE_BYTES} bytes")
    body = await request.body()
    if len(body) > storage.MAX_CAPTURE_BYTES:
        raise _unprocessable("body", f"over the limit of {storage.MAX_CAPTURE_BYTES} bytes")
    try:
        capture = json.loads(body)
    except ValueError as exc:
        raise _unprocessable("body", f"not JSON: {exc}") from None
    if not isinstance(capture, dict):
        raise _unprocessable("body", "the capture must be a JSON object")
    with _errors(), _engine(request).begin() as conn:
        return repository.add_upload(
            conn, _data_dir(request), session_id, "liveness", body, ctype,
            actor=actor, retention_days=request.app.state.settings.kyc_retention_days,
        )  # fmt: skip


def _capture_session(session_id: str, token: str, request: Request) -> None:
    """A capture link's token, and its session still open: otherwise 404 (a wrong token says nothing more)."""
    if not _checks(request).capture_token_ok(session_id, token):
        raise HTTPException(404, "no such capture link")
    with _errors(), _engine(request).connect() as conn:
        row = repository.session_row(conn, session_id)
    if row.state != "open" or repository.aware(row.expires_at) < dt.datetime.now(dt.UTC):
        raise HTTPException(409, f"session {session_id} is closed to captures")


@router.post("/capture/{session_id}/{token}/challenge", summary="The capture page: its session's liveness challenge")
def capture_challenge(session_id: str, token: str, request: Request) -> dict[str, Any]:
    _capture_session(session_id, token, request)
    with _errors(), _engine(request).connect() as conn:
        challenge: dict[str, Any] = json.loads(repository.session_row(conn, session_id).challenge)
    return challenge


@router.post("/capture/{session_id}/{token}/liveness", summary="The capture page: upload its liveness capture")
async def capture_upload(session_id: str, token: str, request: Request) -> dict[str, Any]:
    _capture_session(session_id, token, request)
    stored = await _store_capture(session_id, request, f"capture-link:{session_id}")
    return {"received": True, "part": stored["part"], "sha256": stored["sha256"]}  # the browser needs no more


@router.get("/capture/{session_id}/{token}/{asset:path}", summary="The capture page and its vendored assets")
def capture_asset(session_id: str, token: str, asset: str, request: Request) -> FileResponse:
    _capture_session(session_id, token, request)
    path = (CAPTURE_STATIC / asset).resolve()
    if not path.is_relative_to(CAPTURE_STATIC) or not path.is_file():
        raise HTTPException(404, f"no asset {asset!r}")
    return FileResponse(path, headers={"Cache-Control": "no-store"})


@router.post("/sessions/{session_id}/submit", summary="Run the checks and decide: approve, review or reject")
def session_submit(session_id: str, request: Request, actor: Actor = Depends(writers)) -> dict[str, Any]:
    with _errors(), _engine(request).begin() as conn:
        result = kyc_review.submit_session(conn, _data_dir(request), session_id, _checks(request), actor=actor.name)
    decisions = getattr(request.app.state, "decisions", None)  # set when the app has started (lifespan)
    if result["hold_released"] and decisions is not None and decisions.engine.holds is not None:
        decisions.engine.holds.forget(result["customer_id"])  # the customer's next withdrawals: on their own again
    return result


@router.get("/sessions/{session_id}", summary="The session: state, outcome, reasons, evidence, versions")
def session_get(session_id: str, request: Request, _: Actor = Depends(readers)) -> dict[str, Any]:
    with _errors(), _engine(request).connect() as conn:
        return repository.get_session(conn, session_id)


@router.get("/sessions/{session_id}/images/{part}", summary="An uploaded document image (reviewers only; audited)")
def session_image(session_id: str, part: str, request: Request, actor: Actor = Depends(image_readers)) -> Response:
    with _errors(), _engine(request).begin() as conn:
        data, ctype = repository.read_image(conn, _data_dir(request), session_id, part, actor=actor.name)
    return Response(data, media_type=ctype, headers={"Cache-Control": "no-store"})
