"""Tables of the events stage: the events, ingest runs and labels.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata
from warden.store.types import ExactDecimal

events = sa.Table(
    "events",
    metadata,
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("amount_usd", ExactDecimal(), nullable=True),
    sa.Column("payload", sa.Text, nullable=False, doc="the event as received, canonical JSON"),
    sa.Column("ingest_run_id", sa.Integer, nullable=True),
    sa.Index("ix_events_customer_time", "customer_id", "occurred_at"),
    # a customer's events of one type, newest first: the latest KYC, their logins, their money events
    sa.Index("ix_events_customer_type_time", "customer_id", "type", "occurred_at"),
)

ingest_runs = sa.Table(
    "ingest_runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("read", sa.Integer, nullable=False, default=0),
    sa.Column("stored", sa.Integer, nullable=False, default=0),
    sa.Column("duplicates", sa.Integer, nullable=False, default=0),
    sa.Column("rejected", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text, nullable=True),
)

labels = sa.Table(
    "labels",
    metadata,
    sa.Column("entity_type", sa.String(16), primary_key=True),
    sa.Column("entity_id", sa.String(256), primary_key=True),
    sa.Column("label", sa.String(32), nullable=False),
    sa.Column("typology", sa.String(64), primary_key=True, default=""),
    sa.Column("scenario_id", sa.String(128), primary_key=True, default=""),
    sa.Column("source", sa.String(64), nullable=False, doc="simulator, review, import ..."),
)
