"""`lists update`: diff against the current version, recorded with source and date, all or nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from warden.audit.log import verify_chain
from warden.cli import app
from warden.screening.defaults import DATA_DIR
from warden.screening.errors import ListFormatError
from warden.screening.registry import active_paths, update_lists
from warden.screening.screener import open_screener
from warden.settings import Settings
from warden.store.db import open_store

NEW_ADDRESS = "0x" + "1234abcd" * 5


def _newer_crypto(tmp_path: Path) -> Path:
    folder = tmp_path / "crypto-addresses-2024-10-31"
    shutil.copytree(DATA_DIR / "crypto-addresses-2024-09-27", folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    eth = folder / "sanctioned_addresses_ETH.txt"
    lines = eth.read_text().splitlines()
    delisted = lines[0]
    eth.write_text("\n".join([*lines[1:], NEW_ADDRESS]) + "\n")
    (folder / "sanctioned_addresses_ETH.json").write_text(json.dumps([*lines[1:], NEW_ADDRESS]))
    (folder / "delisted.txt").write_text(delisted)
    return folder


def _all_addresses(folder: Path) -> list[str]:
    return [line for p in sorted(folder.glob("*.txt")) if p.name != "delisted.txt" for line in p.read_text().split()]


def test_update_records_version_and_diff_and_switches_the_active_list(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    folder = _newer_crypto(tmp_path)
    delisted = (folder / "delisted.txt").read_text()
    [result] = update_lists([folder], settings.data_dir, store.engine)
    assert result.diff.added == [NEW_ADDRESS] and result.diff.removed == [delisted.lower()]
    assert result.snapshot.version_date == "2024-10-31"
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, list_name, version_date, added, removed, addresses FROM screening_list_versions ORDER BY id"
            )
        ).all()
        # the shipped version is recorded as the base, then the update with its diff
        assert [tuple(r)[1:] for r in rows] == [
            ("ofac-crypto", "2024-09-27", 641, 0, 654),
            ("ofac-crypto", "2024-10-31", 1, 1, 654),
        ]
        stored = conn.execute(
            sa.text("SELECT count(*) FROM screening_list_entries WHERE version_id = :v"), {"v": rows[1].id}
        ).scalar_one()
        distinct = {a.lower() if a.startswith("0x") else a for a in _all_addresses(folder)}
        assert stored == len(distinct) == 641  # an address listed for several assets is one item
        assert verify_chain(conn).ok
    screener = open_screener(settings.data_dir)
    assert screener.screen_address(NEW_ADDRESS.upper().replace("0X", "0x"))["hits"]
    assert not [h for h in screener.screen_address(delisted)["hits"] if h["list"] == "ofac-crypto"]
    store.dispose()


def test_malformed_update_changes_nothing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    good = _newer_crypto(tmp_path)
    bad = tmp_path / "UN_consolidated.xml"
    bad.write_text("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>")
    before = active_paths(settings.data_dir)
    with pytest.raises(ListFormatError):
        update_lists([good, bad], settings.data_dir, store.engine)
    assert active_paths(settings.data_dir) == before
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM screening_list_versions")).scalar_one() == 0
    store.dispose()


def test_cli_lists_update_prints_diff_and_rejects_bad_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    bad = tmp_path / "watch.csv"
    bad.write_text("id,name,kind\nW1,Jane,robot\n")
    result = runner.invoke(app, ["lists", "update", str(bad)])
    assert result.exit_code == 2 and f"{bad}:2:" in result.output and "nothing was changed" in result.output
    ok = tmp_path / "watch2.csv"
    ok.write_text("id,name,kind\nW1,Jane Roe,person\nW2,ACME SHELL LTD,entity\n")
    result = runner.invoke(app, ["lists", "update", str(ok), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["lists"][0]["list"] == "internal:watch2" and payload["lists"][0]["added"] == 2
    shown = runner.invoke(app, ["screen", "name", "Jane Roe", "--json"])
    assert json.loads(shown.output)["hits"][0]["id"] == "W1"


def test_update_rescreens_stored_customers_and_alerts_only_new_hits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warden.events.examples import EXAMPLES

    monkeypatch.setenv("WARDEN_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    events = tmp_path / "events.jsonl"
    people = [("cus-1", "Anna Maria Schmidt"), ("cus-2", "Eric Badege"), ("cus-3", "Tomasz Nowicki")]
    events.write_text(
        "\n".join(
            json.dumps({**EXAMPLES["kyc_submission"], "event_id": f"k-{cid}", "customer_id": cid, "full_name": name})
            for cid, name in people
        )
        + "\n"
    )
    assert runner.invoke(app, ["ingest", str(events)]).exit_code == 0
    watch = tmp_path / "watch.csv"
    watch.write_text("id,name,kind\nW1,Tomasz NOWICKI,person\nW2,Eric BADEGE,person\n")
    result = runner.invoke(app, ["lists", "update", str(watch), "--json"])
    assert result.exit_code == 0, result.output
    alerts = json.loads(result.output)["rescreen_alerts"]
    # cus-2 already hit the UN and OFAC entries for Eric Badege; only the internal entries are new hits
    assert sorted((a["customer_id"], a["entry_id"]) for a in alerts) == [("cus-2", "W2"), ("cus-3", "W1")]
    again = runner.invoke(app, ["lists", "update", str(watch), "--json"])
    assert json.loads(again.output)["rescreen_alerts"] == []  # the same version again: nothing new
