"""Per-node walk counting on CSR adjacency lists (numba): closed walks, 2-hop reach, triangles.

`scipy` would get these from matrix powers, but A^3 of a transaction graph has about n * d^3 non-zeros
(7 GB and 100 s at 10 million transactions). Here each node counts the walks of its own frontiers (two
hops forward, three backward) in small hash tables that stay in the CPU cache, and reads the diagonal
entries it needs as dot products of the two frontiers: diag(A^(p+q))_i = sum_j (A^p)_ij (A^q)_ji. The
third forward hop is never stored: diag(A^6) gathers the backward 3-hop counts along each 2-hop node's
out-list. Nothing bigger than the frontiers is kept per node, and the values are the same integers the
matrix products give.

Hubs: an account's partner list is not expanded when it has more than `hub_degree` partners, except
for the account's own list. Transaction graphs have payment processors and hot wallets with very many
partners; expanding them would cost (partners of the hub) x (walks reaching it) for every account
nearby. Walks that would need a hub's list are then not counted (a hub can still be where the forward
and backward halves meet). The default is far above any account in the simulated benchmark or the
AMLSim samples, where the counts are exact; `graph.hubs` counts the accounts over the cap.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

HUB_DEGREE = 5_000

_Ints = NDArray[np.integer[Any]]  # int32 where the ids fit (see _compact), else int64
_Floats = NDArray[np.float64]
_EMPTY = -1
_MIX = 0x7F4A7C159E3779B1  # odd multiplier; the high bits of the product index the table


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(keys: _Ints, key: int) -> int:
    """Open addressing, linear probing; the table is a power of two in size and never more than half full."""
    mask = len(keys) - 1
    h = ((key * _MIX) >> 29) & mask
    while keys[h] != _EMPTY and keys[h] != key:
        h = (h + 1) & mask
    return h


@numba.njit(cache=True, nogil=True)
def _get(keys: _Ints, vals: _Floats, key: int) -> float:
    h = _slot(keys, key)
    return vals[h] if keys[h] == key else 0.0


@numba.njit(cache=True, nogil=True)
def _table(capacity: int) -> tuple[_Ints, _Floats, _Ints]:
    """Keys, values, and the list of occupied slots (to clear them and to iterate)."""
    size = 16
    while size < 2 * capacity:
        size *= 2
    return np.full(size, _EMPTY, np.int64), np.zeros(size), np.zeros(capacity + 1, np.int64)


@numba.njit(cache=True, nogil=True)
def _expand_into(
    indptr: _Ints,
    indices: _Ints,
    seed_keys: _Ints,
    seed_vals: _Floats,
    seed_used: _Ints,
    n_seeds: int,
    keys: _Ints,
    vals: _Floats,
    used: _Ints,
    hub_degree: int,
) -> int:
    """table[m] += seed[l] for every edge l -> m from a seed in table `seed`; returns the entries filled."""
    count = 0
    for s in range(n_seeds):
        slot = seed_used[s]
        node, w = seed_keys[slot], seed_vals[slot]
        start, end = indptr[node], indptr[node + 1]
        if end - start > hub_degree:
            continue
        for e in range(start, end):
            h = _slot(keys, indices[e])
            if keys[h] == _EMPTY:
                keys[h] = indices[e]
                used[count] = h
                count += 1
            vals[h] += w
    return count


@numba.njit(cache=True, nogil=True)
def _bound(indptr: _Ints, keys: _Ints, used: _Ints, n_used: int, hub_degree: int) -> int:
    """Most entries expanding the table can produce (sizes the next table)."""
    total = 0
    for s in range(n_used):
        node = keys[used[s]]
        d = indptr[node + 1] - indptr[node]
        if d <= hub_degree:
            total += d
    return total


@numba.njit(cache=True, nogil=True)
def _clear(keys: _Ints, vals: _Floats, used: _Ints, count: int) -> None:
    for t in range(count):
        keys[used[t]] = _EMPTY
        vals[used[t]] = 0.0


@numba.njit(cache=True, nogil=True)
def _fill_row(indptr: _Ints, indices: _Ints, i: int, keys: _Ints, vals: _Floats, used: _Ints) -> int:
    for e in range(indptr[i], indptr[i + 1]):
        h = _slot(keys, indices[e])
        keys[h] = indices[e]
        vals[h] = 1.0
        used[e - indptr[i]] = h
    return indptr[i + 1] - indptr[i]


@numba.njit(cache=True, nogil=True)
def _dot(keys: _Ints, vals: _Floats, used: _Ints, count: int, other_keys: _Ints, other_vals: _Floats) -> float:
    total = 0.0
    for t in range(count):
        h = used[t]
        total += vals[h] * _get(other_keys, other_vals, keys[h])
    return total


@numba.njit(cache=True, nogil=True)
def _walks_range(
    out_ptr: _Ints,
    out_idx: _Ints,
    in_ptr: _Ints,
    in_idx: _Ints,
    hub_degree: int,
    first: int,
    step: int,
    walks: _Floats,
    reach: _Floats,
) -> None:
    n = len(out_ptr) - 1
    # Tables grow when a frontier needs more room; the sizes reached are kept for the next nodes.
    f1k, f1v, f1u = _table(16)
    f2k, f2v, f2u = _table(16)
    b1k, b1v, b1u = _table(16)
    b2k, b2v, b2u = _table(16)
    b3k, b3v, b3u = _table(16)
    for i in range(first, n, step):
        d_out = out_ptr[i + 1] - out_ptr[i]
        d_in = in_ptr[i + 1] - in_ptr[i]
        if len(f1u) < d_out + 1:
            f1k, f1v, f1u = _table(d_out)
        if len(b1u) < d_in + 1:
            b1k, b1v, b1u = _table(d_in)
        nf1 = _fill_row(out_ptr, out_idx, i, f1k, f1v, f1u)
        nb1 = _fill_row(in_ptr, in_idx, i, b1k, b1v, b1u)
        need = _bound(out_ptr, f1k, f1u, nf1, hub_degree)
        if len(f2u) < need + 1:
            f2k, f2v, f2u = _table(need)
        nf2 = _expand_into(out_ptr, out_idx, f1k, f1v, f1u, nf1, f2k, f2v, f2u, hub_degree)
        need = _bound(in_ptr, b1k, b1u, nb1, hub_degree)
        if len(b2u) < need + 1:
            b2k, b2v, b2u = _table(need)
        nb2 = _expand_into(in_ptr, in_idx, b1k, b1v, b1u, nb1, b2k, b2v, b2u, hub_degree)
        # The third backward hop only matters for closed walks, which need the account to pay someone.
        need = _bound(in_ptr, b2k, b2u, nb2, hub_degree) if nf1 else 0
        if len(b3u) < need + 1:
            b3k, b3v, b3u = _table(need)
        nb3 = _expand_into(in_ptr, in_idx, b2k, b2v, b2u, nb2, b3k, b3v, b3u, hub_degree) if nf1 else 0
        walks[i, 0] = _dot(f1k, f1v, f1u, nf1, b1k, b1v)
        walks[i, 1] = _dot(f2k, f2v, f2u, nf2, b1k, b1v)
        walks[i, 2] = _dot(f2k, f2v, f2u, nf2, b2k, b2v)
        walks[i, 3] = _dot(f2k, f2v, f2u, nf2, b3k, b3v)
        # diag(A^6) needs the third forward hop: gathered along each 2-hop node's out-list, never stored.
        six = 0.0
        for t in range(nf2):
            h = f2u[t]
            node = f2k[h]
            start, end = out_ptr[node], out_ptr[node + 1]
            if end - start > hub_degree:
                continue
            s3 = 0.0
            for e in range(start, end):
                s3 += _get(b3k, b3v, out_idx[e])
            six += f2v[h] * s3
        walks[i, 4] = six
        reach[i, 0] = nf2 - (1 if _get(f2k, f2v, i) > 0 else 0)
        reach[i, 1] = nb2 - (1 if _get(b2k, b2v, i) > 0 else 0)
        _clear(f1k, f1v, f1u, nf1)
        _clear(f2k, f2v, f2u, nf2)
        _clear(b1k, b1v, b1u, nb1)
        _clear(b2k, b2v, b2u, nb2)
        _clear(b3k, b3v, b3u, nb3)


@numba.njit(cache=True, parallel=True)
def _directed_walks(
    out_ptr: _Ints, out_idx: _Ints, in_ptr: _Ints, in_idx: _Ints, hub_degree: int, threads: int
) -> tuple[_Floats, _Floats]:
    n = len(out_ptr) - 1
    walks = np.zeros((n, 5))  # closed walks of length 2..6
    reach = np.zeros((n, 2))  # distinct accounts 2 hops forward, backward (self excluded)
    for t in numba.prange(threads):
        _walks_range(out_ptr, out_idx, in_ptr, in_idx, hub_degree, t, threads, walks, reach)
    return walks, reach


@numba.njit(cache=True, nogil=True)
def _density_range(ptr: _Ints, idx: _Ints, hub_degree: int, first: int, step: int, out: _Floats) -> None:
    n = len(ptr) - 1
    c1k, c1v, c1u = _table(16)
    c2k, c2v, c2u = _table(16)
    for i in range(first, n, step):
        d = ptr[i + 1] - ptr[i]
        if len(c1u) < d + 1:
            c1k, c1v, c1u = _table(d)
        n1 = _fill_row(ptr, idx, i, c1k, c1v, c1u)
        need = _bound(ptr, c1k, c1u, n1, hub_degree)
        if len(c2u) < need + 1:
            c2k, c2v, c2u = _table(need)
        n2 = _expand_into(ptr, idx, c1k, c1v, c1u, n1, c2k, c2v, c2u, hub_degree)
        # c2[j] = paths i - l - j: for a neighbour j, the neighbours i and j share (the edge's embeddedness)
        common_sum, common_max, embedded = 0.0, 0.0, 0.0
        for k in range(n1):
            common = _get(c2k, c2v, c1k[c1u[k]])
            common_sum += common
            common_max = max(common_max, common)
            if common > 0:
                embedded += 1.0
        self_paths = _get(c2k, c2v, i)
        out[i, 0] = common_sum / 2.0
        out[i, 1] = common_max
        out[i, 2] = embedded
        out[i, 3] = _dot(c2k, c2v, c2u, n2, c2k, c2v) - self_paths * self_paths
        out[i, 4] = n2 - (1 if self_paths > 0 else 0)
        _clear(c1k, c1v, c1u, n1)
        _clear(c2k, c2v, c2u, n2)


@numba.njit(cache=True, parallel=True)
def _undirected_density(ptr: _Ints, idx: _Ints, hub_degree: int, threads: int) -> _Floats:
    out = np.zeros((len(ptr) - 1, 5))  # triangles, max common neighbours, embedded partners, squares, 2-hop
    for t in numba.prange(threads):
        _density_range(ptr, idx, hub_degree, t, threads, out)
    return out


def directed_walks(
    out_ptr: _Ints, out_idx: _Ints, in_ptr: _Ints, in_idx: _Ints, hub_degree: int = HUB_DEGREE
) -> tuple[_Floats, _Floats]:
    """(closed walks of length 2..6 as n x 5, distinct accounts 2 hops forward / backward as n x 2)."""
    return _directed_walks(
        _compact(out_ptr), _compact(out_idx), _compact(in_ptr), _compact(in_idx), hub_degree, numba.get_num_threads()
    )


def undirected_density(ptr: _Ints, idx: _Ints, hub_degree: int = HUB_DEGREE) -> _Floats:
    """Per node: triangles, most neighbours shared with one partner, partners sharing any, sum over accounts
    two hops away of (2-paths to it)^2, and how many accounts are two hops away (n x 5)."""
    return _undirected_density(_compact(ptr), _compact(idx), hub_degree, numba.get_num_threads())


def _compact(values: _Ints) -> _Ints:
    """int32 where it fits: half the memory traffic on the adjacency lists, which is what the kernels wait on."""
    if len(values) and int(values.max()) >= 2**31:
        return values.astype(np.int64)
    return values.astype(np.int32)
