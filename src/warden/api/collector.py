"""Garbage-collector settings for a process that decides online and so keeps feature state in memory.

The state (windows per customer, device, IP, address) is large, long-lived and free of reference cycles, yet
with CPython's default thresholds (700, 10, 10) the collector re-walked all of it in full collections several
times a minute, each a pause that grew with the state: 0.1-0.9 s per worker under `warden bench decisions`,
the run's worst latencies and several per cent of its CPU. A young generation of 10,000 objects lets each
request's garbage die by reference counting before a collection sees it, so older generations fill, and full
collections come, about thirty times less often. Nothing is switched off: cycles are still collected.
"""

from __future__ import annotations

import gc

YOUNG = 10_000  # objects allocated between young collections (CPython's default: 700)
MIDDLE = 20  # young collections per middle one (default 10)
FULL = 10  # middle collections before a full one is considered (default 10)


def settle_for_serving() -> tuple[int, int, int]:
    """Freeze what startup built (rules, model, screening index: never garbage) and widen the young
    generation. Returns the previous thresholds, for `restore`."""
    previous = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, FULL)
    return previous


def restore(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(*thresholds)
