"""The loop from the command line: simulate, calibrate (labels beside the events) live, decide with it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from warden.audit.log import iter_records
from warden.cli import app
from warden.settings import Settings
from warden.store.db import open_store


def test_calibrate_publishes_and_decide_uses_the_live_ruleset(settings: Settings, tmp_path: Path) -> None:
    env = {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_DATABASE_URL": ""}
    runner = CliRunner()
    sim = tmp_path / "sim"
    made = runner.invoke(
        app, ["simulate", "--customers", "300", "--days", "10", "--seed", "3", "--out", str(sim)], env=env
    )
    assert made.exit_code == 0, made.output
    shadow = runner.invoke(app, ["calibrate", "--events", str(sim / "events.jsonl"), "--json"], env=env)
    assert shadow.exit_code == 0, shadow.output
    report = json.loads(shadow.stdout[shadow.stdout.index("{") :])
    assert report["published"]["status"] == "shadow" and report["calibration"]["labelled"]
    assert report["calibration"]["within_budget"]
    assert report["diff_against_live"]["events"] > 0
    live = runner.invoke(
        app, ["calibrate", "--events", str(sim / "events.jsonl"), "--publish", "live", "--no-train", "--json"], env=env
    )
    assert live.exit_code == 0, live.output
    version = json.loads(live.stdout[live.stdout.index("{") :])["published"]["version"]
    out = tmp_path / "decisions.jsonl"
    decided = runner.invoke(
        app, ["decide", "--events", str(sim / "events.jsonl"), "--out", str(out), "--json"], env=env
    )
    assert decided.exit_code == 0, decided.output
    summary = json.loads(decided.stdout[decided.stdout.index("{") :])
    assert summary["versions"]["ruleset"] == f"starter@{version}"
    store = open_store(settings)
    with store.engine.connect() as conn:
        actions = [r.action for r in iter_records(conn)]
    store.dispose()
    assert "ruleset.publish.shadow" in actions and "ruleset.publish.live" in actions
    bad = runner.invoke(app, ["calibrate", "--events", str(sim / "events.jsonl"), "--publish", "maybe"], env=env)
    assert bad.exit_code == 2 and "--publish must be" in bad.output
