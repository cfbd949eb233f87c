"""The rest of `warden eval exchange`'s loop: monitoring, cases and triage on the second exchange (or period).

`warden.exchange.evaluate` learns the fraud model and calibrates the ruleset on the first exchange and
decides the second. This part sets a scratch deployment up as an exchange would (the calibrated ruleset
live, the fraud model and the customer laundering model learnt on the first exchange active), then:

- monitoring: the customer model's and the direct alerts on the second exchange, judged per typology, per
  benign group, precision and alerts per 1,000 customers per 30 days (`score_holdout`);
- cases: the second exchange's decisions and alerts turned into cases as the live flow does
  (`build_cases`), counted per 1,000 customers;
- triage: a model trained on the first exchange's cases (dispositions from its labels), judged on the
  second's: true positives in the top 20 % of the queue against ordering by raw alert score, and urgent
  cases behind routine ones.

With one history split by time, the cases are built once over the whole history; those whose latest alert
event falls before the split train the triage model and the rest judge it (a customer's alerts stay one
case, so a case that straddles the split is judged).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import sqlalchemy as sa

from warden.cases.records import as_utc
from warden.decisions.rulesets import publish_ruleset
from warden.demo.pipeline import build_cases
from warden.models.fraud import FraudModel
from warden.models.registry import save as save_fraud_model
from warden.monitoring.configured import context_for, run_monitoring
from warden.monitoring.customer_features import load_activity
from warden.monitoring.customer_model import CustomerModelParams
from warden.monitoring.holdout import Split, read_labels, score_holdout, split_of
from warden.monitoring.identity_rings import ring_alerts, rings_kept
from warden.monitoring.learnt import apply_model, customer_count, train_from_events
from warden.monitoring.model_registry import save_customer_model
from warden.monitoring.movements import load_movements
from warden.settings import Settings
from warden.store.db import Store, open_store
from warden.triage.dispositions import simulated_dispositions
from warden.triage.features import load_facts
from warden.triage.model import TriageError, evaluate_triage, train_triage


def monitoring_cases_and_triage(
    train: tuple[Path, Path],
    test: tuple[Path, Path],
    ruleset_content: str,
    fraud_model: FraudModel | None,
    split_day: int | None = None,
    budget_per_1000_per_30d: float = 10.0,
) -> dict[str, Any]:
    """`train` and `test` are (events, labels); with `split_day` they are the same history, split by time."""
    with tempfile.TemporaryDirectory(prefix="warden-eval-exchange-") as scratch:
        root = Path(scratch)
        settings = Settings(data_dir=root / "data", database_url=f"sqlite:///{root / 'data.db'}", redis_url=None)
        store = open_store(settings)
        try:
            with store.engine.begin() as conn:
                publish_ruleset(conn, ruleset_content, "system:eval-exchange", "live")
            if fraud_model is not None:
                save_fraud_model(fraud_model, settings.data_dir)
            # the judged period: after the split day of one history, or all of the second exchange
            split = _split(test[0], test[1], split_day or 0)
            by_time = split if split_day is not None else None
            report: dict[str, Any] = {
                "monitoring": _monitoring(train, test, split, by_time, settings, budget_per_1000_per_30d)
            }
            report |= _cases_and_triage(train, test, by_time, settings, store, root)
        finally:
            store.dispose()
    return report


def _split(events: Path, labels: Path, split_day: int) -> Split:
    probe = duckdb.connect()
    load_movements(probe, events)
    _, event_scenarios = read_labels(labels)
    split = split_of(probe, split_day, event_scenarios)
    probe.close()
    return split


def _monitoring(
    train: tuple[Path, Path],
    test: tuple[Path, Path],
    split: Split,
    by_time: Split | None,
    settings: Settings,
    budget: float,
) -> dict[str, Any]:
    """Train the customer model on the first exchange (or period), make it active, judge its alerts."""
    params = CustomerModelParams(budget_per_1000_per_30d=budget)
    con = duckdb.connect()
    if by_time is not None:
        context = context_for(train[0], None, None)
        model, result = train_from_events(train[0], train[1], context, cutoff=by_time.split, params=params, con=con)
        alerts = apply_model(con, result, model, context, since=by_time.split)
        alerts += ring_alerts(con, train[0], since=by_time.split) if rings_kept(model) else []
    else:
        model, _ = train_from_events(train[0], train[1], context_for(train[0], None, None), params=params, con=con)
        con.close()
        con = duckdb.connect()
        alerts = run_monitoring(test[0], context_for(test[0], None, None), model, con=con).alerts
        load_activity(con, test[0])
    save_customer_model(model, settings.data_dir)
    truth, _ = read_labels(test[1])
    customers = customer_count(con)
    con.close()
    return {
        **score_holdout(alerts, truth, split, customers),
        "model": {"threshold": round(model.threshold, 4), "trained": model.trained},
    }


def _cases_and_triage(
    train: tuple[Path, Path],
    test: tuple[Path, Path],
    by_time: Split | None,
    settings: Settings,
    store: Store,
    root: Path,
) -> dict[str, Any]:
    if by_time is None:
        first = build_cases(train[0], root / "train-cases", settings, train[1], live_store=store)
        second = build_cases(test[0], root / "test-cases", settings, test[1], live_store=store)
        with first.store.engine.connect() as conn:
            model, trained_on = _train(conn, simulated_dispositions(conn), str(train[0]))
        with second.store.engine.connect() as conn:
            judged = simulated_dispositions(conn)
            triage = _judge(conn, model, judged) | {"trained_on": trained_on}
        first.store.dispose()
        second.store.dispose()
        return {"cases": second.volume(), "triage": triage}
    cut = by_time.split.replace(tzinfo=UTC)
    built = build_cases(test[0], root / "cases", settings, test[1], live_store=store)
    with built.store.engine.connect() as conn:
        everything = simulated_dispositions(conn)
        facts = load_facts(conn, list(everything))
        before = {c: v for c, v in everything.items() if as_utc(facts[c].as_of or facts[c].created_at) < cut}
        after = {c: v for c, v in everything.items() if c not in before}
        model, trained_on = _train(conn, before, f"cases before {cut:%Y-%m-%d}")
        triage = _judge(conn, model, after) | {"trained_on": trained_on}
        volume = _period_volume(after, built.customers, cut)
    built.store.dispose()
    return {"cases": volume, "triage": triage}


def _train(conn: sa.Connection, labels: dict[str, int], source: str) -> tuple[Any, str]:
    try:
        return train_triage(conn, labels, trained_on=source), source
    except TriageError as exc:
        return None, f"not trained: {exc}"


def _judge(conn: sa.Connection, model: Any, labels: dict[str, int]) -> dict[str, Any]:
    if model is None or not labels:
        return {"cases": len(labels), "skipped": "no triage model or no cases to judge"}
    return evaluate_triage(conn, model, labels)


def _period_volume(judged: dict[str, int], customers: int, cut: datetime) -> dict[str, Any]:
    """Cases whose latest alert falls in the judged period, per 1,000 customers."""
    per = 1000.0 / customers if customers else 0.0
    return {
        "customers": customers,
        "cases_in_period": len(judged),
        "cases_per_1000_customers": round(len(judged) * per, 1),
        "period": f"from {cut:%Y-%m-%d}",
    }
