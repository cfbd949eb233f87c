"""identity-verification sessions and their uploads (warden.kyc.tables)

Revision ID: 0009_kyc
Revises: 0008_exact_amounts
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_kyc"
down_revision = "0008_exact_amounts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kyc_sessions",
        sa.Column("session_id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("declared", sa.Text, nullable=False),
        sa.Column("challenge", sa.Text, nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("reasons", sa.Text, nullable=True),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_kyc_sessions_customer_id", "kyc_sessions", ["customer_id"])
    op.create_table(
        "kyc_uploads",
        sa.Column("session_id", sa.String(40), sa.ForeignKey("kyc_sessions.session_id"), primary_key=True),
        sa.Column("part", sa.String(24), primary_key=True),
        sa.Column("path", sa.Text, nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kyc_uploads")
    op.drop_index("ix_kyc_sessions_customer_id", "kyc_sessions")
    op.drop_table("kyc_sessions")
