"""`GET /v1/rules/quality`: per rule, hits in decisions by outcome and the review outcome of its alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from warden.access.roles import Actor
from warden.api.session import require_role
from warden.cases.records import as_utc
from warden.reporting.rule_quality import rule_quality

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get("/quality", summary="Rule quality: decision hits by outcome, alerts, reviewed cases, precision")
def quality(
    request: Request,
    since: datetime | None = Query(None, description="count decisions decided at or after this time (ISO 8601)"),
    _: Actor = Depends(require_role("rule_author", "senior_analyst", "admin", api_key_scope="rules")),
) -> list[dict[str, Any]]:
    with request.app.state.store.engine.connect() as conn:
        return [row.as_dict() for row in rule_quality(conn, since=as_utc(since) if since else None)]
