"""`warden train triage`, `warden eval triage`, `warden cases labels` and `rule-precision` from the command line."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from warden.access.roles import Actor
from warden.audit.tables import audit_log
from warden.cases.repository import transition
from warden.cases.tables import cases
from warden.cli import app
from warden.errors import Forbidden
from warden.models.registry import active_version
from warden.settings import Settings
from warden.sim import simulate_to_dir
from warden.store.db import open_store
from warden.triage.approval import decide_triage_version

from .synthetic_cases import START, make_case_load

NOW = START + timedelta(days=30)


def _env(settings: Settings) -> dict[str, str]:
    return {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_DATABASE_URL": ""}


def test_feedback_commands_and_the_triage_fallback(settings: Settings, tmp_path: Path) -> None:
    store = open_store(settings)
    truth = make_case_load(store, 12, seed=9)
    with store.engine.begin() as conn:
        rows = conn.execute(cases.select()).all()
        for row in rows[:6]:
            transition(conn, row.case_id, Actor("boss", "admin"), "in_review")
            verdict = "true_positive_action_taken" if truth[row.subject_customer] else "false_positive"
            transition(conn, row.case_id, Actor("boss", "admin"), "closed", disposition=verdict)
    store.dispose()
    runner = CliRunner()
    out = tmp_path / "review-labels.csv"
    exported = runner.invoke(app, ["cases", "labels", "--out", str(out), "--json"], env=_env(settings))
    assert exported.exit_code == 0, exported.output
    with open(out, newline="") as handle:
        rows_written = list(csv.DictReader(handle))
    assert len(rows_written) == json.loads(exported.stdout)["labels"] > 0
    assert {r["entity_type"] for r in rows_written} == {"customer", "event"}
    stats = json.loads(runner.invoke(app, ["cases", "rule-precision", "--json"], env=_env(settings)).stdout)
    assert sum(r["closed_cases"] for r in stats if r["source"] == "decision") == 6
    refused = runner.invoke(app, ["train", "triage", "--simulated"], env=_env(settings))
    assert refused.exit_code == 2 and "needs at least 50" in refused.output
    swept = runner.invoke(app, ["cases", "sweep", "--json"], env=_env(settings))
    assert swept.exit_code == 0
    listed = json.loads(runner.invoke(app, ["cases", "list", "--json", "--state", "new"], env=_env(settings)).stdout)
    assert listed[0]["priority_reasons"]["triage"].startswith("fallback to rules")
    no_model = runner.invoke(app, ["eval", "triage", "--events", str(out)], env=_env(settings))
    assert no_model.exit_code == 2 and "no triage model" in no_model.output


def test_a_trained_triage_model_waits_for_approval_before_it_orders_the_queue(
    settings: Settings, tmp_path: Path
) -> None:
    store = open_store(settings)
    make_case_load(store, 90, seed=3)
    store.dispose()
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "triage", "--simulated", "--actor", "mo", "--json"], env=_env(settings))
    assert trained.exit_code == 0, trained.output
    model = json.loads(trained.stdout)
    assert model["approval"] == "pending" and model["training_data"]["cases"] == 90
    assert active_version(settings.data_dir, "triage") is None
    swept = runner.invoke(app, ["cases", "sweep", "--json"], env=_env(settings))
    assert swept.exit_code == 0, swept.output
    listed = json.loads(runner.invoke(app, ["cases", "list", "--json", "--state", "new"], env=_env(settings)).stdout)
    assert {c["priority_reasons"]["triage"] for c in listed} == {"fallback to rules: no triage model trained yet"}
    held_out = tmp_path / "held-out.jsonl"
    held_out.write_text("")
    unnamed = runner.invoke(app, ["eval", "triage", "--events", str(held_out)], env=_env(settings))
    assert unnamed.exit_code == 2 and "no triage model approved yet" in unnamed.output

    store = open_store(settings)
    with store.engine.begin() as conn, pytest.raises(Forbidden, match="four eyes"):
        decide_triage_version(conn, settings.data_dir, model["version"], Actor("mo", "admin"), True, "ok", NOW)
    with store.engine.begin() as conn:
        status, rescored = decide_triage_version(
            conn, settings.data_dir, model["version"], Actor("rita", "model_risk_officer"), True, "checked", NOW
        )
        trail = [
            (r.actor, r.action, r.subject)
            for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.seq))
            if r.action.startswith("model.")
        ]
    store.dispose()
    assert (status, rescored) == ("approved", 90)
    assert trail == [
        ("mo", "model.trained", f"triage@{model['version']}"),
        ("rita", "model.approved", f"triage@{model['version']}"),
    ]
    assert active_version(settings.data_dir, "triage") == model["version"]
    listed = json.loads(runner.invoke(app, ["cases", "list", "--json", "--state", "new"], env=_env(settings)).stdout)
    assert {c["priority_reasons"]["version"] for c in listed} == {f"triage@{model['version']}"}


@pytest.mark.slow
def test_train_on_one_simulated_exchange_evaluate_on_another(settings: Settings, tmp_path: Path) -> None:
    train_events, _ = simulate_to_dir(customers=400, days=30, seed=21, out_dir=tmp_path / "a")
    test_events, _ = simulate_to_dir(customers=400, days=30, seed=22, out_dir=tmp_path / "b")
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "triage", "--events", str(train_events), "--json"], env=_env(settings))
    assert trained.exit_code == 0, trained.output
    model = json.loads(trained.stdout)
    assert model["training_data"]["cases"] >= 50 and model["trained_on"] == str(train_events.resolve())
    same = runner.invoke(
        app, ["eval", "triage", "--events", str(train_events), "--model", model["version"]], env=_env(settings)
    )
    assert same.exit_code == 2 and "evaluate on a held-out one" in same.output
    assert model["approval"] == "pending"  # a held-out evaluation is what its approver reads: by version
    evaluated = runner.invoke(
        app, ["eval", "triage", "--events", str(test_events), "--model", model["version"], "--json"], env=_env(settings)
    )
    result = json.loads(evaluated.stdout)
    assert result["model"] == f"triage@{model['version']}"
    assert result["cases"] > 0 and 0 < result["true_positives"] < result["cases"]
    assert result["captured_top_50"] >= result["captured_top_20"] >= result["captured_top_10"]
    assert result["captured_top_20"] > result["baseline_top_20"]
