"""Models in use, for model-risk officers: every fraud-model version in the registry (and the packaged default)
and every triage-model version, with which one serves, when, by whom and on what data it was trained, its
thresholds and validation metrics, its approval; and the approval itself (`models.approvals`, and
`triage.approval` for the triage model: four eyes, before a version serves)."""

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
from warden.triage.approval import decide_triage_version
from warden.triage.model import KIND as TRIAGE
from warden.web.errors import http_status

VIEWERS = ("model_risk_officer", "senior_analyst", "admin")
router = console_router(*VIEWERS)
HEADLINE = ("pr_auc", "recall_at_1pct_review_rate", "recall_at_5pct_review_rate", "withdrawals", "positives")
# the triage model's held-out queue: true positives captured in the top of the queue, by it and by alert score
TRIAGE_HEADLINE = (
    "captured_top_10",
    "baseline_top_10",
    "captured_top_20",
    "baseline_top_20",
    "captured_top_50",
    "baseline_top_50",
    "cases",
    "true_positives",
)


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


def triage_versions(data_dir: Path, records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first; none serves until one is approved (the rule-based priority orders the queue)."""
    active = active_version(data_dir, TRIAGE)
    root = kind_dir(data_dir, TRIAGE)
    folders = sorted((p for p in root.iterdir() if p.is_dir()), reverse=True) if root.exists() else []
    found = []
    for folder in folders:
        meta = _meta(folder)
        if meta is None:
            continue
        version = str(meta.get("version", folder.name))
        record = records.get(version, {})
        validation = meta.get("metrics", {}).get("validation", {})
        found.append(
            {
                "version": version,
                "serving": version == active,
                "status": record.get("status", "unrecorded"),
                "approval": record,
                "trained_at": meta.get("trained_at"),
                "trained_on": meta.get("trained_on"),
                "training_data": meta.get("training_data", {}),
                "metrics_split": validation.get("split", "validation"),
                "metrics_note": validation.get("note"),
                "metrics": {k: validation.get(k) for k in TRIAGE_HEADLINE},
                "features": len(meta.get("features", [])),
                "lightgbm": meta.get("lightgbm_version"),
            }
        )
    return found


def _page(request: Request, user: User, error: str | None = None, status_code: int = 200) -> Response:
    with request.app.state.store.engine.connect() as conn:
        records, triage_records = version_records(conn), version_records(conn, TRIAGE)
    data_dir = Path(request.app.state.settings.data_dir)
    context = {
        "versions": model_versions(data_dir, records),
        "triage_versions": triage_versions(data_dir, triage_records),
        "error": error,
        "approver": user.role in APPROVER_ROLES,
        "me": user.username,
    }
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
    """A fraud-model version's approval."""
    return _decide(request, user, "fraud", version, verdict, reason)


@router.post("/models/{kind}/{version}/{verdict}")
def decide_kind(
    request: Request,
    kind: str,
    version: str,
    verdict: str,
    reason: str = Form("", max_length=2000),
    user: User = Depends(console_user(*APPROVER_ROLES)),
) -> Response:
    """A version's approval, by the model's kind (fraud, triage)."""
    if kind not in ("fraud", TRIAGE):
        raise ConsoleRefusal(404, f"no such model {kind!r}; fraud or triage")
    return _decide(request, user, kind, version, verdict, reason)


def _decide(request: Request, user: User, kind: str, version: str, verdict: str, reason: str) -> Response:
    if verdict not in ("approve", "reject"):
        raise ConsoleRefusal(404, f"no such verdict {verdict!r}; approve or reject")
    data_dir = Path(request.app.state.settings.data_dir)
    approve, now = verdict == "approve", utcnow()
    try:
        with request.app.state.store.engine.begin() as conn:
            if kind == TRIAGE:  # re-scores the open cases with it, in the same transaction
                decide_triage_version(conn, data_dir, version, user.actor, approve, reason, now)
            else:
                decide_version(conn, data_dir, version, user.actor, approve, reason, now)
    except DomainError as exc:
        return _page(request, user, str(exc), http_status(exc))
    service = getattr(request.app.state, "decisions", None)
    if service is not None and kind == "fraud":
        service.refresh_model()  # this worker serves the approved version now; others within their next check
    return RedirectResponse("/models", status_code=303)
