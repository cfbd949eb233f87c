import json
from pathlib import Path

import pytest
from tests.monitoring.builders import with_rings
from typer.testing import CliRunner

from warden.audit.log import verify_chain
from warden.cli import app
from warden.monitoring.pipeline import monitor
from warden.monitoring.repository import load_alerts, save_alerts
from warden.store.db import Store


def test_store_merges_by_id_and_audits(sqlite_store: Store, tmp_path: Path) -> None:
    alerts = monitor(with_rings().write(tmp_path / "e.jsonl")).alerts
    first = save_alerts(sqlite_store.engine, alerts)
    assert first == {"inserted": len(alerts), "updated": 0, "unchanged": 0}
    assert save_alerts(sqlite_store.engine, alerts)["unchanged"] == len(alerts)
    alerts[0].event_ids = [*alerts[0].event_ids, "ev_new"]
    assert save_alerts(sqlite_store.engine, alerts[:1])["updated"] == 1
    stored = {a["alert_id"]: a for a in load_alerts(sqlite_store.engine)}
    assert len(stored) == len(alerts)
    assert "ev_new" in stored[alerts[0].alert_id]["event_ids"]
    with sqlite_store.engine.connect() as conn:
        result = verify_chain(conn)
    assert result.ok and result.as_dict()["records"] == len(alerts) + 1


def test_cli_monitor_writes_alerts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    events = with_rings().write(tmp_path / "events.jsonl")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["monitor", "--events", str(events), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    lines = (out / "alerts.jsonl").read_text().splitlines()
    assert summary["alerts"] == len(lines) >= 5
    assert summary["store"]["inserted"] == len(lines)


def test_cli_monitor_reports_bad_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["monitor", "--events", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope.jsonl: no such file" in result.output


def test_cli_eval_monitor_on_a_small_simulation(tmp_path: Path) -> None:
    runner = CliRunner()
    sim = runner.invoke(app, ["simulate", "--customers", "400", "--days", "10", "--seed", "5", "--out", str(tmp_path)])
    assert sim.exit_code == 0, sim.output
    result = runner.invoke(app, ["eval", "monitor", "--events", str(tmp_path / "events.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {"precision", "alerts_per_1000_customers", "per_typology"} <= set(report)
    assert report["precision"] >= 0.5 and report["recall"] >= 0.5


@pytest.mark.slow  # 16 LightGBM fits: ~15 s on an idle 2-core machine
def test_cli_train_and_eval_aml_on_a_tiny_sample(tmp_path: Path) -> None:
    import numpy as np

    rng = np.random.default_rng(3)
    folder = tmp_path / "aml"
    folder.mkdir()
    n = 300
    bad = set(range(0, n, 10))  # every tenth account launders, in a ring among themselves
    (folder / "nodes.csv").write_text(
        "nodeid,isFraud,init_balance,fraudStep\n" + "".join(f"{i},{int(i in bad)},100,-1\n" for i in range(n))
    )
    rows = [
        f"{i},{int(rng.integers(n))},{rng.uniform(100, 600):.2f},{int(rng.integers(1, 50))}"
        for i in range(n)
        for _ in range(3)
    ]
    ring = sorted(bad)
    rows += [f"{a},{b},50.00,{k + 1}" for k, (a, b) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True))]
    (folder / "transactions.csv").write_text("sourceNodeId,targetNodeId,value,time\n" + "\n".join(rows) + "\n")
    runner = CliRunner()
    trained = runner.invoke(app, ["train", "aml", "--path", str(folder), "--out", str(tmp_path / "m.lgb"), "--json"])
    assert trained.exit_code == 0, trained.output
    assert (tmp_path / "m.lgb").stat().st_size > 0
    result = runner.invoke(app, ["eval", "aml", "--format", "amlsim", "--path", str(folder), "--folds", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["f1"] > 0.8 and {"guard_f1_no_amount_features", "recall_no_small_amount_accounts"} <= set(report)
