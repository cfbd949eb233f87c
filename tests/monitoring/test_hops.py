"""Hops inside the exchange: on-chain payments between customers become edges of monitoring's graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from tests.monitoring.builders import Events

from warden.monitoring.hops import HopContext, resolve_hops
from warden.monitoring.movements import load_movements
from warden.monitoring.pipeline import monitor

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _row(ev: Events, kind: str, who: str, hours: float, usd: float, **extra: Any) -> None:
    at = (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ev.rows.append(
        {
            "event_id": f"ev_{len(ev.rows):05d}",
            "type": kind,
            "occurred_at": at,
            "customer_id": who,
            "asset": "XRP",
            "amount": f"{usd:.2f}",
            "amount_usd": f"{usd:.2f}",
        }
        | extra
    )


def _loaded(tmp_path: Path, ev: Events, ctx: HopContext | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    load_movements(con, ev.write(tmp_path / "events.jsonl"))
    resolve_hops(con, ctx)
    return con


def _edges(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in con.execute("SELECT src, dst FROM hops").fetchall()}


def _background(ev: Events, n: int = 30) -> None:
    for i in range(n):  # ordinary customers, each with its own addresses
        ev.deposit(f"n{i}", 1 + i, 200)
        ev.withdraw(f"n{i}", 50 + i, 100)


def test_withdrawal_to_another_customers_deposit_address_is_an_edge(tmp_path: Path) -> None:
    ev = Events()
    _background(ev)
    ev.deposit("b", 1, 100)  # b's deposit address is dep_b
    _row(ev, "withdrawal", "a", 10, 5_000, network="tron", to_address="dep_b")
    _row(ev, "deposit", "b", 10.2, 4_990, network="tron", to_address="dep_b", from_address="hot_1")
    con = _loaded(tmp_path, ev)
    assert _edges(con) == {("a", "b")}
    # the two chain legs became one movement: gone from wd and dep, present in tr
    assert con.execute("SELECT count(*) FROM wd WHERE cust = 'a'").fetchall()[0][0] == 0
    assert con.execute("SELECT count(*) FROM dep WHERE cust = 'b'").fetchall()[0][0] == 1
    assert con.execute("SELECT count(*) FROM tr WHERE src = 'a' AND dst = 'b'").fetchall()[0][0] == 1


def test_hop_through_a_personal_address_but_not_through_a_service(tmp_path: Path) -> None:
    ev = Events()
    _background(ev)
    _row(ev, "withdrawal", "a", 10, 5_000, network="ethereum", to_address="0xpersonal")
    _row(ev, "deposit", "b", 12, 4_950, network="ethereum", to_address="dep_b", from_address="0xpersonal")
    # a service: many customers withdraw to it and deposit from it
    for i in range(12):
        _row(ev, "withdrawal", f"s{i}", 20 + i, 300, network="ethereum", to_address="0xservice")
        _row(ev, "deposit", f"t{i}", 21 + i, 300, network="ethereum", to_address=f"dep_t{i}", from_address="0xservice")
    con = _loaded(tmp_path, ev)
    assert _edges(con) == {("a", "b")}


def test_deposit_before_the_withdrawal_is_no_hop(tmp_path: Path) -> None:
    ev = Events()
    _background(ev)
    _row(ev, "deposit", "b", 5, 4_950, network="ethereum", to_address="dep_b", from_address="0xpersonal")
    _row(ev, "withdrawal", "a", 10, 5_000, network="ethereum", to_address="0xpersonal")
    assert _edges(_loaded(tmp_path, ev)) == set()


def test_shared_memo_address_is_keyed_by_address_and_memo(tmp_path: Path) -> None:
    ev = Events()
    _background(ev)
    # the exchange's shared memo deposit address: each customer has a memo
    for i, who in enumerate(["b", "c", "d"]):
        _row(ev, "deposit", who, 1 + i, 100, network="xrp", to_address="rSHARED", memo=f"{100 + i}", from_address="rX")
    _row(ev, "withdrawal", "a", 10, 2_000, network="xrp", to_address="rSHARED", memo="101")
    # another service's shared memo address (learnt: several memos), many of our customers pay into it
    for i in range(5):
        _row(ev, "withdrawal", f"p{i}", 20 + i, 500, network="xrp", to_address="rOTHER", memo=f"{900 + i}")
    _row(ev, "deposit", "e", 30, 500, network="xrp", to_address="rSHARED", memo="104", from_address="rOTHER")
    ctx = HopContext(memo_networks=frozenset({"xrp"}), own_deposit_addresses=frozenset({"rSHARED"}))
    con = _loaded(tmp_path, ev, ctx)
    assert _edges(con) == {("a", "c")}  # memo 101 is c's; no edge from p* to e through rOTHER


def test_context_json_shape() -> None:
    ctx = HopContext.from_context(
        {
            "memo_networks": ["XRP", "ton"],
            "exchange_memo_addresses": {"xrp": "rM"},
            "exchange_hot_wallets": {"evm": "0xhot"},
            "hack_incidents": [{"incident_id": "i1", "addresses": ["0xbad1", "0xbad2"]}],
        }
    )
    assert ctx.memo_networks == frozenset({"xrp", "ton"})
    assert ctx.hot_wallets == frozenset({"0xhot"})
    assert "rM" in ctx.own_deposit_addresses and "rM" in ctx.shared_memo_addresses
    assert ctx.hack_addresses == frozenset({"0xbad1", "0xbad2"})


def test_a_fan_in_that_hops_through_the_chain_is_found(tmp_path: Path) -> None:
    ev = Events()
    _background(ev)
    for i in range(4):
        ev.deposit(f"m{i}", 1, 5_000)
        _row(ev, "withdrawal", f"m{i}", 5 + i, 4_900, network="tron", to_address=f"0xmid{i}")
        _row(ev, "deposit", "hub", 6 + i, 4_880, network="tron", to_address="dep_hub", from_address=f"0xmid{i}")
    _row(ev, "withdrawal", "hub", 20, 19_000, network="tron", to_address="0xcashout")
    path = ev.write(tmp_path / "events.jsonl")
    found = [a for a in monitor(path).alerts if "hub" in a.customer_ids]
    assert found and found[0].typology == "fan_in"
    assert not [a for a in monitor(path, hops=False).alerts if "hub" in a.customer_ids]
