"""cases, queues, users

Revision ID: 0005_cases
Revises: 0004_monitoring
"""

revision = "0005_cases"
down_revision = "0004_monitoring"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the area that owns this revision


def downgrade() -> None:
    pass
