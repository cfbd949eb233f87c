"""Reading stored monitoring alerts for people: a filtered list, counts per typology, one alert in full."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.monitoring.flow import AlertNotFound, load_alert_row
from warden.monitoring.tables import alerts_table

MAX_LIMIT = 500


@dataclass(frozen=True)
class AlertSummary:
    alert_id: str
    typology: str
    customer_ids: list[str]
    amount_usd: Decimal
    score: float
    explanation: str
    times_seen: int
    first_seen_at: datetime
    updated_at: datetime
    events: int
    first_at: str  # UTC span of the money the pattern moved, as the detector wrote it
    last_at: str


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _summary(row: sa.Row[Any]) -> AlertSummary:
    payload = json.loads(row.payload)
    return AlertSummary(
        alert_id=row.alert_id,
        typology=row.typology,
        customer_ids=json.loads(row.customer_ids),
        amount_usd=Decimal(row.amount_usd),
        score=float(row.score),
        explanation=row.explanation,
        times_seen=int(row.times_seen),
        first_seen_at=_utc(row.first_seen_at),
        updated_at=_utc(row.updated_at),
        events=len(json.loads(row.event_ids)),
        first_at=str(payload.get("first_at") or ""),
        last_at=str(payload.get("last_at") or ""),
    )


def typology_counts(conn: sa.Connection) -> dict[str, int]:
    query = sa.select(alerts_table.c.typology, sa.func.count()).group_by(alerts_table.c.typology)
    return {typology: int(n) for typology, n in sorted(conn.execute(query).all())}


def list_alerts(
    conn: sa.Connection, *, typology: str | None = None, limit: int = 100, offset: int = 0
) -> list[AlertSummary]:
    """Alerts, highest score first (then newest), optionally of one typology."""
    query = (
        sa.select(alerts_table)
        .order_by(alerts_table.c.score.desc(), alerts_table.c.updated_at.desc(), alerts_table.c.alert_id)
        .limit(max(1, min(limit, MAX_LIMIT)))
        .offset(max(0, offset))
    )
    if typology:
        query = query.where(alerts_table.c.typology == typology)
    return [_summary(row) for row in conn.execute(query)]


def get_alert(conn: sa.Connection, alert_id: str) -> dict[str, Any]:
    """The alert as the detector wrote it (payload: parameters, span, also_matched ...) plus its store history."""
    row = load_alert_row(conn, alert_id)
    record: dict[str, Any] = json.loads(row.payload)
    record.update(
        event_ids=json.loads(row.event_ids),  # every event ever linked, across runs
        times_seen=int(row.times_seen),
        first_seen_at=_utc(row.first_seen_at),
        updated_at=_utc(row.updated_at),
    )
    return record


__all__ = ["AlertNotFound", "AlertSummary", "get_alert", "list_alerts", "typology_counts"]
