"""decisions: rulesets, decision records, models

Revision ID: 0003_decisions
Revises: 0002_screening
"""

revision = "0003_decisions"
down_revision = "0002_screening"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the area that owns this revision


def downgrade() -> None:
    pass
