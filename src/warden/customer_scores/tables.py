"""Tables of the customer score rollup: each customer's highest score and how far the rollup has read.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

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
