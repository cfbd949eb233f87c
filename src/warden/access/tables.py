"""Tables of access: people (users), their sessions, sign-in throttling and API keys.

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


# One row per sign-in; the token itself is never stored (see access/sessions.py).
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True, doc="SHA-256 of the cookie's random token"),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False, doc="api or console"),
    sa.Column("client", sa.String(64), nullable=True, doc="the client address at sign-in"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_why", sa.String(32), nullable=True, doc="sign_out, password, role, deactivated"),
)

# Failed sign-ins per subject (`user:<name>` or `address:<ip>`) and the lock they earned (access/throttle.py).
sign_in_throttle = sa.Table(
    "sign_in_throttle",
    metadata,
    sa.Column("subject", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, doc="failures in the current window"),
    sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("locks", sa.Integer, nullable=False, doc="locks in a row: each doubles the next"),
    sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
)
