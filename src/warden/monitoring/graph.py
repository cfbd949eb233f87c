"""Graph algorithms on CSR adjacency (scipy.sparse): PageRank, short-cycle closed walks, 2-hop reach.

Everything here works on a binary adjacency matrix `A` (A[i, j] = 1 when i sent to j at least once):
sparse products for PageRank and neighbour aggregates, per-node frontier counting (`walks`, numba) for
walk and triangle counts, so the cost follows the edges, not Python loops over rows.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from warden.monitoring import grouped, walks

FloatArray = NDArray[np.float64]


def adjacency(src: NDArray[np.int64], dst: NDArray[np.int64], n: int) -> sp.csr_matrix:
    """Binary directed adjacency; self-loops dropped because they are not flows between parties."""
    keep = src != dst
    data = np.ones(int(keep.sum()), dtype=np.float64)
    a = sp.csr_matrix((data, (src[keep], dst[keep])), shape=(n, n))
    a.sum_duplicates()
    a.data[:] = 1.0
    return a


def pagerank(a: sp.csr_matrix, damping: float = 0.85, tol: float = 1e-10, max_iter: int = 100) -> FloatArray:
    """Power iteration; dangling nodes spread their mass uniformly (the standard definition)."""
    n = a.shape[0]
    out_deg = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, out_deg, out=np.zeros(n), where=out_deg > 0)
    transition = sp.diags(inv) @ a  # row-stochastic where out_deg > 0
    rank = np.full(n, 1.0 / n)
    dangling = out_deg == 0
    for _ in range(max_iter):
        new = damping * (transition.T @ rank + rank[dangling].sum() / n) + (1.0 - damping) / n
        if np.abs(new - rank).sum() < tol:
            return np.asarray(new)
        rank = new
    return np.asarray(rank)


def walk_counts(a: sp.csr_matrix) -> tuple[dict[int, FloatArray], FloatArray, FloatArray]:
    """Closed walks of length 2..6 through each node (diag of A^k, a proxy for cycle membership) and the
    distinct accounts two hops forward and backward, in one pass (`walks.directed_walks`, no matrix powers)."""
    a = sp.csr_matrix(a)
    back = a.T.tocsr()
    closed, reach = walks.directed_walks(a.indptr, a.indices, back.indptr, back.indices)
    return {k: closed[:, k - 2].copy() for k in range(2, 7)}, reach[:, 0].copy(), reach[:, 1].copy()


def closed_walks(a: sp.csr_matrix, max_len: int = 6) -> dict[int, FloatArray]:
    """Closed walks of length 2..max_len through each node (diag of A^k)."""
    if max_len < 2 or max_len > 6:
        raise ValueError("max_len must be between 2 and 6")
    return {k: v for k, v in walk_counts(a)[0].items() if k <= max_len}


def two_hop_reach(a: sp.csr_matrix) -> tuple[FloatArray, FloatArray]:
    """Distinct accounts reachable in exactly two hops forward and backward (excluding self)."""
    _, forward, backward = walk_counts(a)
    return forward, backward


def hubs(a: sp.csr_matrix, hub_degree: int = walks.HUB_DEGREE) -> int:
    """Accounts with more partners (either way) than walks are continued through."""
    out_deg = np.diff(sp.csr_matrix(a).indptr)
    in_deg = np.diff(sp.csc_matrix(a).indptr)
    return int(np.sum((out_deg > hub_degree) | (in_deg > hub_degree)))


def neighbour_mean(a: sp.csr_matrix, values: FloatArray, direction: str) -> FloatArray:
    """Mean of a feature over out- ('out') or in- ('in') neighbours; 0 where there are none."""
    m = a if direction == "out" else a.T.tocsr()
    deg = np.asarray(m.sum(axis=1)).ravel()
    total = m @ values
    return np.divide(total, deg, out=np.zeros_like(total), where=deg > 0)


def undirected(a: sp.csr_matrix) -> sp.csr_matrix:
    """Symmetric binary adjacency: who has dealt with whom, either way."""
    u = ((a + a.T) > 0).astype(np.float64)
    return sp.csr_matrix(u)


def local_density(u: sp.csr_matrix) -> dict[str, FloatArray]:
    """Triangles, clustering and edge embeddedness on the undirected graph.

    Laundering rings trade among themselves, so their members sit in denser pockets than ordinary
    accounts of the same degree; these measure that without looking at any label.
    """
    u = sp.csr_matrix(u)
    deg = np.diff(u.indptr).astype(np.float64)
    dense = walks.undirected_density(u.indptr, u.indices)
    triangles = dense[:, 0].copy()
    pairs = np.maximum(deg * (deg - 1) / 2.0, 1.0)
    embedded = dense[:, 2].copy()
    return {
        "triangles": triangles,
        "clustering": triangles / pairs,
        "max_common_neighbours": dense[:, 1].copy(),
        "embedded_partners": embedded,
        "embedded_share": embedded / np.maximum(deg, 1.0),
        "squares_walks": dense[:, 3].copy(),
        "two_hop_undirected": dense[:, 4].copy(),
    }


def neighbour_max(u: sp.csr_matrix, values: FloatArray) -> FloatArray:
    """Largest value of a non-negative feature among an account's neighbours (0 without neighbours)."""
    u = sp.csr_matrix(u)
    return grouped.row_max_mean(u.indptr.astype(np.int64), u.indices.astype(np.int64), values.astype(np.float64))[0]
