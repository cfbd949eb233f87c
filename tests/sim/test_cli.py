"""`warden simulate` writes both files, prints a JSON summary, and refuses bad parameters clearly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from warden.cli import app
from warden.sim import SimConfig, SimConfigError


def test_simulate_command_writes_files_and_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--customers", "150", "--days", "4", "--seed", "5",
                                      "--out", str(tmp_path), "--start", "2026-03-01", "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout[result.stdout.index("{") :])
    assert summary["events"] == len((tmp_path / "events.jsonl").read_bytes().splitlines())
    assert summary["labels"] == len((tmp_path / "labels.csv").read_text().splitlines()) - 1
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    first_in_window = next(line for line in lines if '"type":"login"' in line)
    assert '"occurred_at":"2026-03-0' in first_in_window


def test_bad_start_date_is_refused_with_the_option_named(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path), "--start", "01/03/2026"])
    assert result.exit_code == 2
    assert "--start" in result.output


def test_unwritable_out_is_refused_with_the_option_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result = CliRunner().invoke(app, ["simulate", "--customers", "150", "--days", "3", "--out", str(blocker)])
    assert result.exit_code == 2
    assert "--out" in result.output and "cannot write" in result.output


def test_config_limits_name_the_parameter() -> None:
    with pytest.raises(SimConfigError, match="customers=10"):
        SimConfig(customers=10)
    with pytest.raises(SimConfigError, match="days=0"):
        SimConfig(days=0)


def test_bench_reports_time_against_an_in_run_reference() -> None:
    from warden.bench.simulate import run_simulate_bench

    result = run_simulate_bench(customers=150, days=3, seed=1)
    assert result["events"] > 1_000 and result["events_bytes"] > 100_000
    assert result["reference"]["seconds"] > 0 and result["ratio_to_reference"] > 0
    assert result["target_seconds"] == 0.09  # 60 s scaled from 10,000 x 30 to 150 x 3
