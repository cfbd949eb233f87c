"""the exchange's facts, versioned

Revision ID: 0007_exchange
Revises: 0006_customer_scores
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_exchange"
down_revision = "0006_customer_scores"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_facts",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exchange_facts")
