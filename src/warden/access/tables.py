"""Tables of access: people (users) and API keys.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("skills", sa.Text, nullable=False, doc="JSON list of queue names the user may work"),
    sa.Column("capacity", sa.Integer, nullable=False, doc="most open cases assigned at once"),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("key_id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.String(500), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)
