import numpy as np
import polars as pl

from warden.monitoring import graph, walks
from warden.monitoring.features import account_features


def _a(edges: list[tuple[int, int]], n: int):  # type: ignore[no-untyped-def]
    src = np.array([e[0] for e in edges], dtype=np.int64)
    dst = np.array([e[1] for e in edges], dtype=np.int64)
    return graph.adjacency(src, dst, n)


def test_closed_walks_see_a_triangle_not_a_path() -> None:
    a = _a([(0, 1), (1, 2), (2, 0), (2, 3)], 4)
    walks = graph.closed_walks(a, 6)
    assert walks[3].tolist() == [1, 1, 1, 0]
    assert walks[2].tolist() == [0, 0, 0, 0]
    assert walks[6].tolist() == [1, 1, 1, 0]


def test_pagerank_is_a_distribution_and_favours_the_sink_of_a_star() -> None:
    a = _a([(1, 0), (2, 0), (3, 0), (4, 0)], 5)
    rank = graph.pagerank(a)
    assert abs(rank.sum() - 1.0) < 1e-9
    assert rank.argmax() == 0


def test_local_density_counts_undirected_triangles() -> None:
    u = graph.undirected(_a([(0, 1), (1, 2), (0, 2), (2, 3)], 4))
    dense = graph.local_density(u)
    assert dense["triangles"].tolist() == [1, 1, 1, 0]
    assert dense["clustering"][0] == 1.0


def test_features_have_groups_and_gap() -> None:
    tx = pl.DataFrame({"src": [0, 1, 1], "dst": [1, 2, 0], "amount": [50.0, 200.0, 300.0], "step": [1, 3, 10]})
    features = account_features(tx, 4)
    frame = features.frame
    assert frame.height == 4
    assert set(features.groups.values()) == {"amount", "count", "structure", "time"}
    assert frame.filter(pl.col("account") == 1)["gap_in_out_min"][0] == 2.0  # in at step 1, out at step 3
    guard = features.columns(exclude=("amount", "count"))
    assert "out_sum" not in guard and "in_degree" in guard


def _random_graph(n: int, m: int, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    src[: m // 10] = 0  # one busy account, so counts are not all tiny
    return graph.adjacency(src, rng.integers(0, n, m), n)


def test_walk_counts_equal_the_diagonal_of_matrix_powers() -> None:
    a = _random_graph(120, 700, seed=3)
    dense = a.toarray()
    closed, forward, backward = graph.walk_counts(a)
    power = dense.copy()
    for k in range(2, 7):
        power = power @ dense
        assert np.array_equal(closed[k], np.diag(power)), k
    two = dense @ dense
    np.fill_diagonal(two, 0)
    assert np.array_equal(forward, (two > 0).sum(axis=1))
    assert np.array_equal(backward, (two > 0).sum(axis=0))


def test_local_density_equals_dense_counts() -> None:
    u = graph.undirected(_random_graph(100, 400, seed=4))
    dense = u.toarray()
    two = dense @ dense
    got = graph.local_density(u)
    assert np.array_equal(got["triangles"], np.diag(two @ dense) / 2)
    common = two * dense
    assert np.array_equal(got["max_common_neighbours"], common.max(axis=1))
    assert np.array_equal(got["embedded_partners"], (common > 0).sum(axis=1))
    np.fill_diagonal(two, 0)
    assert np.array_equal(got["squares_walks"], (two**2).sum(axis=1))
    assert np.array_equal(got["two_hop_undirected"], (two > 0).sum(axis=1))


def test_walks_do_not_pass_through_accounts_over_the_hub_cap() -> None:
    # 0 -> 1 -> 2 -> 0 is a triangle; 1 also pays five others, so with a cap of 3 nothing walks through 1.
    a = _a([(0, 1), (1, 2), (2, 0), *[(1, k) for k in range(3, 8)]], 8)
    back = a.T.tocsr()
    exact, _ = walks.directed_walks(a.indptr, a.indices, back.indptr, back.indices)
    capped, _ = walks.directed_walks(a.indptr, a.indices, back.indptr, back.indices, hub_degree=3)
    assert exact[:3, 1].tolist() == [1, 1, 1]
    assert capped[0, 1] == 0  # 0 -> 1 -> 2 -> 0 needs 1's list from 0's side
    assert capped[1, 1] == 1  # the hub's own list is always read
    assert capped[:, 1].sum() < exact[:, 1].sum()
    assert graph.hubs(a, hub_degree=3) == 1
