"""The exchange's facts: parsing JSON and YAML, the pure API, learning shared memo addresses, versions + audit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from warden.audit.log import verify_chain
from warden.cli import app
from warden.exchange.facts import ExchangeFacts, FactsError, load_facts, parse_facts
from warden.exchange.learn import learn_shared_memo_addresses, with_learned
from warden.exchange.repository import current_facts, save_facts
from warden.settings import Settings
from warden.store.db import Store

CONTEXT = {
    "window": {"start": "2025-01-01T00:00:00Z", "end": "2025-01-31T00:00:00Z"},
    "supported_networks": {"XRP": ["xrp"], "ETH": ["ethereum"]},
    "fiat_rails": {"EUR": "sepa"},
    "memo_networks": ["XRP", "stellar"],
    "exchange_memo_addresses": {"xrp": "rOwnShared"},
    "exchange_hot_wallets": {"evm": "0xAbCdEf0000000000000000000000000000000001"},
    "hack_incidents": [{"incident_id": "i1", "addresses": ["0xbad"]}],
}


def test_json_and_yaml_of_the_same_shape_give_the_same_facts(tmp_path: Path) -> None:
    as_json = tmp_path / "context.json"
    as_json.write_text(json.dumps(CONTEXT))
    as_yaml = tmp_path / "context.yaml"
    as_yaml.write_text(
        "memo_networks: [XRP, stellar]\n"
        + "\n".join(f"{k}: {json.dumps(v)}" for k, v in CONTEXT.items() if k != "memo_networks")
    )
    assert load_facts(as_json).fingerprint() == load_facts(as_yaml).fingerprint()


def test_the_pure_api() -> None:
    facts = ExchangeFacts.model_validate(CONTEXT)
    assert facts.is_memo_network("xrp") and facts.is_memo_network("XRP") and not facts.is_memo_network("ethereum")
    assert facts.is_shared_memo_address("xrp", "rOwnShared")
    assert not facts.is_shared_memo_address("xrp", "rSomeoneElse")
    # EVM addresses compare in lower case
    assert facts.is_exchange_address("0xabcdef0000000000000000000000000000000001")
    assert "0xbad" in facts.hack_addresses()


def test_bad_input_names_the_line_or_the_field() -> None:
    with pytest.raises(FactsError, match=r"f.yaml:2: "):
        parse_facts("memo_networks: [xrp]\n\twindow: 1\n", "f.yaml")
    with pytest.raises(FactsError, match=r"f.json: window.start: "):
        parse_facts('{"window": {"start": "not a time", "end": "2025-01-01T00:00:00Z"}}', "f.json")
    with pytest.raises(FactsError, match=r"f.json:1: expected a mapping"):
        parse_facts("[1, 2]", "f.json")


def _withdrawals(rows: list[tuple[str, str, str, str | None]]) -> pl.DataFrame:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "network": [r[1] for r in rows],
            "to_address": [r[2] for r in rows],
            "memo": [r[3] for r in rows],
            "occurred_at": [start + timedelta(hours=i) for i in range(len(rows))],
        }
    )


def test_a_service_shared_memo_address_is_learnt_and_a_collection_address_is_not() -> None:
    facts = ExchangeFacts.model_validate(CONTEXT)
    rows = [
        # another exchange: four customers, each with a memo of their own (one of them twice)
        ("c1", "xrp", "rService", "100"), ("c2", "xrp", "rService", "200"), ("c3", "xrp", "rService", "300"),
        ("c3", "xrp", "rService", "300"), ("c4", "xrp", "rService", "400"),
        # a collection address: many customers, one recipient memo
        ("c1", "xrp", "rCollect", "7"), ("c2", "xrp", "rCollect", "7"), ("c3", "xrp", "rCollect", "7"),
        # memo missing once: not a memo-crediting service as far as we can tell
        ("c1", "xrp", "rMixed", "1"), ("c2", "xrp", "rMixed", None), ("c3", "xrp", "rMixed", "3"),
        # not a memo network
        ("c1", "ethereum", "0xfeed", "1"), ("c2", "ethereum", "0xfeed", "2"), ("c3", "ethereum", "0xfeed", "3"),
        # the exchange's own shared address is already known
        ("c1", "xrp", "rOwnShared", "1"), ("c2", "xrp", "rOwnShared", "2"), ("c3", "xrp", "rOwnShared", "3"),
    ]  # fmt: skip
    learned = learn_shared_memo_addresses(_withdrawals(rows), facts)
    assert [(a.address, a.evidence["customers"], a.evidence["withdrawals"]) for a in learned] == [("rService", 4, 5)]
    updated = with_learned(facts, learned)
    assert updated.is_shared_memo_address("xrp", "rService") and "rService" in updated.service_addresses()


def test_versions_are_kept_and_audited(store: Store) -> None:
    facts = ExchangeFacts.model_validate(CONTEXT)
    with store.engine.begin() as conn:
        first = save_facts(conn, facts, "a.json", "ana")
        again = save_facts(conn, facts, "a.json", "ana")  # unchanged: no new version
        second = save_facts(conn, facts.model_copy(update={"memo_networks": ["xrp"]}), "b.json", "lee")
    assert (first.version, again.version, second.version) == (1, 1, 2)
    with store.engine.connect() as conn:
        now = current_facts(conn)
        assert now is not None and now.facts.memo_networks == ["xrp"] and now.set_by == "lee"
        assert verify_chain(conn).records == 2


def test_exchange_set_and_show_from_the_command_line(settings: Settings, tmp_path: Path) -> None:
    env = {"WARDEN_DATA_DIR": str(settings.data_dir), "WARDEN_DATABASE_URL": ""}
    context = tmp_path / "context.json"
    context.write_text(json.dumps(CONTEXT))
    events = tmp_path / "events.jsonl"
    lines = [
        {"event_id": f"w{i}", "type": "withdrawal", "occurred_at": f"2025-01-0{i + 1}T00:00:00Z",
         "customer_id": f"c{i}", "asset": "XRP", "network": "xrp", "amount": "10", "amount_usd": "5",
         "to_address": "rService", "memo": str(1000 + i)}
        for i in range(3)
    ]  # fmt: skip
    events.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    runner = CliRunner()
    done = runner.invoke(app, ["exchange", "set", str(context), "--events", str(events), "--json"], env=env)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["learned"] == 1
    shown = runner.invoke(app, ["exchange", "show", "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["facts"]["learned"][0]["address"] == "rService"
    bad = tmp_path / "bad.yaml"
    bad.write_text("memo_networks: [xrp]\n\twindow: 1\n")
    refused = runner.invoke(app, ["exchange", "set", str(bad)], env=env)
    assert refused.exit_code == 1 and "bad.yaml:2:" in refused.output
