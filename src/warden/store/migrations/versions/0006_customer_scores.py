"""customer scores rolled up beside the decisions, in place of the decisions' customer index; the decided_at
index covers what the rollup reads

Revision ID: 0006_customer_scores
Revises: 0005_cases
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_customer_scores"
down_revision = "0005_cases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "customer_scores",
        sa.Column("customer_id", sa.String(128), primary_key=True),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("last_decided_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rollup_marks",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("upto", sa.DateTime(timezone=True), nullable=False),
    )
    # The decisions stored so far are rolled up here, and the mark set after the newest of them.
    op.execute(
        "INSERT INTO customer_scores (customer_id, max_score, last_decided_at) "
        "SELECT customer_id, max(score), max(decided_at) FROM decisions GROUP BY customer_id"
    )
    op.execute(
        "INSERT INTO rollup_marks (name, upto) "
        "SELECT 'customer_scores', max(decided_at) FROM decisions HAVING count(*) > 0"
    )
    op.drop_index("ix_decisions_customer", "decisions")
    # Still appended to at its end (decided_at grows), and the rollup reads it without the records' pages.
    op.create_index("ix_decisions_decided_scores", "decisions", ["decided_at", "customer_id", "score"])
    op.drop_index("ix_decisions_decided_at", "decisions")


def downgrade() -> None:
    op.create_index("ix_decisions_decided_at", "decisions", ["decided_at"])
    op.drop_index("ix_decisions_decided_scores", "decisions")
    op.create_index("ix_decisions_customer", "decisions", ["customer_id", "occurred_at"])
    op.drop_table("rollup_marks")
    op.drop_table("customer_scores")
