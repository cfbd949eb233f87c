"""Low-level helpers shared by the case modules: time, JSON columns, the timeline-plus-audit writer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.cases.tables import case_timeline


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC, so say so."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def record_event(
    conn: sa.Connection,
    case_id: str,
    actor: str,
    kind: str,
    detail: dict[str, Any],
    at: datetime,
    before: Any = None,
) -> None:
    """One timeline entry and its audit record, in the caller's transaction: the timeline is what reviewers
    read, the audit log is what proves it was not edited."""
    conn.execute(sa.insert(case_timeline).values(case_id=case_id, at=at, actor=actor, kind=kind, detail=dumps(detail)))
    append_audit(conn, actor=actor, action=f"case.{kind}", subject=case_id, before=before, after=detail, at=at)
