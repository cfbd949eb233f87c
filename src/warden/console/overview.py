"""What is inside a store, for the console's overview page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from warden.audit.log import AuditRecord, VerifyResult, recent_records, verify_chain
from warden.events.labels import scenario_summary
from warden.events.tables import events
from warden.store.history import history_glob


@dataclass
class Overview:
    total_events: int = 0
    customers: int = 0
    first_event: str | None = None
    last_event: str | None = None
    by_type: dict[str, int] = field(default_factory=dict)
    by_day: list[dict[str, Any]] = field(default_factory=list)  # {"day", "<type>": count, ...}
    earlier_events: int = 0  # before the charted window (e.g. onboarding history)
    scenarios: list[dict[str, object]] = field(default_factory=list)
    audit: VerifyResult | None = None
    recent_audit: list[AuditRecord] = field(default_factory=list)


CHART_DAYS = 90


def events_by_day(history_root: Path, days: int = CHART_DAYS) -> tuple[list[dict[str, Any]], int]:
    """Daily counts per type for the last `days` days of the Parquet history (DuckDB: no load on the
    operational store), and how many events came before them."""
    if not any(history_root.glob("date=*/*.parquet")):
        return [], 0
    sql = (
        "SELECT CAST(date AS VARCHAR) AS day, type, count(*) AS n "
        f"FROM read_parquet('{history_glob(history_root)}', hive_partitioning = true) GROUP BY 1, 2 ORDER BY 1"
    )
    by_day: dict[str, dict[str, Any]] = {}
    for day, kind, n in duckdb.connect().execute(sql).fetchall():
        by_day.setdefault(day, {"day": day})[kind] = int(n)
    ordered = list(by_day.values())
    if not ordered:
        return [], 0
    last = date.fromisoformat(ordered[-1]["day"])
    first_shown = (last - timedelta(days=days - 1)).isoformat()
    shown = [row for row in ordered if row["day"] >= first_shown]
    earlier = sum(n for row in ordered if row["day"] < first_shown for k, n in row.items() if k != "day")
    return shown, earlier


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
    overview.by_day, overview.earlier_events = events_by_day(history_root)
    return overview
