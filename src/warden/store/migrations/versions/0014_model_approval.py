"""model approval: each trained model version waits for a model-risk officer's approval before it serves;
an index of each customer's events by type and time (the customer view's latest KYC, logins, money events)

Revision ID: 0014_model_approval
Revises: 0013_workspace
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_model_approval"
down_revision = "0013_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_events_customer_type_time", "events", ["customer_id", "type", "occurred_at"])
    op.create_table(
        "model_versions",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trained_by", sa.String(64), nullable=False),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("kind", "version"),
    )


def downgrade() -> None:
    op.drop_table("model_versions")
    op.drop_index("ix_events_customer_type_time", table_name="events")
