"""Recording list versions in the store: source, date, counts, the item ids, and the diff to the previous one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.screening.diff import Item, ListDiff
from warden.screening.models import ListSnapshot

_meta = sa.MetaData()
list_versions = sa.Table(
    "screening_list_versions",
    _meta,
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
    _meta,
    sa.Column("version_id", sa.Integer, primary_key=True),
    sa.Column("item_id", sa.String(256), primary_key=True),
    sa.Column("item_kind", sa.String(16)),
    sa.Column("name", sa.Text),
    sa.Column("fingerprint", sa.String(64)),
)


def latest_version(conn: sa.Connection, list_name: str) -> dict[str, Any] | None:
    row = conn.execute(
        sa.select(list_versions)
        .where(list_versions.c.list_name == list_name)
        .order_by(list_versions.c.id.desc())
        .limit(1)
    ).first()
    return dict(row._mapping) if row else None


def version_items(conn: sa.Connection, version_id: int) -> dict[str, Item]:
    rows = conn.execute(sa.select(list_entries).where(list_entries.c.version_id == version_id))
    return {r.item_id: Item(r.item_id, r.item_kind, r.name, r.fingerprint) for r in rows}


def record_version(
    conn: sa.Connection, snapshot: ListSnapshot, items: dict[str, Item], diff: ListDiff, stored_path: str | None
) -> int:
    counts = snapshot.counts
    inserted = conn.execute(
        list_versions.insert().values(
            list_name=snapshot.list_name,
            source=snapshot.source,
            version_date=snapshot.version_date,
            sha256=snapshot.sha256,
            loaded_at=datetime.now(UTC),
            entries=counts["entries"],
            names=counts["names"],
            addresses=counts["addresses"],
            added=len(diff.added),
            removed=len(diff.removed),
            diff=json.dumps(diff.to_dict()),
            stored_path=stored_path,
        )
    ).inserted_primary_key
    assert inserted is not None
    version_id = int(inserted[0])
    if items:
        conn.execute(
            list_entries.insert(),
            [{"version_id": version_id, **vars(item)} for item in items.values()],
        )
    return version_id


def list_history(conn: sa.Connection, limit: int = 50) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(list_versions).order_by(list_versions.c.id.desc()).limit(limit))
    return [{k: v for k, v in dict(r._mapping).items() if k != "diff"} for r in rows]
