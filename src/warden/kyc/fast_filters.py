"""Exact median filters for the tamper signals, compiled with numba: the fast path beside scipy's
`ndimage.median_filter` (the plain version, still used by `tamper_signals(..., fast=False)`).

Both give scipy's result bit for bit: same 'reflect' border (d c b a | a b c d | d c b a), the middle element of
the sorted window. They are faster because they do less, not because they approximate:

- `median3`: Paeth's 3x3 median, columns sorted once and shared (numpy, about 20 array operations);
- `median_at`: the window median only at the points a signal reads, by quickselect;
- `top_above_median`: the largest values above their local median (what the screen signal keeps: its 20
  strongest spectral peaks) without the median everywhere. A lower bound of every window's median is cheap:
  the same rank in a larger block that holds the window (more values can only lower a rank). Value minus
  bound caps each point's height; the exact median is computed only where that cap can still reach the top,
  about 1 % of a 512x512 spectrum.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _select(buf: np.ndarray, k: int) -> float:
    """The k-th smallest of buf (reordered in place): Hoare's quickselect, middle pivot."""
    lo, hi = 0, buf.shape[0] - 1
    while lo < hi:
        pivot = buf[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while buf[i] < pivot:
                i += 1
            while buf[j] > pivot:
                j -= 1
            if i <= j:
                buf[i], buf[j] = buf[j], buf[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return buf[k]


@numba.njit(cache=True, nogil=True)
def _median_at(padded: np.ndarray, size: int, ys: np.ndarray, xs: np.ndarray, out: np.ndarray) -> None:
    buf = np.empty(size * size, padded.dtype)
    for p in range(ys.shape[0]):
        y0, x0, k = ys[p], xs[p], 0
        for dy in range(size):
            row = padded[y0 + dy]
            for dx in range(size):
                buf[k] = row[x0 + dx]
                k += 1
        out[p] = _select(buf, (size * size) // 2)


def _sort2(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.minimum(a, b), np.maximum(a, b)


def _med3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))


def median3(a: np.ndarray) -> np.ndarray:
    """`ndimage.median_filter(a, size=3)` for a 2-D array. Paeth's method: sort each column of three once
    (shared by the three windows that hold it); the median of the nine is then the median of the largest
    low, the middle middle and the smallest high of a window's three columns."""
    if a.ndim != 2:
        raise ValueError(f"median3 takes a 2-D array, not {a.ndim}-D")
    p = np.pad(a, 1, mode="symmetric")  # numpy's 'symmetric' is scipy's 'reflect'
    lo, mid = _sort2(p[:-2], p[1:-1])
    mid, hi = _sort2(mid, p[2:])
    lo, mid = _sort2(lo, mid)
    w = a.shape[1]
    lows = np.maximum(np.maximum(lo[:, 0:w], lo[:, 1 : w + 1]), lo[:, 2 : w + 2])
    highs = np.minimum(np.minimum(hi[:, 0:w], hi[:, 1 : w + 1]), hi[:, 2 : w + 2])
    mids = _med3(mid[:, 0:w], mid[:, 1 : w + 1], mid[:, 2 : w + 2])
    return _med3(lows, mids, highs)


def median_at(a: np.ndarray, size: int, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """`ndimage.median_filter(a, size=size)[ys, xs]` for a 2-D array and an odd size, computed only there."""
    if a.ndim != 2 or size < 1 or size % 2 == 0:
        raise ValueError("median_at takes a 2-D array and an odd window size")
    ys, xs = np.asarray(ys, np.int64), np.asarray(xs, np.int64)
    if ys.shape != xs.shape or ys.ndim != 1:
        raise ValueError("ys and xs must be 1-D and of one length")
    if ys.size and (ys.min() < 0 or xs.min() < 0 or ys.max() >= a.shape[0] or xs.max() >= a.shape[1]):
        raise ValueError("a point lies outside the array")
    out = np.empty(ys.shape[0], a.dtype)
    padded = np.pad(a, size // 2, mode="symmetric")  # numpy's 'symmetric' is scipy's 'reflect'
    _median_at(padded, size, ys, xs, out)
    return out


def _median_lower_bound(a: np.ndarray, size: int, tile: int) -> np.ndarray:
    """A value at most the `size`-window median at every pixel: per `tile` x `tile` block of pixels, the rank
    of the median within the (tile + size - 1)-square that holds all of that block's windows."""
    h, w = a.shape
    r, k = size // 2, (size * size) // 2
    th, tw = -(-h // tile), -(-w // tile)
    padded = np.pad(a, r, mode="symmetric")
    # whole blocks at the far edges: the extra (repeated) values only make the bound lower, still a bound
    padded = np.pad(padded, ((0, th * tile - h), (0, tw * tile - w)), mode="edge")
    span = tile + size - 1
    blocks = np.lib.stride_tricks.sliding_window_view(padded, (span, span))[::tile, ::tile][:th, :tw]
    bound = np.partition(blocks.reshape(th * tw, span * span), k, axis=1)[:, k].reshape(th, tw)
    return np.repeat(np.repeat(bound, tile, 0), tile, 1)[:h, :w]


def top_above_median(a: np.ndarray, size: int, ys: np.ndarray, xs: np.ndarray, count: int) -> np.ndarray:
    """`np.sort(a[ys, xs] - ndimage.median_filter(a, size=size)[ys, xs])[-count:]`, the same values."""
    ys, xs = np.asarray(ys, np.int64), np.asarray(xs, np.int64)
    if count < 1:
        raise ValueError("count must be at least 1")
    if ys.size <= count:
        return np.sort(a[ys, xs] - median_at(a, size, ys, xs))
    cap = a[ys, xs] - _median_lower_bound(a, size, 4)[ys, xs]  # each point's height is at most its cap
    m = min(max(8 * count, 256), cap.size)
    first = np.argpartition(cap, -m)[-m:]  # the highest caps: their exact heights set a floor
    exact = a[ys[first], xs[first]] - median_at(a, size, ys[first], xs[first])
    floor = np.sort(exact)[-count]  # `count` points already stand this high
    # a point whose cap is under the floor cannot enter the top; the rest are computed exactly
    wanted = cap >= floor
    wanted[first] = False
    rest = np.flatnonzero(wanted)
    if rest.size:
        exact = np.concatenate([exact, a[ys[rest], xs[rest]] - median_at(a, size, ys[rest], xs[rest])])
    return np.sort(exact)[-count:]
