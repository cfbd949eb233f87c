"""Published rulesets: immutable versions in the store, one live and at most one in shadow, audited.

A version, once published, never changes: publishing the same name and version with other content is refused.
The live ruleset decides; the shadow ruleset is evaluated on the same events and features without effect, and
its outcome is kept in the decision record so the difference can be reported before it goes live.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.decisions.tables import decisions, rulesets
from warden.rules.loader import load_ruleset
from warden.rules.ruleset import Ruleset

STATUSES = ("live", "shadow")
RulesetCheck = Callable[[Ruleset], None]  # raises a DomainError naming what a later stage refuses


class PublishError(ValueError):
    """Publishing was refused (a changed version, a bad status); nothing was stored."""


@dataclass(frozen=True)
class PublishedRuleset:
    name: str
    version: str
    fingerprint: str
    status: str
    published_at: datetime
    published_by: str
    content: str

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "fingerprint": self.fingerprint, "status": self.status,
            "published_at": self.published_at.isoformat(), "published_by": self.published_by,
        }  # fmt: skip


def publish_ruleset(
    conn: sa.Connection, content: str, actor: str, status: str = "live", checks: Sequence[RulesetCheck] = ()
) -> PublishedRuleset:
    """Check, then store `content` as a new version with `status`; the previous holder of it is retired.
    `checks` are what later stages require of a ruleset (the faces pass `cases.rule_routes.queue_check()`)."""
    if status not in STATUSES:
        raise PublishError(f"status must be one of {STATUSES}, not {status!r}")
    ruleset = load_ruleset(content)  # RulesetError with every problem when it does not check
    for check in checks:
        check(ruleset)  # a DomainError naming what is wrong
    existing = conn.execute(
        sa.select(rulesets.c.fingerprint, rulesets.c.status).where(
            rulesets.c.name == ruleset.name, rulesets.c.version == ruleset.version
        )
    ).one_or_none()
    if existing is not None and existing.fingerprint != ruleset.fingerprint:
        raise PublishError(
            f"{ruleset.name}@{ruleset.version} is already published with other content; published versions are "
            "immutable: give the change a new version"
        )
    before = current(conn, status)
    conn.execute(sa.update(rulesets).where(rulesets.c.status == status).values(status="retired"))
    now = datetime.now(UTC)
    if existing is None:
        conn.execute(
            sa.insert(rulesets).values(
                name=ruleset.name,
                version=ruleset.version,
                fingerprint=ruleset.fingerprint,
                content=content,
                status=status,
                published_at=now,
                published_by=actor,
            )
        )
    else:  # the same content again: only its status changes (e.g. shadow -> live)
        conn.execute(
            sa.update(rulesets)
            .where(rulesets.c.name == ruleset.name, rulesets.c.version == ruleset.version)
            .values(status=status, published_at=now, published_by=actor)
        )
    append_audit(
        conn,
        actor=actor,
        action=f"ruleset.publish.{status}",
        subject=f"{ruleset.name}@{ruleset.version}",
        before=before.summary() if before else None,
        after={"fingerprint": ruleset.fingerprint, "rules": len(ruleset.rules), "status": status},
    )
    published = current(conn, status)
    assert published is not None
    return published


def retire_shadow(conn: sa.Connection, actor: str) -> bool:
    shadow = current(conn, "shadow")
    if shadow is None:
        return False
    conn.execute(sa.update(rulesets).where(rulesets.c.status == "shadow").values(status="retired"))
    append_audit(conn, actor=actor, action="ruleset.shadow.stop", subject=f"{shadow.name}@{shadow.version}")
    return True


def current(conn: sa.Connection, status: str) -> PublishedRuleset | None:
    row = conn.execute(
        sa.select(rulesets).where(rulesets.c.status == status).order_by(rulesets.c.published_at.desc()).limit(1)
    ).one_or_none()
    return None if row is None else PublishedRuleset(**row._mapping)


def list_rulesets(conn: sa.Connection) -> list[PublishedRuleset]:
    rows = conn.execute(sa.select(rulesets).order_by(rulesets.c.published_at.desc()))
    return [PublishedRuleset(**row._mapping) for row in rows]


def load_published(conn: sa.Connection, status: str) -> Ruleset | None:
    published = current(conn, status)
    return None if published is None else load_ruleset(published.content)


def shadow_report(conn: sa.Connection, limit: int = 100_000) -> dict[str, Any]:
    """Live against shadow outcomes over the newest decision records that carry a shadow result."""
    pairs: Counter[tuple[str, str]] = Counter()
    names: set[str] = set()
    rows = conn.execute(sa.select(decisions.c.record).order_by(decisions.c.decided_at.desc()).limit(limit))
    for (record,) in rows:
        data = orjson.loads(record)
        shadow = data.get("shadow")
        if shadow:
            pairs[(data["outcome"], shadow["outcome"])] += 1
            names.add(shadow["ruleset"])
    total = sum(pairs.values())
    changed = {f"{a}->{b}": n for (a, b), n in pairs.items() if a != b}
    return {
        "shadow_rulesets": sorted(names),
        "decisions": total,
        "changed": sum(changed.values()),
        "transitions": dict(sorted(changed.items(), key=lambda kv: -kv[1])),
    }
