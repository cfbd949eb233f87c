"""What is inside a store, for the console's overview page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from warden.audit.log import AuditRecord, VerifyResult, recent_records, verify_chain
from warden.events.labels import scenario_summary
from warden.store.history import history_glob
from warden.store.tables import events


@dataclass
class Overview:
    total_events: int = 0
    customers: int = 0
    first_event: str | None = None
    last_event: str | None = None
    by_type: dict[str, int] = field(default_factory=dict)
    by_day: list[dict[str, Any]] = field(default_factory=list)  # {"day", "<type>": count, ...}
    scenarios: list[dict[str, object]] = field(default_factory=list)
    audit: VerifyResult | None = None
    recent_audit: list[AuditRecord] = field(default_factory=list)


def events_by_day(history_root: Path) -> list[dict[str, Any]]:
    """Daily counts per type from the Parquet history (DuckDB: no load on the operational store)."""
    if not any(history_root.glob("date=*/*.parquet")):
        return []
    sql = (
        "SELECT CAST(date AS VARCHAR) AS day, type, count(*) AS n "
        f"FROM read_parquet('{history_glob(history_root)}', hive_partitioning = true) GROUP BY 1, 2 ORDER BY 1"
    )
    days: dict[str, dict[str, Any]] = {}
    for day, kind, n in duckdb.connect().execute(sql).fetchall():
        days.setdefault(day, {"day": day})[kind] = int(n)
    return list(days.values())


def build_overview(engine: sa.Engine, history_root: Path) -> Overview:
    overview = Overview()
    with engine.connect() as conn:
        counts = conn.execute(sa.select(events.c.type, sa.func.count()).group_by(events.c.type)).all()
        overview.by_type = {str(kind): int(n) for kind, n in counts}
        overview.total_events = sum(overview.by_type.values())
        overview.customers = int(conn.execute(sa.select(sa.func.count(sa.distinct(events.c.customer_id)))).scalar_one())
        first, last = conn.execute(
            sa.select(sa.func.min(events.c.occurred_at), sa.func.max(events.c.occurred_at))
        ).one()
        overview.first_event = str(first)[:16] if first else None
        overview.last_event = str(last)[:16] if last else None
        overview.scenarios = scenario_summary(conn)
        overview.audit = verify_chain(conn)
        overview.recent_audit = recent_records(conn, 10)
    overview.by_day = events_by_day(history_root)
    return overview
