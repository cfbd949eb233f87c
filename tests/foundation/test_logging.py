"""Logging follows sys.stderr as it is now: runners swap and close streams, background threads log later."""

from __future__ import annotations

import io
import json

import pytest
import structlog

from warden.logging import configure_logging


def test_a_closed_stderr_from_configure_time_does_not_break_later_logging(monkeypatch: pytest.MonkeyPatch) -> None:
    first = io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    configure_logging("INFO", "json")
    first.close()  # e.g. a CLI runner's captured stream, gone after its command returned
    now = io.StringIO()
    monkeypatch.setattr("sys.stderr", now)
    try:
        structlog.get_logger("test").info("still logging", run=2)
        record = json.loads(now.getvalue())
    finally:
        structlog.reset_defaults()
    assert record["event"] == "still logging" and record["run"] == 2 and record["level"] == "info"
