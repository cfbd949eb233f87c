"""`warden bench take-next` on a small SQLite run: the JSON has its reference and no case goes out twice."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warden.cli import app


def test_bench_take_next_reports_against_a_reference() -> None:
    result = CliRunner().invoke(app, ["bench", "take-next", "--cases", "40", "--reviewers", "3"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["database"] == "sqlite" and report["handed_out"] == 40 and report["duplicates"] == 0
    assert report["take_next"]["p50_ms"] > 0 and report["reference"]["ops"] == 40
    assert report["ratio_to_reference"] > 0 and isinstance(report["meets_target"], bool)
