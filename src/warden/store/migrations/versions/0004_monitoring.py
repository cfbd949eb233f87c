"""monitoring: alerts

Revision ID: 0004_monitoring
Revises: 0003_decisions
"""

revision = "0004_monitoring"
down_revision = "0003_decisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the area that owns this revision


def downgrade() -> None:
    pass
