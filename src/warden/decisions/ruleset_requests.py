"""Publishing a ruleset with four eyes: a rule author asks for a version to go live (or to shadow); a second
person (another rule author, a senior analyst or an admin; never the one who asked) approves, and only then
is it published (`rulesets.publish_ruleset`). Asking, approving and rejecting are on the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from warden.access.roles import Actor
from warden.audit.log import append_audit
from warden.decisions.rulesets import PublishedRuleset, RulesetCheck, publish_ruleset
from warden.errors import Conflict, DomainError, Forbidden, NotFound
from warden.rules.loader import load_ruleset
from warden.store.metadata import metadata

AUTHOR_ROLES = ("rule_author", "senior_analyst", "admin")
APPROVER_ROLES = ("rule_author", "senior_analyst", "admin")

ruleset_requests = sa.Table(
    "ruleset_requests",
    metadata,
    sa.Column("request_id", sa.String(40), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("target", sa.String(16), nullable=False, doc="live | shadow"),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, doc="pending | approved | rejected"),
    sa.Column("requested_by", sa.String(64), nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
)


def request_publication(
    conn: sa.Connection, content: str, target: str, actor: Actor, now: datetime, checks: Sequence[RulesetCheck] = ()
) -> str:
    """Ask for `content` to be published as `target`; it must check now (RulesetError lists the problems, a
    check of `checks` raises its DomainError), and again when it is approved."""
    if actor.role not in AUTHOR_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot ask to publish rulesets")
    if target not in ("live", "shadow"):
        raise DomainError(f"target: {target!r} is not live or shadow")
    ruleset = load_ruleset(content)
    for check in checks:
        check(ruleset)
    request_id = f"rreq_{uuid.uuid4().hex[:16]}"
    conn.execute(
        sa.insert(ruleset_requests).values(
            request_id=request_id,
            name=ruleset.name,
            version=ruleset.version,
            target=target,
            content=content,
            status="pending",
            requested_by=actor.name,
            requested_at=now,
        )
    )
    detail = {"request_id": request_id, "target": target, "fingerprint": ruleset.fingerprint}
    append_audit(
        conn,
        actor=actor.name,
        action="ruleset.publication_requested",
        subject=f"{ruleset.name}@{ruleset.version}",
        after=detail,
        at=now,
    )
    return request_id


def decide_publication(
    conn: sa.Connection,
    request_id: str,
    actor: Actor,
    approve: bool,
    now: datetime,
    checks: Sequence[RulesetCheck] = (),
) -> PublishedRuleset | None:
    """The second pair of eyes: approve (publish now) or reject; never the one who asked."""
    row = conn.execute(
        sa.select(ruleset_requests).where(ruleset_requests.c.request_id == request_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"no publication request {request_id!r}")
    if row.status != "pending":
        raise Conflict(f"request {request_id} is already {row.status} (by {row.decided_by})")
    if row.requested_by == actor.name:
        raise Forbidden(f"{actor.name} asked for this publication and cannot decide it: four eyes need a second person")
    if actor.role not in APPROVER_ROLES:
        raise Forbidden(f"{actor.name} ({actor.role}) cannot approve rulesets")
    status = "approved" if approve else "rejected"
    conn.execute(
        sa.update(ruleset_requests)
        .where(ruleset_requests.c.request_id == request_id)
        .values(status=status, decided_by=actor.name, decided_at=now)
    )
    subject = f"{row.name}@{row.version}"
    append_audit(
        conn,
        actor=actor.name,
        action=f"ruleset.publication_{status}",
        subject=subject,
        after={"request_id": request_id, "requested_by": row.requested_by},
        at=now,
    )
    if not approve:
        return None
    return publish_ruleset(conn, row.content, f"{row.requested_by}, approved by {actor.name}", row.target, checks)


def pending_requests(conn: sa.Connection) -> list[dict[str, Any]]:
    query = sa.select(ruleset_requests).order_by(ruleset_requests.c.requested_at.desc()).limit(50)
    return [dict(r._mapping) for r in conn.execute(query)]
