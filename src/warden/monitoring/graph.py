"""Graph algorithms on CSR adjacency (scipy.sparse): PageRank, short-cycle closed walks, 2-hop reach.

Everything here is array code over a binary adjacency matrix `A` (A[i, j] = 1 when i sent to j at least
once), so it scales with the number of edges, not with Python loops over rows.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

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


def _diag_of_product(left: sp.csr_matrix, right: sp.csr_matrix) -> FloatArray:
    """diag(left @ right) without forming the product: sum_j left[i, j] * right[j, i]."""
    return np.asarray(left.multiply(right.T).sum(axis=1)).ravel()


def closed_walks(a: sp.csr_matrix, max_len: int = 6) -> dict[int, FloatArray]:
    """Closed walks of length 2..max_len through each node (diag of A^k), a cheap proxy for cycle membership.

    Only A^2 and A^3 are materialised; longer lengths combine them (diag(A^5) = diag(A^3 A^2)) so memory
    stays near nnz(A^3) on sparse transaction graphs.
    """
    if max_len < 2 or max_len > 6:
        raise ValueError("max_len must be between 2 and 6")
    a2 = (a @ a).tocsr()
    powers: dict[int, sp.csr_matrix] = {1: a, 2: a2}
    if max_len >= 3:
        powers[3] = (a2 @ a).tocsr()
    out: dict[int, FloatArray] = {}
    for k in range(2, max_len + 1):
        left = min(k - 1, 3)
        out[k] = _diag_of_product(powers[left], powers[k - left])
    return out


def two_hop_reach(a: sp.csr_matrix) -> tuple[FloatArray, FloatArray]:
    """Distinct accounts reachable in exactly two hops forward and backward (excluding self)."""
    fwd = (a @ a).tocsr()
    fwd.setdiag(0)
    fwd.eliminate_zeros()
    back = (a.T @ a.T).tocsr()
    back.setdiag(0)
    back.eliminate_zeros()
    return np.diff(fwd.indptr).astype(np.float64), np.diff(back.indptr).astype(np.float64)


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
    deg = np.asarray(u.sum(axis=1)).ravel()
    u2 = (u @ u).tocsr()
    common = u2.multiply(u).tocsr()  # per edge (i, j): neighbours i and j share
    triangles = np.asarray(common.sum(axis=1)).ravel() / 2.0
    pairs = np.maximum(deg * (deg - 1) / 2.0, 1.0)
    embedded = np.diff(common.indptr).astype(np.float64)
    u2.setdiag(0)
    u2.eliminate_zeros()
    return {
        "triangles": triangles,
        "clustering": triangles / pairs,
        "max_common_neighbours": row_max(common),
        "embedded_partners": embedded,
        "embedded_share": embedded / np.maximum(deg, 1.0),
        "squares_walks": np.asarray(u2.multiply(u2).sum(axis=1)).ravel(),
        "two_hop_undirected": np.diff(u2.indptr).astype(np.float64),
    }


def row_max(m: sp.csr_matrix) -> FloatArray:
    """Largest stored value per row (0 for empty rows); values here are non-negative."""
    m = sp.csr_matrix(m)
    out = np.zeros(m.shape[0])
    nonempty = np.diff(m.indptr) > 0
    if m.nnz:
        out[nonempty] = np.maximum.reduceat(m.data, m.indptr[:-1][nonempty])
    return out


def neighbour_max(u: sp.csr_matrix, values: FloatArray) -> FloatArray:
    """Largest value of a non-negative feature among an account's neighbours."""
    return row_max(sp.csr_matrix(u.multiply(values[None, :])))
