"""`/v1/cases` tools for the reviewer: related and similar cases, the drafted narrative (read, save, LLM
rewrite), attachments (upload, list, download) and per-rule precision for rule authors.

Same roles as `api/cases.py`: anyone signed in (or a machine key with scope "cases") reads; analysts, senior
analysts and admins write. Anonymous requests get 401.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel

from warden.access.pii import mask_text, sees_pii
from warden.access.roles import Actor
from warden.api.cases import _engine, readers, reviewers
from warden.cases.attachments import MAX_ATTACHMENT_BYTES, add_attachment, disk_store, list_attachments, read_attachment
from warden.cases.evidence import case_evidence
from warden.cases.narrative import draft_narrative, rewrite_narrative, save_narrative, saved_narrative
from warden.cases.related import related_cases
from warden.triage.feedback import rule_precision
from warden.triage.similar import similar_cases
from warden.web.errors import domain_errors

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class NarrativeIn(BaseModel):
    text: str


class RewriteIn(BaseModel):
    text: str | None = None  # default: the drafted narrative


@router.get("/stats/rules", summary="Per rule / typology / detector: alerts, closed cases, true positives, precision")
def rules_stats(request: Request, _: Actor = Depends(readers)) -> list[dict[str, Any]]:
    with _engine(request).connect() as conn:
        return [r.as_dict() for r in rule_precision(conn)]


@router.get("/{case_id}/related", summary="Cases of customers linked to this one (device, IP, address, transfer)")
def related_get(case_id: str, request: Request, _: Actor = Depends(readers)) -> list[dict[str, Any]]:
    with domain_errors(), _engine(request).connect() as conn:
        return [c.as_dict() for c in related_cases(conn, case_id)]


@router.get("/{case_id}/similar", summary="Nearest closed cases on case features, with their dispositions")
def similar_get(
    case_id: str, request: Request, k: int = Query(5, ge=1, le=50), _: Actor = Depends(readers)
) -> list[dict[str, Any]]:
    with domain_errors(), _engine(request).connect() as conn:
        return [c.as_dict() for c in similar_cases(conn, case_id, k)]


@router.get("/{case_id}/narrative", summary="The drafted SAR narrative, and the latest saved one if any")
def narrative_get(case_id: str, request: Request, actor: Actor = Depends(readers)) -> dict[str, Any]:
    with domain_errors(), _engine(request).connect() as conn:
        draft, saved = draft_narrative(conn, case_id), saved_narrative(conn, case_id)
        if not sees_pii(actor.role):  # rule authors and model-risk officers: personal data masked
            kyc = [k["payload"] for k in case_evidence(conn, case_id).kyc]
            draft = mask_text(draft, kyc)
            saved = dict(saved, text=mask_text(saved["text"], kyc)) if saved else saved
        return {"case_id": case_id, "draft": draft, "saved": saved}


@router.put("/{case_id}/narrative", summary="Save the reviewer's narrative on the case (timeline + audit)")
def narrative_put(
    case_id: str, body: NarrativeIn, request: Request, actor: Actor = Depends(reviewers)
) -> dict[str, Any]:
    with domain_errors(), _engine(request).begin() as conn:
        return save_narrative(conn, case_id, actor, body.text)


@router.post(
    "/{case_id}/narrative/rewrite", summary="Rewrite a narrative with the configured LLM (draft kept on failure)"
)
def narrative_rewrite(case_id: str, body: RewriteIn, request: Request, _: Actor = Depends(reviewers)) -> dict[str, Any]:
    with domain_errors(), _engine(request).connect() as conn:
        text = body.text if body.text and body.text.strip() else draft_narrative(conn, case_id)
    result = rewrite_narrative(text, request.app.state.settings)
    return {"case_id": case_id, **result.__dict__}


@router.post("/{case_id}/attachments", status_code=201, summary="Attach a file to the case")
async def attachment_add(
    case_id: str, request: Request, file: UploadFile = File(...), actor: Actor = Depends(reviewers)
) -> dict[str, Any]:
    data = await file.read(MAX_ATTACHMENT_BYTES + 1)
    with domain_errors(), _engine(request).begin() as conn:
        attachment = add_attachment(
            conn,
            disk_store(request.app.state.settings.data_dir),
            case_id,
            actor,
            file.filename or "attachment",
            data,
            file.content_type or "application/octet-stream",
        )
    return attachment.as_dict()


@router.get("/{case_id}/attachments", summary="The case's attachments")
def attachments_list(case_id: str, request: Request, _: Actor = Depends(readers)) -> list[dict[str, Any]]:
    with domain_errors(), _engine(request).connect() as conn:
        return [a.as_dict() for a in list_attachments(conn, case_id)]


@router.get("/{case_id}/attachments/{sha256}", summary="Download one of the case's attachments")
def attachment_download(case_id: str, sha256: str, request: Request, _: Actor = Depends(readers)) -> Response:
    with domain_errors(), _engine(request).connect() as conn:
        attachment, data = read_attachment(conn, disk_store(request.app.state.settings.data_dir), case_id, sha256)
    # Always a download (never rendered inline), so an uploaded HTML file cannot run in the console's origin.
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(attachment.filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
        },
    )
