"""Models in use, for model-risk officers: every fraud-model version in the registry (and the packaged default)
with which one serves, when, by whom and on what data it was trained, its thresholds and validation metrics, its
approval; and the approval itself (`models.approvals`: four eyes, before a version serves)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from warden.access.users import User
from warden.cases.records import utcnow
from warden.console.auth import ConsoleRefusal, console_router, console_user
from warden.console.templating import TEMPLATES
from warden.errors import DomainError
from warden.models.approvals import APPROVER_ROLES, decide_version, version_records
from warden.models.registry import DEFAULT_FRAUD_MODEL, active_version, kind_dir
from warden.web.errors import http_status

VIEWERS = ("model_risk_officer", "senior_analyst", "admin")
router = console_router(*VIEWERS)
HEADLINE = ("pr_auc", "recall_at_1pct_review_rate", "recall_at_5pct_review_rate", "withdrawals", "positives")


def _meta(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def model_versions(data_dir: Path, records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first, the packaged default last; `records` are the approvals by version."""
    active = active_version(data_dir)
    found = []
    root = kind_dir(data_dir)
    folders = sorted((p for p in root.iterdir() if p.is_dir()), reverse=True) if root.exists() else []
    for folder in [*folders, DEFAULT_FRAUD_MODEL]:
        meta = _meta(folder)
        if meta is None:
            continue
        packaged = folder == DEFAULT_FRAUD_MODEL
        version = str(meta.get("version", folder.name))
        record = records.get(version, {})
        metrics = meta.get("metrics", {})
        split = "test" if "test" in metrics else "validation"
        found.append(
            {
                "version": version,
                "packaged": packaged,
                "serving": version == active or (active is None and packaged),
                # before approvals existed a version was activated by its training: "unrecorded"
                "status": "shipped" if packaged else record.get("status", "unrecorded"),
                "approval": record,
                "trained_at": meta.get("trained_at"),
                "training_data": meta.get("training_data", {}),
                "thresholds": meta.get("thresholds", {}),
                "metrics_split": split,
                "metrics": {k: metrics.get(split, {}).get(k) for k in HEADLINE},
                "features": len(meta.get("features", [])),
                "lightgbm": meta.get("lightgbm_version"),
            }
        )
    return found


def _page(request: Request, user: User, error: str | None = None, status_code: int = 200) -> Response:
    with request.app.state.store.engine.connect() as conn:
        records = version_records(conn)
    versions = model_versions(Path(request.app.state.settings.data_dir), records)
    context = {"versions": versions, "error": error, "approver": user.role in APPROVER_ROLES, "me": user.username}
    return TEMPLATES.TemplateResponse(request, "models.html", context, status_code=status_code)


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request, user: User = Depends(console_user(*VIEWERS))) -> Response:
    return _page(request, user)


@router.post("/models/{version}/{verdict}")
def decide(
    request: Request,
    version: str,
    verdict: str,
    reason: str = Form("", max_length=2000),
    user: User = Depends(console_user(*APPROVER_ROLES)),
) -> Response:
    if verdict not in ("approve", "reject"):
        raise ConsoleRefusal(404, f"no such verdict {verdict!r}; approve or reject")
    settings = request.app.state.settings
    try:
        with request.app.state.store.engine.begin() as conn:
            decide_version(conn, Path(settings.data_dir), version, user.actor, verdict == "approve", reason, utcnow())
    except DomainError as exc:
        return _page(request, user, str(exc), http_status(exc))
    service = getattr(request.app.state, "decisions", None)
    if service is not None:
        service.refresh_model()  # this worker serves the approved version now; others within their next check
    return RedirectResponse("/models", status_code=303)
