"""Models in use, for model-risk officers: every fraud-model version in the registry (and the packaged default)
with which one serves, when and on what data it was trained, its thresholds and validation metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse

from warden.console.auth import console_router
from warden.console.templating import TEMPLATES
from warden.models.registry import DEFAULT_FRAUD_MODEL, active_version, kind_dir

router = console_router("model_risk_officer", "senior_analyst", "admin")
HEADLINE = ("pr_auc", "recall_at_1pct_review_rate", "recall_at_5pct_review_rate", "withdrawals", "positives")


def _meta(folder: Path) -> dict[str, Any] | None:
    try:
        return dict(json.loads((folder / "meta.json").read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def model_versions(data_dir: Path) -> list[dict[str, Any]]:
    active = active_version(data_dir)
    found = []
    root = kind_dir(data_dir)
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.exists() else []
    for folder in [*folders, DEFAULT_FRAUD_MODEL]:
        meta = _meta(folder)
        if meta is None:
            continue
        packaged = folder == DEFAULT_FRAUD_MODEL
        metrics = meta.get("metrics", {})
        split = "test" if "test" in metrics else "validation"
        found.append(
            {
                "version": meta.get("version", folder.name),
                "packaged": packaged,
                "serving": meta.get("version") == active or (active is None and packaged),
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


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request) -> Response:
    versions = model_versions(Path(request.app.state.settings.data_dir))
    return TEMPLATES.TemplateResponse(request, "models.html", {"versions": versions})
