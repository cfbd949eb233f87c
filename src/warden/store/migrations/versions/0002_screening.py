"""screening: list versions and entries

Revision ID: 0002_screening
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_screening"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per loaded list version: where it came from, its date, counts, and the diff to the one before.
    op.create_table(
        "screening_list_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_name", sa.String(128), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("version_date", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("names", sa.Integer, nullable=False),
        sa.Column("addresses", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("diff", sa.Text, nullable=False),  # JSON: added / removed / changed ids
        sa.Column("stored_path", sa.Text, nullable=True),
    )
    op.create_index("ix_screening_list_versions_list", "screening_list_versions", ["list_name", "id"])
    # The ids (entries and addresses) in each version, so a later version can be diffed without the old files.
    op.create_table(
        "screening_list_entries",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("screening_list_versions.id"), primary_key=True),
        sa.Column("item_id", sa.String(256), primary_key=True),
        sa.Column("item_kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("screening_list_entries")
    op.drop_index("ix_screening_list_versions_list", table_name="screening_list_versions")
    op.drop_table("screening_list_versions")
