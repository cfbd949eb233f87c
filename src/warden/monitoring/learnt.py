"""Monitoring with the exchange's own customer model: train it on a labelled history, run it.

`train_from_events` reads events (and the exchange facts), runs the detectors (their alerts become
evidence features), and fits the customer model on windows before the cut-off. `apply_model` scores the
last window of a run and turns flagged rings into alerts; with a model in force those alerts replace the
detectors' own (the detectors' hits are features of the model, and their raw rate is far over budget on a
real exchange).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from warden.monitoring.alerts import Alert
from warden.monitoring.customer_features import load_activity, prepare
from warden.monitoring.customer_model import (
    CustomerModel,
    CustomerModelParams,
    model_alerts,
    train_customer_model,
)
from warden.monitoring.holdout import read_labels
from warden.monitoring.hops import HopContext
from warden.monitoring.pipeline import MonitorResult, monitor


def train_from_events(
    events: Path,
    labels: Path,
    context: HopContext | None = None,
    cutoff: datetime | None = None,
    params: CustomerModelParams | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[CustomerModel, MonitorResult]:
    con = con or duckdb.connect()
    truth, event_scenarios = read_labels(labels)
    result = monitor(events, con=con, context=context)
    load_activity(con, events)
    prepare(con, result.alerts, (context or HopContext()).hack_addresses)
    customers = _customers(con)
    model = train_customer_model(con, truth, event_scenarios, cutoff=cutoff, customers=customers, params=params)
    return model, result


def _customers(con: duckdb.DuckDBPyConnection) -> int:
    return int(
        con.execute(
            "SELECT count(DISTINCT c) FROM (SELECT customer_id AS c FROM mv UNION SELECT c FROM act)"
        ).fetchall()[0][0]
    )


def apply_model(
    con: duckdb.DuckDBPyConnection,
    result: MonitorResult,
    model: CustomerModel,
    context: HopContext | None = None,
    since: datetime | None = None,
    loaded_activity_from: Path | None = None,
) -> list[Alert]:
    """Alerts for the last `window_days` of the loaded history (not before `since`)."""
    if loaded_activity_from is not None:
        load_activity(con, loaded_activity_from)
    prepare(con, result.alerts, (context or HopContext()).hack_addresses)
    t_max = con.execute("SELECT max(ts) FROM mv").fetchall()[0][0]
    if t_max is None:
        return []
    t1 = t_max + timedelta(seconds=1)
    t0 = t1 - timedelta(days=model.params.window_days)
    if since is not None and since > t0:
        t0 = since
    return model_alerts(con, model, t0, t1)
