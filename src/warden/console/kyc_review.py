"""The console's KYC review: the sessions the checks sent to a person (`/kyc`), and one session's page with the
document images, the MRZ parse, the consistency checks, tamper reasons, face-match score, liveness result and
ring links side by side, where a reviewer records a verdict (approve or reject, with a reason).

Images and personal data are for the roles that investigate (access/pii.py): a model-risk officer sees the
page with them masked and no images; the images themselves are served only to reviewers, each read audited.
The verdict goes through `cases.kyc_review.record_review`: audited, kept as a label for the next version, and it
closes the session's review case with the verdict as its reason."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.pii import sees_pii
from warden.access.roles import REVIEWER_ROLES, Actor
from warden.access.users import User
from warden.cases.kyc_review import record_review
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.kyc_view import session_page_context
from warden.console.templating import TEMPLATES
from warden.kyc import repository
from warden.kyc.reviews import VERDICTS, sessions_in_review

router = console_router("model_risk_officer", *REVIEWER_ROLES)
reviewer = console_user(*REVIEWER_ROLES)
IMAGE_PARTS = ("document_front", "document_back")


def _engine(request: Request) -> sa.Engine:
    engine: sa.Engine = request.app.state.store.engine
    return engine


@router.get("/kyc", response_class=HTMLResponse)
def kyc_queue(request: Request) -> Response:
    with _engine(request).connect() as conn:
        rows = sessions_in_review(conn)
    return TEMPLATES.TemplateResponse(request, "kyc_sessions.html", {"rows": rows})


def _page(request: Request, session_id: str, user: User, error: str = "", status: int = 200) -> Response:
    with _engine(request).connect() as conn:
        try:
            context = session_page_context(conn, session_id, sees_pii(user.role))
        except repository.KycError as exc:
            raise ConsoleRefusal(exc.status, str(exc)) from None
    context |= {"error": error, "can_review": user.role in REVIEWER_ROLES, "verdicts": VERDICTS}
    return TEMPLATES.TemplateResponse(request, "kyc_session.html", context, status_code=status)


@router.get("/kyc/{session_id}", response_class=HTMLResponse)
def kyc_session_page(request: Request, session_id: str, user: User = Depends(console_user())) -> Response:
    return _page(request, session_id, user)


@router.get("/kyc/{session_id}/images/{part}")
def kyc_session_image(request: Request, session_id: str, part: str, user: User = Depends(reviewer)) -> Response:
    if part not in IMAGE_PARTS:
        raise ConsoleRefusal(404, f"no image {part!r}: {', '.join(IMAGE_PARTS)}")
    try:
        with _engine(request).begin() as conn:
            data, ctype = repository.read_image(
                conn, request.app.state.settings.data_dir, session_id, part, actor=user.username
            )
    except repository.KycError as exc:
        raise ConsoleRefusal(exc.status, str(exc)) from None
    return Response(data, media_type=ctype, headers={"Cache-Control": "no-store"})


@router.post("/kyc/{session_id}/verdict", response_class=HTMLResponse)
def kyc_verdict(
    request: Request,
    session_id: str,
    verdict: str = Form(""),
    reason: str = Form("", max_length=2000),
    user: User = Depends(reviewer),
) -> Response:
    try:
        with _engine(request).begin() as conn:
            record_review(conn, session_id, Actor(user.username, user.role), verdict, reason)
    except repository.KycError as exc:
        return _page(request, session_id, user, error=str(exc), status=exc.status)
    return RedirectResponse(f"/kyc/{session_id}", status_code=303)
