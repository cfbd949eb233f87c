import numpy as np
import polars as pl

from warden.monitoring import graph
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
