"""Tables of screening: list versions and their entries.

The schema is created by the Alembic migrations in `warden/store/migrations/`; these objects describe it for queries.
"""

from __future__ import annotations

import sqlalchemy as sa

from warden.store.metadata import metadata

list_versions = sa.Table(
    "screening_list_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("list_name", sa.String(128)),
    sa.Column("source", sa.Text),
    sa.Column("version_date", sa.String(32)),
    sa.Column("sha256", sa.String(64)),
    sa.Column("loaded_at", sa.DateTime(timezone=True)),
    sa.Column("entries", sa.Integer),
    sa.Column("names", sa.Integer),
    sa.Column("addresses", sa.Integer),
    sa.Column("added", sa.Integer),
    sa.Column("removed", sa.Integer),
    sa.Column("diff", sa.Text),
    sa.Column("stored_path", sa.Text),
)

list_entries = sa.Table(
    "screening_list_entries",
    metadata,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.String(256), primary_key=True),
    sa.Column("item_kind", sa.String(16)),
    sa.Column("name", sa.Text),
    sa.Column("fingerprint", sa.String(64)),
)
