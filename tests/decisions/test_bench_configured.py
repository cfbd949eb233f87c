"""Issue 14, finding 11: `warden bench decisions` runs on the configured store and Redis (the key and the server
alike), and a run in which requests failed says so and reports no ratio."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from warden.bench.decisions import decisions_report, run_decisions_bench
from warden.settings import Settings

SHORT = {"seconds": 1.0, "echo_seconds": 1.0, "workers": 1, "connections": 2, "events": 3000, "rounds": 1}


def _summary(requests: int, errors: int, statuses: dict[int, int]) -> dict[str, object]:
    return {
        "requests": requests,
        "errors": errors,
        "statuses": statuses,
        "throughput_per_s": 2000.0,
        "p99_ms": 5.0,
        "cpu_per_request": {"server_us": 300.0, "loadgen_us": 50.0},
    }


def test_a_report_with_failed_requests_is_failed_and_has_no_ratio() -> None:
    report = decisions_report(
        _summary(100, 100, {401: 100}), _summary(100, 0, {200: 100}), setup={}, answered=100, stored=0
    )
    assert report["ok"] is False and report["meets_targets"] is False
    assert report["ratio_to_echo"] is None and report["server_cpu_ratio_to_echo"] is None
    assert "100 of 100 decision requests failed" in report["failures"][0]
    clean = decisions_report(
        _summary(100, 0, {201: 100}), _summary(100, 0, {200: 100}), setup={}, answered=100, stored=100
    )
    assert clean["ok"] is True and clean["ratio_to_echo"] == 1.0


def test_a_run_on_postgresql_and_redis_uses_them_for_the_key_and_the_server(postgres_url: str, tmp_path: Path) -> None:
    redis_url = os.environ.get("WARDEN_TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("WARDEN_TEST_REDIS_URL is not set")
    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_url, redis_url=redis_url)
    report = run_decisions_bench(**SHORT, settings=settings)  # type: ignore[arg-type]
    assert report["failures"] == [] and report["ok"] is True, report["failures"]
    assert (report["store"], report["redis"]) == ("postgresql", True)
    assert report["stored_decisions"] == report["answered_decisions"] > 0
    assert report["ratio_to_echo"] is not None


def test_a_run_whose_requests_fail_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARDEN_MAX_AMOUNT", "1")  # the server refuses (422) every event worth more than 1
    report = run_decisions_bench(**SHORT, settings=Settings(data_dir=tmp_path / "data"))  # type: ignore[arg-type]
    assert report["ok"] is False and report["ratio_to_echo"] is None
    assert report["decisions"]["statuses"].get(422, 0) > 0
    assert "decision requests failed" in report["failures"][0]
