"""Exact sliding windows over integer-microsecond timestamps, O(1) amortised per event.

A window of length w queried at t covers [t - w, t). Callers add entries in non-decreasing time order and
query only with t later than every entry added (the store's staging guarantees both), so an entry is
expired exactly when its time is < t - w. Every structure round-trips through plain JSON lists for Redis.
"""

from __future__ import annotations

from collections import deque
from typing import Any

_TRIM_AT = 512  # drop expired prefix entries in chunks, not one by one
# A window that no decision reads (the engine computes only the features read) is never queried; past this
# many entries `add` expires it itself, so the state stays bounded whatever the rules read.
_EXPIRE_ON_ADD_AT = 4 * _TRIM_AT


class WindowSum:
    """Counts and integer sums over several window lengths sharing one entry list."""

    __slots__ = ("spans", "starts", "sums", "times", "values")

    def __init__(self, spans: tuple[int, ...]) -> None:
        self.spans = spans  # ascending lengths in µs; the last one bounds what is kept
        self.times: list[int] = []
        self.values: list[int] = []
        self.starts = [0] * len(spans)
        self.sums = [0] * len(spans)

    def add(self, ts: int, value: int) -> None:
        self.times.append(ts)
        self.values.append(value)
        sums = self.sums
        for i in range(len(sums)):
            sums[i] += value
        if len(self.times) > _EXPIRE_ON_ADD_AT:
            self.query(ts)

    def query(self, t: int) -> tuple[list[int], list[int]]:
        """(counts, sums) per span at time t."""
        times, values, starts, sums = self.times, self.values, self.starts, self.sums
        n = len(times)
        if n == 0:  # most customers never transfer: skip the loop
            return [0] * len(starts), [0] * len(starts)
        counts = []
        for i, span in enumerate(self.spans):
            lo = t - span
            s = starts[i]
            if s < n and times[s] < lo:
                total = sums[i]
                while s < n and times[s] < lo:
                    total -= values[s]
                    s += 1
                starts[i] = s
                sums[i] = total
            counts.append(n - s)
        if starts[-1] >= _TRIM_AT:
            cut = starts[-1]
            del times[:cut], values[:cut]
            self.starts = [s - cut for s in starts]
        return counts, list(sums)

    def to_json(self) -> list[Any]:
        return [self.times, self.values, self.starts, self.sums]

    def load(self, data: list[Any]) -> WindowSum:
        self.times, self.values, self.starts, self.sums = data
        return self


class WindowCount:
    """Counts only, over one or two window lengths: cheaper than WindowSum for logins and transfers."""

    __slots__ = ("spans", "starts", "times")

    def __init__(self, spans: tuple[int, ...]) -> None:
        self.spans = spans
        self.times: list[int] = []
        self.starts = [0] * len(spans)

    def add(self, ts: int) -> None:
        self.times.append(ts)
        if len(self.times) > _EXPIRE_ON_ADD_AT:
            self.count(ts, len(self.spans) - 1)

    def count(self, t: int, which: int = 0) -> int:
        """Entries in [t - spans[which], t)."""
        times = self.times
        n = len(times)
        s = self.starts[which]
        lo = t - self.spans[which]
        while s < n and times[s] < lo:
            s += 1
        self.starts[which] = s
        if which == len(self.spans) - 1 and s >= _TRIM_AT:
            del times[:s]
            self.starts = [max(x - s, 0) for x in self.starts]
        return n - s  # n and s as before the trim (after it, n - s would count the dropped entries)

    def to_json(self) -> list[Any]:
        return [self.times, self.starts]

    def load(self, data: list[Any]) -> WindowCount:
        self.times, self.starts = data
        return self


class DistinctWindow:
    """Distinct values seen in [t - span, t), with how often each occurs so expiry is O(1)."""

    __slots__ = ("counts", "entries", "span")

    def __init__(self, span: int) -> None:
        self.span = span
        self.entries: deque[tuple[int, str]] = deque()
        self.counts: dict[str, int] = {}

    def add(self, ts: int, value: str) -> None:
        self.entries.append((ts, value))
        self.counts[value] = self.counts.get(value, 0) + 1
        if len(self.entries) > _EXPIRE_ON_ADD_AT:
            self.expire(ts)

    def expire(self, t: int) -> dict[str, int]:
        lo = t - self.span
        entries, counts = self.entries, self.counts
        while entries and entries[0][0] < lo:
            value = entries.popleft()[1]
            left = counts[value] - 1
            if left:
                counts[value] = left
            else:
                del counts[value]
        return counts

    def to_json(self) -> list[Any]:
        return [list(self.entries)]

    def load(self, data: list[Any]) -> DistinctWindow:
        for ts, value in data[0]:
            self.add(ts, value)
        return self


class MaxWindow:
    """Largest value in [t - span, t): a deque of candidates with decreasing values."""

    __slots__ = ("candidates", "span")

    def __init__(self, span: int) -> None:
        self.span = span
        self.candidates: deque[tuple[int, int]] = deque()

    def add(self, ts: int, value: int) -> None:
        candidates = self.candidates
        while candidates and candidates[-1][1] <= value:
            candidates.pop()
        candidates.append((ts, value))
        if len(candidates) > _EXPIRE_ON_ADD_AT:
            self.query(ts)

    def query(self, t: int) -> int | None:
        lo = t - self.span
        candidates = self.candidates
        while candidates and candidates[0][0] < lo:
            candidates.popleft()
        return candidates[0][1] if candidates else None

    def to_json(self) -> list[Any]:
        return [list(self.candidates)]

    def load(self, data: list[Any]) -> MaxWindow:
        self.candidates = deque((ts, value) for ts, value in data[0])
        return self
