"""One monitoring run as this deployment is configured: the exchange's facts in force and its customer model.

Every face that monitors (`warden monitor`, the scheduled run inside `warden serve`, the case builders of
the demo and of `warden eval triage`) goes through here, so that each sees the same alerts: the detectors
over the movements with hops resolved by the exchange's facts, then, when the exchange has trained its
customer model (`warden train aml --events`), that model's ring alerts with the direct ones in place of the
raw detector alerts, and the synthetic-identity rings of the KYC identity graph (`identity_rings`).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import sqlalchemy as sa

from warden.exchange.repository import current_facts
from warden.monitoring.customer_model import CustomerModel
from warden.monitoring.hops import HopContext
from warden.monitoring.identity_rings import ring_alerts, rings_kept
from warden.monitoring.learnt import apply_model
from warden.monitoring.pipeline import MonitorResult, monitor


def facts_in_force(engine: sa.Engine) -> HopContext | None:
    """The hop context of the facts `warden exchange set` put in force; None when none were set."""
    with engine.connect() as conn:
        stored = current_facts(conn)
    return None if stored is None else HopContext.from_facts(stored.facts)


def context_for(events: Path, explicit: Path | None, engine: sa.Engine | None) -> HopContext | None:
    """An explicit file, else the facts in force, else a `context.json` beside the events, else none."""
    if explicit is not None:
        return HopContext.from_file(explicit)
    in_force = facts_in_force(engine) if engine is not None else None
    if in_force is not None:
        return in_force
    beside = (events if events.is_dir() else events.parent) / "context.json"
    return HopContext.from_file(beside) if beside.is_file() else None


def run_monitoring(
    events: Path,
    context: HopContext | None,
    model: CustomerModel | None,
    since: datetime | None = None,
    until: datetime | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> MonitorResult:
    """Detectors over the movements; with a model, its alerts (and the direct ones) replace theirs. The
    identity graph's synthetic-identity rings active in the window join, unless the model's training left
    them out of the alert budget (imprecise on the exchange's labels)."""
    con = con or duckdb.connect()
    result = monitor(events, since, until, con=con, context=context)
    if model is not None:
        result.alerts = apply_model(con, result, model, context, since=since, loaded_activity_from=events)
    if rings_kept(model):
        result.alerts += ring_alerts(con, events, since, until)
    return result
