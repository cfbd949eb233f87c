"""Backtests end to end on a tiny crafted history, the CLI commands, and the bench function's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from warden.bench.backtest import run_backtest_bench
from warden.cli import app
from warden.events.ingest import Ingestor
from warden.rules import diff_outcomes, load_ruleset, starter_pack_path
from warden.rules.backtest import backtest
from warden.rules.known_addresses import add_known_addresses
from warden.settings import Settings
from warden.store.db import Store

KNOWN = "0xA1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
LOOKALIKE = "0xa1b2c3000000000000000000000000000aa45678"
TORNADO = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"


def _withdrawal(event_id: str, at: str, customer: str, to: str, usd: str) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "type": "withdrawal",
        "occurred_at": at,
        "customer_id": customer,
        "asset": "ETH",
        "network": "ethereum",
        "amount": "0.1",
        "amount_usd": usd,
        "to_address": to,
    }


def _login(event_id: str, at: str, customer: str, country: str) -> dict[str, Any]:
    base = {"event_id": event_id, "type": "login", "occurred_at": at, "customer_id": customer}
    return base | {"device_id": f"d-{customer}", "ip": "192.0.2.1", "country": country, "success": True}


@pytest.fixture
def history(tmp_path: Path) -> Path:
    events = [
        _login("e1", "2026-01-01T00:00:00Z", "c1", "DE"),
        _withdrawal("e2", "2026-01-01T01:00:00Z", "c1", KNOWN, "100.00"),
        _withdrawal("e3", "2026-01-01T02:00:00Z", "c1", LOOKALIKE, "500.00"),
        _withdrawal("e4", "2026-01-01T03:00:00Z", "c1", TORNADO, "50.00"),
        _login("e5", "2026-01-01T00:30:00Z", "c2", "KP"),
        _login("e6", "2026-01-01T00:40:00Z", "c3", "FR"),
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    (tmp_path / "labels.csv").write_text(
        "entity_type,entity_id,label,typology,scenario_id\n"
        "event,e3,scam_victim,address_poisoning,s1\n"
        "event,e4,sanctioned,ofac_sdn,s2\n"
        "customer,c1,scam_victim,address_poisoning,s1\n"
    )
    return path


def _rule(result: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in result["rules"] if r["rule_id"] == rule_id)


def test_backtest_reports_hits_precision_recall_and_diff(history: Path) -> None:
    starter = load_ruleset(starter_pack_path())
    result = backtest(starter, history, against=starter)
    assert result["events"] == 6 and result["labelled_positive_events"] == 2
    poison = _rule(result, "address_poisoning_lookalike")
    assert (poison["hits"], poison["true_positives"], poison["precision"], poison["recall"]) == (1, 1, 1.0, 0.5)
    sanctioned = _rule(result, "sanctioned_destination")
    assert (sanctioned["hits"], sanctioned["true_positives"]) == (1, 1)
    jurisdiction = _rule(result, "sanctioned_jurisdiction_login")
    assert (jurisdiction["hits"], jurisdiction["precision"]) == (1, 0.0)
    assert result["overall"]["outcomes"]["freeze"] == 1
    assert result["overall"]["recall"] == 1.0
    assert result["diff_against"]["changed"] == 0
    assert result["ruleset"]["fingerprint"] == starter.fingerprint


def test_parquet_history_gives_the_same_backtest(history: Path, settings: Settings, sqlite_store: Store) -> None:
    summary = Ingestor(sqlite_store, settings.parquet_dir).ingest([history])
    assert summary.total("stored") == 6
    (settings.parquet_dir / "labels.csv").write_text((history.parent / "labels.csv").read_text())
    starter = load_ruleset(starter_pack_path())
    from_jsonl, from_parquet = backtest(starter, history), backtest(starter, settings.parquet_dir)
    assert from_parquet["events"] == 6
    assert from_parquet["rules"] == from_jsonl["rules"]
    assert from_parquet["overall"] == from_jsonl["overall"]


def test_diff_outcomes_counts_transitions(history: Path) -> None:
    from warden.rules.backtest import with_features
    from warden.rules.events_io import read_events

    frame = with_features(read_events(history))
    starter = load_ruleset(starter_pack_path())
    lenient = load_ruleset(
        'name: lenient\nversion: "2"\nrules:\n  - {id: s, event_types: [withdrawal], '
        'condition: to_address in list("sanctioned_addresses"), outcome: review, reason: x}\n'
    )
    diff = diff_outcomes(starter, lenient, frame)
    assert diff.events == 6
    assert diff.transitions[("freeze", "review")] == 1
    assert diff.transitions[("hold", "allow")] == 1  # the poisoning hold is gone
    assert diff.weaker == diff.changed and diff.stronger == 0
    assert diff.new_counts["review"] == 1


def test_known_addresses_are_point_in_time() -> None:
    frame = pl.DataFrame(
        {
            "customer_id": ["c", "c", "c", "d"],
            "occurred_at": [
                "2026-01-01T00:00:00Z",
                "2026-01-01T00:00:00Z",
                "2026-01-01T01:00:00Z",
                "2026-01-01T02:00:00Z",
            ],
            "type": ["withdrawal", "withdrawal", "withdrawal", "withdrawal"],
            "to_address": ["a1", "a2", "a3", "a4"],
        }
    )
    known = add_known_addresses(frame)["known_addresses"].to_list()
    assert known == [[], [], ["a1", "a2"], []]  # same instant: not seen; other customers: not seen


def test_cli_check_and_backtest(history: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["rules", "check", str(starter_pack_path()), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["rules"] >= 30
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'name: b\nversion: "1"\nrules:\n  - id: x\n    event_types: [login]\n    condition: success and nope\n'
        "    outcome: hold\n    reason: r\n"
    )
    failed = runner.invoke(app, ["rules", "check", str(bad), "--json"])
    assert failed.exit_code == 1
    problem = json.loads(failed.output)["problems"][0]
    assert (problem["rule_id"], problem["line"], problem["column"]) == ("x", 6, 28)
    result = runner.invoke(
        app, ["rules", "backtest", "--ruleset", str(starter_pack_path()), "--events", str(history), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["overall"]["true_positives"] == 2
    missing = runner.invoke(app, ["rules", "backtest", "--ruleset", str(bad), "--events", str(history)])
    assert missing.exit_code == 1 and "bad.yaml:6:28: rule x: unknown field or feature 'nope'" in missing.output


def test_bench_reports_both_rates_and_agreement() -> None:
    result = run_backtest_bench(n_events=5000, row_events=500)
    assert result["events"] == 5000 and result["rules"] >= 30
    assert result["vectorised_events_per_s"] > 0 and result["reference_scan_events_per_s"] > 0
    assert result["row_and_vector_hits_equal"] is True


def test_bad_events_are_reported_with_their_position(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(_login("e1", "2026-01-01T00:00:00Z", "c1", "DE")) + "\n" + '{"event_id": "x", broken\n')
    runner = CliRunner()
    result = runner.invoke(app, ["rules", "backtest", "--ruleset", str(starter_pack_path()), "--events", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2:" in result.output
    missing = runner.invoke(
        app, ["rules", "backtest", "--ruleset", str(starter_pack_path()), "--events", str(tmp_path / "no.jsonl")]
    )
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
