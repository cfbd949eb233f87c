"""monitoring: alerts

Revision ID: 0004_monitoring
Revises: 0003_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_monitoring"
down_revision = "0003_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(64), primary_key=True),
        sa.Column("typology", sa.String(64), nullable=False),
        sa.Column("customer_ids", sa.Text, nullable=False),
        sa.Column("event_ids", sa.Text, nullable=False),
        sa.Column("addresses", sa.Text, nullable=False),
        sa.Column("amount_usd", sa.Numeric(38, 8), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("detector_version", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer, nullable=False),
    )
    op.create_index("ix_alerts_typology", "alerts", ["typology"])


def downgrade() -> None:
    op.drop_index("ix_alerts_typology", table_name="alerts")
    op.drop_table("alerts")
