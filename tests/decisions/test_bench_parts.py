"""The parts `warden bench decisions` reports with: CPU of a process tree, and rounds of a load added up."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from warden.bench.decisions import _Phase, _tree_cpu_seconds, run_engine_bench
from warden.bench.loadgen import LoadResult

_BURN = (
    "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass\nprint(flush=True)\ntime.sleep(30)"
)


def test_tree_cpu_counts_a_live_child_process() -> None:
    before = _tree_cpu_seconds(os.getpid()) - time.process_time()
    child = subprocess.Popen([sys.executable, "-c", _BURN], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline()  # it has burnt its 0.3 s and now sleeps
        assert _tree_cpu_seconds(child.pid) >= 0.25
        assert _tree_cpu_seconds(os.getpid()) - time.process_time() - before >= 0.25
    finally:
        child.kill()
        child.wait()


def test_rounds_of_a_load_add_up() -> None:
    first = LoadResult(100, 1, 1.0, [1.0] * 100, {200: 99, 500: 1})
    second = LoadResult(300, 0, 2.0, [3.0] * 300, {200: 300})
    both = first.merged(second)
    assert (both.requests, both.errors, both.seconds) == (400, 1, 3.0)
    assert both.rate() == 133.3 and both.statuses == {200: 399, 500: 1}
    assert both.summary()["p50_ms"] == 3.0

    phase = _Phase()
    phase.add((first, 0.02, 0.004))  # server and load generator CPU seconds of each round
    phase.add((second, 0.06, 0.012))
    report = phase.report()
    assert report["requests"] == 400 and report["throughput_per_s"] == 133.3
    assert report["cpu_per_request"] == {"server_us": 200.0, "loadgen_us": 40.0}  # per request over both rounds
    assert report["per_round_per_s"] == [100.0, 150.0]


def test_engine_bench_reports_the_median_of_its_passes() -> None:
    result = run_engine_bench(customers=150, days=7, seed=5, passes=3)
    passes = result["events_per_second_per_pass"]
    assert len(passes) == 3 and all(rate > 0 for rate in passes)
    assert result["events_per_second"] == sorted(passes)[1]
    assert result["meets_target"] == (result["events_per_second"] >= 30_000)
    assert result["events"] > 150 and result["versions"]["ruleset"].startswith("starter@")
