"""cases, queues, users

Revision ID: 0005_cases
Revises: 0004_monitoring
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_cases"
down_revision = "0004_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("skills", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "cases",
        sa.Column("case_id", sa.String(40), primary_key=True),
        sa.Column("subject_customer", sa.String(128), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("queue", sa.String(32), nullable=False),
        sa.Column("priority", sa.Float, nullable=False),
        sa.Column("priority_reasons", sa.Text, nullable=False),
        sa.Column("amount_usd", sa.Numeric(38, 8), nullable=False),
        sa.Column("max_alert_score", sa.Float, nullable=False),
        sa.Column("jurisdiction", sa.String(8), nullable=True),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("disposition", sa.String(40), nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("sla_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_cases_subject", "cases", ["subject_customer", "state"])
    # a reviewer's load and cases; partial, so take-next (assignee IS NULL) is not tempted away from the next one
    assigned = sa.text("assignee IS NOT NULL")
    op.create_index(
        "ix_cases_assignee", "cases", ["assignee", "state"], sqlite_where=assigned, postgresql_where=assigned
    )
    # take-next walks unassigned open cases in priority order and stops at the first of the reviewer's queues
    takeable = sa.text("assignee IS NULL AND state IN ('new', 'escalated')")
    op.create_index(
        "ix_cases_takeable",
        "cases",
        [sa.text("priority DESC"), "sla_due_at", "case_id"],
        sqlite_where=takeable,
        postgresql_where=takeable,
    )
    op.create_table(
        "case_alerts",
        sa.Column("alert_id", sa.String(200), primary_key=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.case_id"), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("typology", sa.String(64), nullable=False),
        sa.Column("customer_ids", sa.Text, nullable=False),
        sa.Column("addresses", sa.Text, nullable=False),
        sa.Column("event_ids", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("amount_usd", sa.Numeric(38, 8), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_case_alerts_case", "case_alerts", ["case_id"])
    op.create_table(
        "case_timeline",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.case_id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_case_timeline_case", "case_timeline", ["case_id", "id"])
    op.create_table(
        "case_proposals",
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
    op.create_index("ix_case_proposals_case", "case_proposals", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_proposals_case", table_name="case_proposals")
    op.drop_table("case_proposals")
    op.drop_index("ix_case_timeline_case", table_name="case_timeline")
    op.drop_table("case_timeline")
    op.drop_index("ix_case_alerts_case", table_name="case_alerts")
    op.drop_table("case_alerts")
    op.drop_index("ix_cases_takeable", table_name="cases")
    op.drop_index("ix_cases_assignee", table_name="cases")
    op.drop_index("ix_cases_subject", table_name="cases")
    op.drop_table("cases")
    op.drop_table("users")
