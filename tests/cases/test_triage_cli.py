"""`warden train triage`, `warden eval triage`, `warden cases labels` and `rule-precision` from the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warden.access.roles import Actor
from warden.cases.repository import transition
from warden.cases.tables import cases
from warden.cli import app
from warden.settings import Settings
from warden.sim import simulate_to_dir
from warden.store.db import open_store

from .synthetic_cases import make_case_load


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


@pytest.mark.slow
def test_train_on_one_simulated_exchange_evaluate_on_another(settings: Settings, tmp_path: Path) -> None:
    train_events, _ = simulate_to_dir(customers=400, days=30, seed=21, out_dir=tmp_path / "a")
    test_events, _ = simulate_to_dir(customers=400, days=30, seed=22, out_dir=tmp_path / "b")
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "triage", "--events", str(train_events), "--json"], env=_env(settings))
    assert trained.exit_code == 0, trained.output
    model = json.loads(trained.stdout)
    assert model["training_data"]["cases"] >= 50 and model["trained_on"] == str(train_events.resolve())
    same = runner.invoke(app, ["eval", "triage", "--events", str(train_events)], env=_env(settings))
    assert same.exit_code == 2 and "evaluate on a held-out one" in same.output
    result = json.loads(
        runner.invoke(app, ["eval", "triage", "--events", str(test_events), "--json"], env=_env(settings)).stdout
    )
    assert result["model"] == f"triage@{model['version']}"
    assert result["cases"] > 0 and 0 < result["true_positives"] < result["cases"]
    assert result["captured_top_50"] >= result["captured_top_20"] >= result["captured_top_10"]
    assert result["captured_top_20"] > result["baseline_top_20"]
