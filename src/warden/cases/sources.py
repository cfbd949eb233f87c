"""Outputs of other areas as case alerts: decisions at review or stronger, monitoring's typology alerts,
new sanctions hits from re-screening.

All are idempotent (alert ids derive from the source record), so they can run after every batch.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.cases.alerts import CaseAlert, add_alert, severity_for_score
from warden.cases.queues import QueueConfig, default_queue_config
from warden.cases.tables import case_alerts
from warden.decisions.tables import decisions
from warden.events.tables import events
from warden.monitoring.tables import alerts_table as monitoring_alerts
from warden.screening.rescreen import RescreenAlert

# Decision outcomes strong enough for a human to look at, and the severity each starts at.
DECISION_SEVERITY = {"review": "medium", "hold": "high", "block": "high", "freeze": "critical"}


def _counts() -> dict[str, int]:
    return {"alerts": 0, "new_cases": 0, "joined_cases": 0}


def _decision_alert(record: dict[str, Any], amount: Decimal | None) -> CaseAlert:
    hits = record.get("rule_hits") or []
    model = record.get("model")
    typology = hits[0]["rule_id"] if hits else (f"model:{model['name']}" if model else "decision")
    if amount is None:
        feature = (record.get("features") or {}).get("amount_usd")
        amount = Decimal(str(feature)) if isinstance(feature, int | float | str) and feature != "" else Decimal(0)
    return CaseAlert(
        alert_id=f"decision:{record['event_id']}",
        source="decision",
        typology=typology,
        customer_ids=[record["customer_id"]],
        event_ids=[record["event_id"]],
        score=min(1.0, max(0.0, float(record.get("score", 0.0)))),
        severity=DECISION_SEVERITY[record["outcome"]],
        amount_usd=amount,
        evidence={
            "outcome": record["outcome"],
            "reasons": record.get("reasons", []),
            "rule_hits": hits,
            "model": model,
            "ruleset": record.get("ruleset"),
            "versions": record.get("versions", {}),
            "decided_at": record.get("decided_at"),
        },
    )


def alerts_from_decisions(
    conn: sa.Connection,
    *,
    config: QueueConfig | None = None,
    limit: int = 10_000,
    now: datetime | None = None,
) -> dict[str, int]:
    """Turn stored decisions at review or stronger that have no alert yet into alerts (idempotent)."""
    config = config or default_queue_config()
    alert_id = sa.literal("decision:") + decisions.c.event_id
    query = (
        sa.select(decisions.c.record, events.c.amount_usd)
        .select_from(decisions.outerjoin(events, events.c.event_id == decisions.c.event_id))
        .where(decisions.c.outcome.in_(list(DECISION_SEVERITY)))
        .where(~sa.exists().where(case_alerts.c.alert_id == alert_id))
        .order_by(decisions.c.decided_at, decisions.c.event_id)
        .limit(limit)
    )
    counts = _counts()
    for record_json, amount in conn.execute(query).all():
        record = json.loads(record_json)
        result = add_alert(
            conn,
            _decision_alert(record, None if amount is None else Decimal(amount)),
            actor="system:decisions",
            config=config,
            now=now,
        )
        counts["alerts"] += int(result.new_alert)
        counts["new_cases"] += int(result.new_case)
        counts["joined_cases"] += int(result.new_alert and not result.new_case)
    return counts


def alerts_from_monitoring(
    conn: sa.Connection, *, config: QueueConfig | None = None, now: datetime | None = None
) -> dict[str, int]:
    """Turn monitoring's typology alerts into case alerts; a ring seen again (times_seen grew) adds a new
    alert with the new evidence to the open case, or opens a new case if the last one was closed."""
    config = config or default_queue_config()
    counts = _counts()
    known = set(conn.execute(sa.select(case_alerts.c.alert_id).where(case_alerts.c.source == "monitoring")).scalars())
    rows = conn.execute(sa.select(monitoring_alerts).order_by(monitoring_alerts.c.first_seen_at)).all()
    for row in rows:
        alert_id = f"monitoring:{row.alert_id}#{row.times_seen}"
        if alert_id in known:
            continue
        payload = json.loads(row.payload)
        score = min(1.0, max(0.0, float(row.score)))
        alert = CaseAlert(
            alert_id=alert_id,
            source="monitoring",
            typology=row.typology,
            customer_ids=json.loads(row.customer_ids),
            addresses=json.loads(row.addresses),
            event_ids=json.loads(row.event_ids),
            score=score,
            severity=severity_for_score(score),
            amount_usd=Decimal(row.amount_usd),
            evidence={
                "explanation": row.explanation,
                "detector_version": row.detector_version,
                "parameters": payload.get("parameters", {}),
                "first_at": payload.get("first_at"),
                "last_at": payload.get("last_at"),
                "also_matched": payload.get("also_matched", []),
                "times_seen": row.times_seen,
            },
        )
        result = add_alert(conn, alert, actor="system:monitoring", config=config, now=now)
        counts["alerts"] += int(result.new_alert)
        counts["new_cases"] += int(result.new_case)
        counts["joined_cases"] += int(result.new_alert and not result.new_case)
    return counts


def alerts_from_rescreen(
    conn: sa.Connection, hits: list[RescreenAlert], *, config: QueueConfig | None = None, now: datetime | None = None
) -> dict[str, int]:
    """New sanctions hits from re-screening the customer base after a list update, as case alerts."""
    config = config or default_queue_config()
    counts = _counts()
    for hit in hits:
        alert = CaseAlert(
            alert_id=f"screening:{hit.customer_id}:{hit.list_name}:{hit.entry_id}",
            source="screening",
            typology="sanctions_name_match",
            customer_ids=[hit.customer_id],
            score=hit.score,
            severity="critical" if hit.score >= 0.95 else "high",
            evidence={
                "full_name": hit.full_name,
                "list": hit.list_name,
                "entry_id": hit.entry_id,
                "matched_alias": hit.matched_alias,
                "score": hit.score,
                "explanation": hit.reasons,
            },
        )
        result = add_alert(conn, alert, actor="system:screening", config=config, now=now)
        if result.new_alert:
            counts["alerts"] += 1
            counts["new_cases" if result.new_case else "joined_cases"] += 1
    return counts
