"""Alerts without a model: structuring under reporting thresholds, hack proceeds relayed between customers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from tests.monitoring.builders import T0, Events

from warden.monitoring.customer_features import load_activity
from warden.monitoring.direct import StructuringRule, hack_alerts, structuring_alerts
from warden.monitoring.hops import resolve_hops
from warden.monitoring.movements import load_movements

START = T0.replace(tzinfo=None)
END = START + timedelta(days=30)


def _row(ev: Events, kind: str, who: str, hours: float, usd: float, **extra: Any) -> None:
    at = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev.rows.append(
        {
            "event_id": f"ev_{len(ev.rows):05d}",
            "type": kind,
            "occurred_at": at,
            "customer_id": who,
            "asset": "ETH",
            "network": "ethereum",
            "amount": "1",
            "amount_usd": f"{usd:.2f}",
        }
        | extra
    )


def _con(tmp_path: Path, ev: Events) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_movements(con, ev.write(tmp_path / "events.jsonl"))
    resolve_hops(con)
    return con


def test_structuring_piles_up_under_a_threshold_not_around_it(tmp_path: Path) -> None:
    ev = Events()
    for i, usd in enumerate([905, 968, 880, 941]):  # just under 1,000, by card, 20 hours apart
        _row(ev, "deposit", "s1", 10 + 20 * i, usd, channel="card", to_address="d1")
    for hours, usd in [(5, 9_100), (20, 9_650), (65, 9_900)]:  # just under 10,000, two in one day
        ev.deposit("s2", hours, usd)
    for i, usd in enumerate([962, 948, 990, 931, 975, 958]):  # a card's daily limit: one purchase a day near it
        _row(ev, "deposit", "card", 8 + 30 * i, usd, channel="card", to_address="d2")
    for i, usd in enumerate([920, 1_050, 990, 1_080, 960, 1_010]):  # around 1,000: no pile under it
        ev.deposit("a1", 5 + 30 * i, usd)
    for i, usd in enumerate([900, 950, 960]):  # under 1,000, but most of the money comes otherwise
        ev.deposit("m1", 5 + 30 * i, usd)
    for i in range(4):
        ev.deposit("m1", 7 + 30 * i, 5_000)
    found = {a.customer_ids[0]: a for a in structuring_alerts(_con(tmp_path, ev), START, END)}
    assert set(found) == {"s1", "s2"}
    assert found["s2"].parameters["threshold_usd"] == 10_000.0
    assert len(found["s1"].event_ids) == 4


def test_hack_proceeds_relayed_to_other_customers(tmp_path: Path) -> None:
    ev = Events()
    for i in range(20):
        ev.deposit(f"n{i}", 1 + i, 300)
    _row(ev, "deposit", "h", 10, 40_000, to_address="dep_h", from_address="0xhack")
    _row(ev, "deposit", "h", 11, 5_000, to_address="dep_h", from_address="0xmid")
    ev.transfer("h", "r1", 12, 20_000)  # relayed inside the exchange
    _row(ev, "deposit", "r2", 13, 9_000, to_address="dep_r2", from_address="0xmid")  # same sending address
    ev.transfer("n1", "n2", 14, 100)
    con = _con(tmp_path, ev)
    alerts = hack_alerts(con, START, END, frozenset({"0xhack"}), personal_cap=2)
    assert len(alerts) == 1
    assert alerts[0].customer_ids == ["h", "r1", "r2"]
    assert alerts[0].addresses == ["0xhack"]
    assert hack_alerts(con, START, END, frozenset(), personal_cap=2) == []


def _login(ev: Events, who: str, hours: float, device: str) -> None:
    at = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev.rows.append(
        {
            "event_id": f"ev_{len(ev.rows):05d}",
            "type": "login",
            "occurred_at": at,
            "customer_id": who,
            "device_id": device,
            "ip": "10.0.0.1",
            "country": "DE",
            "success": True,
        }
    )


def test_structurers_on_one_device_are_one_alert(tmp_path: Path) -> None:
    ev = Events()
    for who, offset in (("s1", 0), ("s2", 3), ("s3", 6), ("s4", 9)):
        for i, usd in enumerate([905, 968, 880, 941]):
            _row(ev, "deposit", who, 10 + offset + 20 * i, usd, channel="card", to_address=f"d_{who}")
    _login(ev, "s1", 1, "phone-a")  # s1 and s2 share a phone
    _login(ev, "s2", 2, "phone-a")
    for i in range(StructuringRule().link_device_max):  # s3 and s4 only share a shop's terminal
        _login(ev, f"shopper{i}", 1, "kiosk")
    _login(ev, "s3", 2, "kiosk")
    _login(ev, "s4", 2, "kiosk")
    path = ev.write(tmp_path / "events.jsonl")
    con = duckdb.connect()
    load_movements(con, path)
    resolve_hops(con)
    load_activity(con, path)
    alerts = structuring_alerts(con, START, END)
    assert sorted(a.customer_ids for a in alerts) == [["s1", "s2"], ["s3"], ["s4"]]
    merged = next(a for a in alerts if len(a.customer_ids) == 2)
    assert len(merged.event_ids) == 8
    assert merged.amount_usd == 2 * sum(Decimal(x) for x in (905, 968, 880, 941))
    assert merged.first_at < merged.last_at
