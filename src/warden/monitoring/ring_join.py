"""Ring members the model ranks just below the cut: neighbours of a flagged customer join its alert.

A laundering ring is many customers, and the model flags only its loudest ones within the alert budget. A
customer who paid or was paid by a flagged one in the window (a transfer or a resolved hop) joins that
alert when its own score ranks high enough in the window's population. Joining costs no alert (the ring
was going to a reviewer anyway) but can cost precision, so the bar is learnt on the exchange's labels: out
of fold on the learn windows, the lowest rank share (`join_share`: the neighbour is in the top this share
of the window's customers) at which the neighbours that would join were dirty at least `min_precision` of
the time, smoothed as (dirty + 1) / (joined + 2) so that thin evidence does not lower the bar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray


def neighbours(edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for a, b in edges:
        if a != b:
            out.setdefault(a, set()).add(b)
            out.setdefault(b, set()).add(a)
    return out


def rank_shares(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each customer's place in the window as the share of customers ranked at or above it (0 = top)."""
    if scores.size == 0:
        return np.zeros(0)
    order = np.argsort(-scores, kind="stable")
    shares = np.empty(scores.size)
    shares[order] = (np.arange(scores.size) + 1) / scores.size
    return shares


def joiners(
    flagged: set[str],
    customers: Sequence[str],
    shares: NDArray[np.float64],
    nbrs: dict[str, set[str]],
    join_share: float,
) -> set[str]:
    """Customers next to a flagged one, not flagged themselves, ranked within the top `join_share`."""
    if join_share <= 0.0:
        return set()
    share_of = dict(zip(customers, shares, strict=True))
    near = {n for c in flagged for n in nbrs.get(c, ()) if n not in flagged}
    return {n for n in near if n in share_of and share_of[n] <= join_share}


def choose_join_share(candidates: list[tuple[float, bool]], min_precision: float) -> tuple[float, dict[str, float]]:
    """From (rank share, dirty) of every neighbour of a flagged customer on the learn windows: the widest
    share whose joiners keep smoothed precision >= `min_precision` (0.0 when none does)."""
    best, at = 0.0, {"joined": 0.0, "dirty": 0.0, "smoothed_precision": 0.0}
    dirty = 0
    for i, (share, is_dirty) in enumerate(sorted(candidates)):
        dirty += int(is_dirty)
        smoothed = (dirty + 1) / (i + 1 + 2)
        if smoothed >= min_precision:
            best = share
            at = {"joined": float(i + 1), "dirty": float(dirty), "smoothed_precision": round(smoothed, 4)}
    return best, at
