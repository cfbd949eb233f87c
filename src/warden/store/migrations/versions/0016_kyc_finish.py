"""KYC: verified customers' face embeddings for the 1:N search inside sessions, and the versioned decision
configurations refitted from reviewers' verdicts

Revision ID: 0016_kyc_finish
Revises: 0015_kyc_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_kyc_finish"
down_revision = "0015_kyc_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_faces",
        sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.Column("model_version", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_kyc_faces_customer_id", "kyc_faces", ["customer_id"])
    op.create_index("ix_kyc_faces_verified_at", "kyc_faces", ["verified_at"])
    op.create_table(
        "kyc_decision_configs",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("diff", sa.Text, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kyc_decision_configs")
    op.drop_index("ix_kyc_faces_verified_at", "kyc_faces")
    op.drop_index("ix_kyc_faces_customer_id", "kyc_faces")
    op.drop_table("kyc_faces")
