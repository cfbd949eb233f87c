from pathlib import Path

import duckdb
import pytest
from tests.monitoring.builders import with_rings

from warden.monitoring.alerts import alert_id
from warden.monitoring.detectors import DormantParams, dormant_reactivation
from warden.monitoring.errors import InputError
from warden.monitoring.movements import load_movements
from warden.monitoring.pipeline import monitor


@pytest.fixture(scope="module")
def alerts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    path = with_rings().write(tmp_path_factory.mktemp("ev") / "events.jsonl")
    result = monitor(path)
    return {a.typology: set(a.customer_ids) for a in result.alerts}


def test_each_ring_found_with_its_members(alerts: dict[str, set[str]]) -> None:
    assert alerts["fan_in"] == {"fi_hub", "fi0", "fi1", "fi2", "fi3"}
    assert alerts["fan_out"] == {"fo_src", "fo0", "fo1", "fo2", "fo3"}
    assert alerts["cycle"] == {"c0", "c1", "c2"}
    assert alerts["structuring"] == {"st"}
    assert alerts["pass_through"] == {"pt"}


def test_ordinary_customers_raise_nothing(alerts: dict[str, set[str]]) -> None:
    named = set().union(*alerts.values())
    assert not any(c.startswith("n") for c in named)


def test_alert_id_depends_on_typology_and_subject_set_only() -> None:
    assert alert_id("cycle", ["b", "a"]) == alert_id("cycle", ["a", "b", "a"])
    assert alert_id("cycle", ["a", "b"]) != alert_id("fan_in", ["a", "b"])


def test_alert_records_are_explained_and_exact(tmp_path: Path) -> None:
    result = monitor(with_rings().write(tmp_path / "e.jsonl"))
    record = next(a.to_dict() for a in result.alerts if a.typology == "cycle")
    assert record["amount_usd"] == "9800"  # the first hop's amount, a decimal string
    assert "came back" in record["explanation"] and record["detector_version"]
    assert record["parameters"]["cycle_max_len"] == 7


def test_parquet_and_jsonl_give_the_same_alerts(tmp_path: Path) -> None:
    jsonl = with_rings().write(tmp_path / "e.jsonl")
    parquet = tmp_path / "e.parquet"
    duckdb.connect().execute(
        f"COPY (SELECT * REPLACE (CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at) FROM read_json('{jsonl}')) "
        f"TO '{parquet}' (FORMAT parquet)"
    ).fetchall()
    a = sorted(x.alert_id for x in monitor(jsonl).alerts)
    b = sorted(x.alert_id for x in monitor(parquet).alerts)
    assert a == b and a


def test_since_until_limit_the_window(tmp_path: Path) -> None:
    from datetime import datetime

    path = with_rings().write(tmp_path / "e.jsonl")
    late = monitor(path, since=datetime(2026, 1, 15))
    assert {a.typology for a in late.alerts} <= {"structuring", "pass_through"}


def test_dormant_account_waking_up(tmp_path: Path) -> None:
    from tests.monitoring.builders import Events

    ev = Events()
    ev.deposit("d", 0, 100)
    ev.deposit("d", 24 * 90, 6_000)
    ev.withdraw("d", 24 * 91, 5_900)
    con = duckdb.connect()
    load_movements(con, ev.write(tmp_path / "e.jsonl"))
    found = dormant_reactivation(con, DormantParams())
    assert [a.customer_ids for a in found] == [["d"]]
    assert "90 days" in found[0].explanation


def test_bad_events_file_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "e.txt"
    bad.write_text("x")
    with pytest.raises(InputError, match=r"e\.txt"):
        load_movements(duckdb.connect(), bad)
    broken = tmp_path / "e.jsonl"
    broken.write_text(
        '{"event_id": "a", "type": "transfer", "occurred_at": "2026-01-01T00:00:00Z", '
        '"customer_id": "x", "amount_usd": "5"}\n'
    )
    with pytest.raises(InputError, match="without amount_usd, time or counterparty"):
        load_movements(duckdb.connect(), broken)
