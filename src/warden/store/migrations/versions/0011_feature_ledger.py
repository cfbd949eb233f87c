"""decisions keep the event they decided (its body and the body's canonical hash): a different body under a
known event_id is told from a retry, and the in-process feature state is rebuilt from them on start

Revision ID: 0011_feature_ledger
Revises: 0009_kyc
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_feature_ledger"
down_revision = "0009_kyc"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("event_sha256", sa.String(64), nullable=True))
        batch.add_column(sa.Column("event", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("event")
        batch.drop_column("event_sha256")
