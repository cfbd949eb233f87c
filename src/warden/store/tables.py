"""Table definitions of the foundation (events, ingest runs, audit log).

The schema is created by the Alembic migrations in `migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.types import ExactDecimal

metadata = sa.MetaData()

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

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False, doc="UTC time, ISO 8601 with microseconds, as hashed"),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(200), nullable=False),
    sa.Column("subject", sa.String(500), nullable=False),
    sa.Column("before", sa.Text, nullable=True, doc="canonical JSON"),
    sa.Column("after", sa.Text, nullable=True, doc="canonical JSON"),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

# One row: the newest record's seq and hash, so that cutting records off the end is detected too.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("event_id", sa.String(128), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("event_type", sa.String(32), nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=False),
    sa.Column("ruleset_version", sa.String(128), nullable=False),
    sa.Column("model_version", sa.String(128), nullable=True),
    sa.Column("degraded", sa.String(200), nullable=True, doc="why the decision fell back to its failure policy"),
    sa.Column("record", sa.Text, nullable=False, doc="the whole decision record, JSON"),
)

customer_scores = sa.Table(
    "customer_scores",
    metadata,
    sa.Column("customer_id", sa.String(128), primary_key=True),
    sa.Column("max_score", sa.Float, nullable=False, doc="the highest score of the customer's decisions"),
    sa.Column("last_decided_at", sa.DateTime(timezone=True), nullable=False),
)

rollup_marks = sa.Table(
    "rollup_marks",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("upto", sa.DateTime(timezone=True), nullable=False, doc="decisions up to here are rolled up"),
)

rulesets = sa.Table(
    "rulesets",
    metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, doc="live | shadow | retired"),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_by", sa.String(200), nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
