"""The models stage's table: each trained model version's approval (the files stay in the registry folder)."""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("kind", sa.String(32), primary_key=True, doc="fraud (the registry's kind folder)"),
    sa.Column("version", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False, doc="pending | approved | rejected"),
    sa.Column("trained_by", sa.String(64), nullable=False),
    sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=True),
    sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("reason", sa.Text, nullable=True, doc="the approver's words"),
)
