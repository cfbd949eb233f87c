"""Alerts in the store: insert new ones, update the one with the same id (typology + subjects), audit both."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlalchemy as sa

from warden.audit.log import append_audit
from warden.monitoring.alerts import Alert
from warden.store.types import ExactDecimal

metadata = sa.MetaData()

alerts_table = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.String(64), primary_key=True),
    sa.Column("typology", sa.String(64), nullable=False),
    sa.Column("customer_ids", sa.Text, nullable=False),
    sa.Column("event_ids", sa.Text, nullable=False),
    sa.Column("addresses", sa.Text, nullable=False),
    sa.Column("amount_usd", ExactDecimal(), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("explanation", sa.Text, nullable=False),
    sa.Column("detector_version", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("times_seen", sa.Integer, nullable=False),
)


def save_alerts(engine: sa.Engine, alerts: list[Alert], actor: str = "system:monitoring") -> dict[str, int]:
    """Merge alerts into the store in one transaction; returns counts of inserted / updated / unchanged."""
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for alert in alerts:
            record = alert.to_dict()
            values = {
                "typology": alert.typology,
                "customer_ids": json.dumps(alert.customer_ids),
                "event_ids": json.dumps(alert.event_ids),
                "addresses": json.dumps(alert.addresses),
                "amount_usd": alert.amount_usd,
                "score": alert.score,
                "explanation": alert.explanation,
                "detector_version": alert.detector_version,
                "payload": json.dumps(record, sort_keys=True),
            }
            old = conn.execute(
                sa.select(alerts_table.c.payload, alerts_table.c.event_ids, alerts_table.c.times_seen).where(
                    alerts_table.c.alert_id == alert.alert_id
                )
            ).first()
            if old is None:
                conn.execute(
                    sa.insert(alerts_table).values(
                        alert_id=alert.alert_id, first_seen_at=now, updated_at=now, times_seen=1, **values
                    )
                )
                append_audit(conn, actor=actor, action="alert.create", subject=alert.alert_id, after=record)
                counts["inserted"] += 1
                continue
            # Same ring seen again: keep every event ever linked to it.
            merged = sorted(set(json.loads(old.event_ids)) | set(alert.event_ids))
            values["event_ids"] = json.dumps(merged)
            record["event_ids"] = merged
            values["payload"] = json.dumps(record, sort_keys=True)
            if values["payload"] == old.payload:
                counts["unchanged"] += 1
                continue
            conn.execute(
                sa.update(alerts_table)
                .where(alerts_table.c.alert_id == alert.alert_id)
                .values(updated_at=now, times_seen=old.times_seen + 1, **values)
            )
            append_audit(
                conn,
                actor=actor,
                action="alert.update",
                subject=alert.alert_id,
                before=json.loads(old.payload),
                after=record,
            )
            counts["updated"] += 1
    return counts


def load_alerts(engine: sa.Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        result = conn.execute(sa.select(alerts_table.c.payload).order_by(alerts_table.c.score.desc()))
        return [json.loads(r.payload) for r in result]
