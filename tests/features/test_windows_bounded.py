"""Windows that nothing queries (the engine computes only the features read) stay bounded: `add` expires them
once they grow, and a window expired that way answers as one queried all along."""

from __future__ import annotations

from warden.features.state import D30, H1, H24
from warden.features.windows import DistinctWindow, MaxWindow, WindowCount, WindowSum

HOUR = 3_600_000_000
YEAR = 24 * 365  # one entry an hour: 8,760, of which 720 in 30 days


def test_unqueried_windows_stay_bounded_and_agree_with_queried_ones() -> None:
    sums, sums_read = WindowSum((H1, H24, D30)), WindowSum((H1, H24, D30))
    counts, counts_read = WindowCount((H1, H24)), WindowCount((H1, H24))
    distinct, distinct_read = DistinctWindow(D30), DistinctWindow(D30)
    top, top_read = MaxWindow(D30), MaxWindow(D30)
    for hour in range(YEAR):
        ts = hour * HOUR
        value = YEAR - hour  # falling values: every one stays a candidate for the maximum
        for window, read in ((sums, sums_read), (top, top_read)):
            window.add(ts, value)
            read.add(ts, value)
        for window_count in (counts, counts_read):
            window_count.add(ts)
        for window_distinct in (distinct, distinct_read):
            window_distinct.add(ts, f"device-{hour % 1000}")
        if hour % 24 == 0:  # the other copy is read once a day
            sums_read.query(ts + 1)
            counts_read.count(ts + 1, 1)
            distinct_read.expire(ts + 1)
            top_read.query(ts + 1)
    assert len(sums.times) < 3000 and len(counts.times) < 3000
    assert len(distinct.entries) < 3000 and len(top.candidates) < 3000
    end = YEAR * HOUR
    assert sums.query(end) == sums_read.query(end)
    assert [counts.count(end, i) for i in (0, 1)] == [counts_read.count(end, i) for i in (0, 1)]
    assert distinct.expire(end) == distinct_read.expire(end)
    assert top.query(end) == top_read.query(end)


def test_the_count_that_trims_the_window_counts_only_what_is_left() -> None:
    counts = WindowCount((H1, H24))
    for hour in range(600):
        counts.add(hour * HOUR)
    assert counts.count(600 * HOUR, 1) == 24  # 576 expired entries dropped by this very call
    assert counts.count(600 * HOUR, 0) == 1
