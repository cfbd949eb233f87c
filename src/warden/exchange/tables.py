"""Versions of the exchange's facts: each `warden exchange set` or learning run adds one; the newest is in force."""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

exchange_facts = sa.Table(
    "exchange_facts",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("content", sa.Text, nullable=False, doc="the facts as canonical JSON"),
    sa.Column("source", sa.String(512), nullable=False, doc="the file given, or what was learnt from"),
    sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("set_by", sa.String(128), nullable=False),
)
