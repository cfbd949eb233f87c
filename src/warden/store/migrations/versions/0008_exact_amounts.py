"""amounts kept exactly: SQLite TEXT in place of NUMERIC (which SQLite stores as REAL), PostgreSQL NUMERIC
without a fixed scale (bounded by the input checks of events/bounds.py, never by a column overflow)

Revision ID: 0008_exact_amounts
Revises: 0007_exchange
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008_exact_amounts"
down_revision = "0007_exchange"
branch_labels = None
depends_on = None

# (table, nullable) of every amount_usd column
AMOUNT_COLUMNS = (("events", True), ("alerts", False), ("cases", False), ("case_alerts", False))


def _exact() -> sa.types.TypeEngine[Any]:
    return sa.Text() if op.get_bind().dialect.name == "sqlite" else sa.Numeric()


def upgrade() -> None:
    for table, nullable in AMOUNT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "amount_usd", type_=_exact(), existing_type=sa.Numeric(38, 8), existing_nullable=nullable
            )


def downgrade() -> None:
    for table, nullable in AMOUNT_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                "amount_usd", type_=sa.Numeric(38, 8), existing_type=_exact(), existing_nullable=nullable
            )
