"""The triage model's four eyes: a trained version waits, pending, until a model-risk officer or an admin who
did not train it approves it (`warden.models.approvals`, the fraud model's path, with kind `triage`).

Until then triage orders the queue with the version approved before, or with the rule-based priority when
none was. Approving moves the registry's `ACTIVE` pointer and re-scores the open cases with the version in the
same transaction, so the queue an analyst opens next is the one the approver signed off.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.errors import DomainError
from warden.models.approvals import decide_version, register_trained
from warden.models.registry import kind_dir
from warden.triage.model import (
    KIND,
    META_FILE,
    TriageError,
    TriageModel,
    TriagePrioritiser,
    load_triage,
    reprioritise,
    save_triage,
)


def save_for_approval(engine: sa.Engine, model: TriageModel, data_dir: Path, trained_by: str) -> Path:
    """Save a trained triage model's files in the registry (not active) and register it as pending."""
    folder = save_triage(model, data_dir, activate=False)
    with engine.begin() as conn:
        register_trained(conn, model.version, trained_by, datetime.now(UTC), kind=KIND)
    return folder


def decide_triage_version(
    conn: sa.Connection, data_dir: Path, version: str, actor: Actor, approve: bool, reason: str, now: datetime
) -> tuple[str, int]:
    """Approve (it orders the queue from now on) or reject a pending triage version; returns the new status
    and how many open cases the approval re-scored."""
    model = None
    if approve and (kind_dir(data_dir, KIND) / version / META_FILE).exists():
        try:  # loaded first: a version whose files cannot be read is never approved (nor its pointer moved)
            model = load_triage(data_dir, version)
        except (TriageError, OSError, ValueError) as exc:
            raise DomainError(f"triage model {version} cannot be loaded, so it cannot serve: {exc}") from exc
    status = decide_version(conn, data_dir, version, actor, approve, reason, now, kind=KIND)
    rescored = reprioritise(conn, TriagePrioritiser(model), now=now) if model is not None else 0
    return status, rescored
