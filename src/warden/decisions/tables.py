"""Tables of the decisions stage: decision records and published rulesets.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

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
    sa.Column("event_sha256", sa.String(64), nullable=True, doc="canonical hash of the event's body (digest.py)"),
    sa.Column("event", sa.Text, nullable=True, doc="the event's body as received (rebuilds feature state)"),
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
