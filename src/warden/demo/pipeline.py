"""From an event file to cases, in a store of its own: ingest (with labels), decide, monitor, alerts to cases.

Training and evaluating the triage model on a simulated exchange need that exchange's cases, made exactly as
the live flow makes them (`warden decide --store`, `warden monitor`, `warden cases from-decisions` /
`from-monitoring`), but without touching the live store; so they run here against a scratch data dir.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from warden.cases.sources import alerts_from_decisions, alerts_from_monitoring
from warden.customer_scores.rollup import RollupOnCommit
from warden.decisions.factory import build_engine
from warden.decisions.replay import load_events, replay
from warden.decisions.repository import insert_decisions
from warden.events.ingest import Ingestor
from warden.events.labels import read_labels, store_labels
from warden.events.tables import events
from warden.monitoring.configured import context_for, run_monitoring
from warden.monitoring.model_registry import active_customer_model
from warden.monitoring.pipeline import MonitorResult
from warden.monitoring.repository import save_alerts
from warden.settings import Settings
from warden.store.db import Store, open_store


@dataclass(frozen=True)
class BuiltCases:
    store: Store
    events: int
    labels: int
    cases: int
    alerts: int
    customers: int = 0
    by_source: dict[str, dict[str, int]] | None = None  # source -> alerts, cases they opened

    def volume(self) -> dict[str, object]:
        """Alerts and cases per 1,000 customers, by source: what the reviewers would face."""
        per = 1000.0 / self.customers if self.customers else 0.0
        return {
            "customers": self.customers,
            "alerts_per_1000_customers": round(self.alerts * per, 1),
            "cases_per_1000_customers": round(self.cases * per, 1),
            "by_source": self.by_source or {},
        }


def _monitoring(events_path: Path, settings: Settings, live_store: Store | None) -> MonitorResult:
    """As the live flow monitors: the facts in force (else context.json beside the events) and the live
    data dir's active customer model, when one was trained."""
    context = context_for(events_path, None, live_store.engine if live_store is not None else None)
    active = active_customer_model(settings.data_dir)
    return run_monitoring(events_path, context, active[1] if active else None)


def labels_beside(events_path: Path) -> Path:
    return events_path.parent / "labels.csv"


def build_cases(
    events_path: Path,
    scratch_dir: Path,
    decide_with: Settings,
    labels_path: Path | None = None,
    live_store: Store | None = None,
) -> BuiltCases:
    """Make the cases of `events_path` in a new SQLite store under `scratch_dir`.

    Monitoring runs as the live flow's does (`_monitoring`). Decisions use the live ruleset (`decide_with`'s file, else the one published in `live_store`, else the
    starter pack) and the active fraud model, so the cases are the ones the live flow would open; online
    features stay in this process (never the live Redis). The labels (default: labels.csv beside the events)
    are stored for `simulated_dispositions`.
    """
    # Named explicitly: WARDEN_DATABASE_URL in the environment must never turn the scratch store into the live one.
    settings = Settings(data_dir=scratch_dir, database_url=f"sqlite:///{scratch_dir / 'warden.db'}", redis_url=None)
    store = open_store(settings)
    summary = Ingestor(store, settings.parquet_dir, actor="system:triage").ingest([events_path])
    labels_file = labels_path or labels_beside(events_path)
    labels = read_labels(labels_file).labels if labels_file.exists() else []
    engine = build_engine(decide_with.model_copy(update={"redis_url": None}), store=live_store)
    loaded = load_events([events_path])
    rows = [d.to_row(True) for d in replay(engine, loaded.events)]
    with store.engine.begin() as conn:
        added = store_labels(conn, labels, source="simulator")
        insert_decisions(conn, rows, [RollupOnCommit(conn.dialect.name, every_seconds=None)])
    save_alerts(store.engine, _monitoring(events_path, decide_with, live_store).alerts)
    with store.engine.begin() as conn:
        made = alerts_from_decisions(conn, limit=10_000_000)
        from_monitoring = alerts_from_monitoring(conn)
        customers = conn.execute(sa.select(sa.func.count(sa.distinct(events.c.customer_id)))).scalar_one()
    return BuiltCases(
        store=store,
        events=summary.total("stored"),
        labels=added,
        cases=made["new_cases"] + from_monitoring["new_cases"],
        alerts=made["alerts"] + from_monitoring["alerts"],
        customers=int(customers),
        by_source={
            "decisions": {"alerts": made["alerts"], "cases": made["new_cases"]},
            "monitoring": {"alerts": from_monitoring["alerts"], "cases": from_monitoring["new_cases"]},
        },
    )
