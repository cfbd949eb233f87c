"""screening: list versions and entries

Revision ID: 0002_screening
Revises: 0001_foundation
"""

revision = "0002_screening"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the area that owns this revision


def downgrade() -> None:
    pass
