"""Approving a model version before it serves, with four eyes.

Training registers a version as `pending` (`register_trained`); it does not serve. A model-risk officer or an
admin who did not train it approves it (`decide_version`), and only then does the registry's `ACTIVE` pointer
move to it, so until then the previously approved version keeps serving (on a fresh install: the packaged
default, which ships reviewed with the release). Rejecting leaves the pointer where it is. Training, approving
and rejecting are on the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.audit.log import append_audit
from warden.errors import Conflict, DomainError, Forbidden, NotFound
from warden.models.fraud import FraudModel
from warden.models.registry import active_version, save, set_active
from warden.models.tables import model_versions

APPROVER_ROLES = ("model_risk_officer", "admin")


def save_for_approval(engine: sa.Engine, model: FraudModel, data_dir: Path, trained_by: str) -> Path:
    """Save a trained fraud model's files in the registry (not active) and register it as pending."""
    folder = save(model, data_dir, activate=False)
    with engine.begin() as conn:
        register_trained(conn, model.version, trained_by, datetime.now(UTC))
    return folder


def register_trained(conn: sa.Connection, version: str, trained_by: str, now: datetime, kind: str = "fraud") -> None:
    """A freshly trained version, waiting for approval; it does not serve yet."""
    conn.execute(
        sa.insert(model_versions).values(
            kind=kind, version=version, status="pending", trained_by=trained_by, trained_at=now
        )
    )
    append_audit(
        conn,
        actor=trained_by,
        action="model.trained",
        subject=f"{kind}@{version}",
        after={"status": "pending"},
        at=now,
    )


def decide_version(
    conn: sa.Connection,
    data_dir: Path,
    version: str,
    actor: Actor,
    approve: bool,
    reason: str,
    now: datetime,
    kind: str = "fraud",
) -> str:
    """The second pair of eyes: approve (it serves from now on) or reject; never the one who trained it.
    Returns the new status."""
    where = (model_versions.c.kind == kind) & (model_versions.c.version == version)
    row = conn.execute(sa.select(model_versions).where(where).with_for_update()).first()
    if row is None:
        raise NotFound(f"no trained {kind} model version {version!r} waits for approval")
    if actor.role not in APPROVER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot approve models: this needs a model-risk officer")
    if row.trained_by == actor.name:
        raise Forbidden(f"{actor.name} trained {version} and cannot approve it: four eyes need a second person")
    if row.status != "pending":
        raise Conflict(f"{kind} model {version} is already {row.status} (by {row.decided_by})")
    if not reason.strip():
        raise DomainError("a reason is needed (what was checked: metrics, training data, thresholds)")
    status = "approved" if approve else "rejected"
    conn.execute(
        sa.update(model_versions)
        .where(where)
        .values(status=status, decided_by=actor.name, decided_at=now, reason=reason)
    )
    previous = active_version(data_dir, kind) or "packaged default"
    append_audit(
        conn,
        actor=actor.name,
        action=f"model.{status}",
        subject=f"{kind}@{version}",
        before={"status": "pending", "serving": previous},
        after={"status": status, "trained_by": row.trained_by, "reason": reason},
        at=now,
    )
    if approve:  # last, inside the transaction: a pointer that cannot move rolls the approval back
        set_active(data_dir, version, kind)
    return status


def activate_with_ruleset(
    conn: sa.Connection, data_dir: Path, version: str, actor: str, ruleset: str, now: datetime
) -> None:
    """`warden calibrate --publish live`: whoever may publish a ruleset live from the command line publishes
    one whose model cut-offs were fitted to this version's scores, so the version goes live with it (the
    ruleset is meaningless on another model's scores). Recorded as approved by that publication and on the
    audit log as `model.activated_with_ruleset`; the console's four-eyes approval is the path without it."""
    where = (model_versions.c.kind == "fraud") & (model_versions.c.version == version)
    conn.execute(
        sa.update(model_versions)
        .where(where)
        .values(status="approved", decided_by=actor, decided_at=now, reason=f"published live with {ruleset}")
    )
    previous = active_version(data_dir) or "packaged default"
    append_audit(
        conn,
        actor=actor,
        action="model.activated_with_ruleset",
        subject=f"fraud@{version}",
        before={"status": "pending", "serving": previous},
        after={"status": "approved", "ruleset": ruleset},
        at=now,
    )
    set_active(data_dir, version)


def version_records(conn: sa.Connection, kind: str = "fraud") -> dict[str, dict[str, Any]]:
    """Each registered version's approval record, by version."""
    rows = conn.execute(sa.select(model_versions).where(model_versions.c.kind == kind))
    return {r.version: dict(r._mapping) for r in rows}
