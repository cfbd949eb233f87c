"""Neighbours of a flagged customer join its ring when the learn period says they are usually dirty."""

from __future__ import annotations

import numpy as np

from warden.monitoring.ring_join import choose_join_share, joiners, neighbours, rank_shares


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
