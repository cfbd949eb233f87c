"""Storing and reading the exchange's facts: every change is a new version and an audit record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.exchange.facts import ExchangeFacts, canonical_json, parse_facts
from warden.exchange.tables import exchange_facts


@dataclass(frozen=True)
class StoredFacts:
    version: int
    fingerprint: str
    source: str
    set_at: datetime
    set_by: str
    facts: ExchangeFacts

    def summary(self) -> dict[str, Any]:
        facts = self.facts
        return {
            "version": self.version,
            "fingerprint": self.fingerprint,
            "source": self.source,
            "set_at": self.set_at.isoformat(),
            "set_by": self.set_by,
            "memo_networks": facts.memo_networks,
            "exchange_addresses": len(facts.exchange_addresses()),
            "supported_pairs": sum(len(v) for v in facts.supported_networks.values()),
            "hack_incidents": len(facts.hack_incidents),
            "learned": len(facts.learned),
        }


def save_facts(conn: sa.Connection, facts: ExchangeFacts, source: str, actor: str) -> StoredFacts:
    """Store `facts` as the newest version (unchanged facts are not stored twice); audited."""
    before = current_facts(conn)
    fingerprint = facts.fingerprint()
    if before is not None and before.fingerprint == fingerprint:
        return before
    version = 1 if before is None else before.version + 1
    now = datetime.now(UTC)
    conn.execute(
        sa.insert(exchange_facts).values(
            version=version,
            fingerprint=fingerprint,
            content=canonical_json(facts),
            source=source[:512],
            set_at=now,
            set_by=actor,
        )
    )
    append_audit(
        conn,
        actor=actor,
        action="exchange.facts.set",
        subject=f"exchange_facts@{version}",
        before=before.summary() if before else None,
        after={"fingerprint": fingerprint, "source": source, "learned": len(facts.learned)},
    )
    stored = current_facts(conn)
    assert stored is not None
    return stored


def current_facts(conn: sa.Connection) -> StoredFacts | None:
    row = conn.execute(sa.select(exchange_facts).order_by(exchange_facts.c.version.desc()).limit(1)).one_or_none()
    if row is None:
        return None
    set_at = row.set_at if row.set_at.tzinfo else row.set_at.replace(tzinfo=UTC)
    facts = parse_facts(row.content, f"exchange_facts@{row.version}")
    return StoredFacts(row.version, row.fingerprint, row.source, set_at, row.set_by, facts)
