"""Table definitions of cases, their alerts, timeline and proposals.

The schema is created by the Alembic revision `0005_cases`; these objects describe it for queries.
The alert table is `case_alerts` because `alerts` belongs to monitoring (its detector output).
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata
from warden.store.types import ExactDecimal

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("case_id", sa.String(40), primary_key=True),
    sa.Column("subject_customer", sa.String(128), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("queue", sa.String(32), nullable=False),
    sa.Column("priority", sa.Float, nullable=False),
    sa.Column("priority_reasons", sa.Text, nullable=False, doc="JSON: how the priority was reached"),
    sa.Column("amount_usd", ExactDecimal(), nullable=False),
    sa.Column("max_alert_score", sa.Float, nullable=False),
    sa.Column("jurisdiction", sa.String(8), nullable=True),
    sa.Column("assignee", sa.String(64), nullable=True),
    sa.Column("disposition", sa.String(40), nullable=True),
    sa.Column("tags", sa.Text, nullable=False, doc="JSON list"),
    sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("overdue", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
)

case_alerts = sa.Table(
    "case_alerts",
    metadata,
    sa.Column("alert_id", sa.String(200), primary_key=True, doc="source-derived, so re-ingesting is a no-op"),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("typology", sa.String(64), nullable=False),
    sa.Column("customer_ids", sa.Text, nullable=False),
    sa.Column("addresses", sa.Text, nullable=False),
    sa.Column("event_ids", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("amount_usd", ExactDecimal(), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

case_timeline = sa.Table(
    "case_timeline",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, doc="JSON"),
)

case_proposals = sa.Table(
    "case_proposals",
    metadata,
    sa.Column("proposal_id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.case_id"), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
)
