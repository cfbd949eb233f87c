"""the investigator's workspace: search terms of every event (the console's search box and linked customers)
customer holds (a freeze approved on a case, which the decision engine reads) and suspicious-activity
report records, ruleset publication requests (four eyes)

Revision ID: 0013_workspace
Revises: 0012_sessions_audit
"""

import sqlalchemy as sa
from alembic import op

from warden.events.search_terms import TERM_LENGTH, reindex_all

revision = "0013_workspace"
down_revision = "0012_sessions_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    term = sa.String(TERM_LENGTH).with_variant(sa.String(TERM_LENGTH, collation="C"), "postgresql")
    op.create_table(
        "search_terms",
        sa.Column("term", term, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("value", sa.String(512), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("term", "kind", "customer_id"),
    )
    op.create_index("ix_search_terms_customer", "search_terms", ["customer_id", "kind"])
    op.create_table(
        "customer_holds",
        sa.Column("hold_id", sa.String(40), primary_key=True),
        sa.Column("customer_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("case_id", sa.String(40), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("placed_by", sa.String(64), nullable=False),
        sa.Column("approved_by", sa.String(64), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("release_requested_by", sa.String(64), nullable=True),
        sa.Column("release_reason", sa.Text, nullable=True),
        sa.Column("released_by", sa.String(64), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_customer_holds_customer", "customer_holds", ["customer_id", "status"])
    op.create_table(
        "sar_reports",
        sa.Column("reference", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.String(64), nullable=True),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_index("ix_sar_reports_case", "sar_reports", ["case_id"])
    op.create_table(
        "ruleset_requests",
        sa.Column("request_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The events stored before this revision get their terms now.
    reindex_all(op.get_bind())


def downgrade() -> None:
    op.drop_table("ruleset_requests")
    op.drop_table("sar_reports")
    op.drop_table("customer_holds")
    op.drop_table("search_terms")
