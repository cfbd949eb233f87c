"""The triage model: dispositions (simulated and reviewed), training, the prioritiser and its fallback,
the registry, the queue metrics, and the sweep scoring with it; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from warden.access.roles import Actor
from warden.cases.alerts import CaseAlert, add_alert
from warden.cases.assignment import sweep
from warden.cases.repository import list_cases, transition
from warden.cases.tables import cases
from warden.events.tables import labels
from warden.settings import Settings
from warden.store.db import Store, open_store
from warden.triage.dispositions import simulated_dispositions, training_dispositions
from warden.triage.model import (
    MIN_DISPOSITIONS,
    TriageError,
    TriagePrioritiser,
    captured,
    evaluate_triage,
    load_prioritiser,
    load_triage,
    reprioritise,
    save_triage,
    train_triage,
)

from .synthetic_cases import make_case_load

NOW = datetime(2026, 2, 1, tzinfo=UTC)


def test_captured_share_counts_positives_in_the_top_of_the_queue_and_splits_ties() -> None:
    assert captured([0.9, 0.8, 0.1, 0.05], [1, 1, 0, 0], 0.5) == 1.0
    assert captured([0.9, 0.8, 0.1, 0.05], [0, 0, 1, 1], 0.5) == 0.0
    # All scores equal: the top half holds half the positives whatever their order.
    assert captured([1.0] * 10, [1, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0.5) == 0.5
    assert captured([0.5, 0.4], [0, 0], 0.5) == 0.0


def test_simulated_dispositions_follow_customer_and_event_labels(store: Store) -> None:
    truth = make_case_load(store, 30, seed=1)
    with store.engine.begin() as conn:
        # An event label makes the case a true positive too; a mistaken deposit is not suspicious.
        conn.execute(
            sa.insert(labels),
            [
                {
                    "entity_type": "event",
                    "entity_id": "ev-c-0",
                    "label": "fraud",
                    "typology": "x",
                    "scenario_id": "s",
                    "source": "simulator",
                },
                {
                    "entity_type": "customer",
                    "entity_id": "c1",
                    "label": "mistaken_deposit",
                    "typology": "m",
                    "scenario_id": "t",
                    "source": "simulator",
                },
            ],
        )
    with store.engine.connect() as conn:
        found = simulated_dispositions(conn)
        subjects = dict(conn.execute(sa.select(cases.c.case_id, cases.c.subject_customer)).all())
    by_customer = {subjects[c]: v for c, v in found.items()}
    assert by_customer["c0"] == 1
    assert by_customer["c1"] == int(truth["c1"])
    assert all(by_customer[c] == int(bad) for c, bad in truth.items() if c != "c0")


def test_model_trained_on_one_load_orders_another_better_than_the_alert_score(
    settings: Settings, tmp_path: Path
) -> None:
    train_store = open_store(Settings(data_dir=tmp_path / "train"))
    test_store = open_store(Settings(data_dir=tmp_path / "test"))
    make_case_load(train_store, 150, seed=2)
    make_case_load(test_store, 150, seed=3)
    with train_store.engine.connect() as conn:
        model = train_triage(conn, simulated_dispositions(conn), trained_on="synthetic seed 2")
    with test_store.engine.connect() as conn:
        result = evaluate_triage(conn, model, simulated_dispositions(conn))
    assert result["cases"] == 150 and 0.1 < result["prevalence"] < 0.4
    assert result["captured_top_50"] >= 0.85
    assert result["captured_top_20"] > result["baseline_top_20"] + 0.2
    assert "named_in_monitoring" in model.features and "rule:ring_rule" in model.features
    save_triage(model, settings.data_dir)
    loaded = load_triage(settings.data_dir)
    assert loaded is not None and loaded.version == model.version
    assert loaded.meta["training_data"]["cases"] == 150 and loaded.meta["trained_on"] == "synthetic seed 2"
    train_store.dispose()
    test_store.dispose()


def test_too_few_dispositions_keep_the_rule_priority_and_say_so(store: Store, settings: Settings) -> None:
    make_case_load(store, 20, seed=4)
    with store.engine.connect() as conn:
        labels_found = simulated_dispositions(conn)
        with pytest.raises(TriageError, match=f"needs at least {MIN_DISPOSITIONS}"):
            train_triage(conn, labels_found)
    prioritiser = load_prioritiser(settings.data_dir)
    assert prioritiser.model is None
    with store.engine.begin() as conn:
        sweep(conn, prioritiser=prioritiser, now=NOW)
        reasons = list_cases(conn, limit=1)[0]["priority_reasons"]
    assert reasons["version"] == "rules-1"
    assert reasons["triage"] == "fallback to rules: no triage model trained yet"


def test_reviewed_dispositions_train_the_model_and_it_orders_the_open_queue(store: Store, settings: Settings) -> None:
    truth = make_case_load(store, 110, seed=5)
    boss = Actor("boss", "admin")
    with store.engine.connect() as conn:
        subjects = dict(conn.execute(sa.select(cases.c.case_id, cases.c.subject_customer)).all())
    closed = sorted(subjects)[:80]
    with store.engine.begin() as conn:
        for case_id in closed:
            transition(conn, case_id, boss, "in_review", now=NOW)
            verdict = "true_positive_action_taken" if truth[subjects[case_id]] else "false_positive"
            transition(conn, case_id, boss, "closed", disposition=verdict, now=NOW)
    with store.engine.connect() as conn:
        chosen, sources = training_dispositions(conn, simulated=False)
        assert sources == {"recorded": 80, "simulated": 0}
        model = train_triage(conn, chosen, label_sources=sources)
        everything, sources = training_dispositions(conn, simulated=True)
        assert sources == {"recorded": 80, "simulated": 30} and len(everything) == 110
    save_triage(model, settings.data_dir)
    prioritiser = load_prioritiser(settings.data_dir)
    assert isinstance(prioritiser, TriagePrioritiser) and prioritiser.model is not None
    with store.engine.begin() as conn:
        assert reprioritise(conn, prioritiser, now=NOW) == 30
        queue = list_cases(conn, open_only=True, limit=100)
    assert len(queue) == 30
    top = queue[0]["priority_reasons"]
    assert top["version"] == f"triage@{model.version}"
    assert 0.0 <= top["probability"] <= 1.0 and abs(queue[0]["priority"] - 100 * top["probability"]) < 0.01
    assert any(key.startswith("contribution:") for key in top)
    ordered = [truth[q["subject_customer"]] for q in queue]
    # The bad customers sit in the upper half of the open queue far more often than not.
    assert sum(ordered[:15]) > sum(ordered[15:])
    # A sweep without the model (e.g. from a caller that has no data dir) keeps the model's scores; only the
    # urgency floor moves them (a breached SLA puts a case above every routine one).
    with store.engine.begin() as conn:
        swept = sweep(conn, now=NOW)
        after = list_cases(conn, open_only=True, limit=100)
    assert all(q["priority_reasons"]["version"] == top["version"] for q in after)
    lifted = [q for q in after if "floor" in q["priority_reasons"]]
    assert swept["reprioritised"] == len(lifted) and len(lifted) == swept["flagged_overdue"] + sum(
        1 for q in queue if q["severity"] == "critical"
    )
    before = {q["case_id"]: q["priority"] for q in queue}
    for q in after:
        assert (
            abs(q["priority"] - before[q["case_id"]] - (1000.0 if q in lifted and q["severity"] != "critical" else 0.0))
            < 0.01
        )


def test_an_alert_joining_a_model_scored_case_keeps_the_model_score(store: Store) -> None:
    with store.engine.begin() as conn:
        case_id = add_alert(conn, CaseAlert("t:1", "decision", "r1", ["cx"], 0.5, "medium")).case_id
        reasons = '{"probability": 0.9, "version": "triage@t1"}'
        conn.execute(sa.update(cases).where(cases.c.case_id == case_id).values(priority=90.0, priority_reasons=reasons))
        add_alert(conn, CaseAlert("t:2", "decision", "r2", ["cx"], 0.9, "critical"))
        row = conn.execute(sa.select(cases).where(cases.c.case_id == case_id)).one()
    # the model's score is kept, lifted above the routine cases now that the case is critical
    assert row.priority == 1090.0 and row.severity == "critical"
    assert json.loads(row.priority_reasons)["version"] == "triage@t1" and "floor" in json.loads(row.priority_reasons)
