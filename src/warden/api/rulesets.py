"""`/v1/rulesets`: publish (live or shadow), list and read ruleset versions; the shadow report."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from warden.access.api_keys import ApiKey
from warden.cases.rule_routes import RoutingError, queue_check
from warden.decisions.rulesets import PublishError, list_rulesets, publish_ruleset, shadow_report
from warden.rules.errors import RulesetError
from warden.web.api_keys import require_scope

router = APIRouter(prefix="/v1/rulesets", tags=["rulesets"])


@router.get("", summary="Published ruleset versions, newest first")
def rulesets(request: Request, _: ApiKey = Depends(require_scope("rules"))) -> list[dict[str, Any]]:
    with request.app.state.store.engine.connect() as conn:
        return [r.summary() for r in list_rulesets(conn)]


@router.post(
    "",
    status_code=201,
    summary="Publish a ruleset (YAML body) as live or shadow",
    openapi_extra={"requestBody": {"required": True, "content": {"application/yaml": {"schema": {"type": "string"}}}}},
)
async def publish(
    request: Request,
    status: str = Query("live", pattern="^(live|shadow)$"),
    key: ApiKey = Depends(require_scope("rules")),
) -> dict[str, Any]:
    content = (await request.body()).decode("utf-8", "replace")
    try:
        with request.app.state.store.engine.begin() as conn:
            published = publish_ruleset(conn, content, f"api-key:{key.key_id}", status, [queue_check()])
    except RoutingError as exc:
        raise HTTPException(422, {"message": "the ruleset routes wrongly", "problems": exc.problems}) from None
    except RulesetError as exc:
        problems = [{"line": p.line, "column": p.column, "rule_id": p.rule_id, "msg": p.message} for p in exc.problems]
        raise HTTPException(422, {"message": "the ruleset does not check", "problems": problems}) from None
    except PublishError as exc:
        raise HTTPException(409, str(exc)) from None
    service = getattr(request.app.state, "decisions", None)
    if service is not None:
        service.refresh_rulesets()
    return published.summary()


@router.get("/shadow-report", summary="Live against shadow outcomes on recent decisions")
def report(request: Request, _: ApiKey = Depends(require_scope("rules"))) -> dict[str, Any]:
    with request.app.state.store.engine.connect() as conn:
        return shadow_report(conn)
