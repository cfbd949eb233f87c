"""KYC reviewers' verdicts (the labels for the next version of the checks) and session kinds (step-up)

Revision ID: 0015_kyc_review
Revises: 0013_workspace
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_kyc_review"
down_revision = "0014_model_approval"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kyc_sessions", sa.Column("kind", sa.String(16), nullable=False, server_default="onboarding"))
    op.add_column("kyc_sessions", sa.Column("hold_ref", sa.String(128), nullable=True))
    op.create_table(
        "kyc_reviews",
        sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("machine_outcome", sa.String(16), nullable=False),
        sa.Column("machine_reasons", sa.Text, nullable=False),
        sa.Column("versions", sa.Text, nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kyc_reviews")
    with op.batch_alter_table("kyc_sessions") as batch:  # SQLite drops columns by copying the table
        batch.drop_column("hold_ref")
        batch.drop_column("kind")
