"""`warden eval monitor --split-day`: held-out scoring by time on a tiny labelled exchange."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from tests.monitoring.builders import Events
from typer.testing import CliRunner

from warden.cli import app
from warden.monitoring.holdout import read_labels, score_holdout, split_of
from warden.monitoring.movements import load_movements
from warden.monitoring.pipeline import monitor

DAY = 24.0


def _exchange(tmp_path: Path) -> tuple[Path, Path]:
    ev = Events()
    for i in range(30):  # ordinary customers across both periods
        ev.deposit(f"n{i}", 2 + i, 300)
        ev.withdraw(f"n{i}", 6 * DAY + i, 100)
    # a fan-in ring in the evaluation period (days 5-6), cashed out
    for i in range(4):
        ev.deposit(f"fi{i}", 5 * DAY, 5_000)
        ev.transfer(f"fi{i}", "hub", 5 * DAY + 2 + i, 4_900)
    ev.withdraw("hub", 5 * DAY + 20, 19_000)
    # the same shape twice in the learn period, labelled too, but over before the split (two right alerts:
    # enough evidence for the fan-in detector to be kept beside the customer model)
    for i in range(4):
        ev.deposit(f"old{i}", 1 * DAY, 5_000)
        ev.transfer(f"old{i}", "oldhub", 1 * DAY + 2 + i, 4_900)
        ev.deposit(f"older{i}", 0.2 * DAY, 5_000)
        ev.transfer(f"older{i}", "olderhub", 0.2 * DAY + 2 + i, 4_900)
    ev.withdraw("oldhub", 1 * DAY + 20, 19_000)
    ev.withdraw("olderhub", 0.2 * DAY + 20, 19_000)
    events = ev.write(tmp_path / "events.jsonl")
    ids = {r["customer_id"] + "|" + r["type"] + "|" + r.get("counterparty_id", ""): r["event_id"] for r in ev.rows}
    lines = ["entity_type,entity_id,label,typology,scenario_id"]
    for c in ["hub", *[f"fi{i}" for i in range(4)]]:
        lines.append(f"customer,{c},mule,fan_in,sc-new")
    for c in ["oldhub", *[f"old{i}" for i in range(4)]]:
        lines.append(f"customer,{c},mule,fan_in,sc-old")
    for c in ["olderhub", *[f"older{i}" for i in range(4)]]:
        lines.append(f"customer,{c},mule,fan_in,sc-older")
    lines.append(f"event,{ids['fi0|transfer|hub']},laundering,fan_in,sc-new")
    lines.append(f"event,{ids['old0|transfer|oldhub']},laundering,fan_in,sc-old")
    lines.append(f"event,{ids['older0|transfer|olderhub']},laundering,fan_in,sc-older")
    for i in range(10):
        lines.append(f"customer,n{i},normal,benign_household,decoy-{i}")
    labels = tmp_path / "labels.csv"
    labels.write_text("\n".join(lines) + "\n")
    return events, labels


def test_only_scenarios_alive_after_the_split_count_for_recall(tmp_path: Path) -> None:
    events, labels = _exchange(tmp_path)
    truth, scenarios = read_labels(labels)
    con = duckdb.connect()
    result = monitor(events, con=con)
    split = split_of(con, 3, scenarios)
    assert split.live_scenarios == frozenset({"sc-new"})
    report = score_holdout(result.alerts, truth, split, customers=40)
    fan_in = report["per_typology"]["fan_in"]
    assert fan_in["customers"] == 5  # the old ring is not judged in the evaluation period
    assert fan_in["recall"] == 1.0
    assert report["precision"] == 1.0
    assert report["benign_share_flagged"]["benign_household"] == {"customers": 10, "flagged": 0, "share_flagged": 0.0}
    # one alert in 4 days of evaluation (day 3 to the last movement, day 6.4): per 30 days, per 1,000 customers
    assert report["alerts"] == 1
    assert report["alerts_per_1000_customers_per_30_days"] == pytest.approx(1000 / 40 * 30 / split.eval_days, rel=1e-3)


def test_split_counts_from_midnight_of_the_first_movement(tmp_path: Path) -> None:
    events, _ = _exchange(tmp_path)
    con = duckdb.connect()
    load_movements(con, events)
    split = split_of(con, 2)
    assert f"{split.start:%H:%M}" == "00:00"
    assert (split.split - split.start).days == 2


def test_cli_prints_the_held_out_report(tmp_path: Path) -> None:
    events, labels = _exchange(tmp_path)
    out = CliRunner().invoke(
        app, ["eval", "monitor", "--events", str(events), "--labels", str(labels), "--split-day", "3", "--json"]
    )
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["per_typology"]["fan_in"]["found"] == 5
    assert report["split"]["eval_days"] > 3


def test_bad_labels_header_names_the_file(tmp_path: Path) -> None:
    events, labels = _exchange(tmp_path)
    labels.write_text("who,what\nx,y\n")
    out = CliRunner().invoke(
        app, ["eval", "monitor", "--events", str(events), "--labels", str(labels), "--split-day", "3"]
    )
    assert out.exit_code != 0
    assert f"{labels}:1:" in out.output
