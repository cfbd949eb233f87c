"""Per-account counts over transaction rows grouped by account (numba), for the account model's features.

Distinct counterparties per time bucket, co-senders of a receiver, and the wait from money in to money
out are group-bys with `n_unique` or as-of joins in a dataframe library; at 10 million transactions
those cost seconds each. Rows are grouped by account once (a counting sort, `group_rows`), and each
account's few rows are then sorted and counted in place. Results are the same integers (and their
medians and means) the dataframe expressions give.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

_Ints = NDArray[np.int64]
_Floats = NDArray[np.float64]


@numba.njit(cache=True)
def group_rows(keys: _Ints, n: int) -> tuple[_Ints, _Ints]:
    """(indptr, rows): rows[indptr[g]:indptr[g + 1]] are the row numbers with key g, in their original order."""
    indptr = np.zeros(n + 1, np.int64)
    for k in keys:
        indptr[k + 1] += 1
    for g in range(n):
        indptr[g + 1] += indptr[g]
    rows = np.empty(len(keys), np.int64)
    fill = indptr[:-1].copy()
    for r in range(len(keys)):
        rows[fill[keys[r]]] = r
        fill[keys[r]] += 1
    return indptr, rows


@numba.njit(cache=True, nogil=True)
def _order(values: _Ints, order: _Ints) -> None:
    """Argsort into `order` (same length); insertion sort for the short lists most accounts have."""
    d = len(values)
    if d > 32:
        order[:] = np.argsort(values, kind="mergesort")
        return
    for a in range(d):
        order[a] = a
    for a in range(1, d):
        o = order[a]
        b = a - 1
        while b >= 0 and values[order[b]] > values[o]:
            order[b + 1] = order[b]
            b -= 1
        order[b + 1] = o


@numba.njit(cache=True, nogil=True)
def _bucket_range(
    indptr: _Ints,
    rows: _Ints,
    other: _Ints,
    bucket: _Ints,
    n_other: int,
    first: int,
    step: int,
    rows_max: _Floats,
    distinct_max: _Floats,
    row_distinct: _Floats,
) -> None:
    n = len(indptr) - 1
    longest = 0
    for g in range(first, n, step):
        longest = max(longest, indptr[g + 1] - indptr[g])
    keys = np.empty(longest, np.int64)  # reused for every group this thread handles
    order = np.empty(longest, np.int64)
    for g in range(first, n, step):
        start, end = indptr[g], indptr[g + 1]
        d = end - start
        if d == 0:
            continue
        low = bucket[rows[start]]
        for t in range(start, end):
            low = min(low, bucket[rows[t]])
        for t in range(d):
            r = rows[start + t]
            keys[t] = (bucket[r] - low) * n_other + other[r]
        _order(keys[:d], order[:d])
        run_start = 0
        while run_start < d:
            b = bucket[rows[start + order[run_start]]]
            run_end, distinct = run_start, 0
            while run_end < d and bucket[rows[start + order[run_end]]] == b:
                if run_end == run_start or keys[order[run_end]] != keys[order[run_end - 1]]:
                    distinct += 1
                run_end += 1
            for t in range(run_start, run_end):
                row_distinct[rows[start + order[t]]] = distinct
            rows_max[g] = max(rows_max[g], run_end - run_start)
            distinct_max[g] = max(distinct_max[g], distinct)
            run_start = run_end


@numba.njit(cache=True, parallel=True)
def _bucket_counts(
    indptr: _Ints, rows: _Ints, other: _Ints, bucket: _Ints, n_other: int, threads: int
) -> tuple[_Floats, _Floats, _Floats]:
    n = len(indptr) - 1
    rows_max = np.zeros(n)
    distinct_max = np.zeros(n)
    row_distinct = np.zeros(len(rows))
    for t in numba.prange(threads):
        _bucket_range(indptr, rows, other, bucket, n_other, t, threads, rows_max, distinct_max, row_distinct)
    return rows_max, distinct_max, row_distinct


def bucket_counts(
    indptr: _Ints, rows: _Ints, other: _Ints, bucket: _Ints, n_other: int
) -> tuple[_Floats, _Floats, _Floats]:
    """Per group: the most rows in one bucket, the most distinct `other` values in one bucket; per row: the
    distinct `other` values in its own (group, bucket). `other` must lie in [0, n_other)."""
    return _bucket_counts(indptr, rows, other, bucket, n_other, numba.get_num_threads())


@numba.njit(cache=True, parallel=True)
def row_max_mean(indptr: _Ints, rows: _Ints, values: _Floats) -> tuple[_Floats, _Floats]:
    """Largest and mean value of a per-row quantity over each group's rows (0 for empty groups)."""
    n = len(indptr) - 1
    top = np.zeros(n)
    mean = np.zeros(n)
    for g in numba.prange(n):
        start, end = indptr[g], indptr[g + 1]
        total = 0.0
        for t in range(start, end):
            v = values[rows[t]]
            top[g] = max(top[g], v)
            total += v
        if end > start:
            mean[g] = total / (end - start)
    return top, mean


@numba.njit(cache=True, parallel=True)
def in_out_gaps(
    in_ptr: _Ints, in_rows: _Ints, out_ptr: _Ints, out_rows: _Ints, step: _Ints
) -> tuple[_Floats, _Floats, _Floats]:
    """For each incoming row, steps until the account's next outgoing row at or after it; per account the
    median and minimum of those waits (NaN when none is followed) and the share never followed."""
    n = len(in_ptr) - 1
    median = np.full(n, np.nan)
    minimum = np.full(n, np.nan)
    not_forwarded = np.full(n, np.nan)
    for g in numba.prange(n):
        n_in = in_ptr[g + 1] - in_ptr[g]
        if n_in == 0:
            continue
        outs = np.sort(step[out_rows[out_ptr[g] : out_ptr[g + 1]]])
        gaps = np.empty(n_in)
        found = 0
        for t in range(in_ptr[g], in_ptr[g + 1]):
            s = step[in_rows[t]]
            at = np.searchsorted(outs, s)  # first outgoing step >= s
            if at < len(outs):
                gaps[found] = outs[at] - s
                found += 1
        not_forwarded[g] = (n_in - found) / n_in
        if found:
            ordered = np.sort(gaps[:found])
            minimum[g] = ordered[0]
            half = found // 2
            median[g] = ordered[half] if found % 2 else (ordered[half - 1] + ordered[half]) / 2.0
    return median, minimum, not_forwarded
