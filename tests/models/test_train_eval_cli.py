"""`warden train fraud` then `warden eval fraud --json`, for real, on a small simulated data set."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warden.access.roles import Actor
from warden.cli import app
from warden.errors import Forbidden
from warden.models.approvals import decide_version, version_records
from warden.models.registry import active_version, load_fraud_model
from warden.settings import load_settings
from warden.store.db import open_store

from .conftest import write_dataset


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "warden-data"
    monkeypatch.setenv("WARDEN_DATA_DIR", str(folder))
    return folder


def test_train_saves_for_approval_and_eval_reports(dataset: Path, fresh_dataset: Path, data_dir: Path) -> None:
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "fraud", "--events", str(dataset), "--actor", "tina", "--json"])
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.stdout)
    version = summary["version"]
    assert summary["approval"] == "pending" and active_version(data_dir) is None  # it does not serve yet
    store = open_store(load_settings())
    try:
        with store.engine.begin() as conn:
            assert version_records(conn)[version]["trained_by"] == "tina"
            with pytest.raises(Forbidden, match="four eyes"):
                decide_version(conn, data_dir, version, Actor("tina", "admin"), True, "mine", datetime.now(UTC))
            decide_version(conn, data_dir, version, Actor("mo", "model_risk_officer"), True, "ok", datetime.now(UTC))
    finally:
        store.dispose()
    assert active_version(data_dir) == version
    folder = data_dir / "models" / "fraud" / version
    meta = json.loads((folder / "meta.json").read_text())
    assert {"features", "version", "trained_at", "metrics", "thresholds"} <= set(meta)
    assert (folder / "model.txt").read_text().startswith("tree")
    split = meta["training_data"]["split"]
    assert split["train"]["to"] < split["validation"]["from"] <= split["validation"]["to"] < split["test"]["from"]
    assert 0 < meta["thresholds"]["review"] <= meta["thresholds"]["hold"] < 1

    evaluated = runner.invoke(app, ["eval", "fraud", "--events", str(fresh_dataset), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    report = json.loads(evaluated.stdout)
    assert report["model"]["version"] == version
    assert report["positives"] > 20
    # a fresh seed, never seen in training: well above the base rate (the simulator's benign look-alikes are
    # built to resemble frauds, so PR AUC here is about 0.4-0.5 at a base rate near 0.03)
    assert report["pr_auc"] > 5 * report["positives"] / report["withdrawals"]
    for key in ("recall_at_1pct_review_rate", "recall_at_5pct_review_rate"):
        assert 0 <= report[key] <= 1
    assert {"account_takeover", "pig_butchering", "impersonation"} <= set(report["per_typology"])
    assert report["hold_threshold"]["normal_withdrawals_flagged_share"] < 0.05
    assert load_fraud_model(data_dir).version == version


def test_bad_event_line_is_reported_with_position(tmp_path: Path, data_dir: Path) -> None:
    events = write_dataset(tmp_path / "bad", seed=33, customers=150, bad=True, days=10)
    result = CliRunner().invoke(app, ["train", "fraud", "--events", str(events)])
    assert result.exit_code == 2
    assert f"{events}:11:" in result.stderr and "customer_id" in result.stderr


def test_missing_labels_is_a_clear_error(tmp_path: Path, data_dir: Path) -> None:
    events = write_dataset(tmp_path / "nolabels", seed=34, customers=150, days=10)
    (events.parent / "labels.csv").unlink()
    result = CliRunner().invoke(app, ["eval", "fraud", "--events", str(events), "--json"])
    assert result.exit_code == 2
    assert "labels.csv" in result.stderr


def test_train_out_of_fold_fits_on_all_of_the_history(dataset: Path, data_dir: Path) -> None:
    trained = CliRunner().invoke(app, ["train", "fraud", "--events", str(dataset), "--out-of-fold", "--json"])
    assert trained.exit_code == 0, trained.output
    version = json.loads(trained.stdout)["version"]
    meta = json.loads((data_dir / "models" / "fraud" / version / "meta.json").read_text())
    assert "out-of-fold" in meta["training_data"]["split"]["method"]
    assert meta["training_data"]["split"]["train"]["rows"] == meta["training_data"]["withdrawals"]
    assert 0 < meta["thresholds"]["review"] <= meta["thresholds"]["hold"] < 1
    data = meta["training_data"]
    # out-of-fold scores on a small simulated history: far better than the base rate a random ranking gets
    assert meta["metrics"]["test"]["pr_auc"] > 5 * data["positives"] / data["withdrawals"]
