"""Neighbours of a flagged customer join its ring when the learn period says they are usually dirty."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
from tests.monitoring.builders import T0, Events

from warden.monitoring.customer_model import CustomerModelParams, ring_edges
from warden.monitoring.movements import load_movements
from warden.monitoring.ring_join import choose_join_share, joiners, neighbours, rank_shares

DAY = 24.0


def test_rank_shares_put_the_top_scorer_first() -> None:
    shares = rank_shares(np.array([0.1, 0.9, 0.5, 0.2]))
    assert shares.tolist() == [1.0, 0.25, 0.5, 0.75]


def test_joiners_are_unflagged_neighbours_ranked_high_enough() -> None:
    customers = ["a", "b", "c", "d", "e"]
    shares = rank_shares(np.array([0.99, 0.6, 0.01, 0.5, 0.7]))  # a, e, b, d, c
    nbrs = neighbours([("a", "b"), ("a", "c"), ("d", "e"), ("a", "a")])
    assert joiners({"a"}, customers, shares, nbrs, join_share=0.6) == {"b"}  # c ranks last
    assert joiners({"a"}, customers, shares, nbrs, join_share=1.0) == {"b", "c"}
    assert joiners({"a"}, customers, shares, nbrs, join_share=0.0) == set()
    assert "a" not in nbrs["a"]  # a self-transfer is no edge


def test_join_share_stops_where_neighbours_stop_being_dirty() -> None:
    dirty_top = [(0.01 * i, True) for i in range(1, 9)]  # 8 dirty neighbours ranked in the top 8 %
    clean_below = [(0.2 + 0.01 * i, False) for i in range(10)]  # then 10 clean ones
    share, at = choose_join_share(dirty_top + clean_below, min_precision=0.7)
    assert 0.08 <= share < 0.2 + 0.01 * 3  # widened past the dirty ones only while precision holds
    assert at["smoothed_precision"] >= 0.7
    assert choose_join_share([(0.1, False), (0.2, False)], min_precision=0.7)[0] == 0.0
    assert choose_join_share([(0.1, True)], min_precision=0.7)[0] == 0.0  # one case is too thin: (1+1)/(1+2) < 0.7


def _funded(ev: Events, who: str, hours: float, funder: str) -> None:
    ev._add("deposit", who, hours, 500.0, network="tron", to_address=f"dep_{who}", from_address=funder)


def test_ring_edges_reach_back_a_window_and_tie_customers_funded_from_one_small_wallet(tmp_path: Path) -> None:
    ev = Events()
    ev.transfer("feeder", "collector", 2 * DAY, 900.0)  # before the window, within the lookback
    ev.transfer("old", "collector", -20 * DAY, 900.0)  # before the lookback
    for who in ("m1", "m2"):
        _funded(ev, who, 3 * DAY, "ring_wallet")
    for i in range(7):  # a wallet funding seven customers is a service, not a ring's
        _funded(ev, f"s{i}", 3 * DAY, "service_wallet")
    ev.deposit("collector", 12 * DAY, 100.0)
    con = duckdb.connect()
    load_movements(con, ev.write(tmp_path / "events.jsonl"))
    t0, t1 = (T0 + timedelta(days=10)).replace(tzinfo=None), (T0 + timedelta(days=20)).replace(tzinfo=None)
    edges = {tuple(sorted(e)) for e in ring_edges(con, t0, t1, CustomerModelParams())}
    assert edges == {("collector", "feeder"), ("m1", "m2")}
    # a model saved before these edges existed keeps the window's transfers only
    assert ring_edges(con, t0, t1, CustomerModelParams(ring_lookback_days=0, shared_funder_max=0)) == []
