"""Recording list versions in the store: source, date, counts, the item ids, and the diff to the previous one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from warden.screening.diff import Item, ListDiff
from warden.screening.models import ListSnapshot
from warden.screening.tables import list_entries, list_versions


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
