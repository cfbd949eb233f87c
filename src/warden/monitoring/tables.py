"""Tables of monitoring: the detectors' alerts.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata
from warden.store.types import ExactDecimal

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
