"""Events written straight into the store's events table, for tests that need a customer's history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from warden.events.tables import events

START = datetime(2026, 1, 1, tzinfo=UTC)


def add_events(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    """Each row: event_id, type, customer_id, minutes (after START), optional amount_usd, plus payload fields."""
    values = []
    for row in rows:
        at = START + timedelta(minutes=row.pop("minutes"))
        payload = {**row, "occurred_at": at.isoformat().replace("+00:00", "Z")}
        amount = row.get("amount_usd")
        values.append(
            {
                "event_id": row["event_id"],
                "type": row["type"],
                "customer_id": row["customer_id"],
                "occurred_at": at,
                "amount_usd": None if amount is None else Decimal(amount),
                "payload": json.dumps(payload, sort_keys=True),
            }
        )
    conn.execute(sa.insert(events), values)
